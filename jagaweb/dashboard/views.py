from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jagaweb.dashboard.slots import fill
from jagaweb.inventory.models import Site
from jagaweb.people.scope import visible_organisations, visible_sites

PAGE_SIZE = 50


def filtered_sites(request: HttpRequest) -> Any:
    sites = visible_sites(request.user).select_related("organisation").order_by("name", "pk")
    q = request.GET.get("q", "").strip()
    if q:
        sites = sites.filter(Q(name__icontains=q) | Q(url__icontains=q) | Q(slug__icontains=q))
    org = request.GET.get("organisation", "")
    if org.isdigit():
        sites = sites.filter(organisation_id=int(org))
    if request.GET.get("inactive") != "1":
        sites = sites.filter(is_active=True)
    return sites


def index(request: HttpRequest) -> HttpResponse:
    sites = filtered_sites(request)
    page = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Site] = list(page.object_list)
    slots = fill([s.pk for s in rows])
    table = [(site, [(slot, values.get(site.pk)) for slot, values in slots]) for site in rows]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_obj": page,
        "table": table,
        "slots": [slot for slot, _ in slots],
        "organisations": visible_organisations(request.user).only("pk", "name"),
        "query": query.urlencode(),
        "total": page.paginator.count,
    }
    template = "dashboard/table.html" if request.headers.get("HX-Request") else "dashboard/index.html"
    return render(request, template, context)
