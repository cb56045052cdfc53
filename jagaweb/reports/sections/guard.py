"""The guard in a report: checks, findings and repairs of the month (`GuardSection`) and the open findings
now (`GuardStateSection`). Words as in docs/guard.md.

A check stores its findings anew every time and marks the previous ones `gone`, so a page defaced for a
day and checked every hour is 24 rows of one problem. Findings are therefore counted per place: a site, a
source, a location and an identity, with the worst verdict and severity seen there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.backup.models import Snapshot
from jagaweb.guard.choices import FindingState, Identity, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.findings import SEVERITY_ORDER, VERDICT_ORDER
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.reports import charts
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.backups import readable, site_problem
from jagaweb.reports.sections.base import Chart, Column, Part, PrintOrder, Problem, Scope, Section, Table

COMPROMISED = (str(Verdict.JUDOL), str(Verdict.DEFACED))
FINDINGS_SHOWN = 50  # the monthly table of findings: the most severe
OPEN_SHOWN = 100  # the situation report's table of open findings
CHECK_OVERDUE_AFTER = timedelta(hours=24)  # checks run hourly: a day without one means the schedule stopped
VERDICT_COLOURS = {Verdict.CLEAN: "good", Verdict.SUSPICIOUS: "fair", Verdict.DEFACED: charts.PALETTE[6],
                   Verdict.JUDOL: "bad"}
Key = tuple[int, str, str, str]  # site, source, location, identity: one place a finding is about


def rank(field: str, order: list[str]) -> Case:
    """A text choice as its position in `order`, so that the database can take the worst with Max."""
    return Case(*[When(**{field: value}, then=Value(index)) for index, value in enumerate(order)],
                default=Value(0), output_field=IntegerField())


@dataclass
class Guarding:
    """How far a site's guard is set up: a profile, switched on, marked known-good, with a trusted snapshot."""

    site_id: int
    name: str
    organisation: str
    enabled: bool = False
    known_good_at: datetime | None = None
    trusted_at: datetime | None = None  # the newest snapshot marked trusted
    own_snapshot: bool = False  # the profile names its own trusted snapshot

    @property
    def status(self) -> str:
        if not self.enabled:
            return "off"
        if self.known_good_at is None:
            return "no_baseline"
        return "ready" if self.own_snapshot or self.trusted_at is not None else "no_snapshot"

    def status_text(self) -> str:
        return {"off": _("not guarded"), "no_baseline": _("never marked known-good"),
                "no_snapshot": _("no trusted snapshot"), "ready": _("guarded")}[self.status]


def guarding_of(scope: Scope) -> list[Guarding]:
    listed = [Guarding(*row) for row in scope.sites().values_list("pk", "name", "organisation__name")]
    sites = {site.site_id: site for site in listed}
    profiles = GuardProfile.objects.filter(site_id__in=scope.site_ids).values_list(
        "site_id", "enabled", "known_good_at", "trusted_snapshot_id")
    for site_id, enabled, known_good_at, snapshot_id in profiles:
        site = sites[site_id]
        site.enabled, site.known_good_at, site.own_snapshot = enabled, known_good_at, snapshot_id is not None
    trusted = Snapshot.objects.filter(site_id__in=scope.site_ids, trusted=True).order_by().values("site_id")
    for site_id, newest in trusted.annotate(newest=Max("taken_at")).values_list("site_id", "newest"):
        sites[site_id].trusted_at = newest
    return listed


def findings_of(site_ids: Iterable[int]) -> QuerySet[Finding]:
    return Finding.objects.filter(site_id__in=list(site_ids)).order_by()  # no model ordering in GROUP BY


@dataclass
class Place:
    """One place with findings in the period: the worst verdict and severity seen there, and when."""

    key: Key
    verdict: str
    severity: str
    first: datetime
    last: datetime
    seen: int  # in how many checks
    state: str = ""


