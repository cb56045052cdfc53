"""The findings of the user's sites, newest first, filtered by site, category, severity, client or incident."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jagaweb.backup.filters import without_page
from jagaweb.logwatch.filters import FindingFilter
from jagaweb.logwatch.views import PAGE_SIZE, VIEW_FINDINGS, visible_findings


@permission_required(VIEW_FINDINGS, raise_exception=True)
def finding_list(request: HttpRequest) -> HttpResponse:
    findings = visible_findings(request.user).order_by("-time", "-pk")
    filterset = FindingFilter(request.GET, queryset=findings, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page_obj": page, "paginator": page.paginator,
               "query": without_page(request.GET)}
    template = "logwatch/_finding_table.html" if getattr(request, "htmx", False) else "logwatch/finding_list.html"
    return render(request, template, context)
