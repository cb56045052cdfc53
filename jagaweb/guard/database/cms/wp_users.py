"""WordPress accounts: who is an administrator, by role, by capability or by user level.

A user's role lives in <blog prefix>capabilities in the users' meta table (a serialized array, one per site
of a multisite network), so each batch of users is joined with its meta rows in one query. Attackers who
cannot add the administrator role sometimes grant single capabilities or user_level 10 instead, which
WordPress honours as well; those accounts count as administrators and say why.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.database.accounts import Account, judge_account, registered_at
from jagaweb.guard.database.cms.wp_settings import TAKEOVER_CAPS
from jagaweb.guard.database.reader import Row, ScanContext, TableJob
from jagaweb.guard.database.values import as_text, structure
from jagaweb.guard.page.result import Reason, evidence

ADMIN_LEVEL = 10
GRANTED = 50  # points: administrator powers without the administrator role


def users_job(ctx: ScanContext, prefix: str, blog_prefixes: list[str]) -> TableJob | None:
    users, meta = f"{prefix}users", f"{prefix}usermeta"
    if not ctx.has(users):
        ctx.note(f"{users}: no such table (WordPress users not checked)")
        return None
    if not ctx.has(meta):
        ctx.note(f"{meta}: no such table (WordPress roles not known)")
    meta_keys = [f"{blog}{name}" for blog in blog_prefixes for name in ("capabilities", "user_level")]
    super_admins = _super_admins(ctx, prefix)

    def handle(rows: list[Row]) -> None:
        found = _meta(ctx, meta, [row["ID"] for row in rows], meta_keys) if ctx.has(meta) else {}
        for row in rows:
            judge_account(ctx, _account(users, row, found.get(row["ID"], {}), super_admins))

    columns = ("user_login", "user_email", "user_url", "user_registered", "display_name")
    return TableJob(users, ("ID",), columns, handle)


def _super_admins(ctx: ScanContext, prefix: str) -> set[str]:
    table = f"{prefix}sitemeta"
    if not ctx.has(table):
        return set()
    logins: set[str] = set()
    for (value,) in ctx.select(table, ("meta_value",), f"{ctx.q('meta_key')} = %s", ("site_admins",)):
        found = structure(value)
        items = found.values() if isinstance(found, dict) else []
        logins.update(str(item) for item in items if isinstance(item, str))
    return logins


def _meta(ctx: ScanContext, table: str, ids: list[Any], keys: list[str]) -> dict[Any, dict[str, str]]:
    if not ids:
        return {}
    where = f"{ctx.is_in('user_id', len(ids))} AND {ctx.is_in('meta_key', len(keys))}"
    found: dict[Any, dict[str, str]] = {}
    for user_id, key, value in ctx.select(table, ("user_id", "meta_key", "meta_value"), where, [*ids, *keys]):
        found.setdefault(user_id, {})[str(key)] = as_text(value)
    return found


def _account(table: str, row: Row, meta: dict[str, str], super_admins: set[str]) -> Account:
    login = as_text(row["user_login"])
    roles: set[str] = set()
    granted: set[str] = set()
    level = 0
    for key, value in meta.items():
        if key.endswith("capabilities"):
            found = structure(value)
            if isinstance(found, dict):
                names = {str(name) for name, on in found.items() if on}
                granted |= names & TAKEOVER_CAPS
                roles |= names - TAKEOVER_CAPS
        elif key.endswith("user_level") and value.strip().isdigit():
            level = max(level, int(value.strip()))
    admin = "administrator" in roles or login in super_admins
    reasons = []
    if not admin and granted:
        reasons.append(Reason("db.user_capabilities", _("An account holds administrator powers without the role"),
                              Verdict.SUSPICIOUS, GRANTED, evidence(granted)))
    elif not admin and level >= ADMIN_LEVEL:
        reasons.append(Reason("db.user_level", _("An account has user level 10 (administrator) without the role"),
                              Verdict.SUSPICIOUS, GRANTED, (f"user_level={level}",)))
    if login in super_admins:
        roles.add("super-admin")
    return Account(
        table=table, key={"ID": row["ID"]}, login=login, email=as_text(row["user_email"]),
        name=as_text(row["display_name"]), url=as_text(row["user_url"]),
        registered=registered_at(row["user_registered"]), roles=sorted(roles), admin=admin or bool(reasons),
        reasons=reasons,
    )
