"""The demo's one queued task: preparing a sample site's guard once the demo's servers run (see `guarding`)."""

from __future__ import annotations

from django_tasks import task

from jagaweb.demo.guarding import prepare_site
from jagaweb.demo.setup import ACTOR
from jagaweb.inventory.models import Site


@task()
def prepare_guard(site_id: int) -> str:
    """Back the sample site up, trust that backup and mark the site known-good."""
    return prepare_site(Site.objects.get(pk=site_id), ACTOR)
