"""Accounts with the keys to the site: administrators, new ones above all, and spam accounts.

Creating an administrator is what an attacker does first with a stolen password or an SQL injection (or a
plugin hole that lets anyone register as one), so an administrator registered in the last `recent_days`
is reported for a person to confirm. Every administrator also goes into the report's inventory, so that
a later scan can tell a new one even when its registration date was forged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.database.content import Content
from jagaweb.guard.database.findings import plain
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.database.reader import ScanContext
from jagaweb.guard.page.result import Reason

RECENT_ADMIN = 40  # points: suspicious, and high once the site-wide reach of an administrator is added


@dataclass
class Account:
    table: str
    key: dict[str, Any]
    login: str
    email: str = ""
    name: str = ""
    url: str = ""
    registered: datetime.datetime | None = None  # UTC
    roles: list[str] = field(default_factory=list)
    admin: bool = False
    reasons: list[Reason] = field(default_factory=list)  # what the CMS scanner noticed itself


def registered_at(value: Any) -> datetime.datetime | None:
    """A registration time as UTC without zone: DATETIME columns (UTC in these CMSs) or Unix seconds."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.datetime.fromtimestamp(value, datetime.UTC).replace(tzinfo=None)
    return None  # "0000-00-00 00:00:00" arrives as text: unknown


def _recent(registered: datetime.datetime | None, days: int) -> bool:
    if registered is None:
        return False
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return registered >= now - datetime.timedelta(days=days)  # a date in the future is forged: recent too


def judge_account(ctx: ScanContext, account: Account) -> None:
    extra = list(account.reasons)
    if account.admin:
        ctx.report.inventory.setdefault("administrators", []).append({
            "table": account.table, "key": {k: plain(v) for k, v in account.key.items()}, "login": account.login,
            "email": account.email, "registered": plain(account.registered), "roles": account.roles,
        })
        if _recent(account.registered, ctx.recent_days):
            message = _("Administrator account created in the last %(days)d days") % {"days": ctx.recent_days}
            extra.append(Reason("db.admin_recent", message, Verdict.SUSPICIOUS, RECENT_ADMIN,
                                (account.login, plain(account.registered) or "")))
    content = Content(title=account.name, body=f"<p>{_escape(account.login)} {_escape(account.email)}</p>",
                      addresses=(account.url,) if account.url else ())
    role = "administrator" if account.admin else "user"
    ctx.judge(content, table=account.table, key=account.key, column="", extra=extra,
              exposure=Exposure.SITE_WIDE if account.admin else Exposure.HIDDEN,
              label=f"{role} {account.login!r} <{account.email}>",
              locator=f"{account.table} {' '.join(f'{k}={v}' for k, v in account.key.items())} ({account.login})")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
