"""Filters for the runs, cases and requests lists and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.people.scope import visible_sites
from jagaweb.sop.choices import CaseOrigin, CaseState, RequestState, RunState, StartKind, StepState
from jagaweb.sop.forms import definition_choices
from jagaweb.sop.models import Case, Run, RunStep, WebsiteRequest


def sites_for(request: HttpRequest | None) -> QuerySet[Site]:
    """Only what the user may see can be picked (no request while the API schema is generated)."""
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "name").order_by("name")


class RunFilter(django_filters.FilterSet):
    definition_name = django_filters.ChoiceFilter(label=_("SOP"), choices=definition_choices, empty_label=_("All"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=RunState.choices, empty_label=_("All"))
    started_via = django_filters.ChoiceFilter(label=_("Started"), choices=StartKind.choices, empty_label=_("All"))
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=sites_for, empty_label=_("All"))

    class Meta:
        model = Run
        fields = ["definition_name", "state", "started_via", "site"]


class StepFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=StepState.choices, empty_label=_("All"))
    run = django_filters.NumberFilter(label=_("Run"))

    class Meta:
        model = RunStep
        fields = ["state", "run"]


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=CaseState.choices, empty_label=_("All"))
    origin = django_filters.ChoiceFilter(label=_("Origin"), choices=CaseOrigin.choices, empty_label=_("All"))
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=sites_for, empty_label=_("All"))

    class Meta:
        model = Case
        fields = ["q", "state", "origin", "site"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value)) if value else queryset


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=RequestState.choices, empty_label=_("All"))

    class Meta:
        model = WebsiteRequest
        fields = ["state"]


def without_page(query: Any) -> str:
    """The list's query string without its page number, for the pagination links."""
    kept = query.copy()
    kept.pop("page", None)
    return str(kept.urlencode())