def places_between(site_ids: Iterable[int], start: datetime, end: datetime) -> list[Place]:
    rows = findings_of(site_ids).filter(created_at__gte=start, created_at__lt=end).values(
        "site_id", "source", "location", "identity").annotate(
        verdict=Max(rank("verdict", VERDICT_ORDER)), severity=Max(rank("severity", SEVERITY_ORDER)),
        first=Min("created_at"), last=Max("created_at"), seen=Count("pk"),
        repaired=Count("pk", filter=Q(state=FindingState.REPAIRED)),
        approved=Count("pk", filter=Q(state=FindingState.APPROVED)))
    open_now = set(findings_of(site_ids).filter(state=FindingState.OPEN).values_list(
        "site_id", "source", "location", "identity"))
    places = []
    for row in rows:
        key = (row["site_id"], row["source"], row["location"], row["identity"])
        state = (FindingState.OPEN if key in open_now else FindingState.REPAIRED if row["repaired"]
                 else FindingState.APPROVED if row["approved"] else FindingState.GONE)
        places.append(Place(key, VERDICT_ORDER[row["verdict"]], SEVERITY_ORDER[row["severity"]], row["first"],
                            row["last"], row["seen"], str(state)))
    return places


def most_severe_first(place: Place) -> tuple[int, int, float]:
    return (-SEVERITY_ORDER.index(place.severity), -VERDICT_ORDER.index(place.verdict), -place.last.timestamp())


def check_counts(scope: Scope) -> dict[int, dict[str, int]]:
    done = Q(state=RunState.SUCCEEDED)
    fields = ["checks", "failed", *Verdict.values]
    rows = GuardRun.objects.filter(site_id__in=scope.site_ids, kind=RunKind.CHECK, started_at__gte=scope.start,
                                   started_at__lt=scope.end).order_by().values("site_id").annotate(
        checks=Count("pk"), failed=Count("pk", filter=Q(state=RunState.FAILED)),
        **{verdict: Count("pk", filter=done & Q(verdict=verdict)) for verdict in Verdict.values})
    return {site_id: dict(zip(fields, counts, strict=True))
            for site_id, *counts in rows.values_list("site_id", *fields)}


@dataclass
class Repair:
    site_id: int
    site: str
    started: datetime
    actor: str
    state: str
    report: dict[str, Any]

    @property
    def verdict_after(self) -> str:
        return str(self.report.get("verification", {}).get("verdict", ""))

    def row(self) -> tuple[Any, ...]:
        # The report lists each path; a restore that stopped early has none of these lists.
        paths = [len(self.report.get(name, [])) for name in ("quarantined", "restored", "removed")]
        return (self.site, self.started, self.actor, str(dict(RunState.choices).get(self.state, self.state)), *paths,
                str(dict(Verdict.choices).get(self.verdict_after, "")))


def repairs_between(site_ids: Iterable[int], start: datetime, end: datetime) -> list[Repair]:
    rows = GuardRun.objects.filter(site_id__in=list(site_ids), kind=RunKind.RESTORE, started_at__gte=start,
                                   started_at__lt=end).order_by("started_at", "pk")
    return [Repair(*row) for row in rows.values_list("site_id", "site__name", "started_at", "actor", "state", "report")]


def repairs_table(repairs: list[Repair], key: str) -> Table:
    columns = [Column(_("Website")), Column(_("Started"), ColumnKind.DATETIME), Column(_("By")), Column(_("Result")),
               Column(_("Files quarantined"), ColumnKind.INTEGER), Column(_("Files restored"), ColumnKind.INTEGER),
               Column(_("Files removed"), ColumnKind.INTEGER), Column(_("Verified appearance after"))]
    return Table(key, _("Repairs (restores from the trusted backup)"), columns, [repair.row() for repair in repairs],
                 empty=_("No website was restored in this period."))


def place_row(place: Place, names: dict[int, str], state: bool = True) -> tuple[Any, ...]:
    site_id, source, location, identity = place.key
    row = (names[site_id], str(Source(source).label), location, str(dict(Identity.choices).get(identity, "")),
           str(Verdict(place.verdict).label), str(Severity(place.severity).label), place.first, place.last)
    return (*row, place.seen, str(dict(FindingState.choices)[place.state])) if state else row


def place_columns(state: bool = True) -> list[Column]:
    columns = [Column(_("Website")), Column(_("Found in")), Column(_("Where")), Column(_("Fetched as")),
               Column(_("Verdict")), Column(_("Severity")), Column(_("First seen"), ColumnKind.DATETIME),
               Column(_("Last seen"), ColumnKind.DATETIME)]
    return [*columns, Column(_("Checks"), ColumnKind.INTEGER), Column(_("State now"))] if state else columns


