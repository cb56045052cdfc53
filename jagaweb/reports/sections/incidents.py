"""Monitoring incidents of the month, each against the time the SOP allows for handling an incident (Waktu).

The allowed time comes from the SOP definition an incident starts (`TriggerEvent.INCIDENT`, chosen as
`sop.cases.definition_for` chooses it): the Waktu of every step from the trigger's entry step to the end,
chained from the moment the incident opened in the working calendar of the site's organisation, exactly as a
run would count each step's due time (`sop.calendar.due_at`: hours are working hours, days calendar days)
if every step took all its time. Where the SOP branches, the most lenient way to an end counts.

Why the definition and not the run's own step times: the incident is judged by when monitoring saw the site
recover, and the SOP's Waktu is a budget per step, so the sum is what handling one incident may take. A run's
due times instead follow from when each earlier step was actually completed (a quick first step would shorten
the whole budget), the run starts only when the `sop.events` job picks the incident up (later than the
incident opened), and many incidents have no run at all (maintenance windows, a site already having an open
case, runs switched off). One rule for every incident keeps the figures comparable; the run's state is shown
next to it, and how each step kept its own Waktu is the SOP compliance section's matter.

Incidents in a maintenance window (silenced) are listed but not counted against the site. Downtime is the
union, per site, of the spans of the counted incidents of the availability checks (HTTP, TCP: what uptime
counts), clipped to the period; the availability section shows the same figure per site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.monitor.history import uptime_kinds
from jagaweb.monitor.models import Incident
from jagaweb.reports.charts import number, share_bar
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, PrintOrder, Problem, Scope, Section, Table
from jagaweb.reports.sections.words import listed
from jagaweb.sop.calendar import WorkingCalendar, due_at
from jagaweb.sop.cases import definition_for
from jagaweb.sop.choices import RunState, TriggerEvent
from jagaweb.sop.compliance import Calendars
from jagaweb.sop.definitions import SopDefinition, Step
from jagaweb.sop.models import Run

MAX_WAYS = 50  # ways from the entry step to an end; an SOP has a handful
CAUSE_LENGTH = 160


class WaktuVerdict(models.TextChoices):
    WITHIN = "within", gettext_lazy("Within the Waktu")
    OVER = "over", gettext_lazy("Over the Waktu")
    OPEN = "open", gettext_lazy("Open, within the Waktu so far")
    UNTIMED = "untimed", gettext_lazy("No time standard")
    SILENCED = "silenced", gettext_lazy("Maintenance window (not counted)")


@dataclass(frozen=True)
class IncidentRow:
    pk: int
    site_id: int
    site_name: str
    organisation_id: int
    kind: str
    cause: str
    opened_at: datetime
    resolved_at: datetime | None
    silenced: bool
    username: str | None
    first_name: str | None
    last_name: str | None

    @property
    def acknowledged_by(self) -> str:
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or self.username or ""

    def duration(self, now: datetime) -> timedelta:
        """Opened to resolved; so far for an incident still open."""
        return max((self.resolved_at or now) - self.opened_at, timedelta(0))


ROW_FIELDS = ("pk", "site_id", "site__name", "site__organisation_id", "check_ref__kind", "cause", "opened_at",
              "resolved_at", "silenced", "acknowledged_by__username", "acknowledged_by__first_name",
              "acknowledged_by__last_name")


def period_end(scope: Scope) -> datetime:
    """The end of what can have happened: the period's end, or the moment of issue when that comes first."""
    return min(scope.end, scope.now)


def incidents_during(scope: Scope) -> list[IncidentRow]:
    """Every incident of the scope's sites open at some time of the period, oldest first: one query."""
    found = (Incident.objects.filter(site_id__in=scope.site_ids, opened_at__lt=period_end(scope))
             .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=scope.start))
             .order_by("opened_at", "pk").values_list(*ROW_FIELDS))
    return [IncidentRow(*values) for values in found.iterator(2000)]


def covered_length(spans: list[tuple[datetime, datetime]]) -> timedelta:
    """The time covered by possibly overlapping spans (two checks of one site down together count once)."""
    total, reach = timedelta(0), None
    for begin, end in sorted(spans):
        if reach is not None and begin < reach:
            begin = reach
        if end > begin:
            total += end - begin
            reach = end
    return total


