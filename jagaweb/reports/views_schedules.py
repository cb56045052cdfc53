"""The report schedules pages: the list, adding, changing and removing a schedule.

A schedule about every organisation is for staff who see every organisation; others see and change only the
schedules of their organisations.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jagaweb.activity.log import record
from jagaweb.people.scope import sees_everything, visible_organisations
from jagaweb.reports import verbs
from jagaweb.reports.forms import ScheduleForm
from jagaweb.reports.models import ReportSchedule


def visible_schedules(user: Any) -> QuerySet[ReportSchedule]:
    schedules = ReportSchedule.objects.select_related("organisation")
    if sees_everything(user):
        return schedules
    return schedules.filter(organisation__in=visible_organisations(user))


def schedule_or_404(request: HttpRequest, pk: int) -> ReportSchedule:
    return get_object_or_404(visible_schedules(request.user), pk=pk)


def saved(request: HttpRequest, form: ScheduleForm) -> HttpResponse:
    schedule = form.save(commit=False)
    if schedule.pk is None:
        schedule.created_by = request.user
    schedule.save()
    form.save_m2m()
    record(verbs.SCHEDULE_SAVED, actor=request.user, organisation=schedule.organisation, target=schedule,
           schedule=schedule.name)
    messages.success(request, _("The report schedule was saved."))
    return HttpResponseRedirect(reverse("reports:schedule_list"))


@permission_required("reports.view_reportschedule", raise_exception=True)
def schedule_list(request: HttpRequest) -> HttpResponse:
    schedules = (visible_schedules(request.user).prefetch_related("channels")
                 .annotate(last_issued=Max("reports__issued_at")))
    return render(request, "reports/schedule_list.html", {"schedules": schedules})


@require_http_methods(["GET", "POST"])
@permission_required("reports.add_reportschedule", raise_exception=True)
def schedule_create(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        return saved(request, form)
    return render(request, "reports/schedule_form.html", {"form": form, "schedule": None})


@require_http_methods(["GET", "POST"])
@permission_required("reports.change_reportschedule", raise_exception=True)
def schedule_update(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = schedule_or_404(request, pk)
    form = ScheduleForm(request.POST or None, instance=schedule, user=request.user)
    if request.method == "POST" and form.is_valid():
        return saved(request, form)
    return render(request, "reports/schedule_form.html", {"form": form, "schedule": schedule})


@require_http_methods(["GET", "POST"])
@permission_required("reports.delete_reportschedule", raise_exception=True)
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = schedule_or_404(request, pk)
    if request.method == "POST":
        record(verbs.SCHEDULE_DELETED, actor=request.user, organisation=schedule.organisation, target=schedule,
               schedule=schedule.name)
        schedule.delete()  # the reports it issued stay in the archive
        messages.success(request, _("The report schedule was removed; the reports it issued stay in the archive."))
        return HttpResponseRedirect(reverse("reports:schedule_list"))
    return render(request, "reports/schedule_confirm_delete.html", {"schedule": schedule})
