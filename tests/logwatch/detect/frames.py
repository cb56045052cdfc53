"""Batches of parsed requests for detection tests, in the shape the parser hands over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "logwatch" / "detect"
SCHEMA = {
    "file": pl.String, "line": pl.Int64, "ip": pl.String, "time": pl.Datetime("us", "UTC"), "method": pl.String,
    "target": pl.String, "protocol": pl.String, "request": pl.String, "status": pl.Int32, "bytes": pl.Int64,
    "referer": pl.String, "agent": pl.String, "vhost": pl.String,
}
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
BROWSER = ("Mozilla/5.0 (Linux; Android 12; SM-A125F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0 "
           "Mobile Safari/537.36")


def row(target: str | None = "/", *, line: int = 1, ip: str = "203.0.113.10", at: datetime | float = 0.0,
        method: str | None = "GET", status: int | None = 200, agent: str | None = BROWSER,
        referer: str | None = None, request: str | None = None, file: str = "access.log") -> dict[str, Any]:
    """One request; `at` is seconds after START (or a datetime); `request` defaults to method, target, HTTP/1.1."""
    when = at if isinstance(at, datetime) else START + timedelta(seconds=at)
    if request is None:
        request = f"{method} {target} HTTP/1.1"
    return {"file": file, "line": line, "ip": ip, "time": when, "method": method, "target": target,
            "protocol": "HTTP/1.1" if method else None, "request": request, "status": status, "bytes": 512,
            "referer": referer, "agent": agent, "vhost": None}


def batch(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows numbered in order when they all carry the default line number."""
    if rows and all(item["line"] == 1 for item in rows):
        rows = [{**item, "line": number} for number, item in enumerate(rows, start=1)]
    return pl.DataFrame(rows, schema=SCHEMA)


def from_field(field: str, value: str, line: int) -> dict[str, Any]:
    """A request carrying `value` in one place: the target, the User-Agent, the Referer or the request line."""
    if field == "target":
        return row(value, line=line)
    if field == "agent":
        return row("/", line=line, agent=value)
    if field == "referer":
        return row("/", line=line, referer=value)
    request = value.encode().decode("unicode_escape")  # the fixture writes bytes of junk as \xhh
    parts = request.split(" ")
    if len(parts) == 3 and parts[0].isalpha() and parts[0].isupper():
        return {**row(parts[1], line=line, method=parts[0], request=request), "protocol": parts[2]}
    return {**row(None, line=line, method=None, request=request), "protocol": None}


def fixture_rows(name: str) -> list[list[str]]:
    """The tab-separated rows of a fixture file, without comments."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
