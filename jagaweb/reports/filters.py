"""Filters of the reports archive, for its page and the API."""

from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation
from jagaweb.monitor.history import local_midnight
from jagaweb.people.scope import visible_organisations
from jagaweb.reports.choices import ReportKind, ReportState
from jagaweb.reports.models import Report


def organisations_for(request: HttpRequest | None) -> QuerySet[Organisation]:
    """Only what the user may see can be picked (no request while the API schema is generated)."""
    if request is None:
        return Organisation.objects.none()
    return visible_organisations(request.user).only("pk", "name").order_by("name")


class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Report"), choices=ReportKind.choices, empty_label=_("All"))
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=organisations_for,
                                                    empty_label=_("All"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=ReportState.choices, empty_label=_("All"))
    since = django_filters.DateFilter(label=_("Period from"), method="by_since",
                                      help_text=_("Reports whose period ends on or after this day."))
    until = django_filters.DateFilter(label=_("Period until"), method="by_until",
                                      help_text=_("Reports whose period begins on or before this day."))

    class Meta:
        model = Report
        fields = ["q", "kind", "organisation", "state", "since", "until"]

    def search(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(number__icontains=value)
                               | Q(prepared_by_label__icontains=value))

    def by_since(self, queryset: QuerySet[Report], name: str, value: date | None) -> QuerySet[Report]:
        # A period's end is exclusive: a report of October ends at midnight on 1 November.
        return queryset if value is None else queryset.filter(period_end__gt=local_midnight(value))

    def by_until(self, queryset: QuerySet[Report], name: str, value: date | None) -> QuerySet[Report]:
        if value is None:
            return queryset
        return queryset.filter(period_start__lt=local_midnight(value + timedelta(days=1)))
