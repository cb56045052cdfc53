from __future__ import annotations

from datetime import timedelta

from jagaweb.jobs.registry import periodic
from jagaweb.reports.schedules import issue_due


@periodic("reports.issue_scheduled", every=timedelta(minutes=10))
def issue_scheduled() -> str:
    """Issue the scheduled reports that are due and send them to their channels."""
    reports = issue_due()
    return ", ".join(report.number for report in reports) or "none due"
