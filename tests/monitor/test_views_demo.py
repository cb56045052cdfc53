"""The demo's monitoring: checks for each sample site, one site's content dated weeks back, and a sample site
switched off from its page or with `jagaweb demo_site`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from jagaweb.activity.models import Event
from jagaweb.demo.catalog import SAMPLE_SITES
from jagaweb.demo.panels import register_if_demo
from jagaweb.demo.setup import register_demo_sites
from jagaweb.demo.sites import DemoSite, plan_sites, save_state
from jagaweb.inventory.panels import PANELS
from jagaweb.monitor.choices import CheckKind
from jagaweb.monitor.models import Check, MonitorProfile

pytestmark = pytest.mark.django_db
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def demo(tmp_path: Path, settings: Any) -> Iterator[list[DemoSite]]:
    settings.DATA_DIR = tmp_path
    sites = plan_sites(tmp_path, [18081, 18082, 18083])
    for site in sites:
        site.install_content()
    save_state(tmp_path, 18000, sites)
    register_demo_sites(tmp_path, sites, password="Sandi-Demo-2026")
    register_if_demo()
    yield sites
    PANELS.pop("demo", None)


def test_every_sample_site_is_monitored(demo: list[DemoSite]) -> None:
    checks = Check.objects.order_by("site__slug", "kind")
    assert {(c.site.slug, c.kind) for c in checks} == {(s.slug, k) for s in SAMPLE_SITES
                                                      for k in (CheckKind.HTTP, CheckKind.FRESHNESS)}
    assert all(c.allow_private and c.is_active for c in checks)
    assert MonitorProfile.objects.get(site__slug="disdik").failures_to_open == 2
    assert Event.objects.filter(verb="monitor.check_created", job="demo").count() == 6
    register_demo_sites(demo[0].data_dir, demo)  # running the set-up again adds nothing
    assert Check.objects.count() == 6


def test_the_court_site_is_dated_weeks_back(demo: list[DemoSite]) -> None:
    court = next(site for site in demo if site.slug == "pn-contoh")
    newest = max(date.fromisoformat(url.findtext(f"{SITEMAP_NS}lastmod"))
                 for url in ET.parse(court.web_root / "sitemap.xml").getroot().iter(f"{SITEMAP_NS}url"))
    assert newest == date.today() - timedelta(days=45)
    published = [parsedate_to_datetime(item.findtext("pubDate")).date()
                 for item in ET.parse(court.web_root / "feed.xml").getroot().iter("item")]
    assert max(published) <= date.today() - timedelta(days=45)
    assert date.fromtimestamp((court.web_root / "index.html").stat().st_mtime) == newest
    fresh = next(site for site in demo if site.slug == "diskominfo")
    assert date.fromtimestamp((fresh.web_root / "index.html").stat().st_mtime) == date.today()


def test_switch_a_sample_site_off_and_on_from_its_page(demo: list[DemoSite], admin_client: Any) -> None:
    disdik = next(site for site in demo if site.slug == "disdik")
    page = admin_client.get(reverse("inventory:site_detail", args=["disdik"]))
    assert b"Stop the site" in page.content
    response = admin_client.post(reverse("demo:site_stop", args=["disdik"]))
    assert response.status_code == 302 and disdik.is_stopped()
    assert b"Start the site again" in admin_client.get(reverse("inventory:site_detail", args=["disdik"])).content
    admin_client.post(reverse("demo:site_start", args=["disdik"]))
    assert not disdik.is_stopped()
    assert Event.objects.filter(verb__in=["demo.site_stopped", "demo.site_started"]).count() == 2


def test_switch_a_sample_site_with_the_command(demo: list[DemoSite], tmp_path: Path, capsys: Any) -> None:
    call_command("demo_site", "stop", "pn-contoh", "--data-dir", str(tmp_path))
    court = next(site for site in demo if site.slug == "pn-contoh")
    assert court.is_stopped()
    call_command("demo_site", "list", "--data-dir", str(tmp_path))
    assert "pn-contoh    stopped" in capsys.readouterr().out
    call_command("demo_site", "start", "pn-contoh", "--data-dir", str(tmp_path))
    assert not court.is_stopped()
    with pytest.raises(CommandError, match="diskominfo, pn-contoh, disdik"):
        call_command("demo_site", "stop", "tidak-ada", "--data-dir", str(tmp_path))
    with pytest.raises(CommandError, match="no demo"):
        call_command("demo_site", "list", "--data-dir", str(tmp_path / "kosong"))
