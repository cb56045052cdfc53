"""Attacks read in the sites' access logs: by category, the top sources, per day, the incidents opened and per
site. For the monthly report, and for the situation report over its last seven days.

How findings are counted. A finding belongs to an incident (one client on one site); an incident counts all
its findings (`finding_count`, and per category `categories`) but keeps only its first MAX_STORED_FINDINGS as
rows (`stored_findings`). So the counts come from the incidents, not from the rows alone:

* an incident wholly inside the period counts all its findings, per category from `Incident.categories`;
* an incident that crosses the start or the end of the period counts its rows inside the period, plus, when
  its rows are capped and its last finding falls inside the period, the findings beyond the rows (per
  category: `categories` less the rows), which all came after its last row;
* per day: the rows per local day, and the findings beyond the rows on the day of the incident's last finding
  (their times are not kept).

Incidents opened in the period are those whose first finding falls in it; "still open" is their state now.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.logwatch.blocklist import blockable
from jagaweb.logwatch.choices import Category, Severity
from jagaweb.logwatch.incidents import MAX_STORED_FINDINGS
from jagaweb.logwatch.models import SEVERITY_ORDER, Incident, IncidentState, LogFinding
from jagaweb.monitor.history import local_midnight
from jagaweb.reports.charts import bar_chart, hbar_chart, number, share_bar
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, Problem, Scope, Section, Table
from jagaweb.reports.sections.visitors import SiteInfo, site_infos
from jagaweb.reports.sections.words import listed

TOP_SOURCES = 20
MANY_SITES = 3  # one address attacking this many sites is a campaign, not one site's nuisance
LISTED = 5  # addresses spelled out in a problem
WORST_FIRST = list(reversed(SEVERITY_ORDER))
SEVERITY_COLOURS = {"critical": "bad", "high": "#e07b24", "medium": "fair", "low": "info", "info": "none"}


Counts = dict[str, int]  # category -> findings


@dataclass
class Tally:
    """The findings counted for one category, one source or one site."""

    findings: int = 0
    sources: set[str] = field(default_factory=set)
    sites: set[int] = field(default_factory=set)
    categories: Counts = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def add(self, site_id: int, ip: str, findings: int, counts: Counts | None = None) -> None:
        self.findings += findings
        self.sources.add(ip)
        self.sites.add(site_id)
        for name, count in (counts or {}).items():
            self.categories[name] = self.categories.get(name, 0) + count

    def seen(self, first: datetime, last: datetime) -> None:
        self.first_seen = first if self.first_seen is None else min(self.first_seen, first)
        self.last_seen = last if self.last_seen is None else max(self.last_seen, last)

    def top_category(self) -> str:
        return ranked(self.categories)[0][0] if self.categories else ""


def tally_of(tallies: dict[Any, Tally], key: str | int) -> Tally:
    found = tallies.get(key)
    if found is None:
        found = tallies[key] = Tally()
    return found


@dataclass
class Attacks:
    by_category: dict[str, Tally] = field(default_factory=dict)
    by_source: dict[str, Tally] = field(default_factory=dict)
    by_site: dict[int, Tally] = field(default_factory=dict)
    per_day: dict[date, int] = field(default_factory=dict)
    opened: Counter[str] = field(default_factory=Counter)  # severity -> incidents first seen in the period
    opened_still_open: Counter[str] = field(default_factory=Counter)
    opened_by_site: Counter[int] = field(default_factory=Counter)
    open_by_site: dict[int, Counter[str]] = field(default_factory=dict)  # open now, first seen before the end
    beyond_rows: int = 0  # counted from the incidents' totals: the requests beyond the kept rows

    @property
    def findings(self) -> int:
        return sum(tally.findings for tally in self.by_site.values())


def ranked(counts: Counts) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def category_label(code: str) -> str:
    return str(dict(Category.choices).get(code, code))


def severity_label(code: str) -> str:
    return str(Severity(code).label) if code in Severity.values else code


def overlapping(scope: Scope) -> Q:
    return Q(site_id__in=scope.site_ids, first_seen__lt=scope.end, last_seen__gte=scope.start)


def crossing_rows(scope: Scope) -> dict[int, tuple[Counts, Counts]]:
    """For the incidents crossing the period's start or end, per category: their rows inside the period, and
    all their rows."""
    crossing = Incident.objects.filter(overlapping(scope)).filter(Q(first_seen__lt=scope.start) |
                                                                  Q(last_seen__gte=scope.end))
    rows = (LogFinding.objects.filter(incident__in=crossing.values("pk")).order_by()
            .values("incident_id", "category")
            .annotate(inside=Count("pk", filter=Q(time__gte=scope.start, time__lt=scope.end)), stored=Count("pk"))
            .values_list("incident_id", "category", "inside", "stored"))
    found: dict[int, tuple[Counts, Counts]] = {}
    for incident_id, category, inside, stored in rows:
        counts = found.setdefault(incident_id, ({}, {}))
        if inside:
            counts[0][category] = inside
        counts[1][category] = stored
    return found


def counted(scope: Scope, pk: int, first: datetime, last: datetime, total: int, stored: int, categories: Counts,
            crossing: dict[int, tuple[Counts, Counts]]) -> tuple[Counts, int]:
    """One incident's findings inside the period per category, and how many of them have no row."""
    if first >= scope.start and last < scope.end:
        whole = {name: count for name, count in categories.items() if count > 0}
        return whole, max(sum(whole.values()) - stored, 0)
    inside, rows = crossing.get(pk, ({}, {}))
    if stored >= total or not scope.start <= last < scope.end:
        return inside, 0
    beyond = {name: count - rows.get(name, 0) for name, count in categories.items() if count > rows.get(name, 0)}
    merged = dict(inside)
    for name, count in beyond.items():
        merged[name] = merged.get(name, 0) + count
    return merged, sum(beyond.values())


