"""Finding categories and severities as plain string enums, so detection imports no Django (a command that
only scans logs starts faster). Their values are those of jagaweb.logwatch.choices.Category and
jagaweb.guard.choices.Severity, the TextChoices with translated labels that models and forms use; a test
keeps both in step."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    SQLI = "sqli"
    XSS = "xss"
    LFI = "lfi"
    RFI = "rfi"
    RCE = "rce"
    PHP = "php"
    SCANNER = "scanner"
    SENSITIVE_FILE = "sensitive-file"
    WEBSHELL = "webshell"
    EXPLOIT = "exploit"
    PROBING = "probing"
    BRUTE_FORCE = "brute-force"
    CRAWL = "crawl"
    FLOOD = "flood"
    FAKE_BOT = "fake-bot"


class Severity(StrEnum):
    """From least to most urgent (the order findings are ranked by)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
