"""Filters over the activity log, shared by its pages, its CSV export and its API.

Each filter maps onto an indexed column (time, site, organisation, actor, severity, a verb prefix),
so a filtered page stays fast on millions of events. Choice lists only offer what the user may see.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.choices import ActorKind, Severity
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation, Site
from jagaweb.people.scope import sees_everything, visible_organisations, visible_sites

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the active time zone, so days follow the office's clock."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_range(day: date) -> tuple[datetime, datetime]:
    return day_start(day), day_start(day + timedelta(days=1))


def _sites(request: HttpRequest | None) -> QuerySet[Site]:
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "name").order_by("name")


def _organisations(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    return visible_organisations(request.user).only("pk", "name").order_by("name")


def _actors(request: HttpRequest | None) -> QuerySet[Any]:
    users = get_user_model().objects.order_by("username")
    if request is None:
        return users.none()
    if sees_everything(request.user):
        return users
    return users.filter(
        Q(pk=request.user.pk) | Q(memberships__organisation__in=visible_organisations(request.user))
    ).distinct()


class EventFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(label=_("From"), method="filter_date_from", widget=DATE_WIDGET)
    date_to = django_filters.DateFilter(label=_("Until"), method="filter_date_to", widget=DATE_WIDGET)
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=_sites)
    site_text = django_filters.CharFilter(label=_("Site"), method="filter_site_text")
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=_organisations)
    actor = django_filters.ModelChoiceFilter(label=_("User"), queryset=_actors)
    actor_kind = django_filters.ChoiceFilter(
        label=_("Done by"), choices=ActorKind.choices, method="filter_actor_kind"
    )
    job = django_filters.CharFilter(label=_("System job"), field_name="job")
    verb = django_filters.CharFilter(
        label=_("What"), method="filter_verb", help_text=_("A verb or its start, e.g. 'inventory.'")
    )
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    q = django_filters.CharFilter(
        label=_("Object"), field_name="target_label", lookup_expr="icontains",
        help_text=_("Part of the name of the object the event is about."),
    )

    def filter_site_text(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        return queryset.filter(Q(site__slug=value) | Q(site__name__icontains=value))

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_date_from(self, queryset: QuerySet[Event], name: str, value: date) -> QuerySet[Event]:
        return queryset.filter(at__gte=day_start(value))

    def filter_date_to(self, queryset: QuerySet[Event], name: str, value: date) -> QuerySet[Event]:
        return queryset.filter(at__lt=day_range(value)[1])

    def filter_actor_kind(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        return queryset.filter(actor__isnull=value == ActorKind.SYSTEM)

    def filter_verb(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        # A prefix match uses the verb index (PostgreSQL builds a pattern index for it).
        return queryset.filter(verb__startswith=value.strip())
