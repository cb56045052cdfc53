"""The guard sections: a month of checks, findings and restores across sites of two organisations, and the
open findings now, cross-checked against the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from jagaweb.backup.models import BackupTarget, Snapshot
from jagaweb.guard.choices import FindingState, RunKind, RunState, Source, Verdict
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.inventory.models import Organisation, Site
from jagaweb.reports.choices import ProblemLevel
from jagaweb.reports.periods import month_scope, situation_scope
from jagaweb.reports.sections.guard import GuardSection
from jagaweb.reports.sections.guard_state import GuardStateSection

JAKARTA = ZoneInfo("Asia/Jakarta")
SVG = "{http://www.w3.org/2000/svg}"
OPEN, GONE, REPAIRED = FindingState.OPEN, FindingState.GONE, FindingState.REPAIRED
# (source, location, identity, verdict, severity)
KOMINFO_PAGE = (Source.PAGE, "http://kominfo.example.go.id/", "googlebot", Verdict.JUDOL, "critical")
KOMINFO_FILE = (Source.FILE, "wp-content/uploads/x.php", "", Verdict.SUSPICIOUS, "high")
DISDIK_VISUAL = (Source.VISUAL, "http://disdik.example.go.id/", "normal", Verdict.SUSPICIOUS, "medium")
DINKES_DATABASE = (Source.DATABASE, "wp_posts ID=42 post_content", "", Verdict.DEFACED, "critical")
DINKES_PAGE = (Source.PAGE, "http://dinkes.example.go.id/", "search", Verdict.JUDOL, "critical")


def march(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def exact_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs and findings keep the times the test gives them (the models stamp the creation time otherwise)."""
    monkeypatch.setattr(GuardRun._meta.get_field("started_at"), "auto_now_add", False)
    monkeypatch.setattr(Finding._meta.get_field("created_at"), "auto_now_add", False)


def make_site(slug: str, organisation: Organisation) -> Site:
    return Site.objects.create(slug=slug, name=f"Portal {slug.title()}", url=f"http://{slug}.example.go.id/",
                               organisation=organisation)


def check(site: Site, when: datetime, *found: tuple[Any, ...], state: str = RunState.SUCCEEDED,
          finding_state: str = GONE) -> GuardRun:
    """A check run with its findings: each (source, location, identity, verdict, severity[, state])."""
    worst = max((item[3] for item in found), key=[Verdict.CLEAN, Verdict.SUSPICIOUS, Verdict.DEFACED,
                                                  Verdict.JUDOL].index, default=Verdict.CLEAN)
    run = GuardRun.objects.create(site=site, kind=RunKind.CHECK, state=state, started_at=when,
                                  finished_at=when + timedelta(minutes=2), verdict=worst)
    Finding.objects.bulk_create(Finding(run=run, site=site, source=source, location=location, identity=identity,
                                        verdict=verdict, severity=severity, state=(*rest, finding_state)[0],
                                        created_at=when)
                                for source, location, identity, verdict, severity, *rest in found)
    return run


def restore(site: Site, when: datetime, state: str, report: dict[str, Any]) -> GuardRun:
    return GuardRun.objects.create(site=site, kind=RunKind.RESTORE, state=state, started_at=when, actor="operator",
                                   report=report)


