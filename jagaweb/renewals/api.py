"""The renewals API: services (read and write; "refresh" takes the end date from monitoring) and renewals
(read, and create with a multipart invoice upload, which starts the service's next period; the invoice
itself is downloaded from its own address).

Scoped like the pages (`renewals.visibility`): an object outside the caller's view is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.renewals import monitoring, operations
from jagaweb.renewals.filters import RenewalFilter, ServiceFilter
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.serializers import RefreshSerializer, RenewalSerializer, ServiceSerializer
from jagaweb.renewals.views import invoice_response
from jagaweb.renewals.visibility import visible_renewals, visible_services


class CanChangeServices(permissions.BasePermission):
    """For actions that change a service without being a plain update."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("renewals.change_service"))


class ServiceViewSet(viewsets.ModelViewSet):
    """Hosting, domain, connection and certificate services with their current period."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    queryset = Service.objects.all()

    def get_queryset(self) -> QuerySet[Service]:
        if getattr(self, "swagger_fake_view", False):
            return Service.objects.none()
        return visible_services(self.request.user).order_by("period_end", "name", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        service = Service(**serializer.validated_data)
        serializer.instance = operations.create_service(service, self.request.user)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        service = serializer.instance
        assert isinstance(service, Service)
        changed = [name for name, value in serializer.validated_data.items() if getattr(service, name) != value]
        for name, value in serializer.validated_data.items():
            setattr(service, name, value)
        operations.update_service(service, self.request.user, changed)

    def perform_destroy(self, instance: Service) -> None:
        operations.delete_service(instance, self.request.user)

    @extend_schema(request=None, responses={200: RefreshSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanChangeServices])
    def refresh(self, request: Request, pk: str | None = None) -> Response:
        """Take the end date from monitoring (the domain check's registry answer, the TLS check's certificate),
        replacing a date a person set; recorded in the activity log."""
        service = self.get_object()
        outcome = monitoring.refresh(service, request.user, asked=True)
        body = {"result": outcome.result, "old_end": outcome.old_end,
                "monitored_end": outcome.seen.end if outcome.seen else None, "service": service}
        return Response(RefreshSerializer(body, context=self.get_serializer_context()).data)


class RenewalViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Recorded renewals. Creating one (multipart, with the invoice) starts the service's next period."""

    serializer_class = RenewalSerializer
    filterset_class = RenewalFilter
    queryset = Renewal.objects.all()
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[Renewal]:
        if getattr(self, "swagger_fake_view", False):
            return Renewal.objects.none()
        return visible_renewals(self.request.user).order_by("-period_end", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        renewal = operations.record_renewal(data["service"], request.user, data["input"])
        return Response(self.get_serializer(renewal).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def invoice(self, request: Request, pk: str | None = None) -> FileResponse:
        """The invoice file, as a download."""
        return invoice_response(self.get_object())


router = SimpleRouter()
router.register("renewals/services", ServiceViewSet, basename="renewal-service")
router.register("renewals/renewals", RenewalViewSet, basename="renewal")
urlpatterns = router.urls
