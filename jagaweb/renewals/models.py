"""Services an organisation pays for to keep its sites online (hosting, domain names, connections,
certificates), each with its current period, and the history of their renewals with the invoices."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation, Site, ThirdParty
from jagaweb.renewals.choices import BillingCycle, DateSource, ServiceKind


class Service(models.Model):
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="services")
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="services", help_text=_("Empty for a service of the whole organisation."))
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    provider = models.ForeignKey(ThirdParty, verbose_name=_("provider"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(
        _("identifier"), max_length=253, blank=True,
        help_text=_("The domain name, hosting package, circuit ID or customer number the provider knows it by."),
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), help_text=_("The day the service ends unless it is renewed."))
    end_source = models.CharField(_("end date from"), max_length=20, choices=DateSource.choices,
                                  default=DateSource.MANUAL)
    cost = models.DecimalField(_("cost (IDR)"), max_digits=16, decimal_places=2, null=True, blank=True,
                               help_text=_("Per period, in rupiah."))
    billing_cycle = models.CharField(_("billing cycle"), max_length=20, choices=BillingCycle.choices,
                                     default=BillingCycle.YEARLY)
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    is_active = models.BooleanField(_("in use"), default=True,
                                    help_text=_("A service no longer in use keeps its history but gets no reminders."))
    notes = models.TextField(_("notes"), blank=True)
    # What monitoring last said about the end (the registry's expiry, the served certificate's), kept even
    # when it was not applied, so a page can show where the two disagree.
    monitored_end = models.DateField(_("end according to monitoring"), null=True, blank=True)
    monitored_source = models.CharField(max_length=20, choices=DateSource.choices, blank=True)
    monitored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["period_end", "name", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["is_active", "period_end"]),
                   models.Index(fields=["organisation", "period_end"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})" if self.identifier else self.name

    def get_absolute_url(self) -> str:
        return reverse("renewals:service_detail", args=[self.pk])

    def days_left(self, today: date | None = None) -> int:
        """Days from today to the period's end: 0 on the last day, negative once it has ended."""
        return (self.period_end - (today or timezone.localdate())).days


def invoice_path(renewal: Renewal, filename: str) -> str:
    """renewals/<service>/<random>.<ext>: the name a person uploaded is kept in the row, never in the path."""
    return f"renewals/{renewal.service_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Renewal(models.Model):
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE,
                                related_name="renewals")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    previous_end = models.DateField(_("previous end"), null=True, blank=True)
    cost = models.DecimalField(_("cost (IDR)"), max_digits=16, decimal_places=2, null=True, blank=True)
    invoice = models.FileField(_("invoice"), upload_to=invoice_path, max_length=300)
    invoice_name = models.CharField(_("invoice file name"), max_length=255, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=100, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        constraints = [models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")),
                                              name="renewals_renewal_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.service} {self.period_start:%Y-%m-%d} - {self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return f"{self.service.get_absolute_url()}#renewal-{self.pk}"


class Reminder(models.Model):
    """A reminder sent for one threshold of one period: the unique row is what makes each one go out once."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="reminders")
    period_end = models.DateField()
    threshold = models.SmallIntegerField(help_text="Days before the end; 0: the period has ended.")
    days_left = models.SmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["service", "period_end", "threshold"],
                                               name="renewals_one_reminder_per_threshold")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.period_end:%Y-%m-%d} {self.threshold}"
