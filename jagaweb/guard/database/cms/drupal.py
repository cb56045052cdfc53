"""Drupal: nodes (title with body), old revisions, custom blocks, URL aliases, configuration, accounts.

Drupal 8 and later keep a node's title in node_field_data and its body in node__body; Drupal 7 in node and
field_data_body. Both layouts are recognised (by node_field_data, or field_data_body next to node), with
an optional table prefix. Each batch of nodes is joined with its bodies in one query, so a node is judged
once with its title and its text. Revision rows that are not the current revision are judged as hidden.
Configuration (the `config` table, PHP-serialized) holds the site name and slogan and every block's
settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jagaweb.guard.database.accounts import Account, judge_account, registered_at
from jagaweb.guard.database.cms.base import CmsScanner, prefixes_by_suffix
from jagaweb.guard.database.content import Content
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.database.reader import Row, TableJob
from jagaweb.guard.database.values import as_text, readable
from jagaweb.inventory.choices import CMS

ADMIN_ROLE = "administrator"
ROOT_UID = 1  # Drupal's first account can do everything, whatever its roles
Handler = Callable[[list[Row]], None]


class DrupalScanner(CmsScanner):
    cms = CMS.DRUPAL

    def plan(self) -> list[TableJob]:
        ctx = self.ctx
        modern = prefixes_by_suffix(ctx.tables, "node_field_data")
        legacy = [p for p in prefixes_by_suffix(ctx.tables, "field_data_body", "node") if p not in modern]
        ctx.report.prefixes.extend([*modern, *legacy])
        if not modern and not legacy:
            ctx.note("no Drupal tables: neither node_field_data nor node with field_data_body")
        jobs: list[TableJob] = []
        for prefix in modern:
            jobs.extend(self._modern(prefix))
        for prefix in legacy:
            jobs.extend(self._legacy(prefix))
        return [job for job in jobs if self._present(job)]

    def _present(self, job: TableJob) -> bool:
        if not self.ctx.has(job.table):
            self.ctx.note(f"{job.table}: no such table")
            return False
        return True

    # ---- Drupal 8 and later ----
    def _modern(self, p: str) -> list[TableJob]:
        q = self.ctx.q
        body_keys = ("entity_id", "deleted", "delta", "langcode")
        return [
            TableJob(f"{p}node_field_data", ("nid", "langcode"), ("title", "status", "type"),
                     self._nodes(f"{p}node_field_data", f"{p}node__body", "nid", "langcode", "entity_id", "langcode")),
            TableJob(f"{p}node_revision__body", ("entity_id", "revision_id", "deleted", "delta", "langcode"),
                     ("body_value", "body_summary"), self._revisions(f"{p}node_revision__body",
                                                                     f"{p}node_field_data")),
            TableJob(f"{p}block_content__body", body_keys, ("body_value", "body_summary"),
                     self._bodies(f"{p}block_content__body", Exposure.SITE_WIDE, "custom block")),
            TableJob(f"{p}path_alias", ("id",), ("path", "alias"), self._aliases(f"{p}path_alias", "alias")),
            TableJob(f"{p}config", ("collection", "name"), ("data",), self._config(f"{p}config")),
            TableJob(f"{p}users_field_data", ("uid", "langcode"), ("name", "mail", "created"),
                     self._users(f"{p}users_field_data", f"{p}user__roles", "entity_id", "roles_target_id", None),
                     f"{q('uid')} > 0"),
        ]

    # ---- Drupal 7 ----
    def _legacy(self, p: str) -> list[TableJob]:
        q = self.ctx.q
        return [
            TableJob(f"{p}node", ("nid",), ("title", "status", "type"),
                     self._nodes(f"{p}node", f"{p}field_data_body", "nid", None, "entity_id", None)),
            TableJob(f"{p}block_custom", ("bid",), ("info", "body"), self._blocks(f"{p}block_custom")),
            TableJob(f"{p}url_alias", ("pid",), ("source", "alias"), self._aliases(f"{p}url_alias", "alias")),
            TableJob(f"{p}users", ("uid",), ("name", "mail", "created"),
                     self._users(f"{p}users", f"{p}users_roles", "uid", "rid", f"{p}role"), f"{q('uid')} > 0"),
        ]

    # ---- rows ----
    def _nodes(self, table: str, bodies: str, node_key: str, language: str | None, body_node: str,
               body_language: str | None) -> Handler:
        def handle(rows: list[Row]) -> None:
            found = self._body_texts(bodies, body_node, body_language, [row[node_key] for row in rows])
            for row in rows:
                key = {node_key: row[node_key]} | ({language: row[language]} if language else {})
                text = found.get((row[node_key], row[language] if language else None), "")
                title = as_text(row["title"])
                shown = str(row["status"]) in ("1", "True")
                self.ctx.judge(Content(body=text, title=title), table=table, key=key, column="body_value",
                               exposure=Exposure.PUBLIC if shown else Exposure.HIDDEN,
                               label=f"{as_text(row['type'])} “{title[:80]}”",
                               locator=f"{table} {' '.join(f'{k}={v}' for k, v in key.items())} (with {bodies})")
        return handle

    def _body_texts(self, table: str, node: str, language: str | None, ids: list[Any]) -> dict[tuple[Any, Any], str]:
        if not ids or not self.ctx.has(table):
            return {}
        where, params = self.ctx.is_in(node, len(ids)), list(ids)
        if table.endswith("field_data_body"):  # Drupal 7 keeps every entity type's body in one table
            where += f" AND {self.ctx.q('entity_type')} = %s"
            params.append("node")
        columns = (node, *((language,) if language else ()), "body_value", "body_summary")
        texts: dict[tuple[Any, Any], str] = {}
        for found in self.ctx.select(table, columns, where, params):
            key = (found[0], found[1] if language else None)
            texts[key] = f"{texts.get(key, '')}\n{as_text(found[-2])}\n{as_text(found[-1])}"
        return texts

    def _revisions(self, table: str, nodes: str) -> Handler:
        """Old revisions only: the current one is judged with its node."""
        judge = self._bodies(table, Exposure.HIDDEN, "old revision")

        def handle(rows: list[Row]) -> None:
            ids = sorted({row["entity_id"] for row in rows})
            current = {vid for (vid,) in self.ctx.select(nodes, ("vid",), self.ctx.is_in("nid", len(ids)), ids)}
            judge([row for row in rows if row["revision_id"] not in current])
        return handle

    def _bodies(self, table: str, exposure: Exposure, kind: str) -> Handler:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                key = {name: row[name] for name in row if name not in ("body_value", "body_summary")}
                body = f"{as_text(row['body_value'])}\n{as_text(row['body_summary'])}"
                self.ctx.judge(Content(body=body), table=table, key=key, column="body_value", exposure=exposure,
                               label=f"{kind} of entity {row['entity_id']}")
        return handle

    def _blocks(self, table: str) -> Handler:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                self.ctx.judge(Content(body=as_text(row["body"]), title=as_text(row["info"])), table=table,
                               key={"bid": row["bid"]}, column="body", exposure=Exposure.SITE_WIDE,
                               label=f"custom block “{as_text(row['info'])[:80]}”")
        return handle

    def _aliases(self, table: str, column: str) -> Handler:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                key = {name: row[name] for name in row if name not in ("path", "source", "alias")}
                alias = as_text(row[column]).strip("/")
                self.ctx.judge(Content(slug=alias), table=table, key=key, column=column, exposure=Exposure.PUBLIC,
                               label=f"address /{alias[:120]}")
        return handle

    def _config(self, table: str) -> Handler:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                name = as_text(row["name"])
                wide = name == "system.site" or name.startswith("block.block.")
                self.ctx.judge(Content(body=readable(row["data"])), table=table,
                               key={"collection": row["collection"], "name": name}, column="data",
                               exposure=Exposure.SITE_WIDE if wide else Exposure.PUBLIC, label=f"configuration {name}",
                               locator=f"{table} name={name}")
        return handle

    def _users(self, table: str, roles_table: str, user_column: str, role_column: str, role_names: str | None
               ) -> Handler:
        key_columns = ("uid", "langcode") if table.endswith("users_field_data") else ("uid",)

        def handle(rows: list[Row]) -> None:
            roles = self._roles(roles_table, user_column, role_column, role_names, [row["uid"] for row in rows])
            for row in rows:
                names = sorted(roles.get(row["uid"], set()))
                judge_account(self.ctx, Account(
                    table=table, key={name: row[name] for name in key_columns}, login=as_text(row["name"]),
                    email=as_text(row["mail"]), registered=registered_at(row["created"]), roles=names,
                    admin=ADMIN_ROLE in names or str(row["uid"]) == str(ROOT_UID),
                ))
        return handle

    def _roles(self, table: str, user_column: str, role_column: str, role_names: str | None, ids: list[Any]
               ) -> dict[Any, set[str]]:
        if not ids or not self.ctx.has(table):
            return {}
        pairs = self.ctx.select(table, (user_column, role_column), self.ctx.is_in(user_column, len(ids)), ids)
        names: dict[Any, str] = {}
        if role_names and pairs:  # Drupal 7: role ids, named in the role table
            rids = sorted({rid for _user, rid in pairs})
            names = {rid: as_text(name) for rid, name in
                     self.ctx.select(role_names, ("rid", "name"), self.ctx.is_in("rid", len(rids)), rids)}
        found: dict[Any, set[str]] = {}
        for user, role in pairs:
            found.setdefault(user, set()).add(names.get(role, as_text(role)))
        return found
