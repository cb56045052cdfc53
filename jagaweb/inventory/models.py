"""What JagaWeb looks after: organisations (OPD), their sites, the servers and the third parties."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jagaweb.crypto import EncryptedTextField
from jagaweb.inventory.choices import CMS, DatabaseEngine, ThirdPartyKind, WebServer


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:organisation_detail", args=[self.pk])


class ThirdParty(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ThirdPartyKind.choices)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("third party")
        verbose_name_plural = _("third parties")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:thirdparty_detail", args=[self.pk])


class Contact(models.Model):
    third_party = models.ForeignKey(ThirdParty, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.third_party})"


class Server(models.Model):
    hostname = models.CharField(_("hostname"), max_length=253, unique=True)
    public_ip = models.GenericIPAddressField(_("public IP"), null=True, blank=True)
    location = models.CharField(_("data centre location"), max_length=200, blank=True)
    operating_system = models.CharField(_("operating system"), max_length=100, blank=True)
    web_server = models.CharField(_("web server"), max_length=20, choices=WebServer.choices, blank=True)
    hosting = models.ForeignKey(
        ThirdParty, verbose_name=_("hosting provider"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="servers",
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["hostname"]
        verbose_name = _("server")
        verbose_name_plural = _("servers")

    def __str__(self) -> str:
        return self.hostname

    def get_absolute_url(self) -> str:
        return reverse("inventory:server_detail", args=[self.pk])


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


def validate_site_url(value: str) -> None:
    URLValidator(schemes=["http", "https"])(value)


class Site(models.Model):
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    url = models.CharField(_("URL"), max_length=500, validators=[validate_site_url])
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="sites"
    )
    server = models.ForeignKey(
        Server, verbose_name=_("server"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="sites",
    )
    third_parties = models.ManyToManyField(
        ThirdParty, verbose_name=_("third parties"), blank=True, related_name="sites"
    )
    cms = models.CharField(_("CMS"), max_length=20, choices=CMS.choices, default=CMS.OTHER)
    web_root = models.CharField(_("web root path"), max_length=500, blank=True)
    db_engine = models.CharField(
        _("database engine"), max_length=20, choices=DatabaseEngine.choices, blank=True,
        default=DatabaseEngine.NONE,
    )
    db_host = models.CharField(_("database host"), max_length=253, blank=True)
    db_port = models.PositiveIntegerField(_("database port"), null=True, blank=True)
    db_name = models.CharField(_("database name"), max_length=200, blank=True)
    db_user = models.CharField(_("database user"), max_length=200, blank=True)
    db_password = EncryptedTextField(_("database password"), blank=True)
    access_logs = models.JSONField(_("access log paths"), default=list, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="sites")
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        indexes = [models.Index(fields=["organisation", "name"]), models.Index(fields=["is_active", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:site_detail", args=[self.slug])

    @property
    def hostname(self) -> str:
        return urlsplit(self.url).hostname or ""
