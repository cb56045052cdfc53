"""Availability and response time per site for the monthly report, from the monitoring rollups.

Uptime and response-time percentiles are `monitor.history`'s (availability checks only: HTTP and TCP), read
once per local day for all sites together and summed into the month, so the daily charts and the monthly
table come from one read of the rollups. Incidents and downtime are the incidents section's
(`incidents.downtime_by_site`): counted incidents only, the downtime of each site's availability checks
merged where they overlap, clipped to the period.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from statistics import mean, median

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.inventory.models import Site
from jagaweb.monitor import history
from jagaweb.monitor.charts import FAIR, GOOD, uptime_level
from jagaweb.monitor.history import Figures
from jagaweb.reports.charts import bar_chart, hbar_chart, line_chart, number
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, PrintOrder, Problem, Scope, Section, Table
from jagaweb.reports.sections.incidents import (
    downtime_by_site,
    incidents_during,
    period_end,
    period_text,
)
from jagaweb.reports.sections.words import listed

SLOW_P95_MS = 3000.0
LOWEST_SHOWN = 15
FLOORS = (99.0, 98.0, 95.0, 90.0, 80.0, 50.0, 0.0)  # the daily chart starts at the highest below the lowest day
CHART_LEVELS = {"ok": "good", "warning": "fair", "bad": "bad", "none": "none"}  # monitor's names -> the charts'


def percent_text(value: float) -> str:
    """Uptime for a sentence: 99.995 % must not read as 100 %, so two decimals rounded down."""
    return number(math.floor(value * 100) / 100, 2)


def thresholds() -> dict[str, str]:
    """The target, the "good" level and the slow limit as the active language writes numbers."""
    return {"target": number(FAIR), "good": number(GOOD, 1), "slow": number(SLOW_P95_MS)}


def merged(days: Iterable[Figures]) -> Figures:
    total = Figures()
    for day in days:
        total.up += day.up
        total.degraded += day.degraded
        total.down += day.down
        total.unknown += day.unknown
        total.total_ms += day.total_ms
        total.histogram = [a + b for a, b in zip(total.histogram, day.histogram, strict=True)]
    return total


@dataclass(frozen=True)
class SiteLine:
    site_id: int
    organisation: str
    name: str
    month: Figures
    incidents: int
    downtime: timedelta


@dataclass
class AvailabilityFigures:
    site_count: int
    sites_measured: int
    sites_without_data: int
    average_uptime: float | None  # the mean of the sites' uptime
    lowest_uptime: float | None
    lowest_site: str
    sites_below_99: int
    sites_below_99_9: int
    median_p50_ms: float | None  # the median over sites of their monthly percentile
    median_p95_ms: float | None
    slow_sites: int  # p95 above SLOW_P95_MS
    checks_run: int
    incidents: int
    downtime_seconds: int


def rounded(value: float | None, digits: int = 4) -> float | None:
    """Cut, not rounded, like every uptime shown: a stored 99.4400 of a true 99.43996 would print as 99.44."""
    return None if value is None else math.floor(value * 10**digits) / 10**digits


def median_or_none(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return median(known) if known else None


def mean_or_none(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return mean(known) if known else None


def site_lines(scope: Scope, per_day: dict[int, dict[date, Figures]]) -> list[SiteLine]:
    sites = (Site.objects.filter(pk__in=scope.site_ids).order_by("organisation__name", "name", "pk")
             .values_list("pk", "organisation__name", "name"))
    rows = incidents_during(scope)
    downtime = downtime_by_site(rows, scope.start, period_end(scope))
    counts: dict[int, int] = {}
    for row in rows:
        if not row.silenced:
            counts[row.site_id] = counts.get(row.site_id, 0) + 1
    return [SiteLine(pk, organisation, name, merged(per_day[pk].values()), counts.get(pk, 0),
                     downtime.get(pk, timedelta(0))) for pk, organisation, name in sites]


class AvailabilitySection(Section):
    key = "availability"
    title = gettext_lazy("Availability and response time")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        per_day = history.daily(scope.site_ids, scope.first_day, scope.last_day)
        lines = site_lines(scope, per_day)
        figures = figures_of(lines)
        part.figures = asdict(figures)
        part.tables = [site_table(lines)]
        part.charts = daily_charts(scope.days, per_day)
        lowest = lowest_chart(lines)
        if lowest is not None:
            part.charts.append(lowest)
        part.paragraphs = paragraphs(scope, figures)
        part.summary = part.paragraphs[:1]
        part.problems = problems(lines)
        return part


def figures_of(lines: list[SiteLine]) -> AvailabilityFigures:
    measured = [line for line in lines if line.month.uptime is not None]
    uptimes = [line.month.uptime for line in measured if line.month.uptime is not None]
    lowest = min(measured, key=lambda line: line.month.uptime or 0.0, default=None)
    return AvailabilityFigures(
        site_count=len(lines), sites_measured=len(measured), sites_without_data=len(lines) - len(measured),
        average_uptime=rounded(mean_or_none(uptimes)),
        lowest_uptime=rounded(lowest.month.uptime) if lowest else None, lowest_site=lowest.name if lowest else "",
        sites_below_99=sum(1 for value in uptimes if value < FAIR),
        sites_below_99_9=sum(1 for value in uptimes if value < GOOD),
        median_p50_ms=rounded(median_or_none([line.month.p50 for line in lines]), 1),
        median_p95_ms=rounded(median_or_none([line.month.p95 for line in lines]), 1),
        slow_sites=len(slow(lines)), checks_run=sum(line.month.runs for line in lines),
        incidents=sum(line.incidents for line in lines),
        downtime_seconds=int(sum((line.downtime for line in lines), timedelta(0)).total_seconds()),
    )


def slow(lines: list[SiteLine]) -> list[SiteLine]:
    return [line for line in lines if line.month.p95 is not None and line.month.p95 > SLOW_P95_MS]


def site_table(lines: list[SiteLine]) -> Table:
    columns = [
        Column(_("Organisation")), Column(_("Site")), Column(_("Uptime"), ColumnKind.PERCENT),
        Column(_("p50"), ColumnKind.MILLISECONDS), Column(_("p95"), ColumnKind.MILLISECONDS),
        Column(_("Average"), ColumnKind.MILLISECONDS), Column(_("Checks run"), ColumnKind.INTEGER),
        Column(_("Incidents"), ColumnKind.INTEGER), Column(_("Downtime"), ColumnKind.DURATION),
    ]
    rows = [(line.organisation, line.name, line.month.uptime, line.month.p50, line.month.p95, line.month.average_ms,
             line.month.runs, line.incidents, line.downtime) for line in lines]
    return Table(key="availability", title=_("Availability and response time per site"), columns=columns, rows=rows,
                 print_order=PrintOrder(2, descending=False),
                 note=_("Uptime and response times count the availability checks (HTTP, TCP); p50 and p95 are the "
                        "median and the 95th percentile of the response times. Incidents in a maintenance window "
                        "are not counted; downtime is the time the availability checks' incidents were open."),
                 empty=_("No site in this report."))


def day_floor(values: Sequence[float | None]) -> float:
    lowest = min((value for value in values if value is not None), default=100.0)
    return next((floor for floor in FLOORS if floor < lowest), 0.0)


def daily_charts(days: list[date], per_day: dict[int, dict[date, Figures]]) -> list[Chart]:
    """The mean of the sites' uptime per day, and the median over sites of each day's p50 and p95."""
    uptimes = [mean_or_none([sites[day].uptime for sites in per_day.values()]) for day in days]
    p50 = [median_or_none([sites[day].p50 for sites in per_day.values()]) for day in days]
    p95 = [median_or_none([sites[day].p95 for sites in per_day.values()]) for day in days]
    labels = [str(day.day) for day in days]
    levels = [CHART_LEVELS[uptime_level(value)] for value in uptimes]
    floor = day_floor(uptimes)
    return [
        Chart(title=_("Availability per day, all sites"),
              svg=bar_chart(labels, uptimes, unit="%", floor=floor, ceiling=100.0, levels=levels),
              caption=_("The mean of the sites' uptime of each day; the scale starts at %(floor)s%%. Green at or "
                        "above %(good)s%%, amber at or above %(target)s%%, red below.")
              % {"floor": number(floor), **thresholds()}),
        Chart(title=_("Response time per day"),
              svg=line_chart(labels, [("p50", p50), ("p95", p95)], unit=" ms"),
              caption=_("The median over the sites of each day's median (p50) and 95th percentile (p95) "
                        "response time.")),
    ]


def lowest_chart(lines: list[SiteLine]) -> Chart | None:
    """The sites least available, by the share of their checks that failed (uptime itself would draw bars of
    nearly equal length: 99.2 and 99.9 look the same from zero)."""
    below = sorted((line for line in lines if line.month.uptime is not None and line.month.uptime < 100.0),
                   key=lambda line: (line.month.uptime, line.name))[:LOWEST_SHOWN]
    if not below:
        return None
    labels = [f"{line.name} ({percent_text(line.month.uptime or 0.0)}%)" for line in below]
    values = [100.0 - (line.month.uptime or 0.0) for line in below]
    colours = [CHART_LEVELS[uptime_level(line.month.uptime)] for line in below]
    title = ngettext("The site with the lowest uptime", "The %(count)s sites with the lowest uptime", len(below))
    return Chart(title=title % {"count": len(below)},
                 svg=hbar_chart(labels, values, unit="%", colours=colours, decimals=2),
                 caption=_("Each bar is the share of the month's checks in which the site did not answer "
                           "(100% minus its uptime, shown next to its name)."))


def paragraphs(scope: Scope, figures: AvailabilityFigures) -> list[str]:
    words = {**asdict(figures), "period": period_text(scope), **thresholds()}
    if figures.average_uptime is None:
        return [ngettext("No availability was measured in %(period)s: the site has no availability check with "
                         "results for the period.",
                         "No availability was measured in %(period)s: none of the %(site_count)s sites has an "
                         "availability check with results for the period.", figures.site_count) % words]
    words.update(uptime=percent_text(figures.average_uptime), p50=number(figures.median_p50_ms or 0.0),
                 p95=number(figures.median_p95_ms or 0.0), lowest=percent_text(figures.lowest_uptime or 0.0))
    texts = [ngettext("Across %(sites_measured)s site the average availability in %(period)s was %(uptime)s%%.",
                      "Across %(sites_measured)s sites the average availability in %(period)s was %(uptime)s%%.",
                      figures.sites_measured) % words
             + " " + ngettext("%(sites_below_99)s site fell below the %(target)s%% target, and %(sites_below_99_9)s "
                              "below %(good)s%%.",
                              "%(sites_below_99)s sites fell below the %(target)s%% target, and %(sites_below_99_9)s "
                              "below %(good)s%%.", figures.sites_below_99) % words,
             _("The lowest availability was %(lowest)s%% (%(lowest_site)s). Over the sites, the median response time "
               "was %(p50)s ms and the median 95th percentile %(p95)s ms.") % words]
    if figures.incidents:
        hours = number(figures.downtime_seconds / 3600, 1)
        texts.append(ngettext("Monitoring recorded %(incidents)s incident, with %(hours)s hours of downtime in total.",
                              "Monitoring recorded %(incidents)s incidents, with %(hours)s hours of downtime in total.",
                              figures.incidents) % {**words, "hours": hours})
    return texts


def problems(lines: list[SiteLine]) -> list[Problem]:
    found = []
    below = sorted((line for line in lines if line.month.uptime is not None and line.month.uptime < FAIR),
                   key=lambda line: (line.month.uptime, line.name))
    if below:
        names = [f"{line.name} ({percent_text(line.month.uptime or 0.0)}%)" for line in below]
        found.append(Problem(
            text=ngettext("%(count)s site was available less than the %(target)s%% target: %(names)s.",
                          "%(count)s sites were available less than the %(target)s%% target: %(names)s.",
                          len(below)) % {"count": len(below), "names": listed(names), **thresholds()},
            recommendation=_("Review these sites' incidents with their hosting providers, check the servers' "
                             "capacity and network connection, and move a site that keeps failing to a more "
                             "reliable host."),
            level=ProblemLevel.CRITICAL if any((line.month.uptime or 0.0) < 95.0 for line in below)
            else ProblemLevel.WARNING))
    slow_lines = sorted(slow(lines), key=lambda line: -(line.month.p95 or 0.0))
    if slow_lines:
        names = [f"{line.name} ({number(line.month.p95 or 0.0)} ms)" for line in slow_lines]
        found.append(Problem(
            text=ngettext("%(count)s site answered slowly (95th percentile above %(slow)s ms): %(names)s.",
                          "%(count)s sites answered slowly (95th percentile above %(slow)s ms): %(names)s.",
                          len(slow_lines)) % {"count": len(slow_lines), "names": listed(names), **thresholds()},
            recommendation=_("Check the servers' load, turn on page caching, and make the heaviest pages and "
                             "database queries of these sites lighter."),
            level=ProblemLevel.WARNING))
    unmeasured = [line.name for line in lines if line.month.uptime is None]
    if unmeasured:
        found.append(Problem(
            text=ngettext("%(count)s site has no availability measurements for the period: %(names)s.",
                          "%(count)s sites have no availability measurements for the period: %(names)s.",
                          len(unmeasured)) % {"count": len(unmeasured), "names": listed(unmeasured)},
            recommendation=_("Add an HTTP availability check to each of these sites, so that their availability "
                             "is monitored and reported."),
            level=ProblemLevel.NOTICE))
    return found
