"""Filters of the visitor activity pages and the API: sites overview, daily figures, findings, incidents.

Related choices offer only what the user may see (nothing while the API schema is generated)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation, Site
from jagaweb.logwatch.choices import Category, Severity
from jagaweb.logwatch.models import SEVERITY_ORDER, DailyVisitors, Incident, IncidentState, LogFinding
from jagaweb.people.scope import visible_organisations, visible_sites


def sites_for(request: HttpRequest | None) -> QuerySet[Site]:
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "slug", "name").order_by("name")


def organisations_for(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    return visible_organisations(request.user).only("pk", "name").order_by("name")


def at_least(queryset: QuerySet, value: str) -> QuerySet:
    if value not in SEVERITY_ORDER:
        return queryset
    return queryset.filter(severity__in=SEVERITY_ORDER[SEVERITY_ORDER.index(value):])


class SiteBySlug(django_filters.FilterSet):
    # By short name (?site=<slug>), as the other apps' APIs do: a list of every site would make the form heavy.
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=sites_for, to_field_name="slug",
        widget=forms.TextInput(attrs={"placeholder": _("short name"), "size": 14}))


class SiteOverviewFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=organisations_for,
                                                    empty_label=_("All"))

    class Meta:
        model = Site
        fields = ["q", "organisation"]

    def search(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value) | Q(url__icontains=value))


class DailyVisitorsFilter(SiteBySlug):
    date = django_filters.DateFilter(label=_("Date"))
    date_after = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")

    class Meta:
        model = DailyVisitors
        fields = ["site", "date", "date_after", "date_before"]


class FindingFilter(SiteBySlug):
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=_("All"))
    severity = django_filters.ChoiceFilter(label=_("Severity at least"), choices=Severity.choices,
                                           empty_label=_("All"), method="by_severity")
    ip = django_filters.CharFilter(label=_("Client"), widget=forms.TextInput(attrs={"size": 16}))
    rule = django_filters.CharFilter(label=_("Rule"), widget=forms.TextInput(attrs={"size": 12}))
    incident = django_filters.NumberFilter(label=_("Incident"), field_name="incident_id")
    since = django_filters.IsoDateTimeFilter(label=_("Since"), field_name="time", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(label=_("Until"), field_name="time", lookup_expr="lt")

    class Meta:
        model = LogFinding
        fields = ["site", "category", "severity", "ip", "rule", "incident", "since", "until"]

    def by_severity(self, queryset: QuerySet[LogFinding], name: str, value: str) -> QuerySet[LogFinding]:
        return at_least(queryset, value)


class IncidentFilter(SiteBySlug):
    state = django_filters.ChoiceFilter(label=_("State"), choices=IncidentState.choices, empty_label=_("All"))
    severity = django_filters.ChoiceFilter(label=_("Severity at least"), choices=Severity.choices,
                                           empty_label=_("All"), method="by_severity")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=_("All"),
                                           method="by_category")
    ip = django_filters.CharFilter(label=_("Client"), widget=forms.TextInput(attrs={"size": 16}))
    since = django_filters.IsoDateTimeFilter(label=_("Seen since"), field_name="last_seen", lookup_expr="gte")

    class Meta:
        model = Incident
        fields = ["site", "state", "severity", "category", "ip", "since"]

    def by_severity(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        return at_least(queryset, value)

    def by_category(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        # categories is {"sqli": 3, ...}: a key lookup works on every database Django supports
        return queryset.filter(categories__has_key=value)
