"""The visitor activity watch on the one declared schedule: each site's logs every minute, and an hourly
tidy-up (incidents gone quiet, visitor keys of past days, old findings)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from jagaweb.inventory.models import Site
from jagaweb.jobs.registry import periodic
from jagaweb.logwatch.daily import prune_visitor_keys
from jagaweb.logwatch.incidents import close_quiet
from jagaweb.logwatch.ingest import ConcurrentIngest, ingest_site
from jagaweb.logwatch.models import LogFinding

# Findings are evidence for a few months; incidents (with their counts) stay.
FINDINGS_KEPT = timedelta(days=90)
DELETE_BATCH = 5000


def with_logs(sites: QuerySet[Site]) -> QuerySet[Site]:
    return sites.exclude(access_logs=[])


@periodic("logwatch.ingest", every=timedelta(minutes=1), per_site=True, applies_to=with_logs)
def scheduled_ingest(site: Site) -> str:
    """Read what the site's access logs gained since the last run: visitor figures, findings, incidents."""
    try:
        return ingest_site(site).summary()
    except ConcurrentIngest:
        return "skipped: another run of this site committed first"


@periodic("logwatch.retention", every=timedelta(hours=1))
def retention() -> str:
    """Close incidents whose client went quiet, forget visitor keys before yesterday, drop old findings."""
    now = timezone.now()
    closed = close_quiet(now)
    keys = prune_visitor_keys(timezone.localdate(now) - timedelta(days=1))
    deleted = 0
    while True:  # in batches: a big delete would hold the database for long
        old = LogFinding.objects.filter(time__lt=now - FINDINGS_KEPT).values_list("pk", flat=True)
        batch = list(old[:DELETE_BATCH])
        if not batch:
            break
        deleted += LogFinding.objects.filter(pk__in=batch).delete()[0]
    return f"{closed} incidents closed, {keys} visitor keys and {deleted} findings removed"
