"""Filters for job runs and schedule entries, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.jobs.choices import RunStatus
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.jobs.registry import JOBS
from jagaweb.people.scope import visible_sites

YES_NO = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


def job_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(JOBS)]


def sites_for(request: HttpRequest | None) -> QuerySet[Site]:
    """Only the sites the user may see can be picked (None while the API schema is generated)."""
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "name").order_by("name")


class JobRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RunStatus.choices, empty_label=_("All"))
    job = django_filters.ChoiceFilter(
        label=_("Job"), field_name="entry__job", choices=job_choices, empty_label=_("All")
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), field_name="entry__site", queryset=sites_for, empty_label=_("All")
    )

    class Meta:
        model = JobRun
        fields = ["status", "job", "site"]


class ScheduleEntryFilter(django_filters.FilterSet):
    job = django_filters.ChoiceFilter(label=_("Job"), choices=job_choices, empty_label=_("All"))
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=sites_for, empty_label=_("All"))
    enabled = django_filters.BooleanFilter(label=_("Enabled"), widget=forms.Select(choices=YES_NO))

    class Meta:
        model = ScheduleEntry
        fields = ["job", "site", "enabled"]


def without_page(query: Any) -> str:
    """The query string minus `page`, for pagination links that keep the filters."""
    query = query.copy()
    query.pop("page", None)
    return str(query.urlencode())
