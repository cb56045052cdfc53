"""Incidents: the list, one incident with its findings and a timeline, and closing one by hand."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jagaweb.backup.filters import without_page
from jagaweb.logwatch.filters import IncidentFilter
from jagaweb.logwatch.incidents import summary_of
from jagaweb.logwatch.models import Incident, IncidentState, LogFinding
from jagaweb.logwatch.operations import LogwatchError, close_incident
from jagaweb.logwatch.views import CHANGE_INCIDENT, PAGE_SIZE, VIEW_FINDINGS, VIEW_INCIDENTS, visible_incidents

FINDINGS_PER_PAGE = 100
TIMELINE_STEPS = 200


@dataclass
class Moment:
    """One minute of the incident: how many findings of which categories, and the first request."""

    minute: datetime
    count: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    request: str = ""
    share: float = 0.0  # of the busiest minute, for the bar

    @property
    def summary(self) -> str:
        return summary_of(self.categories)


def timeline(incident: Incident) -> list[Moment]:
    moments: dict[datetime, Moment] = {}
    findings = LogFinding.objects.filter(incident=incident).order_by("time", "pk").only("time", "category", "request")
    for finding in findings[:incident.stored_findings or 1]:
        minute = timezone.localtime(finding.time).replace(second=0, microsecond=0)
        moment = moments.get(minute)
        if moment is None:
            if len(moments) >= TIMELINE_STEPS:
                break
            moment = moments[minute] = Moment(minute, request=finding.request[:160])
        moment.count += 1
        moment.categories[finding.category] += 1
    busiest = max((moment.count for moment in moments.values()), default=1)
    for moment in moments.values():
        moment.share = round(100 * moment.count / busiest, 1)
    return list(moments.values())


@permission_required(VIEW_INCIDENTS, raise_exception=True)
def incident_list(request: HttpRequest) -> HttpResponse:
    incidents = visible_incidents(request.user).order_by("-last_seen", "-pk")
    filterset = IncidentFilter(request.GET, queryset=incidents, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page_obj": page, "paginator": page.paginator,
               "query": without_page(request.GET)}
    template = "logwatch/_incident_table.html" if getattr(request, "htmx", False) else "logwatch/incident_list.html"
    return render(request, template, context)


@permission_required(VIEW_INCIDENTS, raise_exception=True)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(visible_incidents(request.user).select_related("site__organisation"), pk=pk)
    shows_findings = request.user.has_perm(VIEW_FINDINGS)
    findings = LogFinding.objects.filter(incident=incident).order_by("time", "pk")
    page = Paginator(findings, FINDINGS_PER_PAGE).get_page(request.GET.get("page")) if shows_findings else None
    rules = sorted(incident.rules.items(), key=lambda item: (-item[1], item[0]))
    context = {"incident": incident, "site": incident.site, "page_obj": page,
               "paginator": page.paginator if page else None, "shows_findings": shows_findings,
               "timeline": timeline(incident) if shows_findings else [], "rules": rules,
               "can_close": request.user.has_perm(CHANGE_INCIDENT) and incident.state == IncidentState.OPEN,
               "hidden": max(incident.finding_count - incident.stored_findings, 0)}
    return render(request, "logwatch/incident_detail.html", context)


@require_POST
@permission_required(CHANGE_INCIDENT, raise_exception=True)
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(visible_incidents(request.user).select_related("site__organisation"), pk=pk)
    try:
        close_incident(incident, request.user)
    except LogwatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The incident of %(ip)s was closed.") % {"ip": incident.ip})
    return HttpResponseRedirect(incident.get_absolute_url())
