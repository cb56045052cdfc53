from django.db import models
from django.utils.translation import gettext_lazy as _

# Findings are ranked with the guard's scale, so a webshell request in a log and a webshell file on disk
# read the same to a person.
from jagaweb.guard.choices import Severity

__all__ = ["Category", "Severity"]


class Category(models.TextChoices):
    """What kind of attack or abuse an access-log finding is (jagaweb.logwatch.detect documents each rule)."""

    SQLI = "sqli", _("SQL injection")
    XSS = "xss", _("Cross-site scripting")
    LFI = "lfi", _("Path traversal / local file inclusion")
    RFI = "rfi", _("Remote file inclusion")
    RCE = "rce", _("Command injection")
    PHP = "php", _("PHP code injection")
    SCANNER = "scanner", _("Scanner or bad bot")
    SENSITIVE_FILE = "sensitive-file", _("Sensitive file probing")
    WEBSHELL = "webshell", _("Webshell access")
    EXPLOIT = "exploit", _("Known exploit probe")
    PROBING = "probing", _("Probing")
    BRUTE_FORCE = "brute-force", _("Login brute force")
    CRAWL = "crawl", _("Aggressive crawling")
    FLOOD = "flood", _("Request-rate spike")
    FAKE_BOT = "fake-bot", _("Fake search-engine crawler")
