"""A check's page, a restore's printable repair report, the appearance images (served only inside the
user's scope, never outside the guard media folder), the site page's guard panel and the dashboard column."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from jagaweb.guard.choices import Identity, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.images import media_root
from jagaweb.guard.models import GuardRun
from jagaweb.inventory.models import Organisation, Site
from jagaweb.people.choices import RoleKind
from tests.guard.test_views import make_finding, make_run

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REPORT = {
    "summary": "3 files restored, 1 removed; the home page is clean again.",
    "snapshot": "ab12cd34",
    "quarantine": "/var/lib/jagaweb/guard/quarantine/kominfo/20261121-1000",
    "found": [{"source": "file", "location": "wp-content/uploads/shell.php", "verdict": "suspicious",
               "severity": "high"},
              {"source": "page", "location": "http://127.0.0.1:8081/", "verdict": "judol", "severity": "critical"}],
    "quarantined": [{"path": "wp-content/uploads/shell.php", "change": "added", "size": 2048, "sha256": "5e" * 32,
                     "blake3": "b3" * 32}],
    "restored": ["index.php", "wp-includes/version.php", "wp-content/themes/dinas/header.php"],
    "removed": ["wp-content/uploads/shell.php"],
    "verification": {
        "verdict": "clean",
        "pages": [{"url": "http://127.0.0.1:8081/", "identity": "googlebot", "verdict": "clean", "score": 0}],
        "visual": [{"url": "http://127.0.0.1:8081/", "identity": "normal", "ratio": 0.004, "changed": False,
                    "image": "kominfo/restore/home-side-by-side.png"}],
    },
    "failures": [],
}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    root = media_root()
    (root / "kominfo" / "visual").mkdir(parents=True)
    (root / "disdik").mkdir(parents=True)
    for name in ("baseline.png", "current.png", "diff.png"):
        (root / "kominfo" / "visual" / name).write_bytes(PNG)
    (root / "disdik" / "home.png").write_bytes(PNG)
    return root


def test_a_check_shows_its_counts_notes_and_findings(operator_client: Any, site_a: Site) -> None:
    run = make_run(site_a, verdict=Verdict.JUDOL, counts={"pages": 3, "fetches": 12, "findings.page": 1},
                   report={"notes": ["sitemap: connection refused"], "pages": [site_a.url]})
    make_finding(run, Source.PAGE, identity=Identity.SEARCH)
    body = operator_client.get(reverse("guard:run_detail", args=[run.pk])).content.decode()
    assert "sitemap: connection refused" in body and "<code>fetches</code></dt><dd>12" in body
    assert "Gambling promotion words" in body and "Visitor from Google search" in body
    assert "Online gambling spam" in body and "Website repair report" not in body


def test_a_restore_is_the_printable_repair_report(operator_client: Any, operator: Any, site_a: Site,
                                                  org_a: Organisation) -> None:
    government = Organisation.objects.create(name="Pemerintah Kabupaten Contoh", code="pemkab")
    org_a.parent = government
    org_a.save()
    found_by = make_run(site_a, verdict=Verdict.JUDOL)
    run = make_run(site_a, kind=RunKind.RESTORE, report=REPORT, actor="operator", check_run=found_by)
    body = operator_client.get(reverse("guard:run_detail", args=[run.pk])).content.decode()
    assert "Website repair report" in body and "window.print()" in body and "@media print" in body
    assert "Pemerintah Kabupaten Contoh" in body and org_a.name in body and site_a.url in body
    assert "5e" * 32 in body and "b3" * 32 in body and "2.0\xa0KB" in body  # the evidence, with its fingerprints
    assert "/var/lib/jagaweb/guard/quarantine/kominfo/20261121-1000" in body
    assert "<code>wp-includes/version.php</code>" in body and "Removed (1)" in body and "Restored (3)" in body
    assert reverse("guard:image", args=["kominfo/restore/home-side-by-side.png"]) in body
    assert "0.4% of the page differs" in body and "Googlebot" in body
    assert "verified clean afterwards" in body and found_by.get_absolute_url() in body
    assert "Suspicious" in body and "Critical" in body


def test_the_repair_report_survives_a_report_with_missing_or_odd_keys(operator_client: Any, site_a: Site) -> None:
    empty = make_run(site_a, kind=RunKind.RESTORE, state=RunState.FAILED, error="RepairError: no trusted backup")
    body = operator_client.get(reverse("guard:run_detail", args=[empty.pk])).content.decode()
    assert "Website repair report" in body and "No files were quarantined" in body
    assert "RepairError: no trusted backup" in body and "did not complete" in body
    odd = make_run(site_a, kind=RunKind.RESTORE, report={
        "found": "not a list", "quarantined": [None, {"path": "a.php"}], "verification": {"visual": [{
            "image": "disdik/home.png", "ratio": "much"}], "pages": None}, "failures": ["could not write index.php"]})
    body = operator_client.get(reverse("guard:run_detail", args=[odd.pk])).content.decode()
    assert "could not write index.php" in body and "<code>a.php</code>" in body
    assert "disdik/home.png" not in body  # another site's image is never linked from this site's report
    running = make_run(site_a, kind=RunKind.RESTORE, state=RunState.RUNNING, step="quarantine the changed files")
    body = operator_client.get(reverse("guard:run_detail", args=[running.pk])).content.decode()
    assert reverse("guard:run_progress", args=[running.pk]) in body and "still under way" in body


def test_appearance_images_are_shown_side_by_side_and_served_privately(operator_client: Any, site_a: Site,
                                                                       media: Path) -> None:
    run = make_run(site_a, verdict=Verdict.DEFACED)
    finding = make_finding(run, Source.VISUAL, verdict=Verdict.DEFACED, severity=Severity.CRITICAL, detail={
        "baseline": "kominfo/visual/baseline.png", "current": "kominfo/visual/current.png",
        "diff": "kominfo/visual/diff.png", "ratio": 0.62, "hash_distance": 31})
    body = operator_client.get(reverse("guard:finding_detail", args=[finding.pk])).content.decode()
    for name in ("baseline", "current", "diff"):
        assert reverse("guard:image", args=[f"kominfo/visual/{name}.png"]) in body
    assert "hash_distance" in body and "31" in body
    image = operator_client.get(reverse("guard:image", args=["kominfo/visual/diff.png"]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == PNG
    assert image["Cache-Control"].startswith("private") and image["X-Content-Type-Options"] == "nosniff"


def test_the_image_view_refuses_anything_outside_the_sites_folder(operator_client: Any, site_a: Site, site_b: Site,
                                                                  media: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for you")
    os.symlink(secret, media / "kominfo" / "leak.png")
    os.symlink(media / "disdik" / "home.png", media / "kominfo" / "neighbour.png")
    (media / "kominfo" / "page.html").write_text("<script>alert(1)</script>")
    for path in ("kominfo/../disdik/home.png", "kominfo/visual/../../disdik/home.png", "kominfo/leak.png",
                 "kominfo/neighbour.png", "kominfo/page.html", "kominfo/missing.png", "kominfo", "/etc/passwd.png",
                 "kominfo/./visual/diff.png", "kominfo//visual/diff.png", "kominfo\\visual\\diff.png"):
        response = operator_client.get("/guard/images/" + path)
        assert response.status_code == 404, path
    # The files refused through a detour are there, and readable by their own address.
    assert operator_client.get("/guard/images/kominfo/visual/diff.png").status_code == 200
    assert operator_client.get("/guard/images/disdik/home.png").status_code == 200


def test_images_of_another_organisations_site_are_404(client_for: Any, make_user: Any, org_a: Any,
                                                      site_a: Site, site_b: Site, media: Path) -> None:
    member = client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert member.get(reverse("guard:image", args=["disdik/home.png"])).status_code == 404
    assert member.get(reverse("guard:image", args=["kominfo/visual/diff.png"])).status_code == 200


def test_the_site_page_has_a_guard_panel_and_the_dashboard_a_guard_column(operator_client: Any,
                                                                          site_a: Site, site_b: Site) -> None:
    run = make_run(site_a, verdict=Verdict.DEFACED)
    make_finding(run, Source.FILE, "index.php", verdict=Verdict.DEFACED)
    panel = operator_client.get(site_a.get_absolute_url()).content.decode()
    assert 'id="panel-guard"' in panel and reverse("guard:site", args=[site_a.slug]) in panel
    assert run.get_absolute_url() in panel and "Check now" in panel and ">Critical</span>" in panel
    dashboard = operator_client.get(reverse("dashboard:index")).content.decode()
    assert run.get_absolute_url() in dashboard and "Defaced" in dashboard and "not checked" in dashboard


def test_the_dashboard_column_costs_one_query_whatever_the_runs(site_a: Site, site_b: Site,
                                                                django_assert_num_queries: Any) -> None:
    from jagaweb.guard.slots import last_checks

    for minutes in (30, 20, 10):
        make_run(site_a, minutes_ago=minutes)
    newest = make_run(site_a, verdict=Verdict.JUDOL)
    with django_assert_num_queries(1):
        found = last_checks([site_a.pk, site_b.pk])
    assert found == {site_a.pk: newest} and isinstance(found[site_a.pk], GuardRun)
