"""The monitoring API: checks (with "run now"), their results, incidents (with "acknowledge") and
maintenance windows. Everything is scoped like the pages (monitor.views): another organisation's
objects are a 404. Changes go through the same operations as the pages, so they are logged alike."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.monitor import operations, operations_admin
from jagaweb.monitor.checks.base import Outcome
from jagaweb.monitor.filters import CheckFilter, IncidentFilter, ResultFilter, WindowFilter
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, Result
from jagaweb.monitor.serializers import (
    CheckSerializer,
    IncidentSerializer,
    MaintenanceWindowSerializer,
    ResultSerializer,
    RunResultSerializer,
)
from jagaweb.monitor.views import (
    may_change_window,
    visible_checks,
    visible_incidents,
    visible_results,
    visible_windows,
)
from jagaweb.monitor.views_checks import BASELINE_KINDS


class HasPermission(permissions.BasePermission):
    """One named permission, whatever the method (for actions that are not plain create/update)."""

    permission = ""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.permission))


class CanChangeChecks(HasPermission):
    permission = "monitor.change_check"


class CanChangeIncidents(HasPermission):
    permission = "monitor.change_incident"


class CheckViewSet(viewsets.ModelViewSet):
    """The checks of the caller's sites; `run` checks one now and returns what it found."""

    serializer_class = CheckSerializer
    filterset_class = CheckFilter
    queryset = Check.objects.all()

    def get_queryset(self) -> QuerySet[Check]:
        if getattr(self, "swagger_fake_view", False):
            return Check.objects.none()
        return visible_checks(self.request.user).defer("notices_sent").order_by("site__name", "kind", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = operations_admin.save_check(Check(**serializer.validated_data), self.request.user)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        check: Check = serializer.instance  # type: ignore[assignment]
        for name, value in serializer.validated_data.items():
            setattr(check, name, value)
        operations_admin.save_check(check, self.request.user)

    def perform_destroy(self, instance: Check) -> None:
        operations_admin.delete_check(instance, self.request.user)

    def outcome(self, check: Check, outcome: Outcome) -> Response:
        check.refresh_from_db()
        return Response(RunResultSerializer({
            "status": outcome.status.value, "message": outcome.message, "response_ms": outcome.response_ms,
            "check": check}, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=RunResultSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeChecks])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """Run the check now and store the result like any other run."""
        check: Check = self.get_object()
        return self.outcome(check, operations.run_now(check, request.user))

    @extend_schema(request=None, responses=RunResultSerializer)
    @action(detail=True, methods=["post"], url_path="accept-baseline", permission_classes=[CanChangeChecks])
    def accept_baseline(self, request: Request, pk: str | None = None) -> Response:
        """Take the DNS answers the check gets now as its new baseline (after a planned change)."""
        check: Check = self.get_object()
        if check.kind not in BASELINE_KINDS:
            raise serializers.ValidationError(_("This kind of check keeps no baseline."))
        return self.outcome(check, operations.accept_baseline(check, request.user))


class ResultPagination(CursorPagination):
    """Pages by position in time: no count of what may be tens of millions of rows."""

    ordering = ("-at", "-id")
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Raw results of the caller's checks, newest first (kept for a few days; history is in the rollups)."""

    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    pagination_class = ResultPagination
    queryset = Result.objects.all()

    def get_queryset(self) -> QuerySet[Result]:
        if getattr(self, "swagger_fake_view", False):
            return Result.objects.none()
        return visible_results(self.request.user)


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Incidents of the caller's sites, newest first; `acknowledge` says someone is on it."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    queryset = Incident.objects.all()

    def get_queryset(self) -> QuerySet[Incident]:
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return visible_incidents(self.request.user).order_by("-opened_at", "-pk")

    @extend_schema(request=None, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeIncidents])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Acknowledge the incident (nothing changes when it already was)."""
        incident: Incident = self.get_object()
        operations.acknowledge_incident(incident, request.user)
        incident.refresh_from_db()
        return Response(IncidentSerializer(incident, context=self.get_serializer_context()).data)


class MaintenanceWindowViewSet(viewsets.ModelViewSet):
    """Maintenance windows of a site or of every site of an organisation: alerts are held while one is open."""

    serializer_class = MaintenanceWindowSerializer
    filterset_class = WindowFilter
    queryset = MaintenanceWindow.objects.all()

    def get_queryset(self) -> QuerySet[MaintenanceWindow]:
        if getattr(self, "swagger_fake_view", False):
            return MaintenanceWindow.objects.none()
        return visible_windows(self.request.user).order_by("-starts_at", "-pk")

    def get_object(self) -> MaintenanceWindow:
        window: MaintenanceWindow = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS and not may_change_window(self.request.user, window):
            raise PermissionDenied(_("Only the organisation's own people change its maintenance windows."))
        return window

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        window: MaintenanceWindow = serializer.validated_data["form"].save(commit=False)
        window.created_by = self.request.user  # type: ignore[assignment]
        serializer.instance = operations_admin.save_window(window, self.request.user)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = operations_admin.save_window(serializer.validated_data["form"].save(commit=False),
                                                           self.request.user)

    def perform_destroy(self, instance: MaintenanceWindow) -> None:
        operations_admin.delete_window(instance, self.request.user)


router = SimpleRouter()
router.register("monitor/checks", CheckViewSet, basename="monitor-check")
router.register("monitor/results", ResultViewSet, basename="monitor-result")
router.register("monitor/incidents", IncidentViewSet, basename="monitor-incident")
router.register("monitor/maintenance-windows", MaintenanceWindowViewSet, basename="monitor-window")
urlpatterns = router.urls
