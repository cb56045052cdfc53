"""Access log lines in the Apache/Nginx "combined" format, the one every log reader understands:

    %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
    127.0.0.1 - - [21/Nov/2026:14:31:02 +0700] "GET / HTTP/1.1" 200 5123 "-" "Mozilla/5.0 ..."
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Month names in log timestamps are English whatever the machine's locale, as in Apache and Nginx.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DEFAULT_ZONE = "Asia/Jakarta"


def log_zone() -> tzinfo:
    """The zone log times are written in: JagaWeb's configured zone, else the machine's own."""
    try:
        return ZoneInfo(os.environ.get("JAGAWEB_TIME_ZONE") or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now().astimezone().tzinfo or UTC


def escape(value: str) -> str:
    """Escape a field the way Apache does: quotes and backslashes, and \\xhh for other bytes.

    http.server decodes request lines and headers as Latin-1, so a character below 256 stands for
    the byte the client sent.
    """
    out: list[str] = []
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def format_time(moment: datetime) -> str:
    return f"{moment.day:02d}/{MONTHS[moment.month - 1]}/{moment.year:04d}:{moment:%H:%M:%S %z}"


@dataclass(frozen=True)
class Hit:
    client: str
    request_line: str
    status: int
    body_bytes: int
    referer: str | None
    user_agent: str | None
    moment: datetime

    def combined(self) -> str:
        size = str(self.body_bytes) if self.body_bytes else "-"
        return (
            f'{self.client} - - [{format_time(self.moment)}] "{escape(self.request_line)}" '
            f'{self.status} {size} "{escape(self.referer or "-")}" "{escape(self.user_agent or "-")}"'
        )
