"""Joomla: articles (#__content), modules (custom HTML and every module's settings), front-end menu links,
and accounts in the Super Users and Administrator groups.

The prefix (#__ in Joomla's own SQL, random like "jx7f2_" since Joomla 1.6) is every p for which p+content
and p+modules both exist.
"""

from __future__ import annotations

from collections.abc import Callable

from jagaweb.guard.database.accounts import Account, judge_account, registered_at
from jagaweb.guard.database.cms.base import CmsScanner, prefixes_by_suffix
from jagaweb.guard.database.content import Content
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.database.reader import Row, TableJob
from jagaweb.guard.database.values import as_text, readable
from jagaweb.inventory.choices import CMS

PUBLISHED, ARCHIVED = 1, 2
ADMIN_GROUPS = ("Super Users", "Administrator")
DEFAULT_ADMIN_GROUP_IDS = (7, 8)  # the ids a fresh Joomla gives these groups


def _number(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


class JoomlaScanner(CmsScanner):
    cms = CMS.JOOMLA

    def plan(self) -> list[TableJob]:
        ctx = self.ctx
        prefixes = prefixes_by_suffix(ctx.tables, "content", "modules")
        ctx.report.prefixes.extend(prefixes)
        if not prefixes:
            ctx.note("no Joomla tables: no <prefix>content table next to a <prefix>modules table")
        jobs = []
        for prefix in prefixes:
            wanted: list[tuple[str, tuple[str, ...], Callable[[str], Callable[[list[Row]], None]], str]] = [
                ("content", ("title", "alias", "introtext", "fulltext", "state", "metadesc"), self._articles, ""),
                ("modules", ("title", "content", "module", "published", "params", "client_id"), self._modules, ""),
                ("menu", ("title", "link", "published", "client_id"), self._menu, f"{ctx.q('client_id')} = 0"),
                ("users", ("name", "username", "email", "registerDate"), self._users, ""),
            ]
            for suffix, columns, handler, where in wanted:
                table = prefix + suffix
                if not ctx.has(table):
                    ctx.note(f"{table}: no such table")
                    continue
                present = ctx.columns(table)
                chosen = tuple(column for column in columns if column in present)
                jobs.append(TableJob(table, ("id",), chosen, handler(table), where))
        return jobs

    def _articles(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                state = _number(row.get("state"))
                title = as_text(row.get("title"))
                body = f"{as_text(row.get('introtext'))}\n{as_text(row.get('fulltext'))}"
                self.ctx.judge(
                    Content(body=body, title=title, meta=as_text(row.get("metadesc")), slug=as_text(row.get("alias"))),
                    table=table, key={"id": row["id"]}, column="introtext",
                    exposure=Exposure.PUBLIC if state in (PUBLISHED, ARCHIVED) else Exposure.HIDDEN,
                    label=f"article “{title[:80]}” (state {state})",
                )
        return handle

    def _modules(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                shown = _number(row.get("published")) == PUBLISHED and _number(row.get("client_id")) == 0
                title = as_text(row.get("title"))
                body = f"{as_text(row.get('content'))}\n{readable(row.get('params'))}"
                self.ctx.judge(Content(body=body, title=title), table=table, key={"id": row["id"]}, column="content",
                               exposure=Exposure.SITE_WIDE if shown else Exposure.HIDDEN,
                               label=f"module {as_text(row.get('module'))} “{title[:80]}”")
        return handle

    def _menu(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                link = as_text(row.get("link")).strip()
                title = as_text(row.get("title"))
                outside = link.lower().startswith(("http:", "https:", "//"))
                self.ctx.judge(Content(title=title, addresses=(link,) if outside else ()), table=table,
                               key={"id": row["id"]}, column="link",
                               exposure=Exposure.SITE_WIDE if _number(row.get("published")) == 1 else Exposure.HIDDEN,
                               label=f"menu item “{title[:80]}”")
        return handle

    def _users(self, table: str) -> Callable[[list[Row]], None]:
        prefix = table[: -len("users")]
        groups = self._admin_groups(prefix)
        mapping = f"{prefix}user_usergroup_map"

        def handle(rows: list[Row]) -> None:
            member: dict[object, set[str]] = {}
            if self.ctx.has(mapping) and rows:
                ids = [row["id"] for row in rows]
                found = self.ctx.select(mapping, ("user_id", "group_id"), self.ctx.is_in("user_id", len(ids)), ids)
                for user_id, group_id in found:
                    if _number(group_id) in groups:
                        member.setdefault(user_id, set()).add(groups[_number(group_id) or 0])
            for row in rows:
                roles = sorted(member.get(row["id"], set()))
                judge_account(self.ctx, Account(
                    table=table, key={"id": row["id"]}, login=as_text(row.get("username")),
                    email=as_text(row.get("email")), name=as_text(row.get("name")),
                    registered=registered_at(row.get("registerDate")), roles=roles, admin=bool(roles),
                ))
        return handle

    def _admin_groups(self, prefix: str) -> dict[int, str]:
        table = f"{prefix}usergroups"
        if not self.ctx.has(table):
            self.ctx.note(f"{table}: no such table (groups {DEFAULT_ADMIN_GROUP_IDS} taken as administrators)")
            return {group: str(group) for group in DEFAULT_ADMIN_GROUP_IDS}
        rows = self.ctx.select(table, ("id", "title"), self.ctx.is_in("title", len(ADMIN_GROUPS)), ADMIN_GROUPS)
        found = {int(group): as_text(title) for group, title in rows}
        return found or {group: str(group) for group in DEFAULT_ADMIN_GROUP_IDS}
