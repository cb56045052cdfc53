"""Read-only API over the activity log, with the same filters and scoping as its pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from jagaweb.activity.filters import EventFilter
from jagaweb.activity.models import Event
from jagaweb.activity.targets import attach_target_urls


def read_only_slug(slug_field: str) -> serializers.SlugRelatedField[Any]:
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True)


class EventSerializer(serializers.ModelSerializer[Event]):
    actor = read_only_slug("username")
    actor_name = serializers.CharField(read_only=True)
    site = read_only_slug("slug")
    organisation = read_only_slug("code")
    message = serializers.CharField(read_only=True)
    target_type = serializers.SerializerMethodField()
    target_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = (
            "id", "at", "actor", "actor_name", "job", "verb", "severity", "site", "organisation",
            "message", "target_type", "target_id", "target_label", "target_url", "data",
        )
        read_only_fields = fields

    def get_target_type(self, event: Event) -> str | None:
        content_type = event.target_type
        return f"{content_type.app_label}.{content_type.model}" if content_type is not None else None

    def get_target_url(self, event: Event) -> str | None:
        url = event.target_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url and request is not None else url


class EventPagination(CursorPagination):
    """Cursor paging: constant time on any page of a log with millions of rows."""

    ordering = ("-at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class EventViewSet(viewsets.ReadOnlyModelViewSet[Event]):
    """The activity log, newest first, limited to what the caller may see."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    pagination_class = EventPagination

    def get_queryset(self) -> QuerySet[Event]:
        return Event.objects.visible_to(self.request.user).select_related(
            "actor", "site", "organisation", "target_type"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        events = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(events)
        rows = page if page is not None else list(events)
        attach_target_urls(rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


router = SimpleRouter()
router.register("events", EventViewSet, basename="event")
urlpatterns = router.urls