def rows_per_day(scope: Scope) -> dict[date, int]:
    """Finding rows per local day: a count per day on the time index, far cheaper than grouping by a local
    date computed for every row."""
    findings = LogFinding.objects.filter(site_id__in=scope.site_ids, incident__isnull=False)
    per_day = {}
    for day in scope.days:
        start = max(local_midnight(day), scope.start)
        end = min(local_midnight(day + timedelta(days=1)), scope.end)
        per_day[day] = findings.filter(time__gte=start, time__lt=end).count()
    return per_day


def open_now(scope: Scope) -> dict[int, Counter[str]]:
    """Per site and severity, the incidents open now that began before the end of the period."""
    found: dict[int, Counter[str]] = {}
    for site_id, severity, count in (
            Incident.objects.filter(site_id__in=scope.site_ids, state=IncidentState.OPEN, first_seen__lt=scope.end)
            .order_by().values("site_id", "severity").annotate(n=Count("pk")).values_list("site_id", "severity", "n")):
        found.setdefault(site_id, Counter())[severity] = count
    return found


def collect_attacks(scope: Scope) -> Attacks:
    attacks = Attacks(per_day=rows_per_day(scope), open_by_site=open_now(scope))
    crossing = crossing_rows(scope)
    incidents = Incident.objects.filter(overlapping(scope)).order_by().values_list(
        "pk", "site_id", "ip", "severity", "state", "first_seen", "last_seen", "finding_count", "stored_findings",
        "categories")
    for pk, site_id, ip, severity, state, first, last, total, stored, categories in incidents:
        if first >= scope.start:
            attacks.opened[severity] += 1
            attacks.opened_by_site[site_id] += 1
            if state == IncidentState.OPEN:
                attacks.opened_still_open[severity] += 1
        counts, beyond = counted(scope, pk, first, last, total, stored, categories or {}, crossing)
        if not counts:
            continue
        if beyond:
            attacks.beyond_rows += beyond
            day = timezone.localtime(last).date()
            attacks.per_day[day] = attacks.per_day.get(day, 0) + beyond
        findings = sum(counts.values())
        source = tally_of(attacks.by_source, ip)
        source.add(site_id, ip, findings, counts)
        source.seen(first, last)
        tally_of(attacks.by_site, site_id).add(site_id, ip, findings, counts)
        for name, count in counts.items():
            tally_of(attacks.by_category, name).add(site_id, ip, count)
    return attacks


def day_label(scope: Scope, day: date) -> str:
    return day.strftime("%d/%m") if scope.is_situation else str(day.day)


def many_site_sources(scope: Scope, attacks: Attacks) -> list[tuple[str, Tally]]:
    """Public addresses that attacked several sites (private ones are usually a proxy's, never blocked)."""
    threshold = min(MANY_SITES, len(scope.site_ids))
    if threshold < 2:
        return []
    found = [(ip, tally) for ip, tally in attacks.by_source.items()
             if len(tally.sites) >= threshold and blockable(ip) is not None]
    return sorted(found, key=lambda item: (-len(item[1].sites), -item[1].findings, item[0]))


