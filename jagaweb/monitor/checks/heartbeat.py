"""Heartbeat: an external job (a backup cron script, a sync) calls the check's URL; a missed call alerts.

The ping endpoint stores `last_ping_at` on the check; this run only judges it against the clock.
Options:

    {"period_seconds": 86400,  # how often the job pings; default: the check's interval
     "grace_seconds": 300}     # how late a ping may be before the check is DOWN

The period is separate from the check's interval so that a daily job can be judged every minute and
a missed run is noticed within minutes of its grace ending, not a day later.

A ping that reported a failure (the job's `/fail` call) keeps the check DOWN until the next good ping.
Before the first ping the check is UNKNOWN ("waiting"), counted from the first run (kept in the
facts), and DOWN once a whole period plus grace has passed without one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jagaweb.monitor.checks import register
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Outcome, opened_options
from jagaweb.monitor.choices import CheckKind, Status

DEFAULT_GRACE = 300
MAX_SECONDS = 400 * 86400  # a yearly job, with room to spare
OPTIONS = ("period_seconds", "grace_seconds")
PING_FACTS = ("last_ping", "last_ping_failed")


def _seconds(value: Any, *, minimum: int) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(value)
    if number != float(value) or not minimum <= number <= MAX_SECONDS:
        raise ValueError(value)
    return number


def kept(facts: dict[str, Any]) -> dict[str, Any]:
    """What the ping endpoint recorded (`last_ping`, `last_ping_failed`): a run's facts replace the
    check's, so they are carried over for the next run to see."""
    return {key: facts[key] for key in PING_FACTS if key in facts}


def _span(seconds: float, now: datetime) -> str:
    """"2 hours, 5 minutes", translated; "0 minutes" for anything under a minute."""
    return timesince(now - timedelta(seconds=seconds), now)


@register
class HeartbeatCheck(CheckType):
    kind = CheckKind.HEARTBEAT
    label = _("Heartbeat")
    default_interval = 60

    def host_key(self, spec: CheckSpec) -> str:
        # Nothing is contacted: heartbeats must not queue behind each other under one per-host cap.
        return f"heartbeat:{spec.id}"

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        config, errors = opened_options(config, OPTIONS)
        cleaned: dict[str, Any] = {"grace_seconds": DEFAULT_GRACE}
        for name, minimum, message in (
            ("period_seconds", 10, _("The period must be whole seconds, from 10 to 400 days.")),
            ("grace_seconds", 0, _("The grace must be whole seconds, from 0 to 400 days.")),
        ):
            if config.get(name) in (None, ""):
                continue
            try:
                cleaned[name] = _seconds(config[name], minimum=minimum)
            except (TypeError, ValueError):
                errors.append(ValidationError(message))
        if errors:
            raise ValidationError(errors)
        return cleaned

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        now = context.now
        try:
            period = int(spec.config.get("period_seconds") or spec.interval)
            grace = int(spec.config.get("grace_seconds", DEFAULT_GRACE))
        except (TypeError, ValueError):
            return Outcome(Status.UNKNOWN, gettext("The check's options are invalid; edit and save the check."))
        allowed = timedelta(seconds=period + grace)
        expected = {"period": _span(period, now), "grace": _span(grace, now)}
        if spec.last_ping_at is None:
            return self._waiting(spec, now, allowed, expected)
        last = spec.last_ping_at
        age = max((now - last).total_seconds(), 0.0)  # a ping "from the future" is a clock difference
        facts: dict[str, Any] = {**kept(spec.facts), "last_ping_at": last.isoformat(), "age_seconds": round(age),
                                 "due_by": (last + allowed).isoformat()}
        if spec.facts.get("last_ping_failed") and spec.facts.get("last_ping") == last.isoformat():
            return Outcome(Status.DOWN, gettext("The job reported a failure %(ago)s ago.") % {"ago": _span(age, now)},
                           facts=facts)
        if age > allowed.total_seconds():
            message = gettext("No ping for %(ago)s; expected every %(period)s plus %(grace)s grace.")
            return Outcome(Status.DOWN, message % {"ago": _span(age, now), **expected}, facts=facts)
        if age > period:
            facts["late"] = True
            return Outcome(Status.UP, gettext("The ping is %(late)s late, still within the grace time.")
                           % {"late": _span(age - period, now)}, facts=facts)
        return Outcome(Status.UP, gettext("Last ping %(ago)s ago.") % {"ago": _span(age, now)}, facts=facts)

    def _waiting(self, spec: CheckSpec, now: datetime, allowed: timedelta, expected: dict[str, str]) -> Outcome:
        try:
            since = datetime.fromisoformat(spec.facts["waiting_since"])
        except (KeyError, TypeError, ValueError):
            since = now
        facts = {"waiting_since": since.isoformat()}
        if now - since > allowed:
            message = gettext("No ping received yet; expected every %(period)s plus %(grace)s grace.")
            return Outcome(Status.DOWN, message % expected, facts=facts)
        due = timezone.localtime(since + allowed).strftime("%Y-%m-%d %H:%M")
        return Outcome(Status.UNKNOWN, gettext("Waiting for the first ping (expected by %(due)s).") % {"due": due},
                       facts=facts)
