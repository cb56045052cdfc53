"""Sitemap injection: attackers add thousands of gambling pages under the victim's name and list them in
the sitemap (or a new one) so that search engines find them. Signs: addresses with gambling promotion in
their slug or query, addresses on other hosts, and a jump in the number of addresses since the baseline.
"""

from __future__ import annotations

import html
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from django.utils.translation import gettext as _

from jagaweb.guard.choices import TermTier, Verdict
from jagaweb.guard.page.decode import decode_page
from jagaweb.guard.page.result import PageVerdict, Reason, evidence, judge
from jagaweb.guard.page.urls import host_of, own_sites, site_of
from jagaweb.guard.vocabulary import default_vocabulary, of_tier

MAX_SITEMAP_BYTES = 60 * 1024 * 1024  # the protocol's limit is 50 MB uncompressed
MAX_URLS = 100_000  # the protocol's limit is 50,000
_LOC = re.compile(r"<(?:[\w-]+:)?loc\b[^>]{0,100}>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]{1,4000})", re.IGNORECASE)
_INDEX = re.compile(r"<(?:[\w-]+:)?sitemapindex\b", re.IGNORECASE)
_TEXT_URL = re.compile(r"^\s*(https?://\S{1,4000})\s*$", re.MULTILINE)


@dataclass
class SitemapVerdict(PageVerdict):
    url_count: int = 0
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of a sitemap index, to fetch next
    spam_urls: list[str] = field(default_factory=list)


def _gunzip(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(data, MAX_SITEMAP_BYTES)  # bounded: a gzip bomb stops here
    except zlib.error:
        return data[:0]


def read_locations(content: str | bytes) -> tuple[list[str], bool]:
    """The addresses a sitemap lists, and whether it is a sitemap index (whose addresses are sitemaps)."""
    data = _gunzip(content) if isinstance(content, bytes) else content
    text = decode_page(data, max_bytes=MAX_SITEMAP_BYTES).text
    is_index = bool(_INDEX.search(text[:4096]))
    urls = [html.unescape(url) for url in _LOC.findall(text, 0)[:MAX_URLS]]
    if not urls and "<" not in text[:1024]:  # a plain-text sitemap: one address a line
        urls = _TEXT_URL.findall(text)[:MAX_URLS]
    return urls, is_index


def analyse_sitemap(
    xml: str | bytes, baseline_count: int | None = None, *, site_hosts: Iterable[str] = (),
) -> SitemapVerdict:
    urls, is_index = read_locations(xml)
    spam = _spam_urls(urls)
    reasons = [*_spam(spam), *_foreign(urls, site_hosts)]
    if baseline_count is not None and not is_index:
        jump = len(urls) - baseline_count
        if jump > max(100, baseline_count // 2):
            reasons.append(Reason(
                "sitemap.count_jump", _("The sitemap grew from %(before)d to %(after)d addresses")
                % {"before": baseline_count, "after": len(urls)}, Verdict.SUSPICIOUS,
                40 if len(urls) > 3 * max(baseline_count, 1) else 30,
            ))
    verdict = judge(reasons)
    return SitemapVerdict(verdict.verdict, verdict.score, verdict.reasons, None, len(urls),
                          urls if is_index else [], spam)


def _spam_urls(urls: list[str]) -> list[str]:
    vocabulary = default_vocabulary()
    paths = [unquote_plus(url.split("//", 1)[-1].partition("/")[2]) for url in urls]
    if not of_tier(vocabulary.find("\n".join(paths)), TermTier.PROMO):
        return []  # the common case, one pass over all addresses
    spam = []
    for url, path in zip(urls, paths, strict=True):
        found = vocabulary.find(path)
        # "/berita/polisi-tangkap-admin-situs-slot-gacor" is a news article's slug, not an injected page.
        if of_tier(found, TermTier.PROMO) and not of_tier(found, TermTier.NEWS):
            spam.append(url)
    return spam


def _spam(spam: list[str]) -> list[Reason]:
    if not spam:
        return []
    weight = 30 if len(spam) == 1 else (50 if len(spam) == 2 else 60)
    message = _("%(count)d addresses with gambling promotion in the sitemap") % {"count": len(spam)}
    return [Reason("sitemap.spam_urls", message, Verdict.JUDOL, weight, evidence(spam))]


def _foreign(urls: list[str], site_hosts: Iterable[str]) -> list[Reason]:
    sites = [site_of(host) for host in map(host_of, urls) if host]
    if not sites:
        return []
    own = own_sites(site_hosts) or frozenset([Counter(sites).most_common(1)[0][0]])
    foreign = {site for site in sites if site not in own}
    if not foreign:
        return []
    message = _("The sitemap lists addresses on %(count)d other sites") % {"count": len(foreign)}
    return [Reason("sitemap.foreign_urls", message, Verdict.SUSPICIOUS, 20, evidence(foreign))]
