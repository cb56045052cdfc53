"""Reading a site's logs now, asked for on a page: run by the worker, never in the request."""

from __future__ import annotations

from django_tasks import task

from jagaweb.inventory.models import Site
from jagaweb.logwatch.ingest import ingest_site


@task()
def ingest_now(site_id: int, user_id: int) -> str:
    """Read what the site's access logs gained since the last run (the same work as the periodic job)."""
    return ingest_site(Site.objects.get(pk=site_id)).summary()
