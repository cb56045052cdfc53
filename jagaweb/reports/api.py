"""The reports API: the archive (list and read, with download links), asking for a report, following it, and
acknowledging it up the chain.

Asking for a report always queues it (202): a monthly report of a thousand sites takes up to a minute, longer
than a request should hold a web worker, and one path for every size keeps the API predictable. The answer
names the task and where to follow it; that address gives the report as soon as the worker has begun it.

Scoped like the pages (`Report.objects.visible_to`): a report outside the caller's view is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.reports.acknowledge import next_reader
from jagaweb.reports.documents import FORMATS
from jagaweb.reports.filters import ReportFilter
from jagaweb.reports.models import Report
from jagaweb.reports.serializers import (
    AcknowledgeSerializer,
    FollowSerializer,
    IssueSerializer,
    QueuedSerializer,
    ReportSerializer,
)
from jagaweb.reports.tasks import issue_for
from jagaweb.reports.views import acknowledge_or_refuse, file_response, follow, visible_reports


class HasPermission(permissions.BasePermission):
    """An authenticated user holding `self.permission` (the view's own queryset does the scoping)."""

    permission = ""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.permission))


class CanIssue(HasPermission):
    permission = "reports.issue_report"


class CanRead(HasPermission):
    permission = "reports.view_report"


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every report issued that the caller sees, newest first. POST asks for a new one (queued for the worker)."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    queryset = Report.objects.all()

    def get_queryset(self) -> QuerySet[Report]:
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return visible_reports(self.request.user).prefetch_related("acknowledgements__user")

    def get_permissions(self) -> Sequence[Any]:
        if self.action == "create":
            return [CanIssue()]
        return super().get_permissions()

    @extend_schema(request=IssueSerializer, responses={202: QueuedSerializer})
    def create(self, request: Request) -> Response:
        """Queue a report, prepared by the worker in the caller's name over the sites the caller sees."""
        body = IssueSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        result = issue_for.enqueue(int(request.user.pk or 0), *body.task_arguments())
        answer = {"task_id": str(result.id), "follow": reverse("report-task", args=[str(result.id)])}
        return Response(QueuedSerializer(answer).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: FollowSerializer},
                   parameters=[OpenApiParameter("task_id", str, OpenApiParameter.PATH)])
    @action(detail=False, methods=["get"], url_path=r"tasks/(?P<task_id>[^/.]+)", permission_classes=[CanRead])
    def task(self, request: Request, task_id: str = "") -> Response:
        """How a report the caller asked for is getting on: queued, running, done (with the report) or failed."""
        following = follow(task_id, request.user)
        if following.state == "unknown":
            raise NotFound()
        body = {"task_id": task_id, "state": following.state, "report": following.report}
        return Response(FollowSerializer(body, context=self.get_serializer_context()).data)

    @extend_schema(request=AcknowledgeSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanRead])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Acknowledge the report as the next reader up the chain (the supervisor, then the executive).

        403 when the caller does not hold the role it waits for; 409 when it waits for nobody (being prepared,
        failed, or acknowledged by everyone already)."""
        report: Report = self.get_object()
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ack, reason = acknowledge_or_refuse(report, request.user, body.validated_data["note"])
        if ack is None:
            waiting = next_reader(report) is not None
            return Response({"detail": reason},
                            status=status.HTTP_403_FORBIDDEN if waiting else status.HTTP_409_CONFLICT)
        report = self.get_queryset().get(pk=report.pk)
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(FORMATS))])
    @action(detail=True, methods=["get"], url_path=r"download/(?P<fmt>[a-z]+)",
            permission_classes=[CanRead])
    def download(self, request: Request, pk: str | None = None, fmt: str = "") -> FileResponse:
        """One of the report's files: pdf, html, xlsx, or csv (a zip of one CSV file per table)."""
        return file_response(self.get_object(), fmt, request.user)


router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
urlpatterns = router.urls
