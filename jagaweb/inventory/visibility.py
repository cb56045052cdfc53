"""The inventory a user may see, one function per model; UI, API and import all start here.

Sites and organisations come straight from `people.scope`. Servers and third parties have no
organisation of their own, so a user who does not see everything sees only those linked to one of
the sites they see (a third party also through the server it hosts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Organisation, Server, Site, ThirdParty
from jagaweb.people.scope import sees_everything, visible_organisations, visible_sites


def is_unlimited(actor: Any) -> bool:
    """System jobs (CLI, scheduler) and users without a narrowing membership see everything."""
    return isinstance(actor, SystemJob) or sees_everything(actor)


def sites_for(actor: Any) -> QuerySet[Site]:
    return Site.objects.all() if isinstance(actor, SystemJob) else visible_sites(actor)


def organisations_for(actor: Any) -> QuerySet[Organisation]:
    return Organisation.objects.all() if isinstance(actor, SystemJob) else visible_organisations(actor)


def servers_for(actor: Any) -> QuerySet[Server]:
    if is_unlimited(actor):
        return Server.objects.all()
    server_ids = visible_sites(actor).filter(server__isnull=False).values("server_id")
    return Server.objects.filter(pk__in=server_ids)


def third_parties_for(actor: Any) -> QuerySet[ThirdParty]:
    if is_unlimited(actor):
        return ThirdParty.objects.all()
    sites = visible_sites(actor)
    linked = Site.third_parties.through.objects.filter(site__in=sites).values("thirdparty_id")
    hosting = sites.filter(server__hosting__isnull=False).values("server__hosting_id")
    return ThirdParty.objects.filter(Q(pk__in=linked) | Q(pk__in=hosting))


def has_perm(actor: Any, codename: str) -> bool:
    """`inventory.<codename>` for a user; system jobs may do everything."""
    return isinstance(actor, SystemJob) or bool(actor.has_perm(f"inventory.{codename}"))
