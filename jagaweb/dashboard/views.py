from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from jagaweb.dashboard.slots import cells, shown_to
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


def organisation_options(request: HttpRequest) -> SafeString:
    """The organisation filter's options, the chosen one selected. Drawn here: as a template loop the
    200 options of a province cost about 14 ms, more than the whole table."""
    chosen = request.GET.get("organisation", "")
    names = visible_organisations(request.user).values_list("pk", "name")
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((pk, " selected" if str(pk) == chosen else "", name) for pk, name in names))


def index(request: HttpRequest) -> HttpResponse:
    sites = filtered_sites(request)
    page = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Site] = list(page.object_list)
    slots = shown_to(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_obj": page,
        "table": cells(rows, slots),
        "slots": slots,
        "query": query.urlencode(),
        "total": page.paginator.count,
    }
    if request.headers.get("HX-Request"):  # the search form asks for the table alone
        return render(request, "dashboard/table.html", context)
    return render(request, "dashboard/index.html", {**context, "organisation_options": organisation_options(request)})
