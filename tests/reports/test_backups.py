"""The backup sections: a month of backup, verification and restore runs across sites of two organisations,
and the backup state now, cross-checked against the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.utils import translation

from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.guard.models import GuardProfile
from jagaweb.inventory.models import Organisation, Site
from jagaweb.reports.charts import LEVELS
from jagaweb.reports.choices import ProblemLevel
from jagaweb.reports.periods import month_scope, situation_scope
from jagaweb.reports.sections.backups import BackupSection, BackupStateSection
from jagaweb.reports.sections.words import listed

JAKARTA = ZoneInfo("Asia/Jakarta")
SVG = "{http://www.w3.org/2000/svg}"
OK, FAILED = RunState.SUCCEEDED, RunState.FAILED


def march(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def exact_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs keep the start time the test gives them (the model stamps the creation time otherwise)."""
    monkeypatch.setattr(BackupRun._meta.get_field("started_at"), "auto_now_add", False)


def make_site(slug: str, organisation: Organisation, target: BackupTarget | None = None,
              enabled: bool = True) -> Site:
    site = Site.objects.create(slug=slug, name=f"Portal {slug.title()}", url=f"http://{slug}.example.go.id/",
                               organisation=organisation)
    if target is not None:
        BackupPlan.objects.create(site=site, target=target, enabled=enabled)
    return site


def run(site: Site, started: datetime, operation: str = Operation.BACKUP, state: str = OK, **fields: Any) -> BackupRun:
    return BackupRun(site=site, operation=operation, state=state, started_at=started,
                     finished_at=started + timedelta(minutes=10), **fields)


@pytest.fixture
def month_data(exact_times: None, org_a: Organisation, org_b: Organisation) -> dict[str, Site]:
    usb = BackupTarget.objects.create(name="usb", path="/media/usb")
    nas = BackupTarget.objects.create(name="nas", path="/srv/nas")
    sites = {
        "kominfo": make_site("kominfo", org_a, usb), "disdik": make_site("disdik", org_b, usb),
        "dinkes": make_site("dinkes", org_b, nas), "dishub": make_site("dishub", org_a),
        "bappeda": make_site("bappeda", org_a, usb, enabled=False), "bapenda": make_site("bapenda", org_b, nas),
        "luar": make_site("luar", org_b, nas),
    }
    kominfo, disdik, dinkes = sites["kominfo"], sites["disdik"], sites["dinkes"]
    runs = [run(kominfo, march(day, 1), bytes_total=1000 * day, bytes_new=100) for day in range(1, 32) if day != 10]
    runs += [run(kominfo, march(day, 1 if day == 10 else 0, 30), state=FAILED) for day in (10, 20)]
    runs += [run(kominfo, march(day, 9), Operation.VERIFY) for day in (7, 14, 21, 28)]
    runs += [run(kominfo, march(15, 10), Operation.RESTORE, report={"dry_run": False}),
             run(kominfo, march(16, 10), Operation.RESTORE, report={"dry_run": True}),
             run(kominfo, march(17, 10), Operation.RESTORE_DATABASE, state=FAILED),
             run(kominfo, datetime(2025, 4, 1, 0, 30, tzinfo=JAKARTA), bytes_total=99, bytes_new=99),
             run(kominfo, march(31, 23, 50), state=RunState.RUNNING)]
    runs += [run(disdik, march(day, 2), bytes_total=5000, bytes_new=500) for day in range(1, 6)]
    runs += [run(disdik, march(3, 9), Operation.VERIFY), run(disdik, march(25, 9), Operation.VERIFY, state=FAILED)]
    runs += [run(dinkes, march(day, 3), state=FAILED) for day in range(1, 32, 2)]
    runs += [run(dinkes, datetime(2025, 2, 28, 23, 30, tzinfo=JAKARTA), bytes_total=7000, bytes_new=7000)]
    runs += [run(sites["bappeda"], march(day, 2), bytes_total=2000, bytes_new=10) for day in (1, 2)]
    # 04:00 in Jakarta is 21:00 UTC the day before: the days must be counted in local time.
    runs += [run(sites["bapenda"], march(day, 4), bytes_total=3000, bytes_new=1) for day in range(1, 32)]
    runs += [run(sites["luar"], march(day, 5), bytes_total=10**9, bytes_new=10**9) for day in range(1, 32)]
    BackupRun.objects.bulk_create(runs)
    return sites


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_month_figures_match_the_runs(month_data: dict[str, Site]) -> None:
    in_scope = [site.pk for slug, site in month_data.items() if slug != "luar"]
    with translation.override("en"):
        part = BackupSection().collect(month_scope(2025, 3, in_scope))
    figures = part.figures
    assert figures["sites"] == 6
    assert figures["backups_succeeded"] == 30 + 5 + 2 + 31
    assert figures["backups_failed"] == 2 + 16
    assert figures["backup_success_percent"] == round(100 * 68 / 86, 2)
    assert (figures["verifications"], figures["verifications_failed"], figures["restores"]) == (6, 1, 1)
    assert figures["new_bytes"] == 30 * 100 + 5 * 500 + 2 * 10 + 31
    assert figures["stored_bytes"] == 31000 + 5000 + 7000 + 2000 + 3000
    assert (figures["sites_backed_up_verified"], figures["sites_backed_up_not_verified"],
            figures["sites_without_backup"]) == (1, 3, 2)
    assert (figures["sites_without_plan"], figures["sites_plan_switched_off"]) == (1, 1)
    assert (figures["sites_last_verification_failed"], figures["sites_not_verified"]) == (1, 4)
    month = BackupRun.objects.filter(site_id__in=in_scope, started_at__gte=march(1, 0),
                                     started_at__lt=datetime(2025, 4, 1, tzinfo=JAKARTA))
    assert figures["backups_succeeded"] == month.filter(operation=Operation.BACKUP, state=OK).count()
    assert figures["new_bytes"] == month.filter(operation=Operation.BACKUP, state=OK).aggregate(
        total=Sum("bytes_new"))["total"]
    assert "68 backups succeeded and 18 failed for 6 websites (79.07% succeeded)" in part.paragraphs[0]
    assert part.summary == ["1 of 6 websites were backed up and verified in this period; 2 had no successful backup."]


