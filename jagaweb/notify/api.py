"""REST API: channels (secrets are write-only), the delivery log (read-only) and test sends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from jagaweb.activity.log import record
from jagaweb.notify import verbs
from jagaweb.notify.dispatch import send_test
from jagaweb.notify.filters import DeliveryFilter
from jagaweb.notify.models import Channel, Delivery, DeliveryAttempt, Message, secrets_json
from jagaweb.notify.transports import TRANSPORTS
from jagaweb.people.scope import sees_everything, visible_organisations


class ChannelSerializer(serializers.ModelSerializer):
    secrets = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=True), write_only=True, required=False,
        help_text=gettext_lazy("Secret settings of the kind (tokens, passwords, Apprise URL). Write-only: never "
                    "returned. Keys left out or empty keep the stored value."),
    )
    stored_secrets = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=gettext_lazy("Names of the secrets that are set.")
    )

    class Meta:
        model = Channel
        fields = [
            "id", "name", "kind", "config", "secrets", "stored_secrets", "enabled", "allow_private",
            "min_severity", "roles", "organisations", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_kind(self, value: str) -> str:
        if self.instance is not None and value != self.instance.kind:
            raise serializers.ValidationError(_("The kind of a channel cannot change; create a new channel."))
        return value

    def validate_allow_private(self, value: bool) -> bool:
        current = self.instance.allow_private if self.instance is not None else False
        user = self.context["request"].user
        if value != current and not user.is_superuser:
            raise serializers.ValidationError(_("Only a superuser can change this."))
        return value

    def validate_organisations(self, value: list[Any]) -> list[Any]:
        user = self.context["request"].user
        if sees_everything(user):
            return value
        visible = set(visible_organisations(user).values_list("pk", flat=True))
        if not value or any(organisation.pk not in visible for organisation in value):
            raise serializers.ValidationError(_("Route the channel to one or more of your own organisations."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Channel | None = self.instance
        kind = attrs.get("kind") or (instance.kind if instance is not None else "")
        transport = TRANSPORTS[kind]
        given = attrs.pop("secrets", {})
        unknown = sorted(set(given) - set(transport.secret_fields))
        if unknown:
            error = _("Unknown secrets: %(names)s") % {"names": ", ".join(unknown)}
            raise serializers.ValidationError({"secrets": error})
        stored = instance.secrets if instance is not None else {}
        config = attrs.get("config", instance.config if instance is not None else {})
        extra = sorted(set(config) - set(transport.config_fields))
        if extra:
            error = _("Unknown settings: %(names)s") % {"names": ", ".join(extra)}
            raise serializers.ValidationError({"config": error})
        try:
            config, secrets = transport.clean(config, {**stored, **{k: v for k, v in given.items() if v}})
        except DjangoValidationError as exc:
            errors = exc.message_dict
            raise serializers.ValidationError({
                "config": {k: v for k, v in errors.items() if k not in transport.secret_fields},
                "secrets": {k: v for k, v in errors.items() if k in transport.secret_fields},
            }) from exc
        attrs.update(config=config, secret=secrets_json(secrets))
        return attrs


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "ok", "error", "response"]


class MessageSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "title", "body", "severity", "kind", "site", "organisation", "created_at"]


class DeliverySerializer(serializers.ModelSerializer):
    message = MessageSummarySerializer(read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "message", "channel", "channel_name", "status", "attempts", "next_attempt_at", "last_error",
            "created_at", "sent_at", "attempt_log",
        ]
        read_only_fields = fields


class CanSendChannel(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("notify.send_channel"))


class ChannelViewSet(viewsets.ModelViewSet):
    """Channels: all of them for users who see every site, else those routed to their organisations alone."""

    serializer_class = ChannelSerializer
    queryset = Channel.objects.prefetch_related("roles", "organisations")

    def get_queryset(self) -> QuerySet[Channel]:
        return super().get_queryset().visible_to(self.request.user)  # type: ignore[attr-defined]
    filterset_fields = ["kind", "enabled"]

    def get_permissions(self) -> Sequence[Any]:
        if self.action == "test":
            return [CanSendChannel()]
        return super().get_permissions()

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        channel = serializer.save()
        record(verbs.CHANNEL_CREATED, actor=self.request.user, target=channel, kind=channel.kind)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        changed = sorted(set(serializer.initial_data) & set(ChannelSerializer.Meta.fields))
        channel = serializer.save()
        record(verbs.CHANNEL_CHANGED, actor=self.request.user, target=channel, fields=", ".join(changed))

    def perform_destroy(self, instance: Channel) -> None:
        record(verbs.CHANNEL_DELETED, actor=self.request.user, target=instance, kind=instance.kind)
        instance.delete()

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a test message through this channel now (one attempt) and return the delivery."""
        delivery = send_test(self.get_object(), request.user)
        return Response(DeliverySerializer(delivery).data)


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """The delivery log, limited to messages about sites and organisations the user can see."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    queryset = Delivery.objects.none()  # for the permission class's model lookup; see get_queryset

    def get_queryset(self) -> QuerySet[Delivery]:
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        seen = Message.objects.visible_to(self.request.user)
        return (
            Delivery.objects.filter(message__in=seen)
            .select_related("message")
            .prefetch_related("attempt_log")
        )


router = SimpleRouter()
router.register("notify/channels", ChannelViewSet, basename="notify-channel")
router.register("notify/deliveries", DeliveryViewSet, basename="notify-delivery")
urlpatterns = router.urls
