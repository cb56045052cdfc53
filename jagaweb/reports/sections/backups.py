"""Backups in a report: what was backed up, verified and restored in the month (`BackupSection`) and each
site's backup state now (`BackupStateSection`).

Words as in docs/backup.md: a backup makes a snapshot on the site's medium (its plan's target); a
verification re-reads the repository; a snapshot marked trusted is what the guard compares with and
restores from. Every figure comes from grouped queries: one per table, never one per site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupPlan, BackupRun, Snapshot
from jagaweb.guard.models import GuardProfile
from jagaweb.inventory.models import Site
from jagaweb.progress import size_text
from jagaweb.reports import charts
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, PrintOrder, Problem, Scope, Section, Table
from jagaweb.reports.sections.words import listed

RESTORES = (Operation.RESTORE, Operation.RESTORE_DATABASE)
FINISHED = (RunState.SUCCEEDED, RunState.FAILED)
NAMES_SHOWN = 10  # a problem names this many sites, then says how many more
STALE_AFTER = timedelta(hours=48)  # a situation report calls a site without a newer good backup unprotected


def site_problem(names: list[str], text: str, recommendation: str, level: str) -> list[Problem]:
    """One problem naming the affected sites, or none when no site is affected. `text` is a translated
    sentence with %(count)s and %(names)s."""
    if not names:
        return []
    sentence = text % readable({"count": len(names), "names": listed(names, NAMES_SHOWN)})
    return [Problem(text=sentence, recommendation=recommendation, level=level)]


def readable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Whole numbers as the report's language writes them ("1.250" in Indonesian) for the prose."""
    return {key: charts.number(value) if isinstance(value, int) and not isinstance(value, bool) else value
            for key, value in values.items()}


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


@dataclass
class SiteBackups:
    site_id: int
    name: str
    organisation: str
    medium: str | None = None  # the plan's backup target; None without a plan
    enabled: bool = False
    backups_ok: int = 0
    backups_failed: int = 0
    verifications: int = 0
    verifications_failed: int = 0
    restores: int = 0
    new_bytes: int = 0
    last_ok: datetime | None = None
    stored_bytes: int | None = None
    last_verification: str = ""  # the RunState of the last verification in the period, "" for none

    @property
    def verified(self) -> bool:
        return self.last_verification == RunState.SUCCEEDED

    @property
    def status(self) -> str:
        if not self.backups_ok:
            return "none"
        return "verified" if self.verified else "unverified"

    def plan_text(self) -> str:
        return plan_text(self.medium, self.enabled)


def plan_text(medium: str | None, enabled: bool) -> str:
    if medium is None:
        return _("no plan")
    return medium if enabled else _("%(medium)s (switched off)") % {"medium": medium}


def sites_of(scope: Scope) -> list[SiteBackups]:
    rows = BackupPlan.objects.filter(site_id__in=scope.site_ids).values_list("site_id", "target__name", "enabled")
    plans = {site_id: (medium, enabled) for site_id, medium, enabled in rows}
    sites = []
    for site_id, name, organisation in scope.sites().values_list("pk", "name", "organisation__name"):
        medium, enabled = plans.get(site_id, (None, False))
        sites.append(SiteBackups(site_id, name, organisation, medium, enabled))
    return sites


def runs_between(site_ids: Iterable[int], start: datetime, end: datetime) -> QuerySet[BackupRun]:
    # order_by(): the model's ordering would otherwise join every GROUP BY
    return BackupRun.objects.filter(site_id__in=site_ids, started_at__gte=start, started_at__lt=end).order_by()


def add_month_counts(scope: Scope, sites: dict[int, SiteBackups]) -> None:
    ok, failed = Q(state=RunState.SUCCEEDED), Q(state=RunState.FAILED)
    backup, verify = Q(operation=Operation.BACKUP), Q(operation=Operation.VERIFY)
    restore = Q(operation__in=RESTORES) & ok & ~Q(report__dry_run=True)  # a dry run restores nothing
    rows = runs_between(scope.site_ids, scope.start, scope.end).values("site_id").annotate(
        backups_ok=Count("pk", filter=backup & ok), backups_failed=Count("pk", filter=backup & failed),
        verifications=Count("pk", filter=verify & (ok | failed)),
        verifications_failed=Count("pk", filter=verify & failed),
        restores=Count("pk", filter=restore), new_bytes=Sum("bytes_new", filter=backup & ok, default=0),
    )
    for row in rows:
        site = sites[row["site_id"]]
        site.backups_ok, site.backups_failed = row["backups_ok"], row["backups_failed"]
        site.verifications, site.verifications_failed = row["verifications"], row["verifications_failed"]
        site.restores, site.new_bytes = row["restores"], row["new_bytes"]
    verifications = runs_between(scope.site_ids, scope.start, scope.end).filter(
        operation=Operation.VERIFY, state__in=FINISHED).order_by("started_at", "pk").values_list("site_id", "state")
    for site_id, state in verifications:
        sites[site_id].last_verification = state  # the latest wins


