"""The guard in a situation report: the places with open findings now, per site, since when, and repairs
under way. Shares its reading of runs and findings with the monthly guard section (guard.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.guard.choices import FindingState, RunKind, RunState, Verdict
from jagaweb.guard.findings import VERDICT_ORDER
from jagaweb.guard.models import GuardRun
from jagaweb.inventory.models import Site
from jagaweb.reports import charts
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.backups import readable, site_problem
from jagaweb.reports.sections.base import Chart, Column, Part, PrintOrder, Scope, Section, Table
from jagaweb.reports.sections.guard import (
    CHECK_OVERDUE_AFTER,
    COMPROMISED,
    OPEN_SHOWN,
    Guarding,
    Key,
    Place,
    findings_of,
    guarding_of,
    most_severe_first,
    open_problems,
    place_columns,
    place_row,
    setup_problems,
)


def first_seen(keys: set[Key]) -> dict[Key, datetime]:
    """Since when each place has been reported: its first finding after it was last repaired or approved."""
    if not keys:
        return {}
    rows = findings_of({key[0] for key in keys}).values(
        "site_id", "source", "location", "identity").annotate(
        first=Min("created_at"),
        closed=Max("created_at", filter=Q(state__in=[FindingState.REPAIRED, FindingState.APPROVED])))
    since: dict[Key, datetime] = {}
    reopened: dict[Key, datetime] = {}
    for row in rows:
        key = (row["site_id"], row["source"], row["location"], row["identity"])
        if key in keys:
            (reopened if row["closed"] else since)[key] = row["closed"] or row["first"]
    if reopened:  # rare: a place found again after a repair; one query for all of them
        after = reduce(or_, [Q(site_id=key[0], source=key[1], location=key[2], identity=key[3], created_at__gt=closed)
                             for key, closed in reopened.items()])
        later = findings_of(site for site, *_rest in reopened).filter(after).values(
            "site_id", "source", "location", "identity").annotate(first=Min("created_at"))
        for site_id, source, location, identity, first in later.values_list(
                "site_id", "source", "location", "identity", "first"):
            since[(site_id, source, location, identity)] = first
    return since


def open_places(scope: Scope) -> list[Place]:
    rows = findings_of(scope.site_ids).filter(state=FindingState.OPEN, created_at__lte=scope.now).values_list(
        "site_id", "source", "location", "identity", "verdict", "severity", "created_at")
    found = {(site_id, source, location, identity): (verdict, severity, created)
             for site_id, source, location, identity, verdict, severity, created in rows}
    since = first_seen(set(found))
    return [Place(key, verdict, severity, since.get(key, created), created, 1, str(FindingState.OPEN))
            for key, (verdict, severity, created) in found.items()]


def latest_runs(site_ids: Iterable[int], kind: str, before: datetime) -> dict[int, GuardRun]:
    """Each site's newest run of `kind` that started by `before`: one indexed subquery, one fetch."""
    newest = GuardRun.objects.filter(site=OuterRef("pk"), kind=kind, started_at__lte=before).order_by(
        "-started_at", "-pk").values("pk")[:1]
    ids = dict(Site.objects.filter(pk__in=list(site_ids)).annotate(run=Subquery(newest)).values_list("pk", "run"))
    runs = GuardRun.objects.defer("report", "counts").in_bulk([run for run in ids.values() if run])
    return {site_id: runs[run] for site_id, run in ids.items() if run}


