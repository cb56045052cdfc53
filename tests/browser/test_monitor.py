"""An administrator sees every site's monitoring at a glance on the dashboard (a screenshot is taken and
checked), opens a down site's incident and acknowledges it, and adds a check whose options follow the
kind chosen (htmx redraws them)."""

from __future__ import annotations

import re
import struct
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, Incident
from tests.monitor.ui_world import hourly_rollups, make_check, open_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Jaga-Web-2026!"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def monitored_sites() -> Incident:
    organisation = Organisation.objects.create(name="Dinas Komunikasi dan Informatika", code="diskominfo")
    portal = Site.objects.create(slug="portal", name="Portal Kabupaten Contoh", url="https://contoh.go.id/",
                                 organisation=organisation)
    news = Site.objects.create(slug="berita", name="Berita Daerah", url="https://berita.contoh.go.id/",
                               organisation=organisation)
    down = make_check(portal, CheckKind.HTTP, Status.DOWN, message="HTTP 503 Service Unavailable")
    hourly_rollups(down, down_hours=(22, 23), ms=420)
    make_check(portal, CheckKind.TLS, Status.UP, facts={"days_left": 9, "not_after": "2026-12-01T00:00:00+00:00"})
    up = make_check(news, CheckKind.HTTP, Status.UP)
    hourly_rollups(up, ms=180)
    content = timezone.now() - timedelta(days=30)
    make_check(news, CheckKind.FRESHNESS, Status.DEGRADED, facts={"content_date": content.isoformat(), "age_days": 30})
    return open_incident(down, cause="HTTP 503 Service Unavailable")


def test_dashboard_incident_and_a_new_check(page, live_server, tmp_path):
    get_user_model().objects.create_superuser("admin", "admin@example.go.id", PASSWORD)
    incident = monitored_sites()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")

    portal = page.locator("table.sites tbody tr", has_text="Portal Kabupaten Contoh")
    assert "Down" in portal.inner_text() and "9 days left" in portal.inner_text()
    news = page.locator("table.sites tbody tr", has_text="Berita Daerah")
    assert "stale: 30 days ago" in news.inner_text() and "100 %" in news.inner_text()
    spark = news.locator("svg.spark")
    assert spark.count() == 1 and spark.bounding_box()["width"] > 50
    down_colour = portal.locator(".badge.bad").first.evaluate("e => getComputedStyle(e).color")
    degraded_colour = news.locator(".badge.warning").first.evaluate("e => getComputedStyle(e).color")
    assert "Degraded" in news.inner_text() and down_colour != degraded_colour  # colour next to the word
    shot = tmp_path / "dashboard-monitoring.png"
    page.screenshot(path=str(shot), full_page=True)
    width, height = png_size(shot)
    assert width == 1280 and height >= 400 and shot.stat().st_size > 20_000

    portal.get_by_role("link", name=re.compile("incident since")).click()
    page.wait_for_url(re.compile(rf".*/monitor/incidents/{incident.pk}/$"))
    page.get_by_role("button", name="Acknowledge: I am on it").click()
    page.wait_for_load_state("networkidle")
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None

    page.goto(f"{live_server.url}/monitor/sites/berita/checks/new/")
    page.select_option("select[name=kind]", "tls")
    page.wait_for_selector("input[name=option_warn_days]")  # htmx drew the TLS options
    page.fill("input[name=option_warn_days]", "21")
    page.locator("#check-form button.primary").click()
    page.wait_for_url(re.compile(r".*/monitor/checks/\d+/$"))
    check = Check.objects.get(site__slug="berita", kind=CheckKind.TLS)
    assert check.config["warn_days"] == 21
    assert "Warn when fewer days are left" in page.content()
