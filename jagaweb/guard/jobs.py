"""Guard checks on the one declared schedule: every guarded site, every hour."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from jagaweb.activity.log import SystemJob
from jagaweb.guard.checking import check_summary_of, run_check
from jagaweb.inventory.models import Site
from jagaweb.jobs.registry import periodic


def guarded(sites: QuerySet[Site]) -> QuerySet[Site]:
    # Sites whose guard has been set up (marked known-good, or its settings saved): a check fetches every key
    # page four times and takes screenshots, work a site is signed up for, not given by default.
    return sites.filter(guard_profile__enabled=True)


@periodic("guard.check", every=timedelta(hours=1), per_site=True, applies_to=guarded)
def scheduled_check(site: Site) -> str:
    """Look at the site's pages, appearance, files and database for gambling spam, defacement and webshells."""
    return check_summary_of(run_check(site, SystemJob("guard.check")))