def latest_run_ids(site_ids: Iterable[int], before: datetime, **conditions: object) -> dict[int, int]:
    """Per site, the id of its newest run meeting `conditions` that started before `before` (index-backed)."""
    newest = BackupRun.objects.filter(site=OuterRef("pk"), started_at__lt=before, **conditions).order_by(
        "-started_at", "-pk").values("pk")[:1]
    rows = Site.objects.filter(pk__in=list(site_ids)).annotate(run=Subquery(newest)).values_list("pk", "run")
    return {site_id: run_id for site_id, run_id in rows if run_id is not None}


def add_last_good_backup(sites: dict[int, SiteBackups], before: datetime) -> None:
    ids = latest_run_ids(sites, before, operation=Operation.BACKUP, state=RunState.SUCCEEDED)
    runs = BackupRun.objects.filter(pk__in=ids.values()).values_list("site_id", "started_at", "finished_at",
                                                                     "bytes_total")
    for site_id, started, finished, size in runs:
        sites[site_id].last_ok, sites[site_id].stored_bytes = finished or started, size


def backups_per_day(scope: Scope) -> dict[date, tuple[int, int]]:
    rows = runs_between(scope.site_ids, scope.start, scope.end).filter(operation=Operation.BACKUP).annotate(
        day=TruncDate("started_at")).values("day").annotate(
        ok=Count("pk", filter=Q(state=RunState.SUCCEEDED)), failed=Count("pk", filter=Q(state=RunState.FAILED)))
    return {row["day"]: (row["ok"], row["failed"]) for row in rows}


class BackupSection(Section):
    key = "backups"
    title = gettext_lazy("Backups, verification and restores")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        listed = sites_of(scope)
        sites = {site.site_id: site for site in listed}
        add_month_counts(scope, sites)
        add_last_good_backup(sites, scope.end)
        statuses = Counter(site.status for site in listed)
        part.figures = month_figures(listed, statuses)
        part.paragraphs = month_paragraphs(part.figures)
        part.summary = [_("%(verified)s of %(sites)s websites were backed up and verified in this period; "
                          "%(none)s had no successful backup.") % readable({
            "verified": statuses["verified"], "sites": len(listed), "none": statuses["none"]})]
        part.charts = month_charts(scope, statuses)
        part.tables = [month_table(listed)]
        part.problems = month_problems(listed)
        return part


def month_figures(sites: list[SiteBackups], statuses: Counter[str]) -> dict[str, int | float]:
    backups_ok = sum(site.backups_ok for site in sites)
    backups_failed = sum(site.backups_failed for site in sites)
    return {
        "sites": len(sites),
        "sites_without_plan": sum(site.medium is None for site in sites),
        "sites_plan_switched_off": sum(site.medium is not None and not site.enabled for site in sites),
        "backups_succeeded": backups_ok,
        "backups_failed": backups_failed,
        "backup_success_percent": percent(backups_ok, backups_ok + backups_failed),
        "verifications": sum(site.verifications for site in sites),
        "verifications_failed": sum(site.verifications_failed for site in sites),
        "restores": sum(site.restores for site in sites),
        "new_bytes": sum(site.new_bytes for site in sites),
        "stored_bytes": sum(site.stored_bytes or 0 for site in sites),
        "sites_backed_up_verified": statuses["verified"],
        "sites_backed_up_not_verified": statuses["unverified"],
        "sites_without_backup": statuses["none"],
        "sites_last_verification_failed": sum(site.last_verification == RunState.FAILED for site in sites),
        "sites_not_verified": sum(not site.last_verification for site in sites),
    }


