"""Findings grouped per client into incidents, written to the activity log and raised as alerts.

An incident is one client's findings on one site until the client stays quiet for QUIET (measured in log
time while findings are grouped, and against the clock by `close_quiet`). Its severity is the worst of its
findings. Every finding is counted in its incident; at most MAX_STORED_FINDINGS rows are kept per incident,
so a scanner firing a hundred thousand requests costs a bounded number of rows.

The activity log gets an entry when an incident reaches RECORD_MIN_SEVERITY and when its severity rises
after that. Alerts go through notify when an incident reaches ALERT_MIN_SEVERITY and again when it rises,
at most ALERTS_PER_HOUR per site: when more are due, the worst are sent one by one and the last slot
carries a summary of the rest; when no slot is left they wait (`alert_pending`) for the next summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity as LogSeverity
from jagaweb.activity.log import Actor, SystemJob, record
from jagaweb.activity.verbs import describe
from jagaweb.inventory.models import Site
from jagaweb.logwatch import verbs
from jagaweb.logwatch.choices import Severity
from jagaweb.logwatch.models import (
    SEVERITY_ORDER,
    CloseReason,
    Incident,
    IncidentState,
    LogFinding,
    WatchState,
    insert_rows,
    severity_rank,
)

QUIET = timedelta(hours=6)
MAX_STORED_FINDINGS = 500
REQUEST_CHARS = 2000
DETAIL_CHARS = 300
IP_CHARS = 100
RECORD_MIN_SEVERITY = Severity.MEDIUM
ALERT_MIN_SEVERITY = Severity.MEDIUM
ALERTS_PER_HOUR = 5
ALERT_WINDOW = timedelta(hours=1)
SUMMARY_LISTED = 20
LOOKUP_CHUNK = 500
RECORDED_PER_COMMIT = 50
INCIDENT_COLUMNS = ("site_id", "ip", "state", "severity", "first_seen", "last_seen", "finding_count",
                    "stored_findings", "categories", "rules", "alerted_severity", "alert_pending", "opened_at",
                    "closed_at", "close_reason", "closed_by")
FINDING_COLUMNS = ("site_id", "incident_id", "time", "ip", "category", "rule", "severity", "request", "file", "line",
                   "detail", "created_at")
BULK_BATCH = 500
CHANGED_FIELDS = ["first_seen", "last_seen", "finding_count", "stored_findings", "categories", "rules", "severity",
                  "state", "closed_at", "close_reason", "closed_by", "alert_pending"]
ACTOR = SystemJob("logwatch.ingest")
LOG_SEVERITY = {Severity.INFO: LogSeverity.INFO, Severity.LOW: LogSeverity.INFO, Severity.MEDIUM: LogSeverity.WARNING,
                Severity.HIGH: LogSeverity.CRITICAL, Severity.CRITICAL: LogSeverity.CRITICAL}


@dataclass
class Recorded:
    findings: int = 0
    stored: int = 0
    opened: int = 0
    touched: list[Incident] = field(default_factory=list)


def summary_of(counts: dict[str, int]) -> str:
    """"sqli 3, scanner 1": language-neutral codes, worst first."""
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def grouped(findings: pl.DataFrame, quiet: timedelta) -> pl.DataFrame:
    """The findings in client and time order, with `segment`: runs of one client's findings without a gap
    longer than `quiet`, and `rank` (the severity's position)."""
    ranks = {name: index for index, name in enumerate(SEVERITY_ORDER)}
    gap = pl.col("time").diff() > pl.lit(quiet)
    rank = pl.col("severity").replace_strict(ranks, default=0, return_dtype=pl.Int8)
    return (findings.with_columns(pl.col("ip").str.slice(0, IP_CHARS), rank.alias("rank"))
            .sort("ip", "time", "line")
            .with_columns(gap.fill_null(False).cum_sum().over("ip").cast(pl.Int32).alias("segment")))


def counts_by(frame: pl.DataFrame, column: str) -> dict[tuple[str, int], dict[str, int]]:
    found: dict[tuple[str, int], dict[str, int]] = {}
    for ip, segment, value, count in frame.group_by("ip", "segment", column).len().iter_rows():
        found.setdefault((ip, segment), {})[value] = int(count)
    return found


def open_incidents(site: Site, ips: list[str]) -> dict[str, Incident]:
    found = {}
    for start in range(0, len(ips), LOOKUP_CHUNK):
        chunk = ips[start:start + LOOKUP_CHUNK]
        for incident in Incident.objects.filter(site=site, state=IncidentState.OPEN, ip__in=chunk):
            found[incident.ip] = incident
    return found


def retire(incident: Incident, at: datetime, reason: CloseReason, by: str = "") -> None:
    incident.state = IncidentState.CLOSED
    incident.closed_at = at
    incident.close_reason = reason
    incident.closed_by = by
    incident.alert_pending = False


def close(incident: Incident, at: datetime, reason: CloseReason, by: str = "") -> None:
    retire(incident, at, reason, by)
    incident.save(update_fields=["state", "closed_at", "close_reason", "closed_by", "alert_pending"])


def add_segment(incident: Incident, segment: dict[str, Any], categories: dict[str, int], rules: dict[str, int]) -> None:
    incident.first_seen = min(incident.first_seen, segment["first"])
    incident.last_seen = max(incident.last_seen, segment["last"])
    incident.finding_count += int(segment["n"])
    incident.categories = dict(Counter(incident.categories) + Counter(categories))
    incident.rules = dict(Counter(incident.rules) + Counter(rules))
    worst = SEVERITY_ORDER[int(segment["worst"])]
    if severity_rank(worst) > severity_rank(incident.severity):
        incident.severity = worst


def record_findings(site: Site, findings: pl.DataFrame, *, quiet: timedelta = QUIET,
                    actor: Actor = ACTOR) -> Recorded:
    """Group the findings (FINDING_SCHEMA columns) into the site's incidents and store them; call within the
    transaction that also stores how far the logs were read."""
    result = Recorded(findings=len(findings))
    if findings.is_empty():
        return result
    rows = grouped(findings, quiet)
    segments = (rows.group_by("ip", "segment").agg(pl.col("time").min().alias("first"),
                                                     pl.col("time").max().alias("last"), pl.len().alias("n"),
                                                     pl.col("rank").max().alias("worst"))
                .sort("ip", "segment"))
    categories, rules = counts_by(rows, "category"), counts_by(rows, "rule")
    known = open_incidents(site, segments.get_column("ip").unique().to_list())
    previous: dict[int, str] = {}  # by id() of the incident: its severity before these findings
    placed: list[tuple[str, int, Incident, int]] = []  # ip, segment, incident, rows it may still store
    touched: dict[int, Incident] = {}  # by id(): new incidents have no key before they are stored
    for segment in segments.iter_rows(named=True):
        ip, number = segment["ip"], segment["segment"]
        current = known.get(ip)
        if current is not None and segment["first"] - current.last_seen > quiet:
            previous.setdefault(id(current), current.severity)
            retire(current, current.last_seen + quiet, CloseReason.QUIET)
            touched[id(current)] = current
            current = None
        if current is None:
            current = Incident(site=site, ip=ip, first_seen=segment["first"], last_seen=segment["last"],
                               severity=Severity.INFO)
            known[ip] = current
            result.opened += 1
        previous.setdefault(id(current), current.severity if current.pk else "")
        add_segment(current, segment, categories[(ip, number)], rules[(ip, number)])
        room = max(MAX_STORED_FINDINGS - current.stored_findings, 0)
        current.stored_findings += min(room, int(segment["n"]))
        touched[id(current)] = current
        placed.append((ip, number, current, room))
    # in one go each; the known ones first, so a closed incident is closed before its client's new one opens
    Incident.objects.bulk_update([incident for incident in touched.values() if incident.pk], CHANGED_FIELDS,
                                 batch_size=BULK_BATCH)
    create_incidents(site, [incident for incident in touched.values() if not incident.pk])
    result.stored = store_rows(site, rows, placed)
    log_changes(site, [(incident, previous[id(incident)]) for incident in touched.values()], actor)
    result.touched = list(touched.values())
    return result


def create_incidents(site: Site, new: list[Incident]) -> None:
    """Store new incidents and give them their keys. Plain INSERTs, then one look-up by (client, first seen),
    which tells a commit's new incidents apart: one client's only differ by more than the quiet time."""
    if not new:
        return
    stamp, opened = connection.ops.adapt_datetimefield_value, timezone.now()
    json_field = Incident._meta.get_field("categories")
    rows = [(site.pk, incident.ip, incident.state, incident.severity, stamp(incident.first_seen),
             stamp(incident.last_seen), incident.finding_count, incident.stored_findings,
             json_field.get_db_prep_save(incident.categories, connection),
             json_field.get_db_prep_save(incident.rules, connection), incident.alerted_severity,
             incident.alert_pending, stamp(opened), stamp(incident.closed_at) if incident.closed_at else None,
             incident.close_reason, incident.closed_by) for incident in new]
    insert_rows(Incident, INCIDENT_COLUMNS, rows)
    waiting = {(incident.ip, incident.first_seen): incident for incident in new}
    ips = sorted({incident.ip for incident in new})
    for start in range(0, len(ips), LOOKUP_CHUNK):
        stored = Incident.objects.filter(site=site, opened_at=opened, ip__in=ips[start:start + LOOKUP_CHUNK])
        for pk, ip, first_seen in stored.values_list("pk", "ip", "first_seen"):
            incident = waiting.get((ip, first_seen))
            if incident is not None:
                incident.pk, incident.opened_at = pk, opened
    if any(incident.pk is None for incident in new):
        raise RuntimeError("new incidents could not be found again after storing them")


def store_rows(site: Site, rows: pl.DataFrame, placed: list[tuple[str, int, Incident, int]]) -> int:
    mapping = pl.DataFrame({"ip": [ip for ip, *_rest in placed], "segment": [number for _ip, number, *_rest in placed],
                            "incident_id": [incident.pk for _ip, _n, incident, _room in placed],
                            "room": [room for *_rest, room in placed]},
                           schema={"ip": pl.String, "segment": pl.Int32, "incident_id": pl.Int64, "room": pl.Int64})
    kept = (rows.join(mapping, on=["ip", "segment"], how="inner")
            .filter(pl.int_range(pl.len()).over("ip", "segment") < pl.col("room")))
    stamp, recorded = connection.ops.adapt_datetimefield_value, timezone.now()
    values = [
        (site.pk, incident_id, stamp(time), ip, category, (rule or "")[:60], severity,
         (request or "")[:REQUEST_CHARS], (file or "")[:500], line or 0, (detail or "")[:DETAIL_CHARS],
         stamp(recorded))
        for incident_id, time, ip, category, rule, severity, request, file, line, detail in kept.select(
            "incident_id", "time", "ip", "category", "rule", "severity", "request", "file", "line",
            (pl.col("detail") if "detail" in kept.columns else pl.lit("")).alias("detail")).iter_rows()
    ]
    insert_rows(LogFinding, FINDING_COLUMNS, values)
    return len(values)


def log_changes(site: Site, changes: list[tuple[Incident, str]], actor: Actor) -> None:
    """An activity entry when an incident reaches RECORD_MIN_SEVERITY, and when it rises after that: the
    worst RECORDED_PER_COMMIT one by one, the others in one summary (the incident list has them all)."""
    threshold = severity_rank(RECORD_MIN_SEVERITY)
    due = [(incident, severity_rank(previous)) for incident, previous in changes
           if severity_rank(previous) < severity_rank(incident.severity) >= threshold]
    due.sort(key=lambda item: (-severity_rank(item[0].severity), item[0].first_seen))
    for incident, before_rank in due[:RECORDED_PER_COMMIT]:
        verb = verbs.INCIDENT_OPENED if before_rank < threshold else verbs.INCIDENT_ESCALATED
        record(verb, actor=actor, site=site, target=incident, severity=LOG_SEVERITY[Severity(incident.severity)],
               **incident_data(site, incident))
    rest = [incident for incident, _rank in due[RECORDED_PER_COMMIT:]]
    if rest:
        categories: Counter[str] = Counter()
        for incident in rest:
            categories.update(incident.categories)
        worst = Severity(rest[0].severity)
        record(verbs.INCIDENTS_SUMMARISED, actor=actor, site=site, severity=LOG_SEVERITY[worst], count=len(rest),
               site_name=site.name, summary=summary_of(dict(categories)), level=str(worst))


def incident_data(site: Site, incident: Incident) -> dict[str, Any]:
    return {"ip": incident.ip, "site_name": site.name, "summary": summary_of(incident.categories),
            "level": incident.severity, "findings": incident.finding_count}


def close_quiet(now: datetime, site: Site | None = None, quiet: timedelta = QUIET) -> int:
    """Close the open incidents whose client has been quiet (in log time) for `quiet` by `now`."""
    stale = Incident.objects.filter(state=IncidentState.OPEN, last_seen__lt=now - quiet)
    if site is not None:
        stale = stale.filter(site=site)
    return stale.update(state=IncidentState.CLOSED, closed_at=F("last_seen") + quiet,
                        close_reason=CloseReason.QUIET, closed_by="", alert_pending=False)


def wants_alert(incident: Incident) -> bool:
    rank = severity_rank(incident.severity)
    return rank >= severity_rank(ALERT_MIN_SEVERITY) and rank > severity_rank(incident.alerted_severity)


def send_alerts(site: Site, touched: Iterable[Incident], state: WatchState, now: datetime) -> int:
    """Alert about incidents that opened or rose, within the site's hourly limit; returns messages sent."""
    wanted = {incident.pk: incident for incident in touched if wants_alert(incident)}
    for incident in Incident.objects.filter(site=site, alert_pending=True).exclude(pk__in=list(wanted)):
        if wants_alert(incident):
            wanted[incident.pk] = incident
    recent = [stamp for stamp in state.alert_times if datetime.fromisoformat(stamp) > now - ALERT_WINDOW]
    if not wanted:
        if recent != state.alert_times:
            state.alert_times = recent
            state.save(update_fields=["alert_times"])
        return 0
    order = sorted(wanted.values(), key=lambda incident: (-severity_rank(incident.severity), incident.first_seen))
    budget = ALERTS_PER_HOUR - len(recent)
    if budget <= 0:
        waiting = [incident.pk for incident in order if not incident.alert_pending]
        for start in range(0, len(waiting), LOOKUP_CHUNK):
            Incident.objects.filter(pk__in=waiting[start:start + LOOKUP_CHUNK]).update(alert_pending=True)
        for incident in order:
            incident.alert_pending = True
        return 0
    singles, rest = (order, []) if len(order) <= budget else (order[:budget - 1], order[budget - 1:])
    for incident in singles:
        alert_one(site, incident)
    if rest:
        alert_summary(site, rest)
    done = [incident.pk for incident in order]
    for start in range(0, len(done), LOOKUP_CHUNK):
        Incident.objects.filter(pk__in=done[start:start + LOOKUP_CHUNK]).update(
            alerted_severity=F("severity"), alert_pending=False)
    for incident in order:
        incident.alerted_severity, incident.alert_pending = incident.severity, False
    sent = len(singles) + (1 if rest else 0)
    state.alert_times = recent + [now.isoformat()] * sent
    state.save(update_fields=["alert_times"])
    return sent


def incident_lines(incident: Incident) -> list[str]:
    return [
        _("Client: %(ip)s") % {"ip": incident.ip},
        _("Severity: %(severity)s") % {"severity": incident.get_severity_display()},
        _("Findings: %(count)s (%(summary)s)") % {"count": incident.finding_count,
                                                  "summary": summary_of(incident.categories)},
        _("Seen: %(first)s to %(last)s") % {"first": local(incident.first_seen), "last": local(incident.last_seen)},
        settings.BASE_URL + incident.get_absolute_url(),
    ]


def alert_one(site: Site, incident: Incident) -> None:
    from jagaweb.notify.dispatch import notify

    verb = verbs.INCIDENT_ESCALATED if incident.alerted_severity else verbs.INCIDENT_OPENED
    title = describe(verb, incident_data(site, incident))
    body = "\n".join([title, "", _("Site: %(name)s (%(url)s)") % {"name": site.name, "url": site.url},
                      *incident_lines(incident)])
    notify(title, body, severity=LOG_SEVERITY[Severity(incident.severity)], site=site)


def alert_summary(site: Site, incidents: list[Incident]) -> None:
    from jagaweb.notify.dispatch import notify

    worst = max((Severity(incident.severity) for incident in incidents), key=severity_rank)
    title = _("%(count)s incidents on %(site)s (alert limit reached)") % {"count": len(incidents), "site": site.name}
    lines = [title, "", _("Site: %(name)s (%(url)s)") % {"name": site.name, "url": site.url}]
    for incident in incidents[:SUMMARY_LISTED]:
        lines.append(f"- {incident.ip} [{incident.severity}] {summary_of(incident.categories)} "
                     f"{settings.BASE_URL}{incident.get_absolute_url()}")
    if len(incidents) > SUMMARY_LISTED:
        lines.append(_("... and %(count)s more") % {"count": len(incidents) - SUMMARY_LISTED})
    notify(title, "\n".join(lines), severity=LOG_SEVERITY[worst], site=site)


def local(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}"
