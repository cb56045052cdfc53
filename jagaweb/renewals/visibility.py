"""Which services and renewals a user may see; pages, exports and the API all start here.

A service of a site goes with the site (`people.scope`). A service of a whole organisation is for the
organisation's own people (with its units): a third party that looks after one site of an organisation
does not see what the organisation pays for elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Organisation
from jagaweb.people.scope import organisation_subtree, sees_everything, visible_sites
from jagaweb.renewals.models import Renewal, Service


def unlimited(actor: Any) -> bool:
    return isinstance(actor, SystemJob) or sees_everything(actor)


def member_organisations(actor: Any) -> QuerySet[Organisation]:
    if unlimited(actor):
        return Organisation.objects.all()
    if not actor.is_authenticated:
        return Organisation.objects.none()
    roots = set(actor.memberships.filter(organisation__isnull=False).values_list("organisation_id", flat=True))
    return Organisation.objects.filter(pk__in=organisation_subtree(roots))


def visible_services(actor: Any) -> QuerySet[Service]:
    services = Service.objects.select_related("organisation", "site", "provider")
    if unlimited(actor):
        return services
    own = Q(site__isnull=True, organisation__in=member_organisations(actor))
    return services.filter(Q(site__in=visible_sites(actor)) | own)


def visible_renewals(actor: Any) -> QuerySet[Renewal]:
    renewals = Renewal.objects.select_related("service", "service__organisation", "service__site", "recorded_by")
    if unlimited(actor):
        return renewals
    return renewals.filter(service__in=visible_services(actor).values("pk"))


def organisations_for_services(actor: Any) -> QuerySet[Organisation]:
    """The organisations a user may put a service under: their own, and those of the sites they see."""
    if unlimited(actor):
        return Organisation.objects.all()
    site_orgs = visible_sites(actor).values("organisation_id")
    return Organisation.objects.filter(Q(pk__in=member_organisations(actor).values("pk")) | Q(pk__in=site_orgs))
