"""A month of daily visitor figures (`DailyVisitors`) per site, as the access-log ingest leaves them: requests
with the office-hours rhythm and quieter weekends, unique visitors and clients, status codes, requests per
local hour, and the bounded top lists (pages, missing pages, referring sites, agents, crawlers, clients,
browsers, systems).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from jagaweb.demo.month.base import Fill
from jagaweb.demo.month.rows import Table
from jagaweb.inventory.models import Site
from jagaweb.logwatch.models import DailyVisitors

HOUR_WEIGHTS = (1.0, 0.6, 0.5, 0.4, 0.5, 0.8, 1.5, 2.5, 4.0, 5.0, 5.5, 5.5,
                5.0, 5.0, 5.0, 4.5, 3.5, 3.0, 3.0, 3.0, 2.8, 2.5, 2.0, 1.5)
WEEKDAY_FACTOR = (1.0, 1.05, 1.0, 0.95, 0.9, 0.6, 0.5)
PAGES = ("/", "/berita/", "/profil/", "/layanan/", "/pengumuman/", "/kontak/", "/galeri/", "/ppid/",
         "/agenda/", "/download/", "/struktur-organisasi/", "/visi-misi/", "/transparansi-anggaran/")
MISSING = ("/favicon.ico", "/apple-touch-icon.png", "/wp-login.php", "/.env", "/berita/lama/", "/xmlrpc.php")
REFERRERS = {"www.google.com": 60, "www.google.co.id": 12, "m.facebook.com": 8, "l.instagram.com": 5,
             "www.bing.com": 4, "t.co": 2, "duckduckgo.com": 1}
AGENTS = {
    "Mozilla/5.0 (Linux; Android 13; SM-A245F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile "
    "Safari/537.36": 40,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
    "Safari/537.36": 30,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Mobile/15E148 Safari/604.1": 12,
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": 10,
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)": 3,
}
CRAWLERS = {"Googlebot": 55, "bingbot": 15, "AhrefsBot": 12, "YandexBot": 8, "facebookexternalhit": 6,
            "SemrushBot": 4}
BROWSERS = {"Chrome": 58, "Safari": 14, "Crawler": 18, "Samsung Internet": 4, "Firefox": 3, "Edge": 2, "Other": 1}
SYSTEMS = {"Android": 52, "Windows": 26, "iOS": 12, "Other": 6, "macOS": 2, "Linux": 2}


def shares(total: int, weights: Mapping[str, float], rng: random.Random) -> dict[str, int]:
    """`total` split in proportion to jittered `weights`, largest first (what a top list holds)."""
    jittered = {key: weight * rng.uniform(0.7, 1.3) for key, weight in weights.items()}
    whole = sum(jittered.values())
    counts = {key: int(total * weight / whole) for key, weight in jittered.items()}
    return dict(sorted(((key, count) for key, count in counts.items() if count > 0), key=lambda item: -item[1]))


def hours_of(total: int, rng: random.Random) -> list[int]:
    weights = [weight * rng.uniform(0.85, 1.15) for weight in HOUR_WEIGHTS]
    whole = sum(weights)
    hours = [int(total * weight / whole) for weight in weights]
    hours[10] += total - sum(hours)  # the rounding left-over goes to the busiest hour
    return hours


def client_addresses(rng: random.Random, count: int) -> list[str]:
    prefixes = ("36.7", "36.8", "114.1", "114.5", "182.2", "182.4", "103.1", "110.1", "180.2", "125.1")
    return [f"{rng.choice(prefixes)}{rng.randint(0, 9)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            for _client in range(count)]


COLUMNS = ("site_id", "date", "requests", "visitors", "clients", "pages", "bandwidth", "not_found",
           "crawler_requests", "unparsed", "exact", "statuses", "hours", "top_pages", "top_not_found", "top_referrers",
           "top_agents", "top_crawlers", "top_clients", "browsers", "systems", "updated_at")


def day_figures(fill: Fill, site: Site, day: date, base: float, pages: dict[str, float]) -> tuple[Any, ...]:
    """One DailyVisitors row, in COLUMNS order."""
    rng = fill.rng
    requests = max(50, int(base * WEEKDAY_FACTOR[day.weekday()] * rng.lognormvariate(0.0, 0.15)))
    not_found = int(requests * rng.uniform(0.01, 0.04))
    page_views = int(requests * rng.uniform(0.25, 0.4))
    visitors = max(5, int(requests * rng.uniform(0.08, 0.14)))
    moved, unchanged, refused, failed = (int(requests * rng.uniform(low, high)) for low, high in
                                         ((0.02, 0.04), (0.05, 0.1), (0.0, 0.005), (0.0, 0.002)))
    statuses = {"200": requests - not_found - moved - unchanged - refused - failed, "304": unchanged, "301": moved,
                "404": not_found, "403": refused, "500": failed}
    crawlers = int(requests * rng.uniform(0.1, 0.3))
    last_read = fill.month.at(day + timedelta(days=1), 0) - timedelta(seconds=rng.uniform(5, 60))
    return (site.pk, day, requests, visitors, int(visitors * rng.uniform(0.75, 0.9)), page_views,
            int(requests * rng.uniform(20, 60) * 1024), not_found, crawlers, rng.choice([0, 0, 0, 1, 2]), False,
            {code: count for code, count in statuses.items() if count > 0}, hours_of(requests, rng),
            shares(page_views, pages, rng), shares(not_found, dict.fromkeys(MISSING, 1.0), rng),
            shares(int(page_views * 0.4), REFERRERS, rng), shares(requests, AGENTS, rng),
            shares(crawlers, CRAWLERS, rng),
            shares(int(requests * 0.2), dict.fromkeys(client_addresses(rng, 10), 1.0), rng),
            shares(requests, BROWSERS, rng), shares(requests, SYSTEMS, rng),
            min(last_read, fill.month.end - timedelta(seconds=1)))


def fill_visitors(fill: Fill) -> None:
    rng = fill.rng
    table = Table(DailyVisitors, COLUMNS)
    for site in fill.sites:
        base = rng.lognormvariate(8.8, 1.1)  # a median near 6,600 requests a day; a few portals far busier
        pages = {path: 1.0 / (rank + 1) for rank, path in enumerate(PAGES)}
        pages[f"/berita/{site.slug}-{rng.randint(100, 999)}/"] = 0.4
        for day in fill.month.days:
            table.add(*day_figures(fill, site, day, base, pages))
    table.flush()
    fill.counts.daily_visitors += table.written
