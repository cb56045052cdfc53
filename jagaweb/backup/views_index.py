"""The backups overview: every site in the user's scope with its plan, last backup and last verify.

A page of 50 sites costs a fixed number of queries, whatever the number of sites or runs: one per
column, each for the page's sites at once (the runs through the (site, operation, -started_at) index).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jagaweb.backup.choices import Operation
from jagaweb.backup.filters import SiteBackupFilter, without_page
from jagaweb.backup.models import BackupPlan, BackupRun, Snapshot
from jagaweb.backup.views import PAGE_SIZE
from jagaweb.inventory.models import Site
from jagaweb.people.scope import visible_sites

RUN_COLUMNS = ("id", "site_id", "operation", "state", "started_at", "finished_at", "bytes_total", "files", "error")


@dataclass(frozen=True)
class SiteRow:
    site: Site
    plan: BackupPlan | None
    last_backup: BackupRun | None
    last_verify: BackupRun | None
    snapshots: int


def latest_runs(site_ids: list[int], operation: Operation) -> dict[int, BackupRun]:
    """The newest run of `operation` for each site, in one query."""
    newest = BackupRun.objects.filter(site=OuterRef("pk"), operation=operation).order_by("-started_at", "-pk")
    ids = Site.objects.filter(pk__in=site_ids).annotate(run=Subquery(newest.values("pk")[:1])).values("run")
    runs = BackupRun.objects.filter(pk__in=ids).only(*RUN_COLUMNS)
    return {run.site_id: run for run in runs}


def plans_of(site_ids: list[int]) -> dict[int, BackupPlan]:
    plans = BackupPlan.objects.filter(site_id__in=site_ids).select_related("target").only(
        "id", "site_id", "enabled", "include_database", "target__id", "target__name", "target__kind")
    return {plan.site_id: plan for plan in plans}


def snapshot_counts(site_ids: list[int]) -> dict[int, int]:
    counts = Snapshot.objects.filter(site_id__in=site_ids).values("site_id").annotate(n=Count("pk"))
    return {row["site_id"]: row["n"] for row in counts}


def site_rows(sites: list[Site]) -> list[SiteRow]:
    ids = [site.pk for site in sites]
    plans, counts = plans_of(ids), snapshot_counts(ids)
    backups, verifies = latest_runs(ids, Operation.BACKUP), latest_runs(ids, Operation.VERIFY)
    return [SiteRow(site, plans.get(site.pk), backups.get(site.pk), verifies.get(site.pk), counts.get(site.pk, 0))
            for site in sites]


def sites_in_scope(request: HttpRequest) -> QuerySet[Site]:
    return (visible_sites(request.user).select_related("organisation")
            .only("id", "slug", "name", "url", "is_active", "web_root", "organisation__id", "organisation__name")
            .order_by("name", "pk"))


@permission_required("backup.view_backuprun", raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    filterset = SiteBackupFilter(request.GET, queryset=sites_in_scope(request), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "filter": filterset, "page_obj": page, "paginator": page.paginator, "rows": site_rows(list(page.object_list)),
        "query": without_page(request.GET),
    }
    template = "backup/_site_table.html" if getattr(request, "htmx", False) else "backup/index.html"
    return render(request, template, context)