def setup_problems(sites: list[Guarding]) -> list[Problem]:
    off = [site.name for site in sites if site.status == "off"]
    unready = [site.name for site in sites if site.status in ("no_baseline", "no_snapshot")]
    return [
        *site_problem(off, ngettext("The guard is not set up for %(count)s website: %(names)s.",
                                    "The guard is not set up for %(count)s websites: %(names)s.", len(off)),
                      _("Check that each website is clean, then mark it known-good (its page, or jagaweb guard "
                        "known-good SITE): the hourly check starts then."), ProblemLevel.WARNING),
        *site_problem(unready, ngettext("The guard of %(count)s website has no known-good baseline or no trusted "
                                        "snapshot: %(names)s.",
                                        "The guard of %(count)s websites has no known-good baseline or no trusted "
                                        "snapshot: %(names)s.", len(unready)),
                      _("Mark a snapshot taken while the website was clean as trusted and mark the website "
                        "known-good; without them the files cannot be compared or restored."), ProblemLevel.WARNING),
    ]


def open_problems(sites: list[Guarding], open_now: dict[int, Counter[str]]) -> list[Problem]:
    counted = [(site.name, open_now[site.site_id]) for site in sites if site.site_id in open_now]
    compromised = [f"{name} ({sum(counts[v] for v in COMPROMISED)})" for name, counts in counted
                   if any(counts[v] for v in COMPROMISED)]
    suspicious = [f"{name} ({counts[Verdict.SUSPICIOUS]})" for name, counts in counted if counts[Verdict.SUSPICIOUS]]
    return [
        *site_problem(compromised, ngettext("%(count)s website has open findings of online gambling spam or "
                                            "defacement (their number in brackets): %(names)s.",
                                            "%(count)s websites have open findings of online gambling spam or "
                                            "defacement (their number in brackets): %(names)s.", len(compromised)),
                      _("Look at the findings, restore the website from its trusted backup (jagaweb guard restore "
                        "SITE) and keep the quarantine as evidence; then change the passwords and update the CMS "
                        "and its plugins so that the attacker cannot return."), ProblemLevel.CRITICAL),
        *site_problem(suspicious, ngettext("%(count)s website has open suspicious findings (their number in "
                                           "brackets): %(names)s.",
                                           "%(count)s websites have open suspicious findings (their number in "
                                           "brackets): %(names)s.", len(suspicious)),
                      _("Review each finding with the website's administrator: approve legitimate changes, and "
                        "restore the website when a change was not made by its people."), ProblemLevel.WARNING),
    ]


def open_counts(site_ids: Iterable[int]) -> dict[int, Counter[str]]:
    """Open findings now per site and verdict (each open finding is in the site's latest check)."""
    counts: dict[int, Counter[str]] = {}
    rows = findings_of(site_ids).filter(state=FindingState.OPEN).values("site_id", "verdict").annotate(n=Count("pk"))
    for site_id, verdict, count in rows.values_list("site_id", "verdict", "n"):
        counts.setdefault(site_id, Counter())[verdict] += count
    return counts


class GuardSection(Section):
    key = "guard"
    title = gettext_lazy("Guard findings and repairs")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        sites = guarding_of(scope)
        names = {site.site_id: site.name for site in sites}
        checks = check_counts(scope)
        places = places_between(scope.site_ids, scope.start, scope.end)
        repairs = repairs_between(scope.site_ids, scope.start, scope.end)
        open_now = open_counts(scope.site_ids)
        part.figures = month_figures(sites, checks, places, repairs, open_now)
        part.paragraphs = month_paragraphs(part.figures)
        part.summary = [month_summary(part.figures)]
        part.charts = month_charts(part.figures)
        places.sort(key=most_severe_first)
        part.tables = [
            month_site_table(sites, checks, places, repairs, open_now),
            Table("guard_findings", _("Most severe findings"), place_columns(),
                  [place_row(place, names) for place in places[:FINDINGS_SHOWN]],
                  note=_("The %(shown)s most severe of %(all)s findings.") % readable({
                      "shown": FINDINGS_SHOWN, "all": len(places)}) if len(places) > FINDINGS_SHOWN else "",
                  empty=_("The guard found nothing in this period.")),
            repairs_table(repairs, "guard_repairs"),
        ]
        part.problems = [*open_problems(sites, open_now), *repair_problems(repairs), *setup_problems(sites),
                         *failed_check_problems(sites, checks)]
        return part