def downtime_by_site(rows: Iterable[IncidentRow], start: datetime, end: datetime) -> dict[int, timedelta]:
    """Per site, the time within [start, end) covered by counted incidents of its availability checks."""
    kinds = set(uptime_kinds())
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in rows:
        if row.silenced or row.kind not in kinds:
            continue
        begin, finish = max(row.opened_at, start), min(row.resolved_at or end, end)
        if finish > begin:
            spans[row.site_id].append((begin, finish))
    return {site_id: covered_length(found) for site_id, found in spans.items()}


def hours_text(duration: timedelta) -> str:
    return number(duration.total_seconds() / 3600, 1)


def period_text(scope: Scope) -> str:
    first, last = scope.first_day, scope.last_day
    if first == last:
        return str(formats.date_format(first, "DATE_FORMAT"))
    if first.day == 1 and (last.month, last.year) == (first.month, first.year):
        return str(formats.date_format(first, "YEAR_MONTH_FORMAT"))
    return f"{formats.date_format(first, 'DATE_FORMAT')} - {formats.date_format(last, 'DATE_FORMAT')}"


def moment_text(moment: datetime) -> str:
    return str(formats.date_format(timezone.localtime(moment), "Y-m-d H:i"))


# ---- the Waktu of an incident ----

def ways_to_end(definition: SopDefinition, entry: Step) -> list[tuple[Step, ...]]:
    """Every way from `entry` to an end that takes no step twice (a decision may loop back)."""
    found: list[tuple[Step, ...]] = []

    def walk(step: Step, path: tuple[Step, ...]) -> None:
        path = (*path, step)
        if not step.targets:
            found.append(path)
            return
        for following in definition.following(step):
            if len(found) < MAX_WAYS and following.number not in {taken.number for taken in path}:
                walk(following, path)

    walk(entry, ())
    return found


def chained_due(start: datetime, steps: Iterable[Step], calendar: WorkingCalendar) -> datetime:
    """When the last of `steps` is due if each starts when the one before is due."""
    moment = start
    for step in steps:
        if step.waktu is not None:
            moment = due_at(moment, float(step.waktu.value), step.waktu.unit, calendar)
    return moment


@dataclass(frozen=True)
class IncidentWaktu:
    """What the SOP an incident starts allows for handling it."""

    definition: SopDefinition
    ways: tuple[tuple[Step, ...], ...]

    @property
    def timed(self) -> bool:
        return any(step.waktu is not None for way in self.ways for step in way)

    def deadline(self, opened_at: datetime, calendar: WorkingCalendar) -> datetime | None:
        if not self.timed:
            return None
        return max(chained_due(opened_at, way, calendar) for way in self.ways)

    def steps_text(self) -> str:
        return " / ".join(", ".join(str(step.number) for step in way) for way in self.ways)

    def text(self) -> str:
        """The Waktu of each way, in the document's words: "1 hari + 2 jam + 3 hari"."""
        return " / ".join(" + ".join(str(step.waktu) for step in way if step.waktu is not None) for way in self.ways)


def incident_waktu() -> IncidentWaktu | None:
    """The Waktu of the SOP a monitoring incident starts (None when no SOP in use is started by one)."""
    definition = definition_for(TriggerEvent.INCIDENT)
    entry = definition.entry_step(TriggerEvent.INCIDENT) if definition is not None else None
    if definition is None or entry is None:
        return None
    return IncidentWaktu(definition, tuple(ways_to_end(definition, entry)))


def verdict(row: IncidentRow, deadline: datetime | None, now: datetime) -> str:
    if row.silenced:
        return WaktuVerdict.SILENCED
    if deadline is None:
        return WaktuVerdict.UNTIMED
    if row.resolved_at is not None:
        return WaktuVerdict.WITHIN if row.resolved_at <= deadline else WaktuVerdict.OVER
    return WaktuVerdict.OVER if now > deadline else WaktuVerdict.OPEN


def run_states(incident_ids: list[int]) -> dict[int, str]:
    """The state of the SOP run each incident started, where it started one: one query."""
    if not incident_ids:
        return {}
    runs = Run.objects.filter(source_type=ContentType.objects.get_for_model(Incident),
                              source_id__in=[str(pk) for pk in incident_ids]).order_by("started_at", "pk")
    return {int(source_id): state for source_id, state in runs.values_list("source_id", "state")}


@dataclass(frozen=True)
class Judged:
    row: IncidentRow
    deadline: datetime | None
    verdict: str
    duration: timedelta