def open_critical_sites(attacks: Attacks, sites: dict[int, SiteInfo]) -> list[int]:
    found = [pk for pk, counts in attacks.open_by_site.items() if counts[Severity.CRITICAL] and pk in sites]
    return sorted(found, key=lambda pk: (-attacks.open_by_site[pk][Severity.CRITICAL], sites[pk].name, pk))


def figures(scope: Scope, attacks: Attacks, sites: dict[int, SiteInfo]) -> dict[str, Any]:
    sources = largest(attacks.by_source)
    busiest = max(attacks.per_day.items(), key=lambda item: (item[1], -item[0].toordinal()), default=None)
    return {
        "findings": attacks.findings,
        "findings_beyond_rows": attacks.beyond_rows,
        "sources": len(attacks.by_source),
        "sites": len(sites),
        "sites_attacked": len(attacks.by_site),
        "sites_without_logs": sum(not info.has_logs for info in sites.values()),
        "by_category": {name: {"findings": tally.findings, "sources": len(tally.sources), "sites": len(tally.sites)}
                        for name, tally in attacks.by_category.items()},
        "per_day": {day.isoformat(): count for day, count in sorted(attacks.per_day.items())},
        "busiest_day": busiest[0].isoformat() if busiest and busiest[1] else None,
        "top_sources": [{"ip": ip, "findings": tally.findings, "sites": len(tally.sites),
                         "categories": [name for name, _count in ranked(tally.categories)]}
                        for ip, tally in sources[:TOP_SOURCES]],
        "incidents_opened": sum(attacks.opened.values()),
        "incidents_still_open": sum(attacks.opened_still_open.values()),
        "incidents_by_severity": dict(attacks.opened),
        "still_open_by_severity": dict(attacks.opened_still_open),
        "open_critical_sites": open_critical_sites(attacks, sites),
        "many_site_sources": [ip for ip, _tally in many_site_sources(scope, attacks)],
        "per_site": {str(pk): {"findings": tally.findings, "sources": len(tally.sources),
                               "incidents": attacks.opened_by_site[pk], "top_category": tally.top_category()}
                     for pk, tally in attacks.by_site.items()},
    }


def largest(tallies: dict[Any, Tally]) -> list[tuple[Any, Tally]]:
    return sorted(tallies.items(), key=lambda item: (-item[1].findings, item[0]))


def findings_phrase(count: int) -> str:
    return ngettext("%(count)s attack finding", "%(count)s attack findings", count) % {"count": number(count)}


def sites_phrase(count: int) -> str:
    return ngettext("%(count)s site", "%(count)s sites", count) % {"count": number(count)}


def paragraphs(attacks: Attacks, sites: dict[int, SiteInfo]) -> list[str]:
    total = attacks.findings
    without_logs = sum(not info.has_logs for info in sites.values())
    if not total:
        found = [_("No attacks were detected in the access logs of the %(sites)s during the period.")
                 % {"sites": sites_phrase(len(sites))}]
    else:
        category, tally = largest(attacks.by_category)[0]
        found = [_("During the period %(findings)s from %(sources)s were detected in the access logs, aimed at "
                   "%(attacked)s of the %(sites)s. The most frequent category was %(category)s (%(share)s%% of the "
                   "findings).") % {
            "findings": findings_phrase(total),
            "sources": ngettext("%(count)s distinct source address", "%(count)s distinct source addresses",
                                len(attacks.by_source)) % {"count": number(len(attacks.by_source))},
            "attacked": number(len(attacks.by_site)), "sites": sites_phrase(len(sites)),
            "category": category_label(category), "share": number(100 * tally.findings / total, 1)}]
        day, count = max(attacks.per_day.items(), key=lambda item: (item[1], -item[0].toordinal()))
        found.append(_("The busiest day was %(day)s with %(findings)s.")
                     % {"day": formats.date_format(day), "findings": findings_phrase(count)})
    if without_logs:
        found.append(ngettext("%(count)s site has no access log configured and is not covered.",
                              "%(count)s sites have no access log configured and are not covered.", without_logs)
                     % {"count": number(without_logs)})
    found.append(incidents_sentence(attacks))
    return found


