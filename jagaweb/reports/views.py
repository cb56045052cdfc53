"""The reports pages: the archive, asking for a report (issued by the worker), following it until it is ready,
a report with its acknowledgement trail, acknowledging it, and its files. Schedules are in views_schedules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST
from django_tasks import task_backends
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskException

from jagaweb.activity.log import record
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Role
from jagaweb.reports import verbs
from jagaweb.reports.acknowledge import AcknowledgeError, acknowledge, may_acknowledge, next_reader
from jagaweb.reports.choices import ReportState
from jagaweb.reports.documents import FORMATS, download_name
from jagaweb.reports.filters import ReportFilter
from jagaweb.reports.forms import AcknowledgeForm, IssueForm
from jagaweb.reports.models import Acknowledgement, Report
from jagaweb.reports.tasks import issue_for

PAGE_SIZE = 50
ISSUE_TASK = "jagaweb.reports.tasks.issue_for"
# The printed HTML is shown inside the report's page: no scripts, no requests, only its own inline style and SVG.
INLINE_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                 "frame-ancestors 'self'")
ROLE_OF_STATE = {ReportState.SUPERVISOR: RoleKind.SUPERVISOR, ReportState.EXECUTIVE: RoleKind.EXECUTIVE}


def visible_reports(user: Any) -> Any:
    return Report.objects.visible_to(user).select_related("organisation")


def report_or_404(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(visible_reports(request.user), pk=pk)


def role_label(kind: str) -> str:
    """How the institution names the role (e.g. "Kepala Sub Bagian"), else the role's generic name."""
    label = Role.objects.filter(kind=kind).order_by("rank", "pk").values_list("label", flat=True).first()
    return label or str(RoleKind(kind).label)


def refusal(report: Report, user: Any) -> str:
    """Why this person cannot acknowledge the report now; empty when they can."""
    if may_acknowledge(report, user):
        return ""
    if report.state == ReportState.RENDERING:
        return _("The report is still being prepared.")
    if report.state == ReportState.FAILED:
        return _("A report that could not be prepared cannot be acknowledged.")
    reader = next_reader(report)
    if reader is None:
        return _("Everyone in the chain has acknowledged this report already.")
    if not user.has_perm("reports.acknowledge_report"):
        return _("You may not acknowledge reports.")
    return _("This report is waiting for the acknowledgement of the %(role)s; you do not hold that role.") % {
        "role": role_label(reader)}


def acknowledge_or_refuse(report: Report, user: Any, note: str) -> tuple[Acknowledgement | None, str]:
    """The acknowledgement made, or None and the reason it was refused."""
    reason = refusal(report, user)
    if reason:
        return None, reason
    try:
        return acknowledge(report, user, note), ""
    except AcknowledgeError as exc:  # someone acknowledged it a moment ago
        return None, str(exc)


def trail(report: Report) -> list[dict[str, Any]]:
    """Who did what with the report: prepared it, then each acknowledgement, with the role they acted as."""
    rows = [{"who": report.prepared_by_label, "role": _("Prepared by"), "at": report.issued_at, "note": report.notes}]
    for ack in report.acknowledgements.select_related("user"):
        kind = ROLE_OF_STATE.get(ReportState(ack.state))
        rows.append({"who": ack.user.get_full_name() or ack.user.get_username(),
                     "role": role_label(kind) if kind else ack.get_state_display(), "at": ack.at, "note": ack.note})
    return rows


