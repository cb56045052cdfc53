"""Path traversal and local file inclusion: climbing out of the web root, or naming system files outright.

Browsers resolve "../" before they send a URL, so a request that still carries two of them was written by
hand or by a tool.
"""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import INJECTION_SOURCES, Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_ANYWHERE = INJECTION_SOURCES | {Source.PATH}
_SYSTEM_FILES = (
    r"etc/+(?:passwd|shadow|group|hosts|issue|hostname|motd|crontab|sudoers|fstab|my\.cnf|mysql/+my\.cnf|"
    r"(?:httpd|apache2?|nginx|php\d*(?:\.\d)?)/)|proc/+(?:self|\d+)/+(?:environ|cmdline|fd|maps|status|exe|cwd|"
    r"root|mounts)|(?:windows|winnt)/+(?:win\.ini|system\.ini|system32)|boot\.ini|var/+log/+|"
    r"root/+\.(?:ssh|bash_history)|\.ssh/+(?:id_rsa|id_dsa|id_ecdsa|id_ed25519|authorized_keys)|"
    r"(?:var/+www|home/+[\w.-]+|srv|usr/+local|opt)/+\S*(?:wp-config\.php|configuration\.php|config\.php|\.env)\b|"
    r"usr/+(?:local/+)?lib/+php/+pearcmd"
)


class TraversalFamily(Family):
    category = Category.LFI
    tokens: ClassVar[tuple[str, ...]] = (
        "..", "..;", "etc/", "etc\\", "proc/", "proc\\", "win.ini", "system.ini", "system32", "boot.ini", "var/log",
        "var\\log", ".ssh", "bash_history", "var/www", "home/", "srv/", "usr/", "opt/", "pearcmd", "php:", "file:",
        "zip:", "phar:", "glob:", "compress.", "%00", "\\x00",
        "%c0%80", "%u0000",
    )  # fmt: skip
    patterns = (
        Pattern("traversal", _S.HIGH, r"(?:\.\.+[/\\]+(?:\.[/\\]+)*){2,}|/\.\.;/",
                "Two or more ../ (or ..\\, ....//) in a row, or /..;/ (which Tomcat and Spring resolve): climbing"
                " out of the web root or past an access rule.", sources=_ANYWHERE),
        Pattern("traversal-to-system", _S.HIGH, r"\.\.+[/\\]+(?:etc|proc|windows|winnt|boot|var|usr|root|home|tmp|"
                r"bin|dev|sys|\.env|\.git|\.ssh|wp-config|config(?:uration)?\.php|web\.config|\.htaccess|\.htpasswd)\b",
                "A ../ straight into a system folder or a configuration file.", sources=_ANYWHERE),
        Pattern("system-file", _S.HIGH, r"(?:^|[/\\=:\s'\"(])" + _SYSTEM_FILES.replace("/+", "[/\\\\]+"),
                "A system file named in the request: /etc/passwd, /proc/self/environ, win.ini.",
                sources=_ANYWHERE),
        Pattern("file-wrapper", _S.HIGH, r"\b(?:php://(?:filter|fd|memory|temp|stdin)|file:(?:///|//localhost/|//[a-z]:|/[a-z])|zip://|phar://|"
                r"compress\.(?:zlib|bzip2)://|glob://)",
                "PHP stream wrappers that read local files (php://filter, file://, phar://)."),
        Pattern("null-byte", _S.MEDIUM, r"%00|%2500|\\x00|%u0000|%c0%80",
                "A NUL byte, to cut off the extension an include appends.", sources=frozenset({Source.RAW})),
    )  # fmt: skip
