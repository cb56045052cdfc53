"""Renewals' periodic jobs: end dates from monitoring, then the reminders (each sent once per period)."""

from __future__ import annotations

from datetime import timedelta

from jagaweb.jobs.registry import periodic
from jagaweb.renewals.monitoring import refresh_all
from jagaweb.renewals.reminders import send_reminders


@periodic("renewals.refresh", every=timedelta(hours=12))
def refresh_from_monitoring() -> str:
    """Take domain and certificate end dates from the domain and TLS checks."""
    counts = refresh_all()
    return ", ".join(f"{count} {result}" for result, count in sorted(counts.items())) or "no monitored services"


@periodic("renewals.remind", every=timedelta(days=1))
def remind() -> str:
    """Remind of services ending in 60, 30, 14, 7 and 1 days, and of those that ended."""
    sent = send_reminders()
    return f"{len(sent)} reminders sent"