def file_response(report: Report, fmt: str, user: Any, inline: bool = False) -> FileResponse:
    """One of the report's files; a download is recorded in the activity log, viewing it inline is not."""
    if fmt not in FORMATS or not report.is_ready:
        raise Http404
    attribute, content_type, _extension = FORMATS[fmt]
    stored = getattr(report, attribute)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = inline and fmt == "html"
    response = FileResponse(handle, as_attachment=not inline, filename=download_name(report, fmt),
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["Content-Security-Policy"] = INLINE_POLICY
    else:
        record(verbs.DOWNLOADED, actor=user, organisation=report.organisation, target=report, report=report.title,
               format=fmt.upper())
    return response


@dataclass(frozen=True)
class Following:
    """Where a report someone asked for is: queued, running, done, failed, or unknown (nothing to wait for)."""

    state: str
    report: Report | None = None

    @property
    def waiting(self) -> bool:
        return self.state in ("queued", "running") and self.report is None


def issue_result(task_id: str, user: Any) -> TaskResult[Any] | None:
    """The issuing task this user queued, or None (unknown id, another person's task, no results kept)."""
    backend = task_backends[issue_for.backend]
    if not task_id or not backend.supports_get_result:
        return None
    try:
        result = backend.get_result(task_id)
    except (TaskException, ValueError, ImportError):
        return None
    if result.task.module_path != ISSUE_TASK or not result.args or result.args[0] != user.pk:
        return None
    return result


def report_being_prepared(result: TaskResult[Any], user: Any) -> Report | None:
    """The report a running task is preparing: made by the task for this user, after the task started."""
    if result.started_at is None or len(result.args) < 3:
        return None
    _user_id, kind, organisation_id = result.args[:3]
    return (visible_reports(user).filter(prepared_by=user, kind=kind, organisation_id=organisation_id,
                                         issued_at__gte=result.started_at).order_by("pk").first())


def follow(task_id: str, user: Any) -> Following:
    result = issue_result(task_id, user)
    if result is None:
        return Following("unknown")
    if result.status == TaskResultStatus.READY:
        return Following("queued")
    if result.status == TaskResultStatus.RUNNING:
        return Following("running", report_being_prepared(result, user))
    if result.status == TaskResultStatus.FAILED:
        return Following("failed")
    value = result.return_value
    return Following("done", visible_reports(user).filter(pk=value).first() if isinstance(value, int) else None)


def go(request: HttpRequest, target: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


@permission_required("reports.view_report", raise_exception=True)
def report_list(request: HttpRequest) -> HttpResponse:
    filterset = ReportFilter(request.GET, queryset=visible_reports(request.user), request=request)
    reports = filterset.qs if filterset.is_valid() else Report.objects.none()
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page_obj": page, "reports": page.object_list, "query": query.urlencode(),
               "formats": list(FORMATS)}
    template = "reports/_report_table.html" if getattr(request, "htmx", False) else "reports/report_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@permission_required("reports.issue_report", raise_exception=True)
def report_create(request: HttpRequest) -> HttpResponse:
    form = IssueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        result = issue_for.enqueue(int(request.user.pk or 0), *form.task_arguments())
        messages.success(request, _("The report was queued; a worker prepares it shortly."))
        return HttpResponseRedirect(f"{reverse('reports:pending')}?task={result.id}")
    return render(request, "reports/report_form.html", {"form": form})


@permission_required("reports.issue_report", raise_exception=True)
def pending(request: HttpRequest) -> HttpResponse:
    """Waits for a report the user asked for; once the worker has made it, goes to the report's page."""
    task_id = request.GET.get("task", "")
    following = follow(task_id, request.user)
    if following.report is not None:
        return go(request, following.report.get_absolute_url())
    if following.waiting:
        if getattr(request, "htmx", False):
            return HttpResponse(status=204)  # still waiting: htmx keeps the page and asks again
        return render(request, "reports/pending.html", {"task_id": task_id, "following": following})
    if following.state == "failed":
        messages.error(request, _("The report could not be prepared; see the worker's log."))
    return go(request, reverse("reports:report_list"))


@permission_required("reports.view_report", raise_exception=True)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_or_404(request, pk)
    if getattr(request, "htmx", False):
        # The page asks while the report is being prepared (and shows how far it is); once it is ready, the
        # whole page is drawn again.
        if report.state == ReportState.RENDERING:
            return render(request, "reports/_progress.html", {"report": report})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    reader = next_reader(report)
    context = {
        "report": report, "trail": trail(report), "formats": list(FORMATS),
        "may_acknowledge": may_acknowledge(report, request.user), "form": AcknowledgeForm(),
        "next_role": role_label(reader) if reader else "", "refusal": refusal(report, request.user),
    }
    return render(request, "reports/report_detail.html", context)


@require_POST
@permission_required("reports.acknowledge_report", raise_exception=True)
def acknowledge_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_or_404(request, pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("note", [])))
        return HttpResponseRedirect(report.get_absolute_url())
    ack, reason = acknowledge_or_refuse(report, request.user, form.cleaned_data["note"])
    if ack is None:
        messages.error(request, reason)
    else:
        messages.success(request, _("You acknowledged the report as the %(role)s.")
                         % {"role": role_label(ROLE_OF_STATE[ReportState(ack.state)])})
    return HttpResponseRedirect(report.get_absolute_url())


@xframe_options_sameorigin
@permission_required("reports.view_report", raise_exception=True)
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """A file of the report as a download; `?inline=1` shows the HTML in the report's page instead."""
    report = report_or_404(request, pk)
    return file_response(report, fmt, request.user, inline=request.GET.get("inline") == "1")
