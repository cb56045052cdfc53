"""The outside view: a site's key pages fetched as each identity, judged alone, against each other
(cloaking) and against their known-good baseline; and the sitemap.

Which pages: the home page, the profile's configured pages, and a few addresses from the sitemap that
change every day (spam pages hide among many; a daily sample sees a different few each day).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

from jagaweb import net
from jagaweb.guard.choices import Identity, Source, Verdict
from jagaweb.guard.findings import Draft
from jagaweb.guard.page.analyse import analyse_page
from jagaweb.guard.page.baseline import compare_with_baseline
from jagaweb.guard.page.cloaking import compare_identities
from jagaweb.guard.page.fetch import fetch_page
from jagaweb.guard.page.result import PageVerdict
from jagaweb.guard.page.sitemap import SitemapVerdict, analyse_sitemap, read_locations
from jagaweb.guard.page.urls import host_of

FETCHERS = 4


@dataclass
class Observation:
    url: str
    identity: str
    verdict: PageVerdict | None = None
    status: int = 0
    error: str = ""


def home_of(site_url: str) -> str:
    return site_url if site_url.endswith("/") else site_url + "/"


def daily_sample(urls: Iterable[str], count: int, day: date) -> list[str]:
    """`count` addresses chosen by a hash of the address and the day: stable within a day, new each day."""
    def rank(url: str) -> bytes:
        return hashlib.blake2b(f"{day.isoformat()} {url}".encode(), digest_size=8).digest()
    return sorted(set(urls), key=rank)[:count]


def key_pages(site_url: str, configured: Sequence[str], sitemap_urls: Iterable[str], sample: int,
              day: date) -> list[str]:
    home = home_of(site_url)
    pages = [home, *(urljoin(home, page.strip()) for page in configured if page.strip())]
    own = host_of(home)
    candidates = [url for url in sitemap_urls if host_of(url) == own and url not in pages]
    return list(dict.fromkeys([*pages, *daily_sample(candidates, sample, day)]))


def observe(url: str, identity: str, *, site_hosts: Sequence[str], allow_private: bool) -> Observation:
    try:
        fetched = fetch_page(url, identity, allow_private=allow_private)
    except net.NetError as exc:
        return Observation(url, identity, error=str(exc))
    verdict = analyse_page(fetched.body, url=fetched.url, site_hosts=site_hosts, location=fetched.location,
                           content_type=fetched.content_type)
    return Observation(url, identity, verdict, fetched.status)


def observe_all(urls: Sequence[str], identities: Sequence[str], *, site_hosts: Sequence[str],
                allow_private: bool) -> list[Observation]:
    pairs = [(url, identity) for url in urls for identity in identities]
    with ThreadPoolExecutor(FETCHERS) as pool:
        return list(pool.map(lambda pair: observe(*pair, site_hosts=site_hosts, allow_private=allow_private),
                             pairs))


@dataclass
class SitemapReading:
    urls: list[str]
    verdict: SitemapVerdict | None
    error: str = ""


def read_sitemap(site_url: str, *, site_hosts: Sequence[str], baseline_count: int | None,
                 allow_private: bool) -> SitemapReading:
    """The site's /sitemap.xml (an index's first child sitemaps included), judged; no sitemap is no finding."""
    address = urljoin(home_of(site_url), "sitemap.xml")
    try:
        fetched = fetch_page(address, Identity.GOOGLEBOT, allow_private=allow_private)
    except net.NetError as exc:
        return SitemapReading([], None, str(exc))
    if fetched.status != 200:
        return SitemapReading([], None)
    verdict = analyse_sitemap(fetched.body, baseline_count, site_hosts=site_hosts)
    urls, _is_index = read_locations(fetched.body)
    return SitemapReading(urls, verdict)


def page_drafts(observations: Sequence[Observation], baselines: dict[tuple[str, str], dict[str, object]],
                ) -> list[Draft]:
    """Findings for pages: each answer on its own, against its baseline, and each identity against the
    desktop browser's answer for the same address."""
    drafts: list[Draft] = []
    by_url: dict[str, dict[str, PageVerdict]] = {}
    for seen in observations:
        if seen.verdict is None:
            continue
        by_url.setdefault(seen.url, {})[seen.identity] = seen.verdict
        summary = seen.verdict.summary.to_dict() if seen.verdict.summary else {}
        alone = seen.verdict
        baseline = baselines.get((seen.url, seen.identity))
        if baseline is not None and seen.verdict.summary is not None:
            changed = compare_with_baseline(baseline, seen.verdict.summary)
            if changed.score > alone.score:
                alone = changed
        if alone.verdict != Verdict.CLEAN:
            drafts.append(Draft.from_verdict(Source.PAGE, seen.url, alone, identity=seen.identity,
                                             summary=summary, status=seen.status))
    for url, verdicts in by_url.items():
        if Identity.NORMAL in verdicts and len(verdicts) > 1:
            cloaked = compare_identities(verdicts)
            if cloaked.verdict != Verdict.CLEAN:
                drafts.append(Draft.from_verdict(Source.CLOAKING, url, cloaked))
    return drafts


def sitemap_drafts(site_url: str, reading: SitemapReading) -> list[Draft]:
    if reading.verdict is None or reading.verdict.verdict == Verdict.CLEAN:
        return []
    location = urljoin(home_of(site_url), "sitemap.xml")
    return [Draft.from_verdict(Source.SITEMAP, location, reading.verdict, count=len(reading.urls))]
