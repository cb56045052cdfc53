"""Filters for the guard pages and the API: the sites overview, runs and findings.

Related choices offer only what the user may see (nothing while the API schema is generated)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jagaweb.guard.choices import FindingState, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.models import Finding, GuardRun
from jagaweb.inventory.models import Organisation, Site
from jagaweb.people.scope import visible_organisations, visible_sites


class SiteGuardState(models.TextChoices):
    """How a site's guarding stands, for the overview's filter."""

    NEVER = "never", _("Never checked")
    RUNNING = "running", _("Check running")
    FAILED = "failed", _("Last check failed")
    FINDINGS = "findings", _("Open findings")
    CLEAN = "clean", _("No open findings")
    NOT_KNOWN_GOOD = "not_known_good", _("Not marked known-good")
    OFF = "off", _("Guard switched off")


def sites_for(request: HttpRequest | None) -> QuerySet[Site]:
    if request is None:
        return Site.objects.none()
    return visible_sites(request.user).only("pk", "slug", "name").order_by("name")


def organisations_for(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    return visible_organisations(request.user).only("pk", "name").order_by("name")


def last_check(field: str) -> Subquery:
    latest = GuardRun.objects.filter(site=OuterRef("pk"), kind=RunKind.CHECK).order_by("-started_at", "-pk")
    return Subquery(latest.values(field)[:1])


def open_findings() -> Exists:
    return Exists(Finding.objects.filter(site=OuterRef("pk"), state=FindingState.OPEN))


class SiteGuardFilter(django_filters.FilterSet):
    """The sites overview: search, organisation, the last check's verdict and how the guarding stands."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=organisations_for,
                                                    empty_label=_("All"))
    verdict = django_filters.ChoiceFilter(label=_("Verdict"), choices=Verdict.choices, empty_label=_("All"),
                                          method="by_verdict")
    state = django_filters.ChoiceFilter(label=_("State"), choices=SiteGuardState.choices, empty_label=_("All"),
                                        method="by_state")

    class Meta:
        model = Site
        fields = ["q", "organisation", "verdict", "state"]

    def search(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value) | Q(url__icontains=value))

    def by_verdict(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        return queryset.annotate(last_verdict=last_check("verdict")).filter(last_verdict=value)

    def by_state(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        if value == SiteGuardState.OFF:
            return queryset.filter(guard_profile__enabled=False)
        if value == SiteGuardState.NOT_KNOWN_GOOD:
            return queryset.filter(Q(guard_profile__isnull=True) | Q(guard_profile__known_good_at__isnull=True))
        if value == SiteGuardState.FINDINGS:
            return queryset.filter(open_findings())
        with_state = queryset.annotate(last_state=last_check("state"))
        if value == SiteGuardState.NEVER:
            return with_state.filter(last_state__isnull=True)
        if value == SiteGuardState.RUNNING:
            return with_state.filter(last_state=RunState.RUNNING)
        if value == SiteGuardState.FAILED:
            return with_state.filter(last_state=RunState.FAILED)
        if value == SiteGuardState.CLEAN:
            return with_state.filter(last_state=RunState.SUCCEEDED).exclude(open_findings())
        return queryset


class SiteBySlug(django_filters.FilterSet):
    # By short name (?site=<slug>), as the monitoring API does: a list of every site would make the form heavy.
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=sites_for, to_field_name="slug",
        widget=forms.TextInput(attrs={"placeholder": _("short name"), "size": 14}))


class GuardRunFilter(SiteBySlug):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RunKind.choices, empty_label=_("All"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=RunState.choices, empty_label=_("All"))
    verdict = django_filters.ChoiceFilter(label=_("Verdict"), choices=Verdict.choices, empty_label=_("All"))

    class Meta:
        model = GuardRun
        fields = ["site", "kind", "state", "verdict"]


class FindingFilter(SiteBySlug):
    state = django_filters.ChoiceFilter(label=_("State"), choices=FindingState.choices, empty_label=_("All"))
    source = django_filters.ChoiceFilter(label=_("Found in"), choices=Source.choices, empty_label=_("All"))
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=_("All"))
    verdict = django_filters.ChoiceFilter(label=_("Verdict"), choices=Verdict.choices, empty_label=_("All"))
    run = django_filters.NumberFilter(label=_("Run"), field_name="run_id")

    class Meta:
        model = Finding
        fields = ["site", "state", "source", "severity", "verdict", "run"]
