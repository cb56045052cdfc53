from django.db import models
from django.utils.translation import gettext_lazy as _


class CMS(models.TextChoices):
    WORDPRESS = "wordpress", "WordPress"
    JOOMLA = "joomla", "Joomla"
    DRUPAL = "drupal", "Drupal"
    LARAVEL = "laravel", "Laravel"
    CODEIGNITER = "codeigniter", "CodeIgniter"
    STATIC = "static", _("Static HTML")
    OTHER = "other", _("Other")


class DatabaseEngine(models.TextChoices):
    NONE = "", _("None")
    MYSQL = "mysql", "MySQL / MariaDB"
    POSTGRESQL = "postgresql", "PostgreSQL"


class WebServer(models.TextChoices):
    APACHE = "apache", "Apache"
    NGINX = "nginx", "Nginx"
    LITESPEED = "litespeed", "LiteSpeed"
    CADDY = "caddy", "Caddy"
    IIS = "iis", "IIS"
    OTHER = "other", _("Other")


class ThirdPartyKind(models.TextChoices):
    ISP = "isp", _("Internet service provider")
    REGISTRAR = "registrar", _("Domain registrar")
    HOSTING = "hosting", _("Hosting provider")
    VENDOR = "vendor", _("Vendor")
    OTHER = "other", _("Other")


class TransferFormat(models.TextChoices):
    """File formats for importing and exporting sites."""

    CSV = "csv", "CSV"
    YAML = "yaml", "YAML"


class ImportOutcome(models.TextChoices):
    """What an import did (or, in a dry run, would do) with one row."""

    CREATED = "created", _("new")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")
