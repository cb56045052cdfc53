"""Helpers for the ingest, incident, daily, view and API tests: deterministic access-log traffic, a site whose
logs live in tmp_path, and the figures to compare (from the database, or from one `scan_paths` of all the
lines at once). The two tests here check the helpers themselves."""

from __future__ import annotations

import gzip
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import Sum

from jagaweb.inventory.models import Organisation, Site
from jagaweb.logwatch.models import DailyVisitors, Incident, LogFinding
from jagaweb.logwatch.scan import scan_paths

# 23:40 in Jakarta: an hour of traffic crosses the local midnight
BASE = datetime(2026, 11, 12, 16, 40, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
PHONE = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
CLIENTS = [("36.80.1.1", BROWSER), ("36.80.1.2", PHONE), ("114.124.9.9", PHONE), ("36.80.1.1", PHONE),
           ("66.249.66.1", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")]
ATTACKER = "45.13.7.7"
ATTACKS = ["/berita.php?id=1'+UNION+SELECT+username,password+FROM+users--+-", "/.env",
           "/index.php?q=<script>alert(document.cookie)</script>", "/../../../../etc/passwd"]
PAGES = ["/", "/berita/banjir", "/profil", "/assets/app.css", "/img/logo.png", "/tidak-ada"]


def stamp(moment: datetime) -> str:
    """The time as a log writes it, in UTC: a time in another zone (a test's local "now") is converted, not
    relabelled, or its line lands on another day than the test expects."""
    return moment.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def combined(ip: str, when: datetime, target: str, status: int = 200, size: int = 512, agent: str = BROWSER,
             method: str = "GET", referer: str = "-") -> str:
    return f'{ip} - - [{stamp(when)}] "{method} {target} HTTP/1.1" {status} {size} "{referer}" "{agent}"'


def traffic(start: int, count: int, base: datetime = BASE) -> list[str]:
    """Lines number `start` to `start + count - 1` of an endless deterministic log: visitors on a few pages,
    an attacker every 9th line, and a line that is not a request every 50th."""
    lines = []
    for number in range(start, start + count):
        when = base + timedelta(seconds=7 * number)
        if number % 50 == 49:
            lines.append(f"garbage line {number} \x01")
        elif number % 9 == 4:
            lines.append(combined(ATTACKER, when, ATTACKS[number % len(ATTACKS)], 404, 150,
                                  "sqlmap/1.8 (https://sqlmap.org)" if number % 2 else BROWSER))
        else:
            ip, agent = CLIENTS[number % len(CLIENTS)]
            page = PAGES[number % len(PAGES)]
            lines.append(combined(ip, when, page, 404 if page == "/tidak-ada" else 200, 100 + number % 900, agent,
                                  referer="https://www.google.com/" if number % 5 == 0 else "-"))
    return lines


def text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def append(path: Path, data: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(data)


def write_gzip(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data))


def logged_site(organisation: Organisation, paths: list[Path | str], slug: str = "portal") -> Site:
    return Site.objects.create(slug=slug, name=f"Portal {slug}", url=f"http://127.0.0.1:8090/{slug}/",
                               organisation=organisation, access_logs=[str(path) for path in paths])


def stored(site: Site) -> dict[str, Any]:
    """What the database holds for the site, in the shape of `reference`."""
    days = DailyVisitors.objects.filter(site=site).order_by("date")
    sums = days.aggregate(requests=Sum("requests"), pages=Sum("pages"), bandwidth=Sum("bandwidth"),
                          not_found=Sum("not_found"), unparsed=Sum("unparsed"))
    findings = LogFinding.objects.filter(site=site)
    return {
        **{name: int(value or 0) for name, value in sums.items()},
        "visitors": {day.date.isoformat(): day.visitors for day in days},
        "clients": {day.date.isoformat(): day.clients for day in days},
        "findings": Counter(findings.values_list("category", "rule", "ip", "time")),
        "counted": int(Incident.objects.filter(site=site).aggregate(n=Sum("finding_count"))["n"] or 0),
    }


def reference(all_text: str, folder: Path) -> dict[str, Any]:
    """The same figures from one scan of every line at once."""
    whole = folder / "reference.log"
    whole.write_text(all_text, encoding="utf-8")
    frames: list[pl.DataFrame] = []
    report = scan_paths([whole], time_zone=settings.TIME_ZONE, on_findings=frames.append)
    findings = pl.concat(frames) if frames else pl.DataFrame(schema={"category": pl.String})
    daily = report.visitors.daily
    clients = report.visitors.clients.group_by("date").agg(pl.col("ip").n_unique().alias("clients"))
    return {
        "requests": int(daily["requests"].sum()), "pages": int(daily["pages"].sum()),
        "bandwidth": int(daily["bandwidth"].sum()), "not_found": int(daily["not_found"].sum()),
        "unparsed": report.unparsed,
        "visitors": {row["date"].isoformat(): row["visitors"] for row in daily.to_dicts()},
        "clients": {day.isoformat(): count for day, count in clients.sort("date").iter_rows()},
        "findings": Counter(findings.select("category", "rule", "ip", "time").iter_rows()),
        "counted": len(findings),
    }


def test_traffic_is_deterministic_and_continues():
    assert traffic(0, 30) == traffic(0, 30)
    assert traffic(0, 30)[10:] == traffic(10, 20)
    assert any(ATTACKER in line for line in traffic(0, 30))


def test_reference_counts_the_lines(tmp_path):
    figures = reference(text(traffic(0, 100)), tmp_path)
    assert figures["requests"] + figures["unparsed"] == 100
    assert figures["unparsed"] == 2 and figures["findings"]
    assert list(figures["visitors"]) == ["2026-11-12"]  # 100 lines, 7 s apart, from 23:40 local