def test_month_table_has_a_row_per_site(month_data: dict[str, Site]) -> None:
    in_scope = [site.pk for slug, site in month_data.items() if slug != "luar"]
    with translation.override("en"):
        table = BackupSection().collect(month_scope(2025, 3, in_scope)).tables[0]
    rows = {row[0]: row for row in table.rows}
    assert list(rows) == sorted(rows)  # by name
    assert rows["Portal Kominfo"][1:] == ("Dinas Komunikasi dan Informatika", "usb", 30, 2, march(31, 1, 10),
                                          4, 0, 1, 31000, 3000)
    assert rows["Portal Disdik"][3:11] == (5, 0, march(5, 2, 10), 2, 1, 0, 5000, 2500)
    assert rows["Portal Dinkes"][3:] == (0, 16, datetime(2025, 2, 28, 23, 40, tzinfo=JAKARTA), 0, 0, 0, 7000, 0)
    assert rows["Portal Dishub"][2:] == ("no plan", 0, 0, None, 0, 0, 0, None, 0)
    assert rows["Portal Bappeda"][2] == "usb (switched off)"
    assert len(table.columns) == len(table.rows[0])


def test_month_problems_name_the_sites(month_data: dict[str, Site]) -> None:
    in_scope = [site.pk for slug, site in month_data.items() if slug != "luar"]
    with translation.override("en"):
        problems = BackupSection().collect(month_scope(2025, 3, in_scope)).problems
    assert [(problem.level, problem.text) for problem in problems] == [
        (ProblemLevel.CRITICAL, "1 website has no backup plan: Portal Dishub."),
        (ProblemLevel.WARNING, "The backup plan of 1 website is switched off: Portal Bappeda."),
        (ProblemLevel.CRITICAL, "1 website had no successful backup in this period: Portal Dinkes."),
        (ProblemLevel.CRITICAL, "The last verification of the backups of 1 website failed: Portal Disdik."),
        (ProblemLevel.WARNING, "The backups of 1 website were not verified in this period: Portal Bapenda."),
    ]
    assert all(problem.recommendation for problem in problems)


