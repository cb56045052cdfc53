"""The one append-only activity log: every capability writes what it does here, with its actor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.verbs import describe


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a written activity event."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("activity events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("activity events are append-only")


class Event(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    job = models.CharField(_("system job"), max_length=100, blank=True)
    verb = models.CharField(_("what"), max_length=100, db_index=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    site = models.ForeignKey(
        "inventory.Site", verbose_name=_("site"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events",
    )
    organisation = models.ForeignKey(
        "inventory.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events",
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["site", "-at"]), models.Index(fields=["organisation", "-at"])]
        default_permissions = ("view",)
        permissions = [("export_event", _("Can export the activity log"))]
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.message}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("activity events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("activity events are append-only")

    @property
    def message(self) -> str:
        return describe(self.verb, {"object": self.target_label, **self.data})

    @property
    def actor_name(self) -> str:
        if self.actor_id is not None and self.actor is not None:
            return self.actor.get_full_name() or self.actor.get_username()
        return f"sistem:{self.job}" if self.job else "sistem"

    def target_url(self) -> str | None:
        if self.target_type_id is None or not self.target_id:
            return None
        model = self.target_type.model_class()
        if model is None:
            return None
        obj = model._default_manager.filter(pk=self.target_id).first()
        get_url = getattr(obj, "get_absolute_url", None)
        return get_url() if get_url else None