@pytest.fixture
def sites(exact_times: None, org_a: Organisation, org_b: Organisation) -> dict[str, Site]:
    slugs = {"kominfo": org_a, "disdik": org_b, "dinkes": org_b, "dishub": org_a, "bappeda": org_a, "luar": org_b}
    made = {slug: make_site(slug, organisation) for slug, organisation in slugs.items()}
    usb = BackupTarget.objects.create(name="usb", path="/media/usb")
    known_good = datetime(2025, 2, 1, 9, 0, tzinfo=JAKARTA)
    for slug in ("kominfo", "dinkes"):
        Snapshot.objects.create(site=made[slug], target=usb, snapshot_id=slug * 8, taken_at=known_good, trusted=True)
    for slug in ("kominfo", "disdik", "dinkes"):
        GuardProfile.objects.create(site=made[slug], known_good_at=known_good)
    GuardProfile.objects.create(site=made["bappeda"])
    kominfo, disdik, dinkes = made["kominfo"], made["disdik"], made["dinkes"]
    for day in range(1, 32):
        last = day == 31
        repaired = (*KOMINFO_FILE, REPAIRED)  # the restore that day repaired the file
        found = (KOMINFO_PAGE, KOMINFO_FILE) if 10 <= day <= 11 else (KOMINFO_PAGE, repaired) if day == 12 else ()
        check(kominfo, march(day, 2), *found, *((KOMINFO_FILE,) if last else ()), finding_state=OPEN if last else GONE)
        if day == 20:
            check(disdik, march(day, 2, 30), state=RunState.FAILED)
        else:
            check(disdik, march(day, 2, 30), DISDIK_VISUAL, finding_state=OPEN if last else GONE)
        found = (DINKES_DATABASE,) if day == 28 else (DINKES_DATABASE, DINKES_PAGE) if day >= 29 else ()
        check(dinkes, march(day, 3), *found, finding_state=OPEN if last else GONE)
        check(made["luar"], march(day, 4), DINKES_PAGE, finding_state=OPEN if last else GONE)
    restore(kominfo, march(12, 14), RunState.SUCCEEDED, {
        "snapshot": "kominfo" * 8, "quarantined": [{"path": "wp-content/uploads/x.php"}, {"path": ".htaccess"}],
        "restored": [".htaccess"], "removed": ["wp-content/uploads/x.php"],
        "verification": {"verdict": "clean", "run": 0, "pages": [], "visual": [], "files": []}})
    restore(dinkes, march(30, 14), RunState.FAILED, {"snapshot": "dinkes" * 8, "quarantine": "/tmp/q"})
    restore(disdik, march(31, 19), RunState.RUNNING, {})
    check(made["bappeda"], march(31, 10), state=RunState.FAILED)
    check(kominfo, march(31, 21), state=RunState.FAILED)  # after the situation report's moment
    return made


def in_scope(sites: dict[str, Site]) -> list[int]:
    return [site.pk for slug, site in sites.items() if slug != "luar"]


def test_month_figures(sites: dict[str, Site]) -> None:
    with translation.override("en"):
        part = GuardSection().collect(month_scope(2025, 3, in_scope(sites)))
    figures = part.figures
    assert {key: figures[key] for key in ("sites", "sites_guarded", "sites_not_guarded", "sites_without_baseline",
                                          "sites_without_trusted_snapshot", "sites_checked")} == {
        "sites": 5, "sites_guarded": 2, "sites_not_guarded": 1, "sites_without_baseline": 1,
        "sites_without_trusted_snapshot": 1, "sites_checked": 4}
    assert (figures["checks"], figures["checks_failed"], figures["checks_clean"], figures["checks_suspicious"],
            figures["checks_judol"], figures["checks_defaced"], figures["checks_compromised"]) == (
        31 + 31 + 31 + 2, 3, 27 + 27, 1 + 30, 3 + 3, 1, 7)
    march_checks = GuardRun.objects.filter(site_id__in=in_scope(sites), kind=RunKind.CHECK,
                                           started_at__gte=march(1, 0), started_at__lt=march(31, 0) + timedelta(1))
    assert figures["checks"] == march_checks.count()
    assert figures["checks_clean"] == march_checks.filter(state=RunState.SUCCEEDED, verdict=Verdict.CLEAN).count()
    assert (figures["findings"], figures["findings_compromised"], figures["sites_with_findings"],
            figures["sites_compromised"]) == (5, 3, 3, 2)
    assert figures["findings_by_verdict"] == {"judol": 2, "suspicious": 2, "defaced": 1}
    assert figures["findings_by_source"] == {"page": 2, "file": 1, "visual": 1, "database": 1}
    assert (figures["open_findings"], figures["open_compromised"], figures["sites_open_compromised"]) == (4, 2, 1)
    assert figures["open_findings"] == Finding.objects.filter(site_id__in=in_scope(sites), state=OPEN).count()
    assert (figures["restores"], figures["restores_succeeded"], figures["restores_clean_after"]) == (3, 1, 1)
    assert part.summary == ["The guard found online gambling spam or defacement on 2 websites in this period; "
                            "2 such findings are still open."]
    assert part.paragraphs[0].startswith("In this period the guard ran 95 checks on 4 of 5 websites: 54 clean, "
                                         "31 suspicious, 1 defaced and 6 with online gambling spam; 3 checks failed.")