class GuardStateSection(Section):
    key = "guard_state"
    title = gettext_lazy("Guard: open findings and repairs now")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        sites = guarding_of(scope)
        names = {site.site_id: site.name for site in sites}
        places = sorted(open_places(scope), key=most_severe_first)
        open_now: dict[int, Counter[str]] = {}
        for place in places:
            open_now.setdefault(place.key[0], Counter())[place.verdict] += 1
        checks = latest_runs(names, RunKind.CHECK, scope.now)
        restores = latest_runs(names, RunKind.RESTORE, scope.now)
        repairing = {site_id for site_id, run in restores.items() if run.state != RunState.SUCCEEDED}
        overdue = [site for site in sites if site.status != "off" and (
            site.site_id not in checks or checks[site.site_id].state == RunState.FAILED
            or scope.now - checks[site.site_id].started_at > CHECK_OVERDUE_AFTER)]
        groups = Counter(site_group(site, open_now.get(site.site_id)) for site in sites)
        part.figures = {
            "sites": len(sites), "sites_guarded": sum(site.status == "ready" for site in sites),
            "sites_not_guarded": sum(site.status == "off" for site in sites),
            "open_findings": len(places), "open_by_verdict": dict(Counter(place.verdict for place in places)),
            "open_compromised": sum(place.verdict in COMPROMISED for place in places),
            "sites_with_open_findings": len(open_now), "sites_compromised": groups["compromised"],
            "sites_other_findings": groups["other"], "sites_clean": groups["clean"],
            "sites_under_repair": len(repairing), "sites_check_overdue": len(overdue),
            "restores_recent": GuardRun.objects.filter(site_id__in=scope.site_ids, kind=RunKind.RESTORE,
                                                       started_at__gte=scope.start, started_at__lte=scope.now).count(),
        }
        part.paragraphs = state_paragraphs(part.figures, scope.now)
        compromised = part.figures["sites_compromised"]
        part.summary = [ngettext("%(count)s website shows online gambling spam or defacement now.",
                                 "%(count)s websites show online gambling spam or defacement now.", compromised)
                        % readable({"count": compromised}) if compromised else
                        _("No website shows online gambling spam or defacement now.")]
        part.charts = [Chart(_("Websites by what the guard sees now"), charts.share_bar(
            [(_("Online gambling spam or defacement"), groups["compromised"]), (_("Other open findings"),
             groups["other"]), (_("No open finding"), groups["clean"]), (_("Not guarded"), groups["off"])],
            colours=["bad", "fair", "good", "none"]))]
        part.tables = [
            Table("guard_open", _("Open findings"), place_columns(state=False),
                  [place_row(place, names, state=False) for place in places[:OPEN_SHOWN]],
                  note=_("The %(shown)s most severe of %(all)s open findings.") % readable({
                      "shown": OPEN_SHOWN, "all": len(places)}) if len(places) > OPEN_SHOWN else "",
                  empty=_("No finding is open.")),
            state_site_table(sites, checks, restores, open_now),
        ]
        part.problems = [
            *open_problems(sites, open_now),
            *site_problem(unfinished := [site.name for site in sites if site.site_id in repairing], ngettext(
                "The restore of %(count)s website is running or did not finish: %(names)s.",
                "The restores of %(count)s websites are running or did not finish: %(names)s.", len(unfinished)),
                _("Let a running restore finish; run a restore that stopped again (it continues in the same "
                  "quarantine folder) and read its repair report."), ProblemLevel.CRITICAL),
            *site_problem(late := [site.name for site in overdue], ngettext(
                "The last check of %(count)s guarded website failed or is older than 24 hours: %(names)s.",
                "The last checks of %(count)s guarded websites failed or are older than 24 hours: %(names)s.",
                len(late)),
                _("Check that the scheduler and the worker run (Jobs page) and read the error of the last check "
                  "on the guard page."), ProblemLevel.WARNING),
            *setup_problems(sites),
        ]
        return part


def site_group(site: Guarding, open_verdicts: Counter[str] | None) -> str:
    if open_verdicts and any(open_verdicts[verdict] for verdict in COMPROMISED):
        return "compromised"
    if open_verdicts:
        return "other"
    return "off" if site.status == "off" else "clean"


def state_paragraphs(figures: dict[str, Any], now: datetime) -> list[str]:
    numbers = readable({**figures, "now": formats.date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT")})
    return [
        _("As of %(now)s, %(open_findings)s findings are open on %(sites_with_open_findings)s of %(sites)s "
          "websites; %(sites_compromised)s websites show online gambling spam or defacement.") % numbers,
        _("%(sites_under_repair)s websites are being restored or have an unfinished restore; %(restores_recent)s "
          "restores were carried out in the last seven days.") % numbers,
        _("%(sites_guarded)s websites are fully guarded and %(sites_not_guarded)s are not guarded; "
          "the last check of %(sites_check_overdue)s guarded websites failed or is older than 24 hours.") % numbers,
    ]


def state_site_table(sites: list[Guarding], checks: dict[int, GuardRun], restores: dict[int, GuardRun],
                     open_now: dict[int, Counter[str]]) -> Table:
    verdicts, states = dict(Verdict.choices), dict(RunState.choices)
    columns = [Column(_("Website")), Column(_("Organisation")), Column(_("Guard")),
               Column(_("Last check"), ColumnKind.DATETIME), Column(_("Last check result")),
               Column(_("Open findings"), ColumnKind.INTEGER), Column(_("Worst open verdict")),
               Column(_("Last restore"), ColumnKind.DATETIME), Column(_("Restore state"))]
    rows = []
    for site in sites:
        check, restore, found = checks.get(site.site_id), restores.get(site.site_id), open_now.get(site.site_id)
        result = "" if check is None else str(
            verdicts[check.verdict] if check.state == RunState.SUCCEEDED else states[check.state])
        worst = max(found, key=VERDICT_ORDER.index) if found else ""
        rows.append((site.name, site.organisation, site.status_text(), check and check.started_at, result,
                     sum(found.values()) if found else 0, str(verdicts.get(worst, "")),
                     restore and restore.started_at, str(states[restore.state]) if restore else ""))
    return Table("guard_state", _("Guard per website now"), columns, rows, empty=_("No website in this report."),
                 print_order=PrintOrder(5))
