"""Incidents: the list (open ones first), one incident with its timeline, and "acknowledge" (someone is on it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jagaweb.activity.models import Event
from jagaweb.monitor import operations
from jagaweb.monitor.choices import IncidentState, Status
from jagaweb.monitor.filters import IncidentFilter, without_page
from jagaweb.monitor.models import Incident, Result
from jagaweb.monitor.views import PAGE_SIZE, is_htmx, visible_incidents

TIMELINE_RESULTS = 500  # status changes are read from at most this many results of the incident's time


@permission_required("monitor.view_incident", raise_exception=True)
def incident_list(request: HttpRequest) -> HttpResponse:
    open_first = Case(When(state=IncidentState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    incidents = visible_incidents(request.user).order_by(open_first, "-opened_at", "-pk")
    filterset = IncidentFilter(request.GET or None, queryset=incidents, request=request)
    listed = incidents if not filterset.is_bound else filterset.qs if filterset.is_valid() else incidents.none()
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page_obj": page, "incidents": page.object_list, "now": timezone.now(),
               "query": without_page(request.GET)}
    template = "monitor/_incident_table.html" if is_htmx(request) else "monitor/incident_list.html"
    return render(request, template, context)


@dataclass(frozen=True)
class Moment:
    at: datetime
    text: str
    who: str = ""
    status: str = ""  # a check result's status, for its badge


def status_changes(incident: Incident, until: datetime) -> list[Moment]:
    """Each change of the check's status while the incident lasted (from the raw results still kept)."""
    results = (Result.objects.filter(check_ref=incident.check_ref, at__gte=incident.opened_at, at__lte=until)
               .order_by("at").only("at", "status", "message")[:TIMELINE_RESULTS])
    moments: list[Moment] = []
    last = ""
    for result in results:
        if result.status != last:
            moments.append(Moment(at=result.at, text=result.message, status=result.status))
            last = result.status
    return moments


def timeline(incident: Incident) -> list[Moment]:
    """What happened, oldest first: the log's events about the incident and the check's status changes."""
    until = incident.resolved_at or timezone.now()
    events = Event.objects.filter(target_type=ContentType.objects.get_for_model(Incident),
                                  target_id=str(incident.pk)).select_related("actor")
    moments = [Moment(at=event.at, text=event.message, who=event.actor_name) for event in events]
    moments += status_changes(incident, until)
    if not moments:  # the log and the results of that time are gone: the incident's own record remains
        moments.append(Moment(at=incident.opened_at, text=incident.cause, status=Status.DOWN))
    return sorted(moments, key=lambda m: m.at)


@permission_required("monitor.view_incident", raise_exception=True)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(visible_incidents(request.user).select_related("site__organisation"), pk=pk)
    end = incident.resolved_at or timezone.now()
    return render(request, "monitor/incident_detail.html", {
        "incident": incident, "check": incident.check_ref, "site": incident.site, "timeline": timeline(incident),
        "duration": end - incident.opened_at,
    })


@require_POST
@permission_required("monitor.change_incident", raise_exception=True)
def incident_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(visible_incidents(request.user), pk=pk)
    if operations.acknowledge_incident(incident, request.user):
        messages.success(request, _("You acknowledged the incident: others can see that someone is on it."))
    else:
        messages.info(request, _("The incident was already acknowledged."))
    return HttpResponseRedirect(incident.get_absolute_url())
