"""Cases (a problem followed from its report to its closure), public complaints, and website requests.

Each is linked to the SOP run that carries it out; the run's steps fill in the case's analysis, solution,
repair, verification and closure (`sop.cases`) and the request's agenda, disposition, ... (`sop.requests`).
Imported by `sop.models`, so models refer to each other by name here.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation, Server, Site
from jagaweb.sop.choices import CaseOrigin, CaseState, RequestKind, RequestState

# Reference numbers a complainant quotes on the telephone: no 0/O or 1/I/L to misread.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _position in range(REFERENCE_LENGTH))


class Case(models.Model):
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="sop_cases")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="sop_cases")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=CaseOrigin.choices, default=CaseOrigin.STAFF)
    state = models.CharField(_("state"), max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    analysis = models.TextField(_("analysis"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    repair = models.TextField(_("repair"), blank=True)
    verification = models.TextField(_("verification"), blank=True)
    closure = models.TextField(_("closure"), blank=True)
    run = models.ForeignKey("sop.Run", verbose_name=_("SOP run"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="cases")
    # The record that opened it automatically (a monitoring incident, a guard run, a visitor-log incident).
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.CharField(max_length=64, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    opened_by_label = models.CharField(max_length=150, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["state", "site"]), models.Index(fields=["source_type", "source_id"])]
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id"], name="sop_one_case_per_source",
                                               condition=~models.Q(source_id=""))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sop:case_detail", args=[self.pk])


class Complaint(models.Model):
    """What a member of the public wrote on a site's complaint form; its case carries it through the SOP."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="complaint")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="sop_complaints")
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference)
    name = models.CharField(_("name"), max_length=200, blank=True)
    contact = models.CharField(_("e-mail or telephone"), max_length=200, blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    text = models.TextField(_("complaint"))
    # A keyed hash of the sender's address: enough to limit how often one address sends, without keeping it.
    sender_digest = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(_("received"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.reference} · {self.site}"

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()


def request_file_path(request: WebsiteRequest, filename: str) -> str:
    return f"sop/requests/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class WebsiteRequest(models.Model):
    """An organisation's request to create or update its website (SOP 004), from its letter to completion."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("requesting organisation"),
                                     on_delete=models.CASCADE, related_name="website_requests")
    kind = models.CharField(_("request"), max_length=10, choices=RequestKind.choices, default=RequestKind.CREATE)
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="website_requests",
                             help_text=_("The website to update; a new website's site is made on completion."))
    site_name = models.CharField(_("website name"), max_length=200)
    purpose = models.TextField(_("what is asked"))
    letter = models.FileField(_("request letter"), upload_to=request_file_path, max_length=300)
    letter_name = models.CharField(max_length=255, blank=True)
    letter_number = models.CharField(_("letter number"), max_length=100, blank=True)
    letter_date = models.DateField(_("letter date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices,
                             default=RequestState.SUBMITTED)
    agenda_number = models.CharField(_("agenda number"), max_length=100, blank=True)
    disposition = models.TextField(_("disposition"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    kak = models.FileField(_("terms of reference (KAK)"), upload_to=request_file_path, max_length=300, blank=True)
    kak_name = models.CharField(max_length=255, blank=True)
    build_notes = models.TextField(_("build"), blank=True, help_text=_("Template, CMS, where the source code is."))
    server = models.ForeignKey(Server, verbose_name=_("server"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="website_requests")
    server_hostname = models.CharField(_("new server's host name"), max_length=253, blank=True)
    public_ip = models.GenericIPAddressField(_("public IP"), null=True, blank=True)
    subdomain = models.CharField(_("subdomain"), max_length=253, blank=True,
                                 help_text=_("The full name, e.g. dinsos.contoh.go.id"))
    network_config = models.TextField(_("network configuration"), blank=True)
    report = models.TextField(_("report"), blank=True)
    run = models.ForeignKey("sop.Run", verbose_name=_("SOP run"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="website_requests")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("website request")
        verbose_name_plural = _("website requests")

    def __str__(self) -> str:
        return f"{self.site_name} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return reverse("sop:request_detail", args=[self.pk])
