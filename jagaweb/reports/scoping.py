"""Which sites a report covers: the active sites of the organisation and its units, as far as the actor sees."""

from __future__ import annotations

from jagaweb.activity.log import Actor, SystemJob
from jagaweb.inventory.models import Organisation, Site
from jagaweb.people.scope import organisation_subtree, visible_sites


def report_site_ids(organisation: Organisation | None, actor: Actor) -> list[int]:
    sites = Site.objects.filter(is_active=True)
    if organisation is not None:
        sites = sites.filter(organisation_id__in=organisation_subtree({organisation.pk}))
    if not isinstance(actor, SystemJob):
        sites = sites.filter(pk__in=visible_sites(actor).values("pk"))
    return list(sites.order_by("pk").values_list("pk", flat=True))
