"""The one append-only activity log: every capability writes what it does here, with its actor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.verbs import describe


def message_for(verb: str, target_label: str, data: dict[str, Any]) -> str:
    """An event's sentence in the active language, from its stored parts."""
    return describe(verb, {"object": target_label, **data})


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a written activity event."""


class EventQuerySet(models.QuerySet["Event"]):
    def visible_to(self, user: Any) -> EventQuerySet:
        """The events `user` may read: the one scoping rule for the pages, the CSV export and the API.

        An event about a site follows that site's visibility; an event without a site follows its
        organisation. Judging site events by site keeps a third party, which sees a few sites of an
        organisation, out of that organisation's other sites.
        """
        from jagaweb.people.scope import sees_everything, visible_organisations, visible_sites

        if sees_everything(user):
            return self
        # The ids are fetched first (a scoped user sees few sites): literal id lists let PostgreSQL
        # estimate the rows and combine the (site, -at) and (organisation, -at) indexes, where
        # subqueries made it scan the whole log backwards in time.
        site_ids = list(visible_sites(user).values_list("pk", flat=True))
        organisation_ids = list(visible_organisations(user).values_list("pk", flat=True))
        return self.filter(
            Q(site_id__in=site_ids) | Q(site__isnull=True, organisation_id__in=organisation_ids)
        )

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

    _target_url: str | None  # set by activity.targets.attach_target_urls

    class Meta:
        ordering = ["-at", "-id"]
        # Every list is newest first, so each filter the pages offer has an index ending in -at.
        indexes = [
            models.Index(fields=["site", "-at"]),
            models.Index(fields=["organisation", "-at"]),
            models.Index(fields=["actor", "-at"], name="activity_ev_actor_at_idx"),
            models.Index(fields=["severity", "-at"], name="activity_ev_severity_at_idx"),
        ]
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
        return message_for(self.verb, self.target_label, self.data)

    @property
    def actor_name(self) -> str:
        if self.actor_id is not None and self.actor is not None:
            return self.actor.get_full_name() or self.actor.get_username()
        system = gettext("system")
        return f"{system}:{self.job}" if self.job else system

    def target_url(self) -> str | None:
        """The target's page; lists fill `_target_url` for a whole page at once (activity.targets)."""
        if not hasattr(self, "_target_url"):
            from jagaweb.activity.targets import attach_target_urls

            attach_target_urls([self])
        return self._target_url
