"""Fixed moments in Jakarta time and the people of the complaint SOP (003), for the SOP tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jagaweb.people.choices import RoleKind

JAKARTA = ZoneInfo("Asia/Jakarta")
COMPLAINT_SOP = "pemeliharaan_portal_keluhan"
REQUEST_SOP = "permohonan_website_opd"
MAINTENANCE_SOP = "pemeliharaan_website"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


def complaint_people(make_user: Callable[..., Any], organisation: Any = None) -> dict[str, Any]:
    """One user per role the complaint SOP's performers map to (Direktur: executive, Kasubdit and Kasi
    Portal: supervisor, JFU: operator), scoped to `organisation` when given."""
    scope = {"organisation": organisation} if organisation is not None else {}
    return {
        "direktur": make_user(RoleKind.EXECUTIVE, username="direktur", **scope),
        "kasi": make_user(RoleKind.SUPERVISOR, username="kasi", **scope),
        "jfu": make_user(RoleKind.OPERATOR, username="jfu", **scope),
    }
