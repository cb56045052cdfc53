"""WordPress: posts of every type and status, the meta that shows (SEO titles, page-builder data, menu
links, custom fields), options (widgets, theme settings, header and footer code), comments, categories and
tags, code snippets, and accounts.

The table prefix is found, not assumed: every `<prefix>options` table holding a `siteurl` row is one
installation (several may share a database; a multisite network has one per site, `wp_2_` and so on).
Transients are caches (feeds, API answers from elsewhere) and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jagaweb.guard.database.cms.base import CmsScanner
from jagaweb.guard.database.cms.wp_settings import SETTINGS, Option, check_settings, read_settings
from jagaweb.guard.database.cms.wp_users import users_job
from jagaweb.guard.database.content import Content
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.database.reader import Row, ScanContext, TableJob
from jagaweb.guard.database.values import as_text, leaves, readable, structure
from jagaweb.inventory.choices import CMS

# Post types shown on every page (menus, block-theme headers and footers, site CSS) or run as code.
SITE_WIDE_TYPES = frozenset({"nav_menu_item", "wp_template", "wp_template_part", "wp_global_styles",
                             "wp_navigation", "custom_css", "wpcode"})
CODE_TYPES = frozenset({"wpcode"})
SHOWN_STATUSES = frozenset({"publish", "future"})
SEO_TITLES = ("_yoast_wpseo_title", "_aioseo_title", "rank_math_title", "_genesis_title")
SEO_TEXTS = ("_yoast_wpseo_metadesc", "_yoast_wpseo_opengraph-description", "_aioseo_description",
             "rank_math_description", "_genesis_description")
SEO_ADDRESSES = ("_yoast_wpseo_canonical", "_yoast_wpseo_redirect", "rank_math_canonical_url", "_menu_item_url")
BUILDER_DATA = ("_elementor_data", "_fl_builder_data", "_et_pb_old_content", "_wpb_post_custom_layout")
SKIPPED_OPTIONS = ("cron", "rewrite_rules", "recently_edited", "uninstall_plugins")
# Options whose content reaches every page, or which hold code or markup for the page head or foot.
_SITE_WIDE_OPTION = re.compile(r"^(?:widget_|sidebars_widgets$|theme_mods_|nav_menu_options$)|header|footer|script"
                               r"|custom_css|custom_js|tracking|analytics|snippet", re.IGNORECASE)


class WordPressScanner(CmsScanner):
    cms = CMS.WORDPRESS

    def plan(self) -> list[TableJob]:
        ctx = self.ctx
        prefixes = self._prefixes(ctx)
        ctx.report.prefixes.extend(prefixes)
        if not prefixes:
            ctx.note("no WordPress tables: no <prefix>options table with a siteurl row")
            return []
        jobs: list[TableJob] = []
        for prefix in prefixes:
            options = f"{prefix}options"
            settings = read_settings(ctx, options, prefix)
            ctx.report.scanned[options] = len(settings)
            hosts = check_settings(ctx, settings, prefix)
            cached = ctx.count(options, f"{ctx.q('option_name')} LIKE %s OR {ctx.q('option_name')} LIKE %s",
                               ("\\_transient\\_%", "\\_site\\_transient\\_%"))
            if cached:
                ctx.note(f"{options}: {cached} cached values (transients) skipped")
            if not ctx.site_hosts:  # the site's own address, when the caller did not give it
                ctx.site_hosts.extend(hosts)
            jobs.extend(self._content_jobs(ctx, prefix))
            # A multisite network's sites share the main installation's users (wp_2_ has no wp_2_users).
            blogs = [other for other in prefixes if other == prefix
                     or (other.startswith(prefix) and not ctx.has(f"{other}users"))]
            job = users_job(ctx, prefix, blogs) if ctx.has(f"{prefix}users") or prefix == prefixes[0] else None
            if job is not None:
                jobs.append(job)
        return jobs

    def _prefixes(self, ctx: ScanContext) -> list[str]:
        found = []
        for table in sorted(ctx.tables):
            if not table.endswith("options") or "option_name" not in ctx.columns(table):
                continue
            if ctx.select(table, ("option_name",), f"{ctx.q('option_name')} = %s", ("siteurl",)):
                found.append(table[: -len("options")])
        return found

    def _content_jobs(self, ctx: ScanContext, prefix: str) -> list[TableJob]:
        q = ctx.q
        wanted: list[tuple[str, tuple[str, ...], tuple[str, ...], Callable[[str], Callable[[list[Row]], None]],
                           str, tuple[Any, ...]]] = [
            ("posts", ("ID",), ("post_type", "post_status", "post_title", "post_content", "post_excerpt",
                                "post_name"), self._posts, "", ()),
            ("postmeta", ("meta_id",), ("post_id", "meta_key", "meta_value"), self._postmeta,
             f"{q('meta_key')} IN ({', '.join(['%s'] * len(_SHOWN_META))}) OR {q('meta_key')} NOT LIKE %s",
             (*_SHOWN_META, "\\_%")),
            ("options", ("option_id",), ("option_name", "option_value"), self._options,
             f"{q('option_name')} NOT LIKE %s AND {q('option_name')} NOT LIKE %s AND {q('option_name')} NOT IN "
             f"({', '.join(['%s'] * (len(SETTINGS) + len(SKIPPED_OPTIONS) + 1))})",
             ("\\_transient\\_%", "\\_site\\_transient\\_%", *SETTINGS, *SKIPPED_OPTIONS, f"{prefix}user_roles")),
            ("comments", ("comment_ID",), ("comment_author", "comment_author_url", "comment_content",
                                           "comment_approved"), self._comments,
             f"{q('comment_approved')} IN (%s, %s)", ("0", "1")),
            ("terms", ("term_id",), ("name", "slug"), self._terms, "", ()),
            ("term_taxonomy", ("term_taxonomy_id",), ("taxonomy", "description"), self._descriptions,
             f"{q('description')} <> %s", ("",)),
        ]
        jobs = []
        for suffix, keys, columns, handler, where, params in wanted:
            table = prefix + suffix
            if ctx.has(table):
                jobs.append(TableJob(table, keys, columns, handler(table), where, params))
            else:
                ctx.note(f"{table}: no such table")
        snippets = f"{prefix}snippets"  # the Code Snippets plugin: PHP the site runs on every request
        if ctx.has(snippets) and {"id", "name", "code", "active"} <= ctx.columns(snippets):
            jobs.append(TableJob(snippets, ("id",), ("name", "code", "active"), self._snippets(snippets)))
        return jobs

    # ---- rows ----
    def _posts(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                kind, status = as_text(row["post_type"]), as_text(row["post_status"])
                text = as_text(row["post_content"])
                body = readable(text) + "\n" + readable(row["post_excerpt"])
                title = as_text(row["post_title"])
                content = Content(body=body, title=title, slug=as_text(row["post_name"]),
                                  code=text if kind in CODE_TYPES else "")
                self.ctx.judge(content, table=table, key={"ID": row["ID"]}, column="post_content",
                               exposure=_post_exposure(kind, status), label=f"{kind} “{title[:80]}” ({status})")
        return handle

    def _postmeta(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                key, value = as_text(row["meta_key"]), row["meta_value"]
                text = as_text(value)
                if not text.strip():
                    continue
                if key in SEO_TITLES:
                    content = Content(title=text)
                elif key in SEO_TEXTS:
                    content = Content(meta=text)
                elif key in SEO_ADDRESSES:
                    content = Content(addresses=(text.strip(),))
                else:
                    content = Content(body=readable(value))
                exposure = Exposure.SITE_WIDE if key == "_menu_item_url" else Exposure.PUBLIC
                self.ctx.judge(content, table=table, key={"meta_id": row["meta_id"]}, column="meta_value",
                               exposure=exposure, label=f"{key} of post {row['post_id']}",
                               locator=f"{table} post_id={row['post_id']} meta_key={key}")
        return handle

    def _options(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                option = Option(table, row["option_id"], as_text(row["option_name"]), as_text(row["option_value"]))
                exposure = Exposure.SITE_WIDE if _SITE_WIDE_OPTION.search(option.name) else Exposure.PUBLIC
                if option.name.startswith("widget_") and isinstance(structure(option.value), dict):
                    self._widgets(option, exposure)
                    continue
                self.ctx.judge(Content(body=readable(option.value)), table=table, key=option.key,
                               column="option_value", exposure=exposure, locator=option.locator, label=option.name)
        return handle

    def _widgets(self, option: Option, exposure: Exposure) -> None:
        """Each widget of a widget option on its own: the finding names the one that holds the spam."""
        groups: dict[str, list[str]] = {}
        for leaf in leaves(option.value):
            groups.setdefault(leaf.top, []).append(leaf.text)
        for top, texts in groups.items():
            body = "\n".join(f"<div>{text}</div>" for text in texts)
            self.ctx.judge(Content(body=body), table=option.table, key=option.key, column="option_value",
                           exposure=exposure, locator=f"{option.locator} {top}".strip(),
                           label=f"{option.name} {top}".strip())

    def _comments(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                author, url = as_text(row["comment_author"]), as_text(row["comment_author_url"]).strip()
                approved = as_text(row["comment_approved"]) == "1"
                content = Content(body=f"<p>{author}</p>\n{as_text(row['comment_content'])}",
                                  addresses=(url,) if url else ())
                self.ctx.judge(content, table=table, key={"comment_ID": row["comment_ID"]}, column="comment_content",
                               exposure=Exposure.PUBLIC if approved else Exposure.QUEUED,
                               label=f"comment by {author[:80]!r} ({'approved' if approved else 'pending'})")
        return handle

    def _terms(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                name = as_text(row["name"])
                self.ctx.judge(Content(title=name, slug=as_text(row["slug"])), table=table,
                               key={"term_id": row["term_id"]}, column="name", exposure=Exposure.PUBLIC,
                               label=f"term “{name[:80]}”")
        return handle

    def _descriptions(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                self.ctx.judge(Content(body=as_text(row["description"])), table=table,
                               key={"term_taxonomy_id": row["term_taxonomy_id"]}, column="description",
                               exposure=Exposure.PUBLIC, label=f"{as_text(row['taxonomy'])} description")
        return handle

    def _snippets(self, table: str) -> Callable[[list[Row]], None]:
        def handle(rows: list[Row]) -> None:
            for row in rows:
                active = str(row["active"]) not in ("0", "False", "None")
                self.ctx.judge(Content(title=as_text(row["name"]), code=as_text(row["code"])), table=table,
                               key={"id": row["id"]}, column="code", name=f"{table}-{row['id']}",
                               exposure=Exposure.SITE_WIDE if active else Exposure.HIDDEN,
                               label=f"code snippet “{as_text(row['name'])[:80]}”")
        return handle


_SHOWN_META = (*SEO_TITLES, *SEO_TEXTS, *SEO_ADDRESSES, *BUILDER_DATA)


def _post_exposure(kind: str, status: str) -> Exposure:
    if kind == "revision" or (status not in SHOWN_STATUSES and kind != "attachment"):
        return Exposure.HIDDEN
    return Exposure.SITE_WIDE if kind in SITE_WIDE_TYPES else Exposure.PUBLIC
