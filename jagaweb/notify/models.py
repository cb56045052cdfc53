"""Channels (where messages go), messages (what was said) and deliveries (one per message and channel)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.choices import Severity
from jagaweb.crypto import EncryptedTextField
from jagaweb.notify.choices import ChannelKind, DeliveryStatus, MessageKind
from jagaweb.people.scope import sees_everything, visible_organisations, visible_sites

if TYPE_CHECKING:
    from jagaweb.notify.transports.base import Transport


def secrets_json(values: dict[str, str]) -> str:
    """The stored form of a channel's secrets: a JSON object of the non-empty ones."""
    kept = {key: value for key, value in values.items() if value}
    return json.dumps(kept, sort_keys=True) if kept else ""


class ChannelQuerySet(models.QuerySet["Channel"]):
    def visible_to(self, user: Any) -> ChannelQuerySet:
        """Users who see every site see every channel; users limited to some organisations see only the
        channels routed to those organisations alone (a channel's recipients are personal data)."""
        if sees_everything(user):
            return self
        from jagaweb.inventory.models import Organisation

        visible = visible_organisations(user)
        return self.filter(organisations__in=visible).exclude(
            organisations__in=Organisation.objects.exclude(pk__in=visible.values("pk"))
        ).distinct()


class Channel(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    # A JSON object of the kind's secret fields (tokens, passwords, Apprise URL), encrypted at rest.
    secret = EncryptedTextField(_("secrets"), blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    allow_private = models.BooleanField(
        _("allow private addresses"), default=False,
        help_text=_("Let this channel reach loopback and internal-network addresses. "
                    "Only superusers can set this."),
    )
    min_severity = models.CharField(
        _("minimum severity"), max_length=10, choices=Severity.choices, default=Severity.INFO
    )
    roles = models.ManyToManyField(
        "people.Role", verbose_name=_("roles"), blank=True, related_name="notify_channels",
        help_text=_("Only messages meant for one of these roles. Empty: every message."),
    )
    organisations = models.ManyToManyField(
        "inventory.Organisation", verbose_name=_("organisations"), blank=True, related_name="notify_channels",
        help_text=_("Only messages about these organisations (and their units). Empty: every organisation."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("send_channel", _("Can send a test message"))]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("notify:channel_detail", args=[self.pk])

    @property
    def secrets(self) -> dict[str, str]:
        return json.loads(self.secret) if self.secret else {}

    @secrets.setter
    def secrets(self, values: dict[str, str]) -> None:
        self.secret = secrets_json(values)

    @property
    def stored_secrets(self) -> list[str]:
        """Names of the secrets that are set; the values are never shown back."""
        return sorted(self.secrets)

    def transport(self) -> Transport:
        from jagaweb.notify.transports import TRANSPORTS

        return TRANSPORTS[self.kind](self.config, self.secrets, allow_private=self.allow_private)


class MessageQuerySet(models.QuerySet["Message"]):
    def visible_to(self, user: Any) -> MessageQuerySet:
        """Messages about a site or organisation the user can see, and those about none."""
        if sees_everything(user):
            return self
        return self.filter(
            Q(site__in=visible_sites(user))
            | Q(site__isnull=True, organisation__in=visible_organisations(user))
            | Q(site__isnull=True, organisation__isnull=True)
        )


class Message(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices, default=MessageKind.ALERT)
    site = models.ForeignKey(
        "inventory.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="notify_messages",
    )
    organisation = models.ForeignKey(
        "inventory.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="notify_messages",
    )
    audience_roles = models.ManyToManyField(
        "people.Role", verbose_name=_("audience"), blank=True, related_name="notify_messages"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # One file sent with the message (a scheduled report's PDF), stored under a random name; people see
    # attachment_name, the name it came with.
    attachment = models.FileField(_("attachment"), upload_to="notify/attachments/%Y/%m/", max_length=300, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=255, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notify:message_detail", args=[self.pk])


STATUS_BADGES = {DeliveryStatus.SENT: "ok", DeliveryStatus.RETRYING: "warning", DeliveryStatus.FAILED: "bad"}


class Delivery(models.Model):
    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # The log outlives a deleted channel; its name is kept for reading.
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel_name = models.CharField(_("channel name"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [models.UniqueConstraint(fields=["message", "channel"], name="notify_delivery_once")]

    def __str__(self) -> str:
        return f"{self.message} → {self.channel_name}"

    def get_absolute_url(self) -> str:
        return reverse("notify:message_detail", args=[self.message_id])

    @property
    def badge(self) -> str:
        """The CSS badge class for the status."""
        return STATUS_BADGES.get(DeliveryStatus(self.status), "")


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("time"), default=timezone.now)
    ok = models.BooleanField(_("succeeded"))
    error = models.TextField(_("error"), blank=True)
    response = models.CharField(_("response"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery} @ {self.at:%Y-%m-%d %H:%M:%S}"
