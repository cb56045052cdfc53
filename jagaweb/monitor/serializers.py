"""API representations of checks, results, incidents and maintenance windows.

A check's options are validated by its kind, like on the page; related choices offer only what the
caller may see (people.scope), so another organisation's site or check "does not exist"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from jagaweb.inventory.models import Organisation, Site
from jagaweb.inventory.serializers import ScopedSlugRelatedField
from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.choices import CheckKind
from jagaweb.monitor.forms import WindowForm, check_interval, check_timeout
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, Result
from jagaweb.monitor.views import member_organisations
from jagaweb.people.scope import visible_sites

ENGINE_STATE = ["status", "message", "response_ms", "last_checked_at", "next_due_at", "facts", "last_ping_at"]


def messages_of(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for error in errors for m in error.messages] for name, errors in exc.error_dict.items()}
    return [str(m) for m in exc.messages]


class CheckSerializer(serializers.ModelSerializer):
    site = ScopedSlugRelatedField(slug_field="slug", queryset=Site.objects.all(), scope=visible_sites,
                                  help_text=gettext_lazy("The site's short name."))
    config = serializers.DictField(required=False, help_text=gettext_lazy(
        "The kind's options; left out, the kind's defaults. Validated by the kind."))
    heartbeat_url = serializers.SerializerMethodField(help_text=gettext_lazy(
        "For heartbeat checks: the address the job calls (append /fail to report a failure)."))

    class Meta:
        model = Check
        fields = ["id", "site", "kind", "name", "target", "config", "interval", "timeout", "allow_private",
                  "is_active", *ENGINE_STATE, "baseline", "heartbeat_url", "created_at"]
        read_only_fields = [*ENGINE_STATE, "baseline", "created_at"]

    def get_heartbeat_url(self, check: Check) -> str | None:
        if check.kind != CheckKind.HEARTBEAT:
            return None
        return settings.BASE_URL + reverse("monitor:heartbeat", args=[check.token])

    def validate_interval(self, value: int) -> int:
        try:
            return check_interval(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_timeout(self, value: float) -> float:
        try:
            return check_timeout(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Check | None = self.instance
        if instance is not None:
            if "kind" in attrs and attrs["kind"] != instance.kind:
                raise serializers.ValidationError({"kind": _("The kind of a check cannot change; add another "
                                                             "check instead.")})
            if "site" in attrs and attrs["site"] != instance.site:
                raise serializers.ValidationError({"site": _("A check stays with its site.")})
        kind = attrs.get("kind") or (instance.kind if instance else None)
        if kind is None:
            raise serializers.ValidationError({"kind": _("This field is required.")})
        allow_private = attrs.get("allow_private", instance.allow_private if instance else False)
        was = instance.allow_private if instance else False
        if allow_private != was and not self.context["request"].user.is_superuser:
            raise serializers.ValidationError({"allow_private": _("Only a superuser can allow private addresses.")})
        if "config" in attrs or instance is None:
            try:
                attrs["config"] = kind_of(kind).clean_config(dict(attrs.get("config") or {}))
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"config": messages_of(exc)}) from exc
        if instance is None and "interval" not in attrs:
            attrs["interval"] = kind_of(kind).default_interval
        return attrs


class ResultSerializer(serializers.ModelSerializer):
    check = serializers.PrimaryKeyRelatedField(source="check_ref", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Result
        fields = ["id", "check", "at", "status", "response_ms", "message"]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    check = serializers.PrimaryKeyRelatedField(source="check_ref", read_only=True)  # type: ignore[var-annotated]
    kind = serializers.CharField(source="check_ref.kind", read_only=True)
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Incident
        fields = ["id", "site", "check", "kind", "state", "opened_at", "resolved_at", "cause", "last_message",
                  "silenced", "acknowledged_by", "acknowledged_at"]
        read_only_fields = fields


class MaintenanceWindowSerializer(serializers.ModelSerializer):
    site = ScopedSlugRelatedField(slug_field="slug", queryset=Site.objects.all(), scope=visible_sites,
                                  allow_null=True, required=False, help_text=gettext_lazy("One site's short name."))
    organisation = ScopedSlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), scope=member_organisations, allow_null=True,
        required=False, help_text=gettext_lazy("Or an organisation's code: every site of it."))
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = MaintenanceWindow
        fields = ["id", "site", "organisation", "starts_at", "ends_at", "reason", "created_by"]
        read_only_fields = ["created_by"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The page's form checks what a window may be, so that both refuse and store the same things."""
        instance: MaintenanceWindow | None = self.instance
        current = instance or MaintenanceWindow()
        data = {name: attrs.get(name, getattr(current, name)) for name in ("site", "organisation", "starts_at",
                                                                           "ends_at", "reason")}
        if "site" in attrs and "organisation" not in attrs and attrs["site"] is not None:
            data["organisation"] = None  # moving an organisation's window to one site
        data["site"] = data["site"].pk if data["site"] else None
        data["organisation"] = data["organisation"].pk if data["organisation"] else None
        form = WindowForm(data=data, instance=instance, user=self.context["request"].user)
        if not form.is_valid():
            raise serializers.ValidationError({("non_field_errors" if name == "__all__" else name):
                                               [str(message) for message in messages]
                                               for name, messages in form.errors.items()})
        attrs["form"] = form
        return attrs


class RunResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField()
    response_ms = serializers.FloatField(allow_null=True)
    check = CheckSerializer()

