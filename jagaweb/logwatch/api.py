"""The visitor activity API: daily visitor figures, findings and incidents of the caller's sites (read; an
incident can be closed), and the blocklist of incident addresses as a file.

Everything is scoped like the pages (jagaweb.logwatch.views): an object outside the caller's sites is a 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.inventory.models import Site
from jagaweb.logwatch.blocklist import DEFAULT_JAIL, FORMATS, parse_since
from jagaweb.logwatch.filters import DailyVisitorsFilter, FindingFilter, IncidentFilter
from jagaweb.logwatch.models import SEVERITY_ORDER, DailyVisitors, Incident, LogFinding
from jagaweb.logwatch.operations import LogwatchError, close_incident, export_blocklist
from jagaweb.logwatch.views import (
    CHANGE_INCIDENT,
    EXPORT_BLOCKLIST,
    visible_days,
    visible_findings,
    visible_incidents,
)


class DailyVisitorsSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = DailyVisitors
        fields = ["id", "site", "date", "requests", "visitors", "clients", "pages", "bandwidth", "not_found",
                  "crawler_requests", "unparsed", "exact", "statuses", "hours", "top_pages", "top_not_found",
                  "top_referrers", "top_agents", "top_crawlers", "top_clients", "browsers", "systems", "updated_at"]
        read_only_fields = fields


class LogFindingSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = LogFinding
        fields = ["id", "site", "incident", "time", "ip", "category", "rule", "severity", "request", "file", "line",
                  "detail"]
        read_only_fields = fields


class LogIncidentSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "site", "ip", "state", "severity", "first_seen", "last_seen", "finding_count",
                  "stored_findings", "categories", "rules", "alerted_severity", "opened_at", "closed_at",
                  "close_reason", "closed_by"]
        read_only_fields = fields


class MayChange(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(CHANGE_INCIDENT))


class MayExport(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(EXPORT_BLOCKLIST))


class DailyVisitorsViewSet(viewsets.ReadOnlyModelViewSet):
    """One row per site and day (the institution's time zone): figures, hours and top lists."""

    serializer_class = DailyVisitorsSerializer
    filterset_class = DailyVisitorsFilter
    queryset = DailyVisitors.objects.all()

    def get_queryset(self) -> QuerySet[DailyVisitors]:
        if getattr(self, "swagger_fake_view", False):
            return DailyVisitors.objects.none()
        return visible_days(self.request.user).order_by("-date", "site__name")


class LogFindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Suspicious requests and behaviour read in the caller's sites' access logs, newest first."""

    serializer_class = LogFindingSerializer
    filterset_class = FindingFilter
    queryset = LogFinding.objects.all()

    def get_queryset(self) -> QuerySet[LogFinding]:
        if getattr(self, "swagger_fake_view", False):
            return LogFinding.objects.none()
        return visible_findings(self.request.user).order_by("-time", "-pk")


BLOCKLIST_PARAMETERS = [
    # not "format": DRF reads that one to choose its own renderer
    OpenApiParameter("kind", str, enum=list(FORMATS), description="The file format (default nginx)."),
    OpenApiParameter("min_severity", str, enum=SEVERITY_ORDER, description="Incidents at least this severe."),
    OpenApiParameter("within", str, description="Incidents seen within this long: 7d, 12h, 30m."),
    OpenApiParameter("open_only", bool), OpenApiParameter("include_private", bool),
    OpenApiParameter("jail", str, description="The fail2ban jail (default jagaweb)."),
]


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """One client's findings on one site; `close` ends an open one, `blocklist` lists the addresses."""

    serializer_class = LogIncidentSerializer
    filterset_class = IncidentFilter
    queryset = Incident.objects.all()

    def get_queryset(self) -> QuerySet[Incident]:
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return visible_incidents(self.request.user).order_by("-last_seen", "-pk")

    @extend_schema(request=None, responses=LogIncidentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[MayChange])
    def close(self, request: Request, pk: str | None = None) -> Response:
        incident: Incident = self.get_object()
        try:
            close_incident(incident, request.user)
        except LogwatchError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return Response(LogIncidentSerializer(incident, context=self.get_serializer_context()).data)

    @extend_schema(parameters=BLOCKLIST_PARAMETERS, filters=True, responses={(200, "text/plain"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], permission_classes=[MayExport])
    def blocklist(self, request: Request) -> HttpResponse:
        """The filtered incidents' addresses as a fail2ban, nginx, Apache, ipset or plain file."""
        query = request.query_params
        incidents = self.filter_queryset(self.get_queryset())
        minimum = query.get("min_severity", "")
        if minimum and minimum not in SEVERITY_ORDER:
            raise serializers.ValidationError({"min_severity": _("Unknown severity.")})
        try:
            since = timezone.now() - parse_since(query["within"]) if query.get("within") else None
            text = export_blocklist(incidents, query.get("kind", "nginx"), request.user, min_severity=minimum,
                                    since=since, open_only=query.get("open_only") in ("1", "true"),
                                    include_private=query.get("include_private") in ("1", "true"),
                                    jail=query.get("jail", DEFAULT_JAIL))
        except (ValueError, LogwatchError) as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return HttpResponse(text, content_type="text/plain; charset=utf-8")


router = SimpleRouter()
router.register("logwatch/daily", DailyVisitorsViewSet, basename="logwatch-daily")
router.register("logwatch/findings", LogFindingViewSet, basename="logwatch-finding")
router.register("logwatch/incidents", IncidentViewSet, basename="logwatch-incident")
urlpatterns = router.urls
