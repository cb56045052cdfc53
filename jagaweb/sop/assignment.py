"""Who does a step: the users holding its performer's role in the run's organisation (people memberships),
who may act on it, and where an overdue step escalates to.

A membership covers a run when it has no organisation (the whole institution), when its organisation is the
run's or one above it (a role in a department covers its units), or, for a third party, when the run's site is
one that third party looks after.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from jagaweb.people.choices import STAFF_KINDS, RoleKind
from jagaweb.people.models import Membership, Role
from jagaweb.people.scope import organisation_subtree
from jagaweb.sop.choices import StepState
from jagaweb.sop.models import Run, RunStep, organisation_chain

PERFORM_PERMISSION = "sop.change_runstep"


def memberships_covering(run: Run, kinds: set[str]) -> QuerySet[Membership]:
    chain = organisation_chain(run.organisation)
    covering = Q(role__kind__in=kinds & {str(kind) for kind in STAFF_KINDS}) & (
        Q(organisation__isnull=True) | Q(organisation_id__in=chain))
    if RoleKind.ORG_MEMBER in kinds:
        covering |= Q(role__kind=RoleKind.ORG_MEMBER, organisation_id__in=chain)
    if RoleKind.THIRD_PARTY in kinds and run.site is not None:
        covering |= Q(role__kind=RoleKind.THIRD_PARTY, third_party__in=run.site.third_parties.all())
    return Membership.objects.filter(covering, user__is_active=True)


def holders(run: Run, kind: str) -> QuerySet[Any]:
    """The active users who hold a role of `kind` covering the run."""
    if not kind:
        return get_user_model().objects.none()
    users = memberships_covering(run, {kind}).values("user_id")
    return get_user_model().objects.filter(pk__in=users).order_by("username")


def assignees(step: RunStep) -> list[Any]:
    """Who the step is for: the person it was assigned to, else every holder of its role."""
    if step.assignee_id is not None:
        return [step.assignee]
    return list(holders(step.run, step.role_kind))


def acting_kinds(step: RunStep) -> set[str]:
    """The role kinds whose holders may do the step: its performer's, and the one it escalated to."""
    return {kind for kind in (step.role_kind, step.escalated_to) if kind}


def can_act(user: Any, step: RunStep) -> bool:
    """May `user` complete, decide, pause or assign this step?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not step.is_open:
        return False
    if user.is_superuser:
        return True
    if not user.has_perm(PERFORM_PERMISSION):
        return False
    if step.assignee_id == user.pk:
        return True
    kinds = acting_kinds(step)
    return bool(kinds) and memberships_covering(step.run, kinds).filter(user=user).exists()


def acting_filter(user: Any) -> Q:
    """A filter on RunStep for the steps `user` is asked to do (assigned to them, or to a role they hold)."""
    mine = Q(assignee=user)
    for kind, organisation_id, third_party_id in user.memberships.values_list(
            "role__kind", "organisation_id", "third_party_id"):
        for_role = Q(assignee__isnull=True, role_kind=kind) | Q(escalated_to=kind)
        if kind == RoleKind.THIRD_PARTY:
            if third_party_id is not None:
                mine |= for_role & Q(run__site__third_parties=third_party_id)
        elif organisation_id is None:
            mine |= for_role if kind in STAFF_KINDS else Q(pk__in=[])
        else:
            mine |= for_role & Q(run__organisation_id__in=organisation_subtree({organisation_id}))
    return mine


def open_tasks(user: Any) -> QuerySet[RunStep]:
    """The open steps `user` is asked to do, the most urgent first."""
    steps = RunStep.objects.filter(state__in=(StepState.OPEN, StepState.WAITING)).select_related(
        "run", "run__site", "run__organisation", "assignee")
    if not user.is_superuser:
        steps = steps.filter(acting_filter(user)).distinct()
    return steps.order_by("due_at", "started_at", "pk")


def role_rank(kind: str) -> int | None:
    ranks = list(Role.objects.filter(kind=kind).values_list("rank", flat=True))
    return min(ranks) if ranks else None


def next_role_up(kind: str) -> str | None:
    """The role kind an overdue step of `kind` escalates to: the staff role of the next higher rank
    (operator -> supervisor -> executive with the built-in ranks); for a third party or an organisation's
    member, the lowest staff role. None at the top."""
    staff = Role.objects.filter(kind__in=STAFF_KINDS)
    rank = role_rank(kind) if kind in STAFF_KINDS else None
    if rank is not None:
        staff = staff.filter(rank__gt=rank).exclude(kind=kind)
    higher = staff.order_by("rank", "pk").values_list("kind", flat=True).first()
    return str(higher) if higher else None

