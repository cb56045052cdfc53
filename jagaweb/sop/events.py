"""Runs started by events. `started_by(event, site=..., source=...)` starts the SOP the event starts; the
`sop.events` job finds the events itself (no signals, no calls from the other apps): monitoring incidents
opened, guard checks that found an attack, serious visitor-log incidents, each opening a case (with its run)
once. A site gets at most one open case per origin: a lasting attack seen at every check is one case.

Only records newer than LOOKBACK are picked up, so that switching SOP runs on does not open a case for
every incident of the past.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob
from jagaweb.guard.choices import RunKind, Verdict
from jagaweb.guard.choices import RunState as GuardRunState
from jagaweb.guard.models import GuardRun
from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.choices import IncidentState
from jagaweb.monitor.models import Incident
from jagaweb.sop.cases import definition_for, open_case
from jagaweb.sop.choices import CaseOrigin, CaseState, StartKind
from jagaweb.sop.models import Case, Run
from jagaweb.sop.runs import start_run

logger = logging.getLogger(__name__)
ACTOR = SystemJob("sop.events")
LOOKBACK = timedelta(days=2)
ATTACK_VERDICTS = (Verdict.JUDOL, Verdict.DEFACED)
SERIOUS_LOG_SEVERITIES = ("high", "critical")


def started_by(event: str, *, site: Site | None = None, organisation: Organisation | None = None,
               source: models.Model | None = None, actor: Actor = ACTOR, title: str = "",
               now: datetime | None = None) -> Run | None:
    """Start the SOP `event` starts (None when no definition declares the event)."""
    definition = definition_for(event)
    if definition is None:
        return None
    return start_run(definition, actor, site=site, organisation=organisation, via=StartKind.EVENT, event=event,
                     source=source, title=title, now=now)


@dataclass
class Pickup:
    monitor: int = 0
    guard: int = 0
    logwatch: int = 0

    def __str__(self) -> str:
        return f"{self.monitor} monitoring, {self.guard} guard, {self.logwatch} visitor-log cases opened"


def has_case(source: models.Model) -> bool:
    return Case.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk)).exists()


def sites_with_open_case(origin: str) -> set[int]:
    return set(Case.objects.filter(origin=origin, state=CaseState.OPEN, site__isnull=False)
               .values_list("site_id", flat=True))


def open_cases_for(records: Iterable[models.Model], origin: str, title_of: dict[int, str], now: datetime) -> int:
    """Open one case per record of a site without an open case of this origin; returns how many."""
    busy = sites_with_open_case(origin)
    opened = 0
    for source in records:
        site: Site = source.site  # type: ignore[attr-defined]
        if site.pk in busy or not site.is_active or has_case(source):
            continue
        try:
            with transaction.atomic():
                open_case(title=title_of[source.pk], origin=origin, actor=ACTOR, site=site, source=source,
                          description=title_of[source.pk], now=now)
        except IntegrityError:
            continue  # another pass opened it at the same moment
        busy.add(site.pk)
        opened += 1
    return opened


def pick_up_monitor_incidents(now: datetime) -> int:
    incidents = list(Incident.objects.filter(state=IncidentState.OPEN, opened_at__gte=now - LOOKBACK, silenced=False)
                     .select_related("site", "site__organisation").order_by("opened_at", "pk"))
    titles = {incident.pk: _("%(site)s: %(cause)s") % {"site": incident.site.name, "cause": incident.cause}
              for incident in incidents}
    return open_cases_for(incidents, CaseOrigin.MONITOR, titles, now)


def pick_up_guard_attacks(now: datetime) -> int:
    runs = list(GuardRun.objects.filter(kind=RunKind.CHECK, state=GuardRunState.SUCCEEDED,
                                        started_at__gte=now - LOOKBACK, verdict__in=ATTACK_VERDICTS)
                .select_related("site", "site__organisation").order_by("-started_at", "-pk"))
    titles = {run.pk: _("%(site)s: attack found (%(verdict)s)") % {"site": run.site.name,
                                                                    "verdict": run.get_verdict_display()}
              for run in runs}
    return open_cases_for(runs, CaseOrigin.GUARD, titles, now)


def pick_up_logwatch_incidents(now: datetime) -> int:
    # The visitor-log app may not have its tables yet on an installation that has not migrated it.
    try:
        from jagaweb.logwatch.models import Incident as LogIncident

        with transaction.atomic():  # a savepoint: a missing table must not break the caller's transaction
            incidents = list(LogIncident.objects.filter(state="open", severity__in=SERIOUS_LOG_SEVERITIES,
                                                        opened_at__gte=now - LOOKBACK)
                             .select_related("site", "site__organisation").order_by("opened_at", "pk"))
    except (ImportError, DatabaseError):
        logger.warning("visitor-log incidents are not readable; none picked up", exc_info=True)
        return 0
    titles = {incident.pk: _("%(site)s: suspicious visitor %(ip)s") % {"site": incident.site.name, "ip": incident.ip}
              for incident in incidents}
    return open_cases_for(incidents, CaseOrigin.LOGWATCH, titles, now)


def pick_up(now: datetime | None = None) -> Pickup:
    """One pass over new incidents, attacks and visitor-log incidents."""
    now = now or timezone.now()
    return Pickup(monitor=pick_up_monitor_incidents(now), guard=pick_up_guard_attacks(now),
                  logwatch=pick_up_logwatch_incidents(now))