def month_figures(sites: list[Guarding], checks: dict[int, dict[str, int]], places: list[Place],
                  repairs: list[Repair], open_now: dict[int, Counter[str]]) -> dict[str, Any]:
    def total(field: str) -> int:
        return sum(counts[field] for counts in checks.values())

    statuses = Counter(site.status for site in sites)
    open_verdicts: Counter[str] = sum(open_now.values(), Counter())
    return {
        "sites": len(sites), "sites_guarded": statuses["ready"], "sites_not_guarded": statuses["off"],
        "sites_without_baseline": statuses["no_baseline"], "sites_without_trusted_snapshot": statuses["no_snapshot"],
        "sites_checked": len(checks), "checks": total("checks"), "checks_failed": total("failed"),
        **{f"checks_{verdict}": total(verdict) for verdict in Verdict.values},
        "checks_compromised": total(Verdict.JUDOL) + total(Verdict.DEFACED),
        "findings": len(places), "findings_compromised": sum(place.verdict in COMPROMISED for place in places),
        "sites_with_findings": len({place.key[0] for place in places}),
        "sites_compromised": len({place.key[0] for place in places if place.verdict in COMPROMISED}),
        "findings_by_verdict": dict(Counter(place.verdict for place in places).most_common()),
        "findings_by_source": dict(Counter(place.key[1] for place in places).most_common()),
        "open_findings": sum(open_verdicts.values()),
        "open_compromised": sum(open_verdicts[verdict] for verdict in COMPROMISED),
        "sites_open_compromised": sum(any(counts[v] for v in COMPROMISED) for counts in open_now.values()),
        "restores": len(repairs), "restores_succeeded": sum(r.state == RunState.SUCCEEDED for r in repairs),
        "restores_clean_after": sum(r.verdict_after == Verdict.CLEAN for r in repairs),
    }


def month_paragraphs(figures: dict[str, Any]) -> list[str]:
    shown = readable(figures)
    return [
        ngettext("In this period the guard ran %(checks)s checks on %(sites_checked)s of %(sites)s website: "
                 "%(checks_clean)s clean, %(checks_suspicious)s suspicious, %(checks_defaced)s defaced and "
                 "%(checks_judol)s with online gambling spam; %(checks_failed)s checks failed.",
                 "In this period the guard ran %(checks)s checks on %(sites_checked)s of %(sites)s websites: "
                 "%(checks_clean)s clean, %(checks_suspicious)s suspicious, %(checks_defaced)s defaced and "
                 "%(checks_judol)s with online gambling spam; %(checks_failed)s checks failed.",
                 figures["sites"]) % shown,
        _("The checks found %(findings)s distinct findings on %(sites_with_findings)s websites, "
          "%(findings_compromised)s of them online gambling spam or defacement. At the time of this report "
          "%(open_findings)s findings are open, %(open_compromised)s of them online gambling spam or "
          "defacement.") % shown,
        _("%(restores)s restores from the trusted backup were carried out; after %(restores_clean_after)s of them "
          "the website was verified clean.") % shown,
        _("%(sites_guarded)s websites are fully guarded (known-good, with a trusted snapshot); %(sites_not_guarded)s "
          "are not guarded.") % shown,
    ]


def month_summary(figures: dict[str, Any]) -> str:
    shown = readable(figures)
    if not figures["sites_compromised"]:
        return _("The guard found no online gambling spam or defacement in this period (%(checks)s checks).") % shown
    text = ngettext("The guard found online gambling spam or defacement on %(sites_compromised)s website in this "
                    "period; %(open_compromised)s such findings are still open.",
                    "The guard found online gambling spam or defacement on %(sites_compromised)s websites in this "
                    "period; %(open_compromised)s such findings are still open.", figures["sites_compromised"])
    return text % shown


