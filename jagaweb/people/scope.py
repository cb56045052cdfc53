"""Which organisations and sites a user may see. Every view and API endpoint asks here."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet

from jagaweb.inventory.models import Organisation, Site
from jagaweb.people.choices import STAFF_KINDS, RoleKind

UNLIMITED = None
NOT_CACHED = object()


def organisation_subtree(root_ids: set[int]) -> set[int]:
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = set(
            Organisation.objects.filter(parent_id__in=frontier).exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found |= frontier
    return found


def site_filter(user: Any) -> Q | None:
    """A filter on Site for the user, or None when the user sees every site."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return UNLIMITED
    cached = getattr(user, "_jagaweb_site_filter", NOT_CACHED)
    if cached is not NOT_CACHED:
        return cast(Q | None, cached)
    org_roots: set[int] = set()
    third_parties: set[int] = set()
    for kind, org_id, third_party_id in user.memberships.values_list(
        "role__kind", "organisation_id", "third_party_id"
    ):
        if kind in STAFF_KINDS and org_id is None:
            user._jagaweb_site_filter = UNLIMITED
            return UNLIMITED
        if kind == RoleKind.THIRD_PARTY and third_party_id is not None:
            third_parties.add(third_party_id)
        elif org_id is not None:
            org_roots.add(org_id)
    condition = Q(organisation_id__in=organisation_subtree(org_roots)) if org_roots else Q(pk__in=[])
    if third_parties:
        condition |= Q(pk__in=Site.objects.filter(third_parties__in=third_parties).values("pk"))
    user._jagaweb_site_filter = condition
    return condition


def visible_sites(user: Any) -> QuerySet[Site]:
    condition = site_filter(user)
    return Site.objects.all() if condition is None else Site.objects.filter(condition)


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    if site_filter(user) is None:
        return Organisation.objects.all()
    org_roots = set(
        user.memberships.filter(organisation__isnull=False).values_list("organisation_id", flat=True)
    ) if user.is_authenticated else set()
    site_orgs = set(visible_sites(user).values_list("organisation_id", flat=True))
    return Organisation.objects.filter(pk__in=organisation_subtree(org_roots) | site_orgs)


def sees_everything(user: Any) -> bool:
    return site_filter(user) is None