def month_paragraphs(figures: dict[str, int | float]) -> list[str]:
    sites, shown = int(figures["sites"]), readable(figures)
    return [
        ngettext("In this period %(backups_succeeded)s backups succeeded and %(backups_failed)s failed for "
                 "%(sites)s website (%(rate)s%% succeeded).",
                 "In this period %(backups_succeeded)s backups succeeded and %(backups_failed)s failed for "
                 "%(sites)s websites (%(rate)s%% succeeded).", sites) % {
            **shown, "rate": charts.number(figures["backup_success_percent"], 2)},
        _("The backups were verified %(verifications)s times, of which %(verifications_failed)s failed; "
          "%(restores)s restores were carried out.") % shown,
        _("Backed up and verified: %(sites_backed_up_verified)s websites; backed up but not verified: "
          "%(sites_backed_up_not_verified)s; without a successful backup: %(sites_without_backup)s.") % shown,
        _("The latest snapshots hold %(stored)s of data; %(new)s of new data was stored in this period.") % {
            "stored": size_text(figures["stored_bytes"]), "new": size_text(figures["new_bytes"])},
    ]


def month_charts(scope: Scope, statuses: Counter[str]) -> list[Chart]:
    per_day = backups_per_day(scope)
    counts = [per_day.get(day, (0, 0)) for day in scope.days]
    failed = sum(failures for _ok, failures in counts)
    daily = charts.bar_chart([str(day.day) for day in scope.days], [float(ok) for ok, _failed in counts],
                             levels=["bad" if failures else "good" for _ok, failures in counts])
    shares = charts.share_bar([(_("Backed up and verified"), statuses["verified"]),
                               (_("Backed up, not verified"), statuses["unverified"]),
                               (_("No successful backup"), statuses["none"])], colours=["good", "fair", "bad"])
    return [
        Chart(_("Successful backups per day"), daily,
              _("Red bars mark days with at least one failed backup (%(failed)s failed in this period).")
              % readable({"failed": failed})),
        Chart(_("Websites by backup state"), shares),
    ]


def month_table(sites: list[SiteBackups]) -> Table:
    columns = [Column(_("Website")), Column(_("Organisation")), Column(_("Backup medium")),
               Column(_("Backups succeeded"), ColumnKind.INTEGER), Column(_("Backups failed"), ColumnKind.INTEGER),
               Column(_("Last successful backup"), ColumnKind.DATETIME),
               Column(_("Verifications"), ColumnKind.INTEGER), Column(_("Verifications failed"), ColumnKind.INTEGER),
               Column(_("Restores"), ColumnKind.INTEGER), Column(_("Latest snapshot size"), ColumnKind.BYTES),
               Column(_("New data stored"), ColumnKind.BYTES)]
    rows = [(site.name, site.organisation, site.plan_text(), site.backups_ok, site.backups_failed, site.last_ok,
             site.verifications, site.verifications_failed, site.restores, site.stored_bytes, site.new_bytes)
            for site in sites]
    return Table("backups", _("Backups per website"), columns, rows, empty=_("No website in this report."),
                 print_order=PrintOrder(4))


def month_problems(sites: list[SiteBackups]) -> list[Problem]:
    planned = [site for site in sites if site.medium is not None and site.enabled]
    no_plan = [site.name for site in sites if site.medium is None]
    switched_off = [site.name for site in sites if site.medium is not None and not site.enabled]
    no_backup = [site.name for site in planned if not site.backups_ok]
    failed = [site.name for site in sites if site.last_verification == RunState.FAILED]
    unverified = [site.name for site in planned if site.backups_ok and not site.last_verification]
    return [
        *site_problem(no_plan, ngettext("%(count)s website has no backup plan: %(names)s.",
                                        "%(count)s websites have no backup plan: %(names)s.", len(no_plan)),
                      _("Give each website a backup plan on a backup medium (jagaweb backup plan SITE --target "
                        "MEDIUM) so that it is backed up every day."), ProblemLevel.CRITICAL),
        *site_problem(switched_off, ngettext("The backup plan of %(count)s website is switched off: %(names)s.",
                                             "The backup plans of %(count)s websites are switched off: %(names)s.",
                                             len(switched_off)),
                      _("Switch the backup plans back on, or record why these websites need no backup."),
                      ProblemLevel.WARNING),
        *site_problem(no_backup, ngettext("%(count)s website had no successful backup in this period: %(names)s.",
                                          "%(count)s websites had no successful backup in this period: %(names)s.",
                                          len(no_backup)),
                      _("Check that the backup medium is connected and has free space, read the error of the "
                        "last failed backup run, and run a backup now (jagaweb backup run SITE)."),
                      ProblemLevel.CRITICAL),
        *site_problem(failed, verification_failed_text(len(failed)), reverify_advice(), ProblemLevel.CRITICAL),
        *site_problem(unverified, ngettext("The backups of %(count)s website were not verified in this period: "
                                           "%(names)s.",
                                           "The backups of %(count)s websites were not verified in this period: "
                                           "%(names)s.", len(unverified)),
                      _("Make sure the weekly verification job is switched on (Jobs page) and run a verification "
                        "of the latest snapshot (jagaweb backup verify SITE --read-data --sample 10%)."),
                      ProblemLevel.WARNING),
    ]


