"""The guard overview: every site in the user's scope with its last check, open findings, known-good date
and trusted backup, and the buttons to check it now or restore it.

A page of 50 sites costs a fixed number of queries, whatever the number of sites, runs or findings: one
per column, each for the page's sites at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jagaweb.backup.filters import without_page
from jagaweb.guard.choices import FindingState, RunKind, Severity, Source
from jagaweb.guard.filters import SiteGuardFilter
from jagaweb.guard.findings import SEVERITY_ORDER
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.guard.views import PAGE_SIZE, RUN_CHECKS, VIEW_RUNS, may_restore
from jagaweb.inventory.models import Site
from jagaweb.people.scope import visible_sites

RUN_COLUMNS = ("id", "site_id", "kind", "state", "started_at", "finished_at", "verdict", "severity", "error")
SEVERITY_LABELS = dict(Severity.choices)


@dataclass(frozen=True)
class SeverityCount:
    severity: str
    label: str
    count: int


@dataclass
class OpenFindings:
    by_severity: dict[str, int] = field(default_factory=dict)
    files: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    def counts(self) -> list[SeverityCount]:
        """Most urgent first."""
        return [SeverityCount(severity, str(SEVERITY_LABELS[severity]), self.by_severity[severity])
                for severity in reversed(SEVERITY_ORDER) if self.by_severity.get(severity)]


@dataclass(frozen=True)
class SiteRow:
    site: Site
    profile: GuardProfile | None
    last_check: GuardRun | None
    findings: OpenFindings
    offer_restore: bool = False  # the last check found changed files and the user may restore


def latest_checks(site_ids: list[int]) -> dict[int, GuardRun]:
    """The newest check of each site, in one query."""
    newest = GuardRun.objects.filter(site=OuterRef("pk"), kind=RunKind.CHECK).order_by("-started_at", "-pk")
    ids = Site.objects.filter(pk__in=site_ids).annotate(run=Subquery(newest.values("pk")[:1])).values("run")
    return {run.site_id: run for run in GuardRun.objects.filter(pk__in=ids).only(*RUN_COLUMNS)}


def open_findings(site_ids: list[int]) -> dict[int, OpenFindings]:
    rows = (Finding.objects.filter(site_id__in=site_ids, state=FindingState.OPEN).order_by()
            .values_list("site_id", "source", "severity").annotate(n=Count("pk")))
    found: dict[int, OpenFindings] = defaultdict(OpenFindings)
    for site_id, source, severity, count in rows:
        counted = found[site_id]
        counted.by_severity[severity] = counted.by_severity.get(severity, 0) + count
        if source == Source.FILE:
            counted.files += count
    return found


def profiles_of(site_ids: list[int]) -> dict[int, GuardProfile]:
    profiles = GuardProfile.objects.filter(site_id__in=site_ids).select_related("trusted_snapshot").only(
        "site_id", "enabled", "known_good_at", "known_good_by", "trusted_snapshot__id",
        "trusted_snapshot__snapshot_id", "trusted_snapshot__taken_at")
    return {profile.site_id: profile for profile in profiles}


def site_rows(sites: list[Site], *, may_restore: bool = False) -> list[SiteRow]:
    ids = [site.pk for site in sites]
    profiles, checks, findings = profiles_of(ids), latest_checks(ids), open_findings(ids)
    rows = []
    for site in sites:
        counted = findings.get(site.pk) or OpenFindings()
        rows.append(SiteRow(site, profiles.get(site.pk), checks.get(site.pk), counted,
                            offer_restore=may_restore and counted.files > 0))
    return rows


def sites_in_scope(request: HttpRequest) -> QuerySet[Site]:
    return (visible_sites(request.user).select_related("organisation")
            .only("id", "slug", "name", "url", "is_active", "organisation__id", "organisation__name")
            .order_by("name", "pk"))


@permission_required(VIEW_RUNS, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    filterset = SiteGuardFilter(request.GET, queryset=sites_in_scope(request), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "filter": filterset, "page_obj": page, "paginator": page.paginator, "query": without_page(request.GET),
        "can_check": request.user.has_perm(RUN_CHECKS),
        "rows": site_rows(list(page.object_list), may_restore=may_restore(request.user)),
    }
    template = "guard/_site_table.html" if getattr(request, "htmx", False) else "guard/index.html"
    return render(request, template, context)
