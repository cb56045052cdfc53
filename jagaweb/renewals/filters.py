"""Filters for the services list, its CSV export and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation, ThirdParty
from jagaweb.inventory.visibility import third_parties_for
from jagaweb.renewals.choices import ServiceKind
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.visibility import organisations_for_services, visible_services

YES_NO = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
MAX_DAYS = 3660


def organisations_for(request: HttpRequest | None) -> QuerySet[Organisation]:
    """Only what the user may see can be picked (no request while the API schema is generated)."""
    if request is None:
        return Organisation.objects.none()
    return organisations_for_services(request.user).only("pk", "name").order_by("name")


def providers_for(request: HttpRequest | None) -> QuerySet[ThirdParty]:
    if request is None:
        return ThirdParty.objects.none()
    return third_parties_for(request.user).only("pk", "name").order_by("name")


def services_for(request: HttpRequest | None) -> QuerySet[Service]:
    if request is None:
        return Service.objects.none()
    return visible_services(request.user).only("pk", "name", "identifier")


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ServiceKind.choices, empty_label=_("All"))
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=organisations_for,
                                                    empty_label=_("All"))
    provider = django_filters.ModelChoiceFilter(label=_("Provider"), queryset=providers_for, empty_label=_("All"))
    due_within = django_filters.NumberFilter(
        label=_("Ends within (days)"), method="by_due_within", min_value=0, max_value=MAX_DAYS,
        help_text=_("Services whose period ends within this many days, those already ended included."),
    )
    overdue = django_filters.BooleanFilter(label=_("Ended"), method="by_overdue", widget=forms.Select(choices=YES_NO))
    is_active = django_filters.BooleanFilter(label=_("In use"), widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Service
        fields = ["q", "kind", "organisation", "provider", "due_within", "overdue", "is_active"]

    def search(self, queryset: QuerySet[Service], name: str, value: str) -> QuerySet[Service]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(identifier__icontains=value)
                               | Q(site__name__icontains=value) | Q(provider__name__icontains=value))

    def by_due_within(self, queryset: QuerySet[Service], name: str, value: Any) -> QuerySet[Service]:
        if value is None:
            return queryset
        return queryset.filter(period_end__lte=timezone.localdate() + timedelta(days=int(value)))

    def by_overdue(self, queryset: QuerySet[Service], name: str, value: bool | None) -> QuerySet[Service]:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(period_end__lt=today) if value else queryset.filter(period_end__gte=today)


class RenewalFilter(django_filters.FilterSet):
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=services_for, empty_label=_("All"))

    class Meta:
        model = Renewal
        fields = ["service"]


def without_page(query: Any) -> str:
    """The query string minus `page`, for pagination links that keep the filters."""
    query = query.copy()
    query.pop("page", None)
    return str(query.urlencode())