def verification_failed_text(count: int) -> str:
    return ngettext("The last verification of the backups of %(count)s website failed: %(names)s.",
                    "The last verification of the backups of %(count)s websites failed: %(names)s.", count)


def reverify_advice() -> str:
    return _("Check the backup medium for damage, run a full verification (jagaweb backup verify SITE --read-data) "
             "and make a new backup; replace the medium if the damage returns.")


@dataclass
class SiteState:
    site_id: int
    name: str
    organisation: str
    medium: str | None = None
    enabled: bool = False
    last_ok: datetime | None = None
    last_state: str = ""  # RunState of the newest finished backup
    last_step: str = ""  # where that backup failed
    verified_at: datetime | None = None
    verification: str = ""  # RunState of the newest finished verification
    trusted_at: datetime | None = None  # the newest trusted snapshot
    guarded: bool = False  # an enabled guard profile
    guard_snapshot: bool = False  # the profile names its own trusted snapshot

    def age(self, now: datetime) -> timedelta | None:
        return now - self.last_ok if self.last_ok else None

    def age_band(self, now: datetime) -> str:
        age = self.age(now)
        if age is None:
            return "never"
        if age <= timedelta(hours=24):
            return "day"
        return "two_days" if age <= STALE_AFTER else "stale"


def states_of(scope: Scope) -> list[SiteState]:
    listed = [SiteState(site.site_id, site.name, site.organisation, site.medium, site.enabled)
              for site in sites_of(scope)]
    sites = {site.site_id: site for site in listed}
    now = scope.now
    ok = latest_run_ids(sites, now, operation=Operation.BACKUP, state=RunState.SUCCEEDED)
    last = latest_run_ids(sites, now, operation=Operation.BACKUP, state__in=FINISHED)
    verify = latest_run_ids(sites, now, operation=Operation.VERIFY, state__in=FINISHED)
    runs = BackupRun.objects.filter(pk__in=[*ok.values(), *last.values(), *verify.values()]).in_bulk()
    for site_id, site in sites.items():
        if site_id in ok:
            site.last_ok = runs[ok[site_id]].finished_at or runs[ok[site_id]].started_at
        if site_id in last:
            site.last_state, site.last_step = runs[last[site_id]].state, runs[last[site_id]].step
        if site_id in verify:
            site.verified_at, site.verification = runs[verify[site_id]].started_at, runs[verify[site_id]].state
    trusted = Snapshot.objects.filter(site_id__in=scope.site_ids, trusted=True, taken_at__lt=now).order_by()
    for site_id, taken in trusted.values("site_id").annotate(newest=Max("taken_at")).values_list("site_id", "newest"):
        sites[site_id].trusted_at = taken
    profiles = GuardProfile.objects.filter(site_id__in=scope.site_ids, enabled=True)
    for site_id, snapshot_id in profiles.values_list("site_id", "trusted_snapshot_id"):
        sites[site_id].guarded, sites[site_id].guard_snapshot = True, snapshot_id is not None
    return listed


