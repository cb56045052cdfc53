"""Probing: looking for tools and versions to attack, and request lines no browser sends.

The request-line rules judge whole rows (method, target, protocol); the path rules look for database admin
tools, CMS version files and CGI scripts that scanners ask every site for.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_PATH = frozenset({Source.PATH})
HTTP_METHODS = (
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE",
    "LOCK", "UNLOCK", "REPORT", "SEARCH", "MKCALENDAR", "ACL",
)  # fmt: skip
# Request-line rules: (rule, severity, description); their conditions are in `row_hits`.
REQUEST_LINE_RULES: tuple[tuple[str, Severity, str], ...] = (
    ("empty-request", _S.LOW, "An empty request line: a port scanner opening and closing the connection."),
    ("malformed-request", _S.MEDIUM, "A request line that is not HTTP (a TLS or RDP handshake, words, binary)."),
    ("proxy-probe", _S.MEDIUM, "CONNECT or an absolute URL: testing the server as an open proxy."),
    ("unusual-method", _S.LOW, "A method outside HTTP and WebDAV (TRACE, TRACK, DEBUG, made-up verbs)."),
)


class ProbingFamily(Family):
    category = Category.PROBING
    tokens: ClassVar[tuple[str, ...]] = (
        "phpmyadmin", "pma", "myadmin", "mysqladmin", "mysql-admin", "dbadmin", "sqlmanager", "mysqlmanager",
        "php-myadmin", "phpmanager", "websql", "sqlweb", "phppgadmin", "pgadmin", "adminer", "readme", "changelog",
        "license.txt", "wlwmanifest", "rsd", "joomla.xml", "wp-json/wp/v2/users", "cgi-bin", "backup", "bak",
        "old_site", "oldsite", "author=", "manager/html", "rest_route",
    )  # fmt: skip
    patterns = (
        Pattern("admin-tool", _S.LOW, r"/(?:_?phpmyadmin[\w.-]*|pma|myadmin|mysqladmin|mysql-admin|dbadmin|"
                r"sqlmanager|mysqlmanager|php-myadmin|phpmanager|websql|sqlweb|phppgadmin|pgadmin\d?|"
                r"adminer[\w.-]*\.php|manager/html|host-manager/html)(?:/|$)",
                "Database administration tools (phpMyAdmin, Adminer) looked for under their usual names.",
                sources=_PATH, served=_S.MEDIUM),
        Pattern("cms-enumeration", _S.LOW, r"/wp-content/(?:plugins|themes)/[^/]+/(?:readme|changelog|license)\.txt$|"
                r"/wp-includes/wlwmanifest\.xml$|/xmlrpc\.php\?rsd$|/administrator/manifests/files/joomla\.xml$|"
                r"/core/changelog\.txt$|/wp-json/wp/v2/users|rest_route=/wp/v2/users|/\?author=\d|"
                r"^/(?:readme|changelog)\.(?:txt|md|html)$",
                "Version and plugin files read to choose an exploit, and user enumeration.",
                sources=frozenset({Source.TARGET})),
        Pattern("cgi-probe", _S.LOW, r"^/cgi-bin/",
                "Scripts under /cgi-bin/, which PHP sites do not have.", sources=_PATH),
        Pattern("backup-folder", _S.LOW, r"^/(?:backup|backups|bak|old_site|oldsite)/?$",
                "Folders where old copies of a site are often left.", sources=_PATH),
    )  # fmt: skip

    def row_hits(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        method = pl.col("method")
        target = pl.col("target").fill_null("")
        request = pl.col("request")
        # Cheap first pass over every row; the rule is only worked out for the few odd ones.
        odd = frame.filter(method.is_null() | ~method.is_in(HTTP_METHODS) | ~target.str.starts_with("/"))
        if odd.is_empty():
            return None
        rule = (
            pl.when(request.is_null() | (request == "") | (request == "-"))
            .then(pl.lit("empty-request"))
            .when(method.is_null())
            .then(pl.lit("malformed-request"))
            .when((method == "CONNECT") | ~(target.str.starts_with("/") | (target == "*")))
            .then(pl.lit("proxy-probe"))
            .when(~method.is_in(HTTP_METHODS))
            .then(pl.lit("unusual-method"))
        )
        hits = odd.select(pl.col("_row"), rule.alias("rule"), request.fill_null("").str.slice(0, 120).alias("detail"))
        hits = hits.filter(pl.col("rule").is_not_null())
        severity = {name: str(severity) for name, severity, _description in REQUEST_LINE_RULES}
        return hits.with_columns(pl.col("rule").replace_strict(severity, return_dtype=pl.String).alias("severity"))
