"""Roles are permission sets with labels each institution words its own way; memberships scope them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jagaweb.people.choices import RoleKind


class Role(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=RoleKind.choices)
    label = models.CharField(
        _("label"), max_length=100, unique=True,
        help_text=_("How your institution names this role, e.g. 'Admin Website' or 'Kepala Sub Bagian'."),
    )
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    # Permissions the built-in defaults have already granted, so that a newer version grants only its
    # new permissions and never puts back one an administrator took away.
    offered_permissions = models.JSONField(default=list, blank=True, editable=False)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=0, help_text=_("Escalation goes from a lower rank to the next higher one.")
    )

    class Meta:
        ordering = ["rank", "label"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("people:role_update", args=[self.pk])


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "inventory.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="memberships",
        help_text=_("Limits the role to this organisation and its units. Empty: all sites."),
    )
    third_party = models.ForeignKey(
        "inventory.ThirdParty", verbose_name=_("third party"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="memberships",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "third_party"], name="people_membership_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        scope = self.organisation or self.third_party or _("all sites")
        return f"{self.user} — {self.role} ({scope})"

    def clean(self) -> None:
        if self.role_id is None:
            return
        kind = self.role.kind
        if kind == RoleKind.ORG_MEMBER and self.organisation_id is None:
            raise ValidationError({"organisation": _("An organisation member needs an organisation.")})
        if kind == RoleKind.THIRD_PARTY and self.third_party_id is None:
            raise ValidationError({"third_party": _("A third-party role needs a third party.")})
        if kind != RoleKind.THIRD_PARTY and self.third_party_id is not None:
            raise ValidationError({"third_party": _("Only third-party roles are tied to a third party.")})


class Profile(models.Model):
    """What a person sets for themselves; kept apart from Django's user model, which stays stock."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jagaweb_profile"
    )
    language = models.CharField(
        _("language"), max_length=10, blank=True,
        help_text=_("Language of the pages after you log in. Empty: the browser's or the system's default."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)
