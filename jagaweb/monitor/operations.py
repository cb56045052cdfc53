"""Monitoring operations that views, the API, the CLI and jobs call: each exists here once."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob, record
from jagaweb.monitor import verbs
from jagaweb.monitor.checks.base import CheckSpec, Context, Outcome
from jagaweb.monitor.choices import Status
from jagaweb.monitor.claims import make_spec
from jagaweb.monitor.engine import close_sessions, default_sessions, execute, kind_or_none
from jagaweb.monitor.models import Check, Incident, MonitorProfile
from jagaweb.monitor.writer import Finished, Written, write_batch

# A new check's first run comes within this much (or its interval, when shorter), so a thousand
# sites imported at once are not all checked in the same second.
FIRST_RUN_SPREAD = timedelta(minutes=10)


def spec_for(check: Check) -> CheckSpec:
    site = check.site
    try:
        stale_after_days: int | None = site.monitor_profile.stale_after_days
    except MonitorProfile.DoesNotExist:
        stale_after_days = None
    return make_spec(
        id=check.pk, site_id=site.pk, site_name=site.name, site_url=site.url, kind=check.kind, target=check.target,
        config=check.config, timeout=check.timeout, interval=check.interval, allow_private=check.allow_private,
        facts=check.facts, baseline=check.baseline, last_ping_at=check.last_ping_at, stale_after_days=stale_after_days,
    )


def schedule_new(check: Check, now: datetime | None = None, rng: random.Random | None = None) -> None:
    """Give a new (or re-activated) check a first slot spread over the next few minutes; saves a saved check."""
    rng = rng or random.Random()
    spread = min(FIRST_RUN_SPREAD.total_seconds(), float(check.interval))
    check.next_due_at = (now or timezone.now()) + timedelta(seconds=rng.uniform(0, spread))
    if check.pk:
        Check.objects.filter(pk=check.pk).update(next_due_at=check.next_due_at)


def finish(spec: CheckSpec, outcome: Outcome, at: datetime | None = None) -> Written:
    """Store one run through the same code as the engine's batches (streaks, incidents, alerts)."""
    return write_batch([Finished(spec, outcome, at or timezone.now())])


def run_spec(spec: CheckSpec, sessions_factory: Any = default_sessions) -> Outcome:
    async def once() -> Outcome:
        sessions = sessions_factory()
        try:
            return await execute(kind_or_none(spec.kind), spec, Context(timezone.now(), sessions))
        finally:
            await close_sessions(sessions)

    return asyncio.run(once())


def run_now(check: Check, actor: Actor, sessions_factory: Any = default_sessions) -> Outcome:
    """Run one check now (a person's "check now", `jagaweb monitor check ID`) and store it like any run."""
    spec = spec_for(check)
    outcome = run_spec(spec, sessions_factory)
    with transaction.atomic():
        finish(spec, outcome)
        record(verbs.CHECK_RUN, actor=actor, site=check.site, target=check, site_name=check.site.name,
               check=str(check), status=outcome.status, message=outcome.message[:300])
    check.refresh_from_db()
    return outcome


def acknowledge_incident(incident: Incident, user: Actor) -> bool:
    """Mark that someone is handling the incident; False when it already was acknowledged."""
    now = timezone.now()
    with transaction.atomic():
        user_id = getattr(user, "pk", None) if not isinstance(user, SystemJob) else None
        taken = Incident.objects.filter(pk=incident.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by_id=user_id)
        if not taken:
            return False
        incident.refresh_from_db()
        check = incident.check_ref
        record(verbs.INCIDENT_ACKNOWLEDGED, actor=user, site=incident.site, target=incident,
               site_name=incident.site.name, check=str(check))
    return True


def accept_baseline(check: Check, user: Actor, sessions_factory: Any = default_sessions) -> Outcome:
    """Take what the check sees now as its new baseline (after a planned DNS change, say).

    The baseline is cleared and the check run at once: a kind records a baseline when it has none, so
    every kind keeps its own idea of what a baseline holds. Its sent notices are forgotten with it,
    so a later change back to the old answers alerts again.
    """
    previous = check.baseline
    with transaction.atomic():
        Check.objects.filter(pk=check.pk).update(baseline={}, notices_sent={})
    check.refresh_from_db()
    spec = spec_for(check)
    outcome = run_spec(spec, sessions_factory)
    with transaction.atomic():
        finish(spec, outcome)
        check.refresh_from_db()
        record(verbs.BASELINE_ACCEPTED, actor=user, site=check.site, target=check, site_name=check.site.name,
               check=str(check), previous=previous, baseline=check.baseline)
    return outcome


def record_ping(token: str, failed: bool = False, now: datetime | None = None) -> Check | None:
    """A heartbeat from an external job (its cron script calls the check's URL); None for an unknown token.

    The ping counts as a run at once: a success towards recovery, a reported failure towards an
    incident. The heartbeat kind's own runs then judge whether the next ping comes in time.
    """
    now = now or timezone.now()
    check = Check.objects.select_related("site").filter(token=token, is_active=True).first()
    if check is None:
        return None
    with transaction.atomic():
        Check.objects.filter(pk=check.pk).update(last_ping_at=now)
        check.last_ping_at = now
        facts: dict[str, Any] = {**check.facts, "last_ping": now.isoformat(), "last_ping_failed": failed}
        if failed:
            outcome = Outcome(Status.DOWN, _("The job reported a failure."), facts=facts)
        else:
            outcome = Outcome(Status.UP, _("Heartbeat received."), facts=facts)
        finish(spec_for(check), outcome, now)
    return check
