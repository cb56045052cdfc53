"""The inventory API: sites (by slug), organisations, servers and third parties.

Querysets are scoped exactly like the pages (`inventory.visibility`), so an object outside the
caller's view is a 404; permissions are the model permissions (ScopedModelPermissions, the default).
Every write goes to the activity log through `inventory.changes`, like the pages' writes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import APIException
from rest_framework.routers import SimpleRouter

from jagaweb.inventory.changes import changed_names, delete_recorded, record_changed, record_created, snapshot
from jagaweb.inventory.crud import protected_message
from jagaweb.inventory.filters import OrganisationFilter, ServerFilter, SiteFilter, ThirdPartyFilter
from jagaweb.inventory.models import Organisation, Server, Site, ThirdParty
from jagaweb.inventory.serializers import (
    OrganisationSerializer,
    ServerSerializer,
    SiteSerializer,
    ThirdPartySerializer,
)
from jagaweb.inventory.visibility import organisations_for, servers_for, sites_for, third_parties_for


class Conflict(APIException):
    status_code = 409
    default_detail = _("This object is still in use.")
    default_code = "conflict"


class RecordedViewSet(viewsets.ModelViewSet):
    """A model viewset over the caller's scope whose writes are recorded in the activity log."""

    model: ClassVar[type[Model]]
    related: ClassVar[tuple[str, ...]] = ()
    prefetch: ClassVar[tuple[str, ...]] = ()

    def scope(self, user: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: nobody is asking
            return self.model._default_manager.none()
        ordering = [*(self.model._meta.ordering or []), "pk"]
        queryset = self.scope(self.request.user).select_related(*self.related)
        return queryset.prefetch_related(*self.prefetch).order_by(*ordering)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            record_created(serializer.save(), self.request.user)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        names = list(serializer.validated_data)
        assert serializer.instance is not None
        before = snapshot(serializer.instance, names)
        with transaction.atomic():
            obj = serializer.save()
            record_changed(obj, self.request.user, changed_names(before, snapshot(obj, names)))

    def perform_destroy(self, instance: Any) -> None:
        label = str(instance)
        try:
            delete_recorded(instance, self.request.user)
        except ProtectedError as exc:
            raise Conflict(protected_message(label, exc)) from exc


class SiteViewSet(RecordedViewSet):
    """Sites, addressed by their short name (slug). The database password is write-only."""

    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    model = Site

    def scope(self, user: Any) -> QuerySet[Any]:
        return sites_for(user)
    related = ("organisation", "server")
    prefetch = ("tags", "third_parties")


class OrganisationViewSet(RecordedViewSet):
    """Organisations (OPD) and their units."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    model = Organisation

    def scope(self, user: Any) -> QuerySet[Any]:
        return organisations_for(user)


class ServerViewSet(RecordedViewSet):
    """Servers that host sites."""

    serializer_class = ServerSerializer
    filterset_class = ServerFilter
    model = Server

    def scope(self, user: Any) -> QuerySet[Any]:
        return servers_for(user)


class ThirdPartyViewSet(RecordedViewSet):
    """Third parties (ISPs, registrars, hosting providers, vendors) with their contacts (read-only)."""

    serializer_class = ThirdPartySerializer
    filterset_class = ThirdPartyFilter
    model = ThirdParty

    def scope(self, user: Any) -> QuerySet[Any]:
        return third_parties_for(user)
    prefetch = ("contacts",)


router = SimpleRouter()
router.register("sites", SiteViewSet, basename="inventory-site")
router.register("organisations", OrganisationViewSet, basename="inventory-organisation")
router.register("servers", ServerViewSet, basename="inventory-server")
router.register("third-parties", ThirdPartyViewSet, basename="inventory-thirdparty")
urlpatterns = router.urls
