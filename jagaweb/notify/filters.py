"""Filters for the delivery log, shared by the page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.choices import Severity
from jagaweb.inventory.models import Site
from jagaweb.notify.choices import DeliveryStatus, MessageKind
from jagaweb.notify.models import Channel, Delivery
from jagaweb.people.scope import visible_sites


def sites_for(request: HttpRequest | None) -> QuerySet[Site]:
    """Only sites the user may see can be picked (no request while the API schema is generated)."""
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "name").order_by("name")


class DeliveryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DeliveryStatus.choices, empty_label=_("All")
    )
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"), queryset=Channel.objects.only("pk", "name"), empty_label=_("All")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), field_name="message__severity", choices=Severity.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="message__kind", choices=MessageKind.choices, empty_label=_("All")
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), field_name="message__site", queryset=sites_for, empty_label=_("All")
    )

    class Meta:
        model = Delivery
        fields = ["q", "status", "channel", "severity", "kind", "site"]

    def search(self, queryset: QuerySet[Delivery], name: str, value: str) -> QuerySet[Delivery]:
        return queryset.filter(
            Q(message__title__icontains=value)
            | Q(channel_name__icontains=value)
            | Q(last_error__icontains=value)
        )


def without_page(query: Any) -> str:
    """The query string minus `page`, for pagination links that keep the filters."""
    query = query.copy()
    query.pop("page", None)
    return str(query.urlencode())
