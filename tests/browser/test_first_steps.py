"""An administrator logs in, adds a site, finds it on the dashboard and switches the language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation, Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-results"


def test_login_add_site_dashboard_and_language(page, live_server):
    get_user_model().objects.create_superuser("admin", "admin@example.go.id", "Jaga-Web-2026!")
    Organisation.objects.create(name="Dinas Komunikasi dan Informatika", code="diskominfo")

    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "id"
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "Jaga-Web-2026!")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/inventory/sites/new/")
    page.fill("input[name=slug]", "portal-kominfo")
    page.fill("input[name=name]", "Portal Kominfo Kabupaten Contoh")
    page.fill("input[name=url]", "https://kominfo.contoh.go.id/")
    page.select_option("select[name=organisation]", label="Dinas Komunikasi dan Informatika")
    page.locator("form.stacked button[type=submit], form button.primary").first.click()
    page.wait_for_url(re.compile(r".*/inventory/sites/portal-kominfo/$"))
    assert Site.objects.filter(slug="portal-kominfo").exists()
    assert Event.objects.filter(verb="inventory.created", site__slug="portal-kominfo").exists()

    page.goto(f"{live_server.url}/")
    row = page.locator("table.sites tbody tr", has_text="Portal Kominfo Kabupaten Contoh")
    assert row.count() == 1
    assert "Dinas Komunikasi dan Informatika" in row.inner_text()
    indonesian_heading = page.locator("h1").inner_text()

    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "All sites at a glance"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-en.png"), full_page=True)
    assert indonesian_heading == "Ikhtisar semua website"
