"""Filters for the backup pages and the API: the sites overview, runs and snapshots."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupRun, Snapshot
from jagaweb.inventory.models import Organisation, Site
from jagaweb.people.scope import visible_organisations, visible_sites

YES_NO = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
NO_PLAN, NEVER, FAILED, SUCCEEDED = "no_plan", "never", "failed", "succeeded"
SITE_STATES = [
    (NO_PLAN, _("No backup plan")),
    (NEVER, _("Never backed up")),
    (FAILED, _("Last backup failed")),
    (SUCCEEDED, _("Last backup succeeded")),
]


def sites_for(request: HttpRequest | None) -> QuerySet[Site]:
    """Only the sites the user may see can be picked (no request while the API schema is generated)."""
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "name").order_by("name")


def organisations_for(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    return visible_organisations(request.user).only("pk", "name").order_by("name")


def last_backup_state() -> Subquery:
    latest = BackupRun.objects.filter(site=OuterRef("pk"), operation=Operation.BACKUP).order_by("-started_at", "-pk")
    return Subquery(latest.values("state")[:1])


class SiteBackupFilter(django_filters.FilterSet):
    """The sites overview: search, organisation, and how their backups stand."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=organisations_for, empty_label=_("All")
    )
    state = django_filters.ChoiceFilter(label=_("Backup"), choices=SITE_STATES, empty_label=_("All"),
                                        method="by_state")

    class Meta:
        model = Site
        fields = ["q", "organisation", "state"]

    def search(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value) | Q(url__icontains=value))

    def by_state(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        if value == NO_PLAN:
            return queryset.filter(backup_plan__isnull=True)
        with_state = queryset.filter(backup_plan__isnull=False).annotate(last_backup_state=last_backup_state())
        if value == NEVER:
            return with_state.filter(last_backup_state__isnull=True)
        if value in (FAILED, SUCCEEDED):
            return with_state.filter(last_backup_state=value)
        return queryset


class BackupRunFilter(django_filters.FilterSet):
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=sites_for, empty_label=_("All"))
    operation = django_filters.ChoiceFilter(label=_("Operation"), choices=Operation.choices, empty_label=_("All"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=RunState.choices, empty_label=_("All"))

    class Meta:
        model = BackupRun
        fields = ["site", "operation", "state"]


class SnapshotFilter(django_filters.FilterSet):
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=sites_for, empty_label=_("All"))
    trusted = django_filters.BooleanFilter(label=_("Trusted"), widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Snapshot
        fields = ["site", "trusted"]


def without_page(query: Any) -> str:
    """The query string minus `page`, for pagination links that keep the filters."""
    query = query.copy()
    query.pop("page", None)
    return str(query.urlencode())