def judged_incidents(rows: list[IncidentRow], waktu: IncidentWaktu | None, now: datetime) -> list[Judged]:
    calendars = Calendars()
    judged = []
    for row in rows:
        deadline = waktu.deadline(row.opened_at, calendars.of(row.organisation_id)) if waktu else None
        judged.append(Judged(row, deadline, verdict(row, deadline, now), row.duration(now)))
    return judged


@dataclass
class IncidentFigures:
    incidents: int  # counted: not in a maintenance window
    silenced: int
    sites: int
    resolved: int
    still_open: int
    within_waktu: int
    over_waktu: int
    open_within_waktu: int
    untimed: int
    share_within_waktu: float | None  # of the incidents judged (within or over), 0-100
    unacknowledged: int
    downtime_seconds: int
    longest_seconds: int
    longest_site: str
    waktu_sop: str
    waktu_steps: str
    waktu_text: str


class IncidentsSection(Section):
    key = "incidents"
    title = gettext_lazy("Monitoring incidents")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        rows = incidents_during(scope)
        waktu = incident_waktu()
        judged = judged_incidents(rows, waktu, scope.now)
        downtime = downtime_by_site(rows, scope.start, period_end(scope))
        figures = figures_of(judged, waktu, sum(downtime.values(), timedelta(0)))
        part.figures = asdict(figures)
        part.tables = [incident_table(judged, run_states([row.pk for row in rows]))]
        part.paragraphs = paragraphs(scope, figures, waktu)
        part.summary = part.paragraphs[:2]
        if rows and waktu is not None and waktu.timed:
            part.charts = [verdict_chart(figures)]
        part.problems = problems(judged, waktu)
        return part


def count_of(judged: list[Judged], verdict_wanted: str) -> int:
    return sum(1 for item in judged if item.verdict == verdict_wanted)


def figures_of(judged: list[Judged], waktu: IncidentWaktu | None, downtime: timedelta) -> IncidentFigures:
    counted = [item for item in judged if not item.row.silenced]
    within, over = count_of(judged, WaktuVerdict.WITHIN), count_of(judged, WaktuVerdict.OVER)
    longest = max(counted, key=lambda item: item.duration, default=None)
    return IncidentFigures(
        incidents=len(counted), silenced=len(judged) - len(counted), sites=len({item.row.site_id for item in counted}),
        resolved=sum(1 for item in counted if item.row.resolved_at is not None),
        still_open=sum(1 for item in counted if item.row.resolved_at is None),
        within_waktu=within, over_waktu=over, open_within_waktu=count_of(judged, WaktuVerdict.OPEN),
        untimed=count_of(judged, WaktuVerdict.UNTIMED),
        share_within_waktu=round(100 * within / (within + over), 2) if within + over else None,
        unacknowledged=sum(1 for item in counted if not item.row.acknowledged_by),
        downtime_seconds=int(downtime.total_seconds()),
        longest_seconds=int(longest.duration.total_seconds()) if longest else 0,
        longest_site=longest.row.site_name if longest else "",
        waktu_sop=waktu.definition.name if waktu else "", waktu_steps=waktu.steps_text() if waktu else "",
        waktu_text=waktu.text() if waktu else "",
    )


def incident_table(judged: list[Judged], runs: dict[int, str]) -> Table:
    columns = [
        Column(_("Site")), Column(_("Cause"), weight=5), Column(_("Opened"), ColumnKind.DATETIME),
        Column(_("Resolved"), ColumnKind.DATETIME), Column(_("Duration"), ColumnKind.DURATION),
        Column(_("Acknowledged by")), Column(_("Due under the SOP"), ColumnKind.DATETIME),
        Column(_("Against the Waktu")), Column(_("SOP run")),
    ]
    rows = []
    for item in judged:
        cause = item.row.cause if len(item.row.cause) <= CAUSE_LENGTH else item.row.cause[:CAUSE_LENGTH - 1] + "…"
        run = runs.get(item.row.pk)
        rows.append((item.row.site_name, cause, item.row.opened_at, item.row.resolved_at, item.duration,
                     item.row.acknowledged_by, item.deadline, str(WaktuVerdict(item.verdict).label),
                     str(RunState(run).label) if run else ""))
    return Table(key="incidents", title=_("Monitoring incidents open during the period"), columns=columns, rows=rows,
                 print_order=PrintOrder(4), print_limit=50,
                 note=_("The duration of an incident still open runs to the moment of issue. Incidents in a "
                        "maintenance window are listed but not counted."),
                 empty=_("No monitoring incident was open during the period."))