def incidents_sentence(attacks: Attacks) -> str:
    opened = sum(attacks.opened.values())
    if not opened:
        return _("No incident was opened in the period.")
    severities = ", ".join(f"{severity_label(name)} {number(attacks.opened[name])}" for name in WORST_FIRST
                           if attacks.opened[name])
    return (ngettext("%(count)s incident (one source attacking one site) was opened in the period",
                     "%(count)s incidents (one source attacking one site) were opened in the period", opened)
            % {"count": number(opened)} + "; "
            + _("%(open)s of them are still open; by severity: %(severities)s.")
            % {"open": number(sum(attacks.opened_still_open.values())), "severities": severities})


def summary(attacks: Attacks, sites: dict[int, SiteInfo]) -> list[str]:
    if not attacks.findings:
        return [_("No attacks were detected in the access logs of the %(sites)s.")
                % {"sites": sites_phrase(len(sites))}]
    return [_("%(findings)s from %(sources)s source addresses were detected on %(attacked)s of the %(sites)s; "
              "%(opened)s incidents were opened, %(open)s of them still open.") % {
        "findings": findings_phrase(attacks.findings), "sources": number(len(attacks.by_source)),
        "attacked": number(len(attacks.by_site)), "sites": sites_phrase(len(sites)),
        "opened": number(sum(attacks.opened.values())), "open": number(sum(attacks.opened_still_open.values()))}]


def charts(scope: Scope, attacks: Attacks) -> list[Chart]:
    if not attacks.findings:
        return []
    categories = largest(attacks.by_category)
    days = sorted(attacks.per_day)
    found = [
        Chart(_("Attack findings by category"),
              hbar_chart([category_label(name) for name, _tally in categories],
                         [float(tally.findings) for _name, tally in categories])),
        Chart(_("Attack findings per day"),
              bar_chart([day_label(scope, day) for day in days], [float(attacks.per_day[day]) for day in days])),
    ]
    opened = [name for name in WORST_FIRST if attacks.opened[name]]
    if opened:
        found.append(Chart(_("Incidents opened in the period by severity"),
                           share_bar([(severity_label(name), float(attacks.opened[name])) for name in opened],
                                     colours=[SEVERITY_COLOURS[name] for name in opened])))
    return found


def category_table(attacks: Attacks) -> Table:
    total = attacks.findings or 1
    return Table("attack_categories", _("Attacks by category"),
                 [Column(_("Category")), Column(_("Findings"), ColumnKind.INTEGER),
                  Column(_("Share"), ColumnKind.PERCENT), Column(_("Distinct sources"), ColumnKind.INTEGER),
                  Column(_("Sites hit"), ColumnKind.INTEGER)],
                 [(category_label(name), tally.findings, 100 * tally.findings / total, len(tally.sources),
                   len(tally.sites)) for name, tally in largest(attacks.by_category)],
                 empty=_("No attacks were detected."))


def day_table(scope: Scope, attacks: Attacks) -> Table:
    note = ""
    if attacks.beyond_rows:
        note = (_("%(count)s findings beyond the first %(kept)s requests kept per incident are counted on the day "
                  "of the incident's last finding.")
                % {"count": number(attacks.beyond_rows), "kept": number(MAX_STORED_FINDINGS)})
    return Table("attacks_per_day", _("Attack findings per day"),
                 [Column(_("Date"), ColumnKind.DATE), Column(_("Findings"), ColumnKind.INTEGER)],
                 [(day, attacks.per_day.get(day, 0)) for day in scope.days], note=note)


def source_table(attacks: Attacks) -> Table:
    sources = largest(attacks.by_source)
    rows = [(ip, tally.findings, ", ".join(category_label(name) for name, _count in ranked(tally.categories)),
             len(tally.sites), tally.first_seen, tally.last_seen) for ip, tally in sources[:TOP_SOURCES]]
    note = (_("The %(shown)s sources with the most findings, of %(total)s distinct sources. First and last seen "
              "span the source's incidents, which may reach outside the period.")
            % {"shown": number(len(rows)), "total": number(len(sources))}) if sources else ""
    return Table("attack_sources", _("Top attack sources"),
                 [Column(_("Source address")), Column(_("Findings"), ColumnKind.INTEGER), Column(_("Categories")),
                  Column(_("Sites"), ColumnKind.INTEGER), Column(_("First seen"), ColumnKind.DATETIME),
                  Column(_("Last seen"), ColumnKind.DATETIME)],
                 rows, note=note, empty=_("No attack sources were seen."))


def incident_table(attacks: Attacks) -> Table:
    return Table("attack_incidents", _("Incidents opened in the period"),
                 [Column(_("Severity")), Column(_("Opened"), ColumnKind.INTEGER),
                  Column(_("Still open"), ColumnKind.INTEGER)],
                 [(severity_label(name), attacks.opened[name], attacks.opened_still_open[name])
                  for name in WORST_FIRST],
                 note=_("An incident is one source's findings on one site; it is counted here when its first finding "
                        "falls in the period."))