def test_month_charts_count_days_in_local_time(month_data: dict[str, Site]) -> None:
    in_scope = [site.pk for slug, site in month_data.items() if slug != "luar"]
    with translation.override("en"):
        daily, shares = BackupSection().collect(month_scope(2025, 3, in_scope)).charts
    bars = [rect for rect in parse(daily.svg).iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(bars) == 31
    titles = [bar.find(f"{SVG}title").text for bar in bars]  # type: ignore[union-attr]
    expected = [(day != 10) + (day <= 5) + (day <= 2) + 1 for day in range(1, 32)]
    assert titles == [f"{day}: {value:.2f}" for day, value in enumerate(expected, start=1)]
    red_days = {int(str(bar.find(f"{SVG}title").text).split(":")[0]) for bar in bars  # type: ignore[union-attr]
                if bar.get("fill") == LEVELS["bad"]}
    assert red_days == set(range(1, 32, 2)) | {10, 20}
    legend = [element.text for element in parse(shares.svg).iter(f"{SVG}text")]
    assert legend == ["Backed up and verified: 1 (16.7%)", "Backed up, not verified: 3 (50.0%)",
                      "No successful backup: 2 (33.3%)"]


def test_listed_names_are_capped() -> None:
    with translation.override("en"):
        assert listed([f"S{n}" for n in range(12)]) == "S0, S1, S2, S3, S4, S5, S6, S7, S8, S9 and 2 more"
        assert listed(["A", "B"]) == "A, B"


@pytest.fixture
def state_data(exact_times: None, org_a: Organisation, org_b: Organisation) -> datetime:
    now = datetime(2025, 4, 2, 12, 0, tzinfo=JAKARTA)
    usb = BackupTarget.objects.create(name="usb", path="/media/usb")
    kominfo, disdik = make_site("kominfo", org_a, usb), make_site("disdik", org_b, usb)
    dinkes = make_site("dinkes", org_b, usb)
    make_site("dishub", org_a)
    BackupRun.objects.bulk_create([
        run(kominfo, now - timedelta(hours=2)), run(kominfo, now - timedelta(minutes=5), state=RunState.RUNNING),
        run(kominfo, now - timedelta(days=1), Operation.VERIFY),
        run(disdik, now - timedelta(hours=30)),
        run(disdik, now - timedelta(hours=3), state=FAILED, step="dump the database"),
        run(dinkes, now - timedelta(days=5)), run(dinkes, now - timedelta(days=2), Operation.VERIFY, state=FAILED),
        run(dinkes, now + timedelta(hours=1)),  # after the report's moment: not seen
    ])
    Snapshot.objects.create(site=kominfo, target=usb, snapshot_id="a" * 64, taken_at=now - timedelta(days=10),
                            trusted=True)
    Snapshot.objects.create(site=disdik, target=usb, snapshot_id="b" * 64, taken_at=now - timedelta(days=1))
    GuardProfile.objects.create(site=kominfo)
    GuardProfile.objects.create(site=disdik)
    GuardProfile.objects.create(site=dinkes, enabled=False)
    return now


def test_state_now(state_data: datetime) -> None:
    now = state_data
    ids = list(Site.objects.values_list("pk", flat=True))
    with translation.override("en"):
        part = BackupStateSection().collect(situation_scope(ids, now=now))
    assert part.figures == {
        "sites": 4, "sites_without_plan": 1, "sites_backed_up_24h": 1, "sites_backed_up_48h": 2,
        "sites_without_backup_48h": 2, "sites_never_backed_up": 1, "sites_last_backup_failed": 1,
        "sites_last_verification_failed": 1, "sites_guard_without_trusted_snapshot": 1,
    }
    rows = {row[0]: row for row in part.tables[0].rows}
    assert rows["Portal Kominfo"][3:] == (now - timedelta(hours=1, minutes=50), timedelta(hours=1, minutes=50),
                                          "Succeeded", now - timedelta(days=1), "Succeeded",
                                          now - timedelta(days=10))
    assert rows["Portal Disdik"][3:6] == (now - timedelta(hours=29, minutes=50),
                                          timedelta(hours=29, minutes=50), "Failed")
    assert rows["Portal Dinkes"][4:8] == (timedelta(days=4, hours=23, minutes=50), "Succeeded",
                                          now - timedelta(days=2), "Failed")
    assert rows["Portal Dishub"][2:] == ("no plan", None, None, "", None, "", None)
    assert [(problem.level, problem.text) for problem in part.problems] == [
        (ProblemLevel.CRITICAL, "1 website has no successful backup from the last 48 hours: Portal Dinkes."),
        (ProblemLevel.WARNING, "1 website has no backup plan in force: Portal Dishub."),
        (ProblemLevel.CRITICAL, "The last backup of 1 website failed (at the step named): "
                                "Portal Disdik (dump the database)."),
        (ProblemLevel.CRITICAL, "The last verification of the backups of 1 website failed: Portal Dinkes."),
        (ProblemLevel.WARNING, "The guard of 1 website has no trusted snapshot: Portal Disdik."),
    ]
    legend = [element.text for element in parse(part.charts[0].svg).iter(f"{SVG}text")]
    assert legend == ["Within 24 hours: 1 (25.0%)", "24 to 48 hours: 1 (25.0%)", "Older than 48 hours: 1 (25.0%)",
                      "Never: 1 (25.0%)"]
    assert part.summary == ["2 of 4 websites have a successful backup from the last 48 hours."]


def test_empty_scope_gives_an_empty_part(db: Any) -> None:
    with translation.override("en"):
        month = BackupSection().collect(month_scope(2025, 3, []))
        state = BackupStateSection().collect(situation_scope([]))
    assert month.figures["sites"] == 0 and month.problems == [] and month.tables[0].rows == []
    assert state.figures["sites"] == 0 and state.problems == []
    for chart in [*month.charts, *state.charts]:
        parse(chart.svg)