def verdict_chart(figures: IncidentFigures) -> Chart:
    parts: list[tuple[str, float]] = [(_("within the Waktu"), figures.within_waktu),
                                      (_("over the Waktu"), figures.over_waktu),
                                      (_("still open"), figures.open_within_waktu)]
    return Chart(title=_("Incidents against the SOP's Waktu"), svg=share_bar(parts, colours=["good", "bad", "fair"]),
                 caption=_("Incidents in a maintenance window are not counted; \"still open\" are open incidents "
                           "whose Waktu has not passed yet."))


def paragraphs(scope: Scope, figures: IncidentFigures, waktu: IncidentWaktu | None) -> list[str]:
    words = {**asdict(figures), "period": period_text(scope),
             "hours": hours_text(timedelta(seconds=figures.downtime_seconds)),
             "longest": hours_text(timedelta(seconds=figures.longest_seconds))}
    if figures.incidents == 0:
        texts = [_("No monitoring incident was open in %(period)s.") % words]
    else:
        texts = [ngettext("In %(period)s, %(incidents)s monitoring incident was open.",
                          "In %(period)s, %(incidents)s monitoring incidents were open.", figures.incidents) % words
                 + " " + ngettext("They affected %(sites)s site, which was unavailable for %(hours)s hours in total.",
                                  "They affected %(sites)s sites, which were unavailable for %(hours)s hours in total.",
                                  figures.sites) % words]
    if figures.silenced:
        texts[0] += " " + _("%(silenced)s more fell in maintenance windows and are not counted.") % words
    if not figures.incidents:
        return texts
    if waktu is not None and waktu.timed:
        texts.append(_("The SOP %(sop)s allows %(waktu)s for handling an incident (steps %(steps)s). Resolved "
                       "within that time: %(within_waktu)s; over it: %(over_waktu)s; still open within it: "
                       "%(open_within_waktu)s.")
                     % {**words, "sop": waktu.definition.header.nama, "waktu": waktu.text(),
                        "steps": waktu.steps_text()})
    else:
        texts.append(_("No SOP in use sets a time for handling a monitoring incident, so incidents are not "
                       "measured against a Waktu."))
    texts.append(_("The longest incident lasted %(longest)s hours (%(longest_site)s).") % words)
    return texts


def problems(judged: list[Judged], waktu: IncidentWaktu | None) -> list[Problem]:
    found = []
    over = [item for item in judged if item.verdict == WaktuVerdict.OVER]
    if over and waktu is not None:
        names = [f"{item.row.site_name} ({moment_text(item.row.opened_at)})" for item in over]
        found.append(Problem(
            text=ngettext("%(count)s monitoring incident took longer than the SOP's Waktu (%(waktu)s): %(names)s.",
                          "%(count)s monitoring incidents took longer than the SOP's Waktu (%(waktu)s): %(names)s.",
                          len(over)) % {"count": len(over), "waktu": waktu.text(), "names": listed(names)},
            recommendation=_("Review why each of these incidents took longer than allowed, report it to the person "
                             "in charge sooner, and involve the hosting or network provider from the start when "
                             "the cause lies with them."),
            level=ProblemLevel.WARNING))
    still_open = [item for item in judged if not item.row.silenced and item.row.resolved_at is None]
    if still_open:
        names = [_("%(site)s (since %(since)s)") % {"site": item.row.site_name,
                                                    "since": moment_text(item.row.opened_at)} for item in still_open]
        found.append(Problem(
            text=ngettext("%(count)s monitoring incident is still open: %(names)s.",
                          "%(count)s monitoring incidents are still open: %(names)s.",
                          len(still_open)) % {"count": len(still_open), "names": listed(names)},
            recommendation=_("Find the cause of each open incident on the server, restore the service, and "
                             "follow the SOP's steps for reporting and solving the problem."),
            level=ProblemLevel.CRITICAL))
    unacknowledged = [item for item in judged if not item.row.silenced and not item.row.acknowledged_by]
    if unacknowledged:
        found.append(Problem(
            text=ngettext("%(count)s monitoring incident was never acknowledged by an operator.",
                          "%(count)s monitoring incidents were never acknowledged by an operator.",
                          len(unacknowledged)) % {"count": len(unacknowledged)},
            recommendation=_("Acknowledge each incident when its alert arrives, so that everyone can see that "
                             "someone is handling it."),
            level=ProblemLevel.NOTICE))
    return found
