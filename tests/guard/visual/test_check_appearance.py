"""Screenshots inside a guard check: taken when the site is marked known-good, compared at every check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jagaweb.activity.log import SystemJob
from jagaweb.guard.checking import run_check
from jagaweb.guard.choices import Identity, Source
from jagaweb.guard.images import media_root
from jagaweb.guard.models import GuardProfile, PageBaseline
from jagaweb.guard.operations import mark_known_good
from jagaweb.inventory.models import Site
from tests.guard.siteserver import GuardSite
from tests.services import require_chromium

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "guard" / "visual"


@pytest.fixture
def web(settings) -> Iterator[GuardSite]:
    settings.JAGAWEB_CHROMIUM = require_chromium()
    with GuardSite() as site:
        site.page("/", (PAGES / "portal.html").read_bytes())
        yield site


def test_a_defaced_home_page_is_a_visual_finding_with_marked_images(web: GuardSite, site_a: Site, operator) -> None:
    site_a.url = web.url("/")
    site_a.save()
    GuardProfile.objects.create(site=site_a, allow_private=True, files=False, database=False,
                                identities=[Identity.NORMAL], sitemap_sample=0)
    mark_known_good(site_a, operator)
    shots = PageBaseline.objects.filter(site=site_a).exclude(screenshot="")
    assert {b.identity for b in shots} == {Identity.NORMAL, Identity.MOBILE}
    assert all((media_root() / b.screenshot).is_file() and len(b.image_hash) == 16 for b in shots)

    unchanged = run_check(site_a, SystemJob("guard.check"))
    assert not unchanged.findings.filter(source=Source.VISUAL).exists()

    web.page("/", (PAGES / "defaced.html").read_bytes())
    run = run_check(site_a, SystemJob("guard.check"))
    visual = run.findings.filter(source=Source.VISUAL)
    assert {f.identity for f in visual} == {Identity.NORMAL, Identity.MOBILE}
    for finding in visual:
        assert finding.detail["ratio"] > 0.5 and finding.severity == "high"
        for key in ("baseline", "current", "diff"):
            assert (media_root() / finding.detail[key]).is_file()
            assert finding.detail[key].startswith(f"{site_a.slug}/")
