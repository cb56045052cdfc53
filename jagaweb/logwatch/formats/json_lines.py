"""One JSON object per line: Nginx `log_format ... escape=json` (any of the usual key names) and Caddy's
access log (`"request": {...}` with headers, `ts` in epoch seconds or ISO 8601).

Polars decodes a whole batch against a fixed schema in Rust. A batch holding a line that is not valid JSON
(or a value of a surprising type) makes that decoder fail as a whole; such a batch is read again line by
line in Python, where a bad line only loses itself.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from jagaweb.logwatch.formats.base import FormatName, LogFormat, dash_to_null, finish, with_request_parts
from jagaweb.logwatch.formats.clf import CLF_TIME

Path = tuple[str | int, ...]  # keys into nested objects; 0 takes a list's first item (Caddy's headers)

NGINX_FIELDS: dict[str, list[Path]] = {
    "ip": [("remote_addr",), ("client_ip",), ("remote_ip",), ("ip",), ("clientip",)],
    "time": [("time_iso8601",), ("time_local",), ("@timestamp",), ("timestamp",), ("time",), ("msec",), ("ts",)],
    "request": [("request",)],
    "method": [("request_method",), ("method",)],
    "target": [("request_uri",), ("uri",), ("path",)],
    "protocol": [("server_protocol",), ("protocol",)],
    "status": [("status",), ("status_code",)],
    "bytes": [("body_bytes_sent",), ("bytes_sent",), ("size",), ("bytes",)],
    "referer": [("http_referer",), ("referer",), ("referrer",)],
    "agent": [("http_user_agent",), ("user_agent",), ("agent",)],
    "vhost": [("host",), ("server_name",), ("http_host",), ("vhost",)],
}
CADDY_FIELDS: dict[str, list[Path]] = {
    "ip": [("request", "client_ip"), ("request", "remote_ip")],
    "time": [("ts",)],
    "method": [("request", "method")],
    "target": [("request", "uri")],
    "protocol": [("request", "proto")],
    "status": [("status",)],
    "bytes": [("size",)],
    "referer": [("request", "headers", "Referer", 0)],
    "agent": [("request", "headers", "User-Agent", 0)],
    "vhost": [("request", "host")],
}
CADDY_LINE = r'"request"\s*:\s*\{'


def schema_for(fields: dict[str, list[Path]]) -> pl.DataType:
    tree: dict[str, Any] = {}
    for paths in fields.values():
        for path in paths:
            node = tree
            for key, following in zip(path, [*path[1:], None], strict=True):
                if isinstance(key, int):
                    continue
                if following is None:
                    node[key] = pl.String()
                elif isinstance(following, int):
                    node[key] = pl.List(pl.String())
                else:
                    node = node.setdefault(key, {})
    return struct_type(tree)


def struct_type(tree: dict[str, Any]) -> pl.DataType:
    return pl.Struct({key: struct_type(value) if isinstance(value, dict) else value for key, value in tree.items()})


def path_expression(column: str, path: Path) -> pl.Expr:
    expression = pl.col(column)
    for key in path:
        expression = expression.list.first() if isinstance(key, int) else expression.struct.field(key)
    return expression


def path_value(document: object, path: Path) -> str | None:
    for key in path:
        if isinstance(key, int):
            document = document[0] if isinstance(document, list) and document else None
        else:
            document = document.get(key) if isinstance(document, dict) else None
    if isinstance(document, bool) or document is None:
        return None
    return document if isinstance(document, str) else str(document) if isinstance(document, int | float) else None


def decode_column(source: pl.Series, fields: dict[str, list[Path]]) -> pl.DataFrame:
    """One String column per field, null where the line (or the field) is missing."""
    try:
        decoded = pl.DataFrame({"doc": source.str.json_decode(schema_for(fields))})
        return decoded.select(pl.coalesce(path_expression("doc", path) for path in paths).alias(name)
                              for name, paths in fields.items())
    except pl.exceptions.PolarsError:
        return decode_slowly(source, fields)


def decode_slowly(source: pl.Series, fields: dict[str, list[Path]]) -> pl.DataFrame:
    columns: dict[str, list[str | None]] = {name: [] for name in fields}
    for text in source:
        try:
            document = json.loads(text) if text is not None else None
        except ValueError:
            document = None
        for name, paths in fields.items():
            columns[name].append(next((found for path in paths if (found := path_value(document, path))), None))
    return pl.DataFrame(columns, schema=dict.fromkeys(fields, pl.String()))


def json_time(value: pl.Expr) -> pl.Expr:
    """Epoch seconds (Caddy's ts, Nginx's $msec), ISO 8601 ($time_iso8601) or the CLF time ($time_local)."""
    epoch = value.cast(pl.Float64, strict=False)
    iso = value.str.replace(r"Z$", "+00:00")
    return pl.coalesce(
        pl.from_epoch((epoch * 1_000_000).cast(pl.Int64, strict=False), time_unit="us").dt.replace_time_zone("UTC"),
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit="us"),
        value.str.to_datetime(CLF_TIME, strict=False, time_unit="us"),
    )


class JsonFormat(LogFormat):
    name = FormatName.JSON
    label = "JSON lines (Nginx, Caddy)"

    def parse(self, lines: pl.DataFrame) -> pl.DataFrame:
        frame = lines
        text = frame["text"].str.strip_chars()
        objects = text.str.starts_with("{") & text.str.ends_with("}")
        caddy = objects & text.str.contains(CADDY_LINE)
        nginx_fields = decode_column(frame.select(pl.when(objects & ~caddy).then(text)).to_series(), NGINX_FIELDS)
        caddy_fields = decode_column(frame.select(pl.when(caddy).then(text)).to_series(), CADDY_FIELDS)
        fields = nginx_fields.with_columns(pl.coalesce(pl.col(name), caddy_fields[name]).alias(name)
                                           for name in CADDY_FIELDS)
        explicit = ["method", "target", "protocol"]
        synthesised = pl.concat_str(pl.col("method"), pl.col("target"), pl.col("protocol"), separator=" ",
                                    ignore_nulls=True)
        typed = pl.concat([frame.select("line"), fields], how="horizontal").with_columns(
            pl.coalesce(pl.col("request"), pl.when(pl.col("target").is_not_null()).then(synthesised))
            .alias("request"),
            pl.col(explicit).name.prefix("given_"),
        )
        parsed = with_request_parts(typed).with_columns(
            *(pl.coalesce(pl.col(f"given_{name}"), pl.col(name)).alias(name) for name in explicit),
            json_time(pl.col("time")).alias("time"),
            pl.col("status").cast(pl.Float64, strict=False).cast(pl.Int32, strict=False),
            pl.col("bytes").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False),
            # Nginx's escape=json writes an absent header as ""
            *(dash_to_null(pl.col(name).replace("", None)).alias(name) for name in ("ip", "referer", "agent", "vhost")),
        )
        return finish(parsed)
