"""Filters of the monitoring pages and the API: checks, incidents, results and maintenance windows.

Related choices offer only what the user may see (nothing while the API schema is generated)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation, Site
from jagaweb.monitor.choices import CheckKind, IncidentState, Status
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, Result
from jagaweb.people.scope import visible_organisations, visible_sites

YES_NO = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
CURRENT, UPCOMING, PAST = "current", "upcoming", "past"
WINDOW_TIMES = [(CURRENT, _("Now")), (UPCOMING, _("Upcoming")), (PAST, _("Past"))]


def sites_for(request: HttpRequest | None) -> QuerySet[Site]:
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "slug", "name").order_by("name")


def organisations_for(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    return visible_organisations(request.user).only("pk", "name").order_by("name")


def checks_for(request: HttpRequest | None) -> QuerySet[Check]:
    from jagaweb.monitor.views import visible_checks

    if request is None:
        return Check.objects.none()
    return visible_checks(request.user)


class SiteFilterMixin(django_filters.FilterSet):
    # By short name, typed or from a site's page (?site=<slug>): a list of ten thousand sites would make
    # every page heavy; the organisation narrows a list just as well.
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=sites_for, to_field_name="slug",
        widget=forms.TextInput(attrs={"placeholder": _("short name"), "size": 14}))
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), field_name="site__organisation",
                                                    queryset=organisations_for, empty_label=_("All"))


class CheckFilter(SiteFilterMixin):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CheckKind.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All"))
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Check
        fields = ["q", "site", "organisation", "kind", "status", "is_active"]

    def search(self, queryset: QuerySet[Check], name: str, value: str) -> QuerySet[Check]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(target__icontains=value) | Q(site__name__icontains=value)
                               | Q(site__slug__icontains=value))


class IncidentFilter(SiteFilterMixin):
    state = django_filters.ChoiceFilter(label=_("State"), choices=IncidentState.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="check_ref__kind", choices=CheckKind.choices,
                                       empty_label=_("All"))
    acknowledged = django_filters.BooleanFilter(label=_("Acknowledged"), field_name="acknowledged_at",
                                                lookup_expr="isnull", exclude=True,
                                                widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Incident
        fields = ["site", "organisation", "state", "kind", "acknowledged"]


class ResultFilter(django_filters.FilterSet):
    check = django_filters.ModelChoiceFilter(label=_("Check"), field_name="check_ref", queryset=checks_for)
    since = django_filters.IsoDateTimeFilter(label=_("Since"), field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(label=_("Until"), field_name="at", lookup_expr="lt")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)

    class Meta:
        model = Result
        fields = ["check", "since", "until", "status"]


class WindowFilter(SiteFilterMixin):
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=organisations_for,
                                                    empty_label=_("All"), method="by_organisation")
    when = django_filters.ChoiceFilter(label=_("When"), choices=WINDOW_TIMES, empty_label=_("All"), method="by_time")

    class Meta:
        model = MaintenanceWindow
        fields = ["site", "organisation", "when"]

    def by_organisation(self, queryset: QuerySet[MaintenanceWindow], name: str,
                        value: Organisation) -> QuerySet[MaintenanceWindow]:
        """The organisation's own windows and those of its sites."""
        return queryset.filter(Q(organisation=value) | Q(site__organisation=value))

    def by_time(self, queryset: QuerySet[MaintenanceWindow], name: str, value: str) -> QuerySet[MaintenanceWindow]:
        now = timezone.now()
        if value == CURRENT:
            return queryset.filter(starts_at__lte=now, ends_at__gt=now)
        if value == UPCOMING:
            return queryset.filter(starts_at__gt=now)
        if value == PAST:
            return queryset.filter(ends_at__lte=now)
        return queryset


def without_page(query: Any) -> str:
    """The query string minus `page`, for pagination links that keep the filters."""
    query = query.copy()
    query.pop("page", None)
    return str(query.urlencode())