def site_table(attacks: Attacks, sites: dict[int, SiteInfo]) -> Table:
    def row(pk: int) -> tuple[Any, ...]:
        tally = attacks.by_site.get(pk, Tally())
        top = category_label(tally.top_category()) if tally.categories else ""
        if not sites[pk].has_logs and not tally.categories:
            top = _("no access log")
        return (sites[pk].name, sites[pk].organisation, tally.findings, len(tally.sources),
                attacks.opened_by_site[pk], sum(attacks.open_by_site.get(pk, Counter()).values()), top)

    rows = sorted((row(pk) for pk in sites), key=lambda item: (-item[2], -item[4], item[0]))
    return Table("attack_sites", _("Attacks per site"),
                 [Column(_("Site")), Column(_("Organisation")), Column(_("Findings"), ColumnKind.INTEGER),
                  Column(_("Distinct sources"), ColumnKind.INTEGER), Column(_("Incidents opened"), ColumnKind.INTEGER),
                  Column(_("Open now"), ColumnKind.INTEGER), Column(_("Top category"))],
                 rows, note=_("Open now: the site's incidents still open at the time of this report."))


def many_sites_problem(scope: Scope, attacks: Attacks) -> Problem | None:
    sources = many_site_sources(scope, attacks)
    if not sources:
        return None
    names = [_("%(ip)s (sites: %(sites)s, findings: %(findings)s)")
             % {"ip": ip, "sites": number(len(tally.sites)), "findings": number(tally.findings)}
             for ip, tally in sources]
    threshold = min(MANY_SITES, len(scope.site_ids))
    text = (ngettext("%(count)s source address attacked %(threshold)s or more sites: %(sources)s.",
                     "%(count)s source addresses attacked %(threshold)s or more sites each: %(sources)s.", len(sources))
            % {"count": number(len(sources)), "threshold": number(threshold), "sources": listed(names, LISTED)})
    days = math.ceil((scope.now - scope.start) / timedelta(days=1))  # the export counts back from now
    recommendation = (_("Block these addresses at the firewall or web server of every server: export the blocklist "
                        "of the incidents (nginx, Apache, fail2ban, ipset or a plain list) on the page %(page)s or "
                        "from %(api)s?kind=nginx&within=%(days)sd, and check the logs of the sites they hit for "
                        "attack requests that were answered successfully.")
                      % {"page": reverse("logwatch:blocklist"), "api": reverse("logwatch-incident-blocklist"),
                         "days": days})
    return Problem(text, recommendation, ProblemLevel.WARNING)


def open_critical_problem(attacks: Attacks, sites: dict[int, SiteInfo]) -> Problem | None:
    found = open_critical_sites(attacks, sites)
    if not found:
        return None
    text = (ngettext("%(count)s site has critical attack incidents still open: %(sites)s.",
                     "%(count)s sites have critical attack incidents still open: %(sites)s.", len(found))
            % {"count": number(len(found)), "sites": listed([sites[pk].name for pk in found])})
    recommendation = (_("Critical incidents are code-execution exploits or attack requests the site answered "
                        "successfully. Check these sites for compromise now: scan the web root with the guard, "
                        "compare it with the latest verified backup and restore it if needed; block the sources "
                        "(%(api)s?min_severity=critical&open_only=true), then close the incidents.")
                      % {"api": reverse("logwatch-incident-blocklist")})
    return Problem(text, recommendation, ProblemLevel.CRITICAL)


class AttacksSection(Section):
    """Attacks detected in the access logs over the scope's time; see the module for how findings count."""

    key = "attacks"
    title = gettext_lazy("Attacks detected in the access logs")

    def collect(self, scope: Scope) -> Part:
        attacks = collect_attacks(scope)
        sites = site_infos(scope)
        part = self.part()
        part.paragraphs = paragraphs(attacks, sites)
        part.summary = summary(attacks, sites)
        part.figures = figures(scope, attacks, sites)
        part.charts = charts(scope, attacks)
        part.tables = [category_table(attacks), day_table(scope, attacks), source_table(attacks),
                       incident_table(attacks), site_table(attacks, sites)]
        part.problems = [problem for problem in (open_critical_problem(attacks, sites),
                                                 many_sites_problem(scope, attacks)) if problem is not None]
        return part
