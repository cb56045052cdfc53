"""GET /api/me/: who the caller is, which roles they hold and what they may see."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from jagaweb.people.accounts import preferred_language
from jagaweb.people.models import Membership
from jagaweb.people.scope import sees_everything, visible_organisations, visible_sites


def read_only_slug(slug_field: str) -> serializers.SlugRelatedField[Any]:
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    role = serializers.CharField(source="role.label", read_only=True)
    kind = serializers.CharField(source="role.kind", read_only=True)
    organisation = read_only_slug("code")
    third_party: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Membership
        fields = ("role", "kind", "organisation", "third_party")


class ScopeSerializer(serializers.Serializer[Any]):
    sees_everything = serializers.BooleanField(read_only=True)
    organisations = serializers.ListField(
        child=serializers.CharField(), allow_null=True, read_only=True,
        help_text="Codes of the organisations the user sees; null when the user sees everything.",
    )
    sites = serializers.ListField(
        child=serializers.CharField(), allow_null=True, read_only=True,
        help_text="Short names (slugs) of the sites the user sees; null when the user sees everything.",
    )


def scope_of(user: Any) -> dict[str, Any]:
    if sees_everything(user):
        return {"sees_everything": True, "organisations": None, "sites": None}
    return {
        "sees_everything": False,
        "organisations": list(visible_organisations(user).order_by("code").values_list("code", flat=True)),
        "sites": list(visible_sites(user).order_by("slug").values_list("slug", flat=True)),
    }


@extend_schema_serializer(many=False)
class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    email = serializers.EmailField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)
    language = serializers.SerializerMethodField()
    roles = MembershipSerializer(source="memberships", many=True, read_only=True)
    permissions = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()

    def get_language(self, user: Any) -> str:
        return preferred_language(user)

    def get_permissions(self, user: Any) -> list[str]:
        return sorted(user.get_all_permissions())

    @extend_schema_field(ScopeSerializer)
    def get_scope(self, user: Any) -> dict[str, Any]:
        return scope_of(user)


class MeViewSet(viewsets.ViewSet):
    """The authenticated caller: the same for a session or an API token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, operation_id="me_retrieve")
    def list(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


router = SimpleRouter()
router.register("me", MeViewSet, basename="me")
urlpatterns = router.urls
