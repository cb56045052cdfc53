"""API representations of the inventory. Related choices offer only what the caller may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jagaweb.inventory.changes import set_tags
from jagaweb.inventory.models import Contact, Organisation, Server, Site, ThirdParty
from jagaweb.inventory.rules import check_parent, check_site_slug
from jagaweb.inventory.visibility import organisations_for, servers_for, third_parties_for


class ScopedRelatedMixin:
    """A related field whose valid choices are what the requesting user sees (others: "does not exist")."""

    context: dict[str, Any]

    def __init__(self, *, scope: Callable[[Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        # Without a request (e.g. schema generation) nobody is asking, so nothing is visible.
        user = getattr(self.context.get("request"), "user", None) or AnonymousUser()
        return self.scope(user)


class ScopedSlugRelatedField(ScopedRelatedMixin, serializers.SlugRelatedField):
    pass


class ScopedPrimaryKeyRelatedField(ScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    pass


class TagNamesField(serializers.ListField):
    child = serializers.SlugField(max_length=50)

    def to_representation(self, data: Any) -> list[str]:
        items = data.all() if hasattr(data, "all") else data
        return sorted(str(getattr(item, "name", item)) for item in items)


class SiteSerializer(serializers.ModelSerializer):
    organisation = ScopedSlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), scope=organisations_for,
        help_text=_("The organisation's code."),
    )
    server = ScopedSlugRelatedField(
        slug_field="hostname", queryset=Server.objects.all(), scope=servers_for, allow_null=True,
        required=False, help_text=_("The server's hostname."),
    )
    third_parties = ScopedPrimaryKeyRelatedField(
        many=True, queryset=ThirdParty.objects.all(), scope=third_parties_for, required=False
    )
    access_logs = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    tags = TagNamesField(required=False)
    db_password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_("Write only. Empty or absent keeps the stored password."),
    )
    has_db_password = serializers.SerializerMethodField()

    class Meta:
        model = Site
        fields = [
            "slug", "name", "url", "organisation", "server", "third_parties", "cms", "web_root", "db_engine",
            "db_host", "db_port", "db_name", "db_user", "db_password", "has_db_password", "access_logs",
            "tags", "is_active", "notes", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_has_db_password(self, site: Site) -> bool:
        return bool(site.db_password)

    def validate_slug(self, value: str) -> str:
        check_site_slug(value)
        return value

    def create(self, validated_data: dict[str, Any]) -> Site:
        tags = validated_data.pop("tags", [])
        if not validated_data.get("db_password"):
            validated_data.pop("db_password", None)
        site: Site = super().create(validated_data)
        set_tags(site, tags)
        return site

    def update(self, instance: Site, validated_data: dict[str, Any]) -> Site:
        tags = validated_data.pop("tags", None)
        if not validated_data.get("db_password"):
            validated_data.pop("db_password", None)
        site: Site = super().update(instance, validated_data)
        if tags is not None:
            set_tags(site, tags)
        return site


class OrganisationSerializer(serializers.ModelSerializer):
    # Named like Field.parent, which DRF's declared-field collection takes out of the class again.
    parent = ScopedPrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Organisation.objects.all(), scope=organisations_for, allow_null=True, required=False
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "parent", "address", "email", "phone"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "parent" in attrs or self.instance is None:
            user = self.context["request"].user
            try:
                check_parent(user, self.instance, attrs.get("parent"))
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"parent": exc.messages}) from exc
        return attrs


class ServerSerializer(serializers.ModelSerializer):
    hosting = ScopedPrimaryKeyRelatedField(
        queryset=ThirdParty.objects.all(), scope=third_parties_for, allow_null=True, required=False
    )

    class Meta:
        model = Server
        fields = [
            "id", "hostname", "public_ip", "location", "operating_system", "web_server", "hosting", "notes",
        ]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "position", "email", "phone"]


class ThirdPartySerializer(serializers.ModelSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = ThirdParty
        fields = ["id", "name", "kind", "website", "notes", "contacts"]

