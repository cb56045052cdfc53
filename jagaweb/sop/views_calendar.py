"""The working-hours calendar pages (supervisors): weekly hours of the institution and of organisations, and the
days off (collective leave, local holidays) and extra working days that SOP due times count with."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jagaweb.activity.log import record
from jagaweb.people.scope import sees_everything, visible_organisations
from jagaweb.sop import verbs
from jagaweb.sop.calendar import public_holidays
from jagaweb.sop.forms_calendar import DayOffForm, WorkingHoursForm
from jagaweb.sop.models import DayOff, WorkingHours

SHOWN_PAST = timedelta(days=31)


def scope_filter(request: HttpRequest) -> Q:
    """Institution rows for who sees everything, and the rows of the organisations the user sees."""
    mine = Q(organisation__in=visible_organisations(request.user))
    return mine | Q(organisation__isnull=True) if sees_everything(request.user) else mine


def visible_hours(request: HttpRequest) -> QuerySet[WorkingHours]:
    return WorkingHours.objects.filter(scope_filter(request)).select_related("organisation")


def visible_days(request: HttpRequest) -> QuerySet[DayOff]:
    return DayOff.objects.filter(scope_filter(request)).select_related("organisation")


def scope_name(organisation: object) -> str:
    return str(organisation) if organisation is not None else _("Whole institution")


@permission_required("sop.view_workinghours", raise_exception=True)
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    holidays = sorted(public_holidays(today.year, True).items()) + sorted(public_holidays(today.year + 1, True).items())
    return render(request, "sop/calendar.html", {
        "hours": visible_hours(request).order_by("organisation__name"),
        "days": visible_days(request).filter(date__gte=today - SHOWN_PAST).order_by("date"),
        "holidays": [(day, name) for day, name in holidays if day >= today][:30],
    })


@require_http_methods(["GET", "POST"])
@permission_required("sop.change_workinghours", raise_exception=True)
def hours_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    hours = get_object_or_404(visible_hours(request), pk=pk) if pk is not None else None
    form = WorkingHoursForm(request.POST or None, instance=hours, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        record(verbs.HOURS_CHANGED, actor=request.user, organisation=saved.organisation, target=saved,
               scope=scope_name(saved.organisation))
        messages.success(request, _("The working hours were saved."))
        return HttpResponseRedirect(reverse("sop:calendar"))
    return render(request, "sop/hours_form.html", {"form": form, "hours": hours})


@require_http_methods(["GET", "POST"])
@permission_required("sop.add_dayoff", raise_exception=True)
def dayoff_create(request: HttpRequest) -> HttpResponse:
    form = DayOffForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        day = form.save()
        record(verbs.DAY_OFF_ADDED, actor=request.user, organisation=day.organisation, target=day,
               scope=scope_name(day.organisation))
        messages.success(request, _("The day was added."))
        return HttpResponseRedirect(reverse("sop:calendar"))
    return render(request, "sop/dayoff_form.html", {"form": form})


@require_POST
@permission_required("sop.delete_dayoff", raise_exception=True)
def dayoff_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(visible_days(request), pk=pk)
    label, organisation = str(day), day.organisation
    day.delete()
    record(verbs.DAY_OFF_REMOVED, actor=request.user, organisation=organisation, scope=scope_name(organisation),
           object=label)
    messages.success(request, _("The day was removed."))
    return HttpResponseRedirect(reverse("sop:calendar"))
