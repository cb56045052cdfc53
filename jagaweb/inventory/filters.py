"""List filters, shared by the pages and the API. Choices offer only what the reader may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.choices import CMS, ThirdPartyKind, WebServer
from jagaweb.inventory.models import Organisation, Server, Site, ThirdParty
from jagaweb.inventory.visibility import organisations_for, servers_for, third_parties_for

ANY = _("All")
YES_NO_ANY = forms.Select(choices=[("", ANY), ("true", _("Yes")), ("false", _("No"))])


def _user(request: Any) -> Any:
    return getattr(request, "user", None)


def reader_organisations(request: Any) -> QuerySet[Organisation]:
    user = _user(request)
    return organisations_for(user) if user is not None else Organisation.objects.none()


def reader_servers(request: Any) -> QuerySet[Server]:
    user = _user(request)
    return servers_for(user) if user is not None else Server.objects.none()


def reader_third_parties(request: Any) -> QuerySet[ThirdParty]:
    user = _user(request)
    return third_parties_for(user) if user is not None else ThirdParty.objects.none()


class SearchFilterSet(django_filters.FilterSet):
    """A `search` box over `search_fields` (case-insensitive "contains", any field may match)."""

    search_fields: tuple[str, ...] = ()
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition) if value.strip() else queryset


class SiteFilter(SearchFilterSet):
    search_fields = ("name", "slug", "url")
    # By code and hostname, as the API and the import name them.
    organisation = django_filters.ModelChoiceFilter(
        queryset=reader_organisations, to_field_name="code", label=_("Organisation"), empty_label=ANY
    )
    server = django_filters.ModelChoiceFilter(
        queryset=reader_servers, to_field_name="hostname", label=_("Server"), empty_label=ANY
    )
    cms = django_filters.ChoiceFilter(choices=CMS.choices, label=_("CMS"), empty_label=ANY)
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=YES_NO_ANY)
    tag = django_filters.CharFilter(field_name="tags__name", label=_("Tag"))

    class Meta:
        model = Site
        fields = ["search", "organisation", "server", "cms", "is_active", "tag"]


class OrganisationFilter(SearchFilterSet):
    search_fields = ("name", "code")
    parent = django_filters.ModelChoiceFilter(
        queryset=reader_organisations, label=_("Part of"), empty_label=ANY
    )

    class Meta:
        model = Organisation
        fields = ["search", "parent"]


class ServerFilter(SearchFilterSet):
    search_fields = ("hostname", "location", "operating_system")
    web_server = django_filters.ChoiceFilter(
        choices=WebServer.choices, label=_("Web server"), empty_label=ANY
    )
    hosting = django_filters.ModelChoiceFilter(
        queryset=reader_third_parties, label=_("Hosting provider"), empty_label=ANY
    )

    class Meta:
        model = Server
        fields = ["search", "web_server", "hosting"]


class ThirdPartyFilter(SearchFilterSet):
    search_fields = ("name", "website")
    kind = django_filters.ChoiceFilter(choices=ThirdPartyKind.choices, label=_("Kind"), empty_label=ANY)

    class Meta:
        model = ThirdParty
        fields = ["search", "kind"]