def test_month_tables(sites: dict[str, Site]) -> None:
    with translation.override("en"):
        per_site, findings, repairs = GuardSection().collect(month_scope(2025, 3, in_scope(sites))).tables
    rows = {row[0]: row for row in per_site.rows}
    assert list(rows) == ["Portal Bappeda", "Portal Dinkes", "Portal Disdik", "Portal Dishub", "Portal Kominfo"]
    assert rows["Portal Kominfo"][2:] == ("guarded", datetime(2025, 2, 1, 9, 0, tzinfo=JAKARTA),
                                          datetime(2025, 2, 1, 9, 0, tzinfo=JAKARTA), 32, 27, 1, 0, 3, 1, 2, 1, 1)
    assert rows["Portal Disdik"][2:] == ("no trusted snapshot", datetime(2025, 2, 1, 9, 0, tzinfo=JAKARTA), None,
                                         31, 0, 30, 0, 0, 1, 1, 1, 1)
    assert rows["Portal Dishub"][2:] == ("not guarded", None, None, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert rows["Portal Bappeda"][2] == "never marked known-good"
    assert [row[:6] for row in findings.rows] == [
        ("Portal Dinkes", "Page", "http://dinkes.example.go.id/", "Visitor from Google search",
         "Online gambling spam", "Critical"),
        ("Portal Kominfo", "Page", "http://kominfo.example.go.id/", "Googlebot", "Online gambling spam", "Critical"),
        ("Portal Dinkes", "Database", "wp_posts ID=42 post_content", "", "Defaced", "Critical"),
        ("Portal Kominfo", "File", "wp-content/uploads/x.php", "", "Suspicious", "High"),
        ("Portal Disdik", "Appearance", "http://disdik.example.go.id/", "Desktop browser", "Suspicious", "Medium"),
    ]
    assert findings.rows[1][6:] == (march(10, 2), march(12, 2), 3, "No longer seen")
    assert findings.rows[3][6:] == (march(10, 2), march(31, 2), 4, "Open")
    assert findings.rows[4][8] == 30 and findings.note == ""
    assert repairs.rows == [
        ("Portal Kominfo", march(12, 14), "operator", "Succeeded", 2, 1, 1, "Clean"),
        ("Portal Dinkes", march(30, 14), "operator", "Failed", 0, 0, 0, ""),
        ("Portal Disdik", march(31, 19), "operator", "Running", 0, 0, 0, ""),
    ]


def test_month_problems(sites: dict[str, Site]) -> None:
    with translation.override("en"):
        problems = GuardSection().collect(month_scope(2025, 3, in_scope(sites))).problems
    assert [(problem.level, problem.text) for problem in problems] == [
        (ProblemLevel.CRITICAL, "1 website has open findings of online gambling spam or defacement (their number "
                                "in brackets): Portal Dinkes (2)."),
        (ProblemLevel.WARNING, "2 websites have open suspicious findings (their number in brackets): "
                               "Portal Disdik (1), Portal Kominfo (1)."),
        (ProblemLevel.CRITICAL, "The last restore of 1 website did not leave it verified clean: Portal Dinkes."),
        (ProblemLevel.WARNING, "The guard is not set up for 1 website: Portal Dishub."),
        (ProblemLevel.WARNING, "The guard of 2 websites has no known-good baseline or no trusted snapshot: "
                               "Portal Bappeda, Portal Disdik."),
        (ProblemLevel.NOTICE, "Checks of 3 websites failed at least once: Portal Bappeda, Portal Disdik, "
                              "Portal Kominfo."),
    ]
    assert all(problem.recommendation for problem in problems)


def test_month_charts(sites: dict[str, Site]) -> None:
    with translation.override("en"):
        checks, verdicts, sources = GuardSection().collect(month_scope(2025, 3, in_scope(sites))).charts
    legend = [text.text for text in ElementTree.fromstring(checks.svg).iter(f"{SVG}text")]
    assert legend == ["Clean: 54 (56.8%)", "Suspicious: 31 (32.6%)", "Defaced: 1 (1.1%)",
                      "Online gambling spam: 6 (6.3%)", "Failed: 3 (3.2%)"]
    labels = [text.text for text in ElementTree.fromstring(verdicts.svg).iter(f"{SVG}text")]
    assert labels[::2] == ["Online gambling spam", "Defaced", "Suspicious"] and labels[1::2] == ["2", "1", "2"]
    bars = list(ElementTree.fromstring(sources.svg).iter(f"{SVG}rect"))
    assert len(bars) == 4


def test_month_findings_table_is_capped(exact_times: None, org_a: Organisation) -> None:
    site = make_site("kominfo", org_a)
    check(site, march(5, 2), *[(Source.FILE, f"shell{n}.php", "", Verdict.SUSPICIOUS, "high") for n in range(55)])
    with translation.override("en"):
        table = GuardSection().collect(month_scope(2025, 3, [site.pk])).tables[1]
    assert len(table.rows) == 50 and table.note == "The 50 most severe of 55 findings."


def test_state_now(sites: dict[str, Site]) -> None:
    now = march(31, 20)
    with translation.override("en"):
        part = GuardStateSection().collect(situation_scope(in_scope(sites), now=now))
    assert part.figures == {
        "sites": 5, "sites_guarded": 2, "sites_not_guarded": 1, "open_findings": 4,
        "open_by_verdict": {"suspicious": 2, "defaced": 1, "judol": 1}, "open_compromised": 2,
        "sites_with_open_findings": 3, "sites_compromised": 1, "sites_other_findings": 2, "sites_clean": 1,
        "sites_under_repair": 2, "sites_check_overdue": 1, "restores_recent": 2,
    }
    open_table, per_site = part.tables
    assert [(row[0], row[1], row[4], row[6], row[7]) for row in open_table.rows] == [
        ("Portal Dinkes", "Page", "Online gambling spam", march(29, 3), march(31, 3)),
        ("Portal Dinkes", "Database", "Defaced", march(28, 3), march(31, 3)),
        ("Portal Kominfo", "File", "Suspicious", march(31, 2), march(31, 2)),  # found again after the repair
        ("Portal Disdik", "Appearance", "Suspicious", march(1, 2, 30), march(31, 2, 30)),
    ]
    rows = {row[0]: row for row in per_site.rows}
    assert rows["Portal Kominfo"][2:] == ("guarded", march(31, 2), "Suspicious", 1, "Suspicious", march(12, 14),
                                          "Succeeded")
    assert rows["Portal Dinkes"][3:] == (march(31, 3), "Online gambling spam", 2, "Online gambling spam",
                                         march(30, 14), "Failed")
    assert rows["Portal Bappeda"][3:] == (march(31, 10), "Failed", 0, "", None, "")
    assert [(problem.level, problem.text) for problem in part.problems] == [
        (ProblemLevel.CRITICAL, "1 website has open findings of online gambling spam or defacement (their number "
                                "in brackets): Portal Dinkes (2)."),
        (ProblemLevel.WARNING, "2 websites have open suspicious findings (their number in brackets): "
                               "Portal Disdik (1), Portal Kominfo (1)."),
        (ProblemLevel.CRITICAL, "The restores of 2 websites are running or did not finish: Portal Dinkes, "
                                "Portal Disdik."),
        (ProblemLevel.WARNING, "The last check of 1 guarded website failed or is older than 24 hours: "
                               "Portal Bappeda."),
        (ProblemLevel.WARNING, "The guard is not set up for 1 website: Portal Dishub."),
        (ProblemLevel.WARNING, "The guard of 2 websites has no known-good baseline or no trusted snapshot: "
                               "Portal Bappeda, Portal Disdik."),
    ]
    legend = [text.text for text in ElementTree.fromstring(part.charts[0].svg).iter(f"{SVG}text")]
    assert legend == ["Online gambling spam or defacement: 1 (20.0%)", "Other open findings: 2 (40.0%)",
                      "No open finding: 1 (20.0%)", "Not guarded: 1 (20.0%)"]
    assert part.summary == ["1 website shows online gambling spam or defacement now."]


def test_empty_scope(db: Any) -> None:
    with translation.override("en"):
        month = GuardSection().collect(month_scope(2025, 3, []))
        state = GuardStateSection().collect(situation_scope([]))
    assert month.figures["findings"] == 0 and month.charts == [] and month.problems == []
    assert state.figures["open_findings"] == 0 and state.problems == [] and state.tables[0].rows == []
    ElementTree.fromstring(state.charts[0].svg)