def month_charts(figures: dict[str, Any]) -> list[Chart]:
    verdicts, sources = dict(Verdict.choices), dict(Source.choices)
    found: list[Chart] = []
    if figures["checks"]:
        shares = [(str(verdicts[v]), figures[f"checks_{v}"]) for v in VERDICT_ORDER]
        found.append(Chart(_("Checks by verdict"), charts.share_bar(
            [*shares, (_("Failed"), figures["checks_failed"])],
            colours=[VERDICT_COLOURS[Verdict(v)] for v in VERDICT_ORDER] + ["none"])))
    by_verdict = sorted(figures["findings_by_verdict"].items(), key=lambda item: -VERDICT_ORDER.index(item[0]))
    if by_verdict:
        found.append(Chart(_("Findings by verdict"), charts.hbar_chart(
            [str(verdicts[v]) for v, _n in by_verdict], [n for _v, n in by_verdict],
            colours=[VERDICT_COLOURS[Verdict(v)] for v, _n in by_verdict])))
        by_source = list(figures["findings_by_source"].items())
        found.append(Chart(_("Findings by where they were found"), charts.hbar_chart(
            [str(sources[s]) for s, _n in by_source], [n for _s, n in by_source])))
    return found


def month_site_table(sites: list[Guarding], checks: dict[int, dict[str, int]], places: list[Place],
                     repairs: list[Repair], open_now: dict[int, Counter[str]]) -> Table:
    found = Counter(place.key[0] for place in places)
    restored = Counter(repair.site_id for repair in repairs)
    columns = [Column(_("Website")), Column(_("Organisation")), Column(_("Guard")),
               Column(_("Known-good since"), ColumnKind.DATETIME), Column(_("Trusted snapshot"), ColumnKind.DATETIME),
               Column(_("Checks"), ColumnKind.INTEGER), Column(_("Clean"), ColumnKind.INTEGER),
               Column(_("Suspicious"), ColumnKind.INTEGER), Column(_("Defaced"), ColumnKind.INTEGER),
               Column(_("Online gambling spam"), ColumnKind.INTEGER), Column(_("Checks failed"), ColumnKind.INTEGER),
               Column(_("Findings"), ColumnKind.INTEGER), Column(_("Open now"), ColumnKind.INTEGER),
               Column(_("Restores"), ColumnKind.INTEGER)]
    rows = []
    for site in sites:
        counts = checks.get(site.site_id, {})
        rows.append((site.name, site.organisation, site.status_text(), site.known_good_at, site.trusted_at,
                     counts.get("checks", 0), counts.get(Verdict.CLEAN, 0), counts.get(Verdict.SUSPICIOUS, 0),
                     counts.get(Verdict.DEFACED, 0), counts.get(Verdict.JUDOL, 0), counts.get("failed", 0),
                     found[site.site_id], sum(open_now.get(site.site_id, Counter()).values()),
                     restored[site.site_id]))
    return Table("guard", _("Guard per website"), columns, rows, empty=_("No website in this report."),
                 print_order=PrintOrder(11))


def repair_problems(repairs: list[Repair]) -> list[Problem]:
    # the latest finished restore of each site (a running one is the situation report's business)
    last = {repair.site_id: repair for repair in repairs if repair.state != RunState.RUNNING}
    unclean = sorted(repair.site for repair in last.values() if repair.verdict_after != Verdict.CLEAN)
    return site_problem(unclean, ngettext("The last restore of %(count)s website did not leave it verified clean: "
                                          "%(names)s.",
                                          "The last restores of %(count)s websites did not leave them verified "
                                          "clean: %(names)s.", len(unclean)),
                        _("Read the repair report: run the restore again when it stopped (it continues in the same "
                          "quarantine folder); when the check after it still found changes outside the web root "
                          "files, repair those by hand (database content, pages served by another server)."),
                        ProblemLevel.CRITICAL)


def failed_check_problems(sites: list[Guarding], checks: dict[int, dict[str, int]]) -> list[Problem]:
    failing = [site.name for site in sites if checks.get(site.site_id, {}).get("failed")]
    return site_problem(failing, ngettext("Checks of %(count)s website failed at least once: %(names)s.",
                                          "Checks of %(count)s websites failed at least once: %(names)s.",
                                          len(failing)),
                        _("Read the error of the failed checks on the guard page and correct the cause (the site "
                          "unreachable from this server, the web root or the database not readable)."),
                        ProblemLevel.NOTICE)
