"""The visitor activity overview: every site in the user's scope with its visitors today and yesterday, its
open incidents and its last log read. A page of sites costs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jagaweb.backup.filters import without_page
from jagaweb.inventory.models import Site
from jagaweb.logwatch.filters import SiteOverviewFilter
from jagaweb.logwatch.views import PAGE_SIZE, VIEW_STATS, SiteSummary, summaries
from jagaweb.people.scope import visible_sites


@dataclass(frozen=True)
class SiteRow:
    site: Site
    summary: SiteSummary


@permission_required(VIEW_STATS, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    sites = (visible_sites(request.user).select_related("organisation")
             .only("id", "slug", "name", "url", "is_active", "access_logs", "organisation__id", "organisation__name")
             .order_by("name", "pk"))
    filterset = SiteOverviewFilter(request.GET, queryset=sites, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    found = summaries([site.pk for site in shown])
    context = {"filter": filterset, "page_obj": page, "paginator": page.paginator, "query": without_page(request.GET),
               "rows": [SiteRow(site, found[site.pk]) for site in shown]}
    template = "logwatch/_site_table.html" if getattr(request, "htmx", False) else "logwatch/index.html"
    return render(request, template, context)
