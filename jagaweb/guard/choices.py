from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    """What a page, file or identity comparison looks like to the guard."""

    CLEAN = "clean", _("Clean")
    JUDOL = "judol", _("Online gambling spam")
    DEFACED = "defaced", _("Defaced")
    SUSPICIOUS = "suspicious", _("Suspicious")


class Severity(models.TextChoices):
    """How urgently a finding needs a person; ordered from least to most urgent."""

    INFO = "info", _("Information")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Identity(models.TextChoices):
    """Who the page guard pretends to be when it fetches a page (cloaking shows each a different page)."""

    NORMAL = "normal", _("Desktop browser")
    GOOGLEBOT = "googlebot", _("Googlebot")
    MOBILE = "mobile", _("Mobile browser")
    SEARCH = "search", _("Visitor from Google search")


class TermTier(models.TextChoices):
    """How much a vocabulary term says on its own (see guard/vocabulary/terms.txt)."""

    PROMO = "promo", _("Gambling promotion")  # selling words: (near) never on a clean page
    TOPIC = "topic", _("Gambling topic")  # names of the thing: also in news and awareness campaigns
    WEAK = "weak", _("Weak gambling word")  # ordinary meanings too ("slot waktu", "Toto" as a name)
    DEFACE = "deface", _("Defacement marker")
    DEFACE_WEAK = "deface-weak", _("Weak defacement marker")
    NEWS = "news", _("Reporting or enforcement context")  # police, arrests, blocking, awareness
    HOST = "host", _("Gambling host-name stem")
    HOST_NOT = "host-not", _("Host-name exception")  # ordinary words that contain a stem ("judicial")


class Source(models.TextChoices):
    """Which view of the site a finding comes from."""

    PAGE = "page", _("Page")
    CLOAKING = "cloaking", _("Cloaking")
    SITEMAP = "sitemap", _("Sitemap")
    VISUAL = "visual", _("Appearance")
    FILE = "file", _("File")
    DATABASE = "database", _("Database")


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved as a legitimate change")
    REPAIRED = "repaired", _("Repaired")
    GONE = "gone", _("No longer seen")


class RunKind(models.TextChoices):
    CHECK = "check", _("Check")
    RESTORE = "restore", _("Restore to the original state")


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
