"""Pages for job runs and schedule entries: who ran what when, and how often it runs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from jagaweb.jobs.filters import JobRunFilter, ScheduleEntryFilter, without_page
from jagaweb.jobs.forms import ScheduleEntryForm
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.jobs.registry import JOBS
from jagaweb.jobs.scheduler import change_entry, run_now

PAGE_SIZE = 50
RECENT_RUNS = 20


def visible_runs(request: HttpRequest) -> QuerySet[JobRun]:
    return JobRun.objects.visible_to(request.user).select_related("entry__site")


def visible_entries(request: HttpRequest) -> QuerySet[ScheduleEntry]:
    return ScheduleEntry.objects.visible_to(request.user).select_related("site")


def with_last_run(entries: QuerySet[ScheduleEntry]) -> QuerySet[ScheduleEntry]:
    latest = JobRun.objects.filter(entry=OuterRef("pk")).order_by("-created_at", "-id")
    return entries.annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_run_at=Subquery(latest.values("created_at")[:1]),
    )


class FilteredListView(PermissionRequiredMixin, ListView):
    """A paginated list whose rows pass through a FilterSet built on the user's scope."""

    filterset_class: Any
    paginate_by = PAGE_SIZE

    def base_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        self.filterset = self.filterset_class(
            self.request.GET, queryset=self.base_queryset(), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(filter=self.filterset, query=without_page(self.request.GET))
        return context


class RunListView(FilteredListView):
    permission_required = "jobs.view_jobrun"
    template_name = "jobs/run_list.html"
    filterset_class = JobRunFilter

    def base_queryset(self) -> QuerySet[JobRun]:
        return visible_runs(self.request)


class RunDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "jobs.view_jobrun"
    template_name = "jobs/run_detail.html"
    context_object_name = "run"

    def get_queryset(self) -> QuerySet[JobRun]:
        return visible_runs(self.request)


class EntryListView(FilteredListView):
    permission_required = "jobs.view_scheduleentry"
    template_name = "jobs/entry_list.html"
    filterset_class = ScheduleEntryFilter

    def base_queryset(self) -> QuerySet[ScheduleEntry]:
        return with_last_run(visible_entries(self.request))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(declared=JOBS, **kwargs)


class EntryDetailView(PermissionRequiredMixin, DetailView):
    """The entry, its recent runs, and (with jobs.change_scheduleentry) the form that changes it."""

    template_name = "jobs/entry_detail.html"
    context_object_name = "entry"
    object: ScheduleEntry

    def get_permission_required(self) -> tuple[str, ...]:
        if self.request.method == "POST":
            return ("jobs.change_scheduleentry",)
        return ("jobs.view_scheduleentry",)

    def get_queryset(self) -> QuerySet[ScheduleEntry]:
        return visible_entries(self.request)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = entry = self.get_object()
        form = ScheduleEntryForm(request.POST, instance=ScheduleEntry.objects.get(pk=entry.pk))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        change_entry(entry, interval=data["interval"], enabled=data["enabled"], actor=request.user)
        messages.success(request, _("The schedule was saved."))
        return HttpResponseRedirect(entry.get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = self.object
        context.setdefault("form", ScheduleEntryForm(instance=entry))
        context.update(
            declared=JOBS.get(entry.job),
            runs=entry.runs.all()[:RECENT_RUNS],
            runnable=entry.enabled and (entry.site is None or entry.site.is_active),
        )
        return context


class EntryRunView(PermissionRequiredMixin, View):
    """POST only: queue a run of the entry now, outside its schedule."""

    permission_required = "jobs.run_scheduleentry"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = get_object_or_404(visible_entries(request), pk=pk)
        if entry.job not in JOBS:
            messages.error(request, _("No installed part of JagaWeb declares this job, so it cannot run."))
            return HttpResponseRedirect(entry.get_absolute_url())
        run = run_now(entry, actor=request.user)
        messages.success(request, _("A run was queued; a worker will start it shortly."))
        return HttpResponseRedirect(run.get_absolute_url())