class BackupStateSection(Section):
    key = "backup_state"
    title = gettext_lazy("Backups: state now")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        sites = states_of(scope)
        bands = Counter(site.age_band(scope.now) for site in sites)
        unprotected = bands["stale"] + bands["never"]
        part.figures = {
            "sites": len(sites),
            "sites_without_plan": sum(site.medium is None for site in sites),
            "sites_backed_up_24h": bands["day"],
            "sites_backed_up_48h": bands["day"] + bands["two_days"],
            "sites_without_backup_48h": unprotected,
            "sites_never_backed_up": bands["never"],
            "sites_last_backup_failed": sum(site.last_state == RunState.FAILED for site in sites),
            "sites_last_verification_failed": sum(site.verification == RunState.FAILED for site in sites),
            "sites_guard_without_trusted_snapshot": len(guard_without_snapshot(sites)),
        }
        numbers = {**part.figures, "now": formats.date_format(timezone.localtime(scope.now), "SHORT_DATETIME_FORMAT")}
        part.paragraphs = [
            _("As of %(now)s, %(sites_backed_up_48h)s of %(sites)s websites have a successful backup from the last "
              "48 hours; %(sites_without_backup_48h)s have none, of which %(sites_never_backed_up)s have never "
              "been backed up.") % readable(numbers),
            _("The last backup failed for %(sites_last_backup_failed)s websites and the last verification failed "
              "for %(sites_last_verification_failed)s.") % readable(numbers),
        ]
        part.summary = [_("%(ok)s of %(sites)s websites have a successful backup from the last 48 hours.") % readable({
            "ok": part.figures["sites_backed_up_48h"], "sites": len(sites)})]
        part.charts = [Chart(_("Age of the last successful backup"), charts.share_bar(
            [(_("Within 24 hours"), bands["day"]), (_("24 to 48 hours"), bands["two_days"]),
             (_("Older than 48 hours"), bands["stale"]), (_("Never"), bands["never"])],
            colours=["good", "fair", "bad", "none"]))]
        part.tables = [state_table(sites, scope.now)]
        part.problems = state_problems(sites, scope.now)
        return part


def guard_without_snapshot(sites: list[SiteState]) -> list[SiteState]:
    return [site for site in sites if site.guarded and not site.guard_snapshot and site.trusted_at is None]


def state_table(sites: list[SiteState], now: datetime) -> Table:
    states = dict(RunState.choices)
    columns = [Column(_("Website")), Column(_("Organisation")), Column(_("Backup medium")),
               Column(_("Last successful backup"), ColumnKind.DATETIME), Column(_("Age"), ColumnKind.DURATION),
               Column(_("Last backup run")), Column(_("Last verification"), ColumnKind.DATETIME),
               Column(_("Verification result")), Column(_("Newest trusted snapshot"), ColumnKind.DATETIME)]
    rows = [(site.name, site.organisation, plan_text(site.medium, site.enabled),
             site.last_ok, site.age(now), str(states.get(site.last_state, "")), site.verified_at,
             str(states.get(site.verification, "")), site.trusted_at) for site in sites]
    return Table("backup_state", _("Backup state per website"), columns, rows,
                 empty=_("No website in this report."), print_order=PrintOrder(4))


def state_problems(sites: list[SiteState], now: datetime) -> list[Problem]:
    planned = [site for site in sites if site.medium is not None and site.enabled]
    stale = [site.name for site in planned if site.age_band(now) in ("stale", "never")]
    no_plan = [site.name for site in sites if site.medium is None or not site.enabled]
    failed = [f"{site.name} ({site.last_step or '-'})" for site in sites if site.last_state == RunState.FAILED]
    unverified = [site.name for site in sites if site.verification == RunState.FAILED]
    no_trusted = [site.name for site in guard_without_snapshot(sites)]
    return [
        *site_problem(stale, ngettext("%(count)s website has no successful backup from the last 48 hours: %(names)s.",
                                      "%(count)s websites have no successful backup from the last 48 hours: "
                                      "%(names)s.", len(stale)),
                      _("Check that the backup medium is connected and has free space and that the scheduler "
                        "runs, then run a backup now (jagaweb backup run SITE)."), ProblemLevel.CRITICAL),
        *site_problem(no_plan, ngettext("%(count)s website has no backup plan in force: %(names)s.",
                                        "%(count)s websites have no backup plan in force: %(names)s.", len(no_plan)),
                      _("Give each website a backup plan on a backup medium (jagaweb backup plan SITE --target "
                        "MEDIUM), or switch its plan back on."), ProblemLevel.WARNING),
        *site_problem(failed, ngettext("The last backup of %(count)s website failed (at the step named): %(names)s.",
                                       "The last backups of %(count)s websites failed (at the steps named): "
                                       "%(names)s.", len(failed)),
                      _("Read the error of the failed run on the backup page, correct its cause (a full or "
                        "missing medium, the database password) and run the backup again."), ProblemLevel.CRITICAL),
        *site_problem(unverified, verification_failed_text(len(unverified)), reverify_advice(), ProblemLevel.CRITICAL),
        *site_problem(no_trusted, ngettext("The guard of %(count)s website has no trusted snapshot: %(names)s.",
                                           "The guard of %(count)s websites has no trusted snapshot: %(names)s.",
                                           len(no_trusted)),
                      _("Mark a snapshot taken while the website was known to be clean as trusted, then mark the "
                        "website known-good; without it the guard can neither compare the files nor restore them."),
                      ProblemLevel.WARNING),
    ]
