"""A page's summary: the small, JSON-safe record kept as its baseline and compared between identities.

The text is kept as a bottom-k sketch of its distinct words (crc32, stable across processes), enough to
estimate how much of the vocabulary two versions share without storing the page.
"""

from __future__ import annotations

import heapq
import zlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from jagaweb.guard.choices import TermTier
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.urls import host_of, is_benign, is_external, site_of
from jagaweb.guard.vocabulary import of_tier

SKETCH = 128
MAX_ITEMS = 200


def _crc(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass"))


def sketch(words: list[str]) -> list[int]:
    return sorted(heapq.nsmallest(SKETCH, set(map(_crc, set(words)))))


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two word sets from their sketches (1.0 when both are empty)."""
    if not a and not b:
        return 1.0
    union = heapq.nsmallest(SKETCH, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for value in union if value in both) / len(union)


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0][:300]


@dataclass
class PageSummary:
    title: str = ""
    words: int = 0
    sketch: list[int] = field(default_factory=list)
    external_sites: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # external script addresses, without query strings
    inline_scripts: int = 0
    frames: list[str] = field(default_factory=list)
    promo_terms: list[str] = field(default_factory=list)
    topic_terms: list[str] = field(default_factory=list)
    hidden_links: int = 0  # links to other (non-benign) sites inside hidden blocks
    verification: list[str] = field(default_factory=list)  # google-site-verification meta tokens
    redirect: str = ""  # where an HTTP, meta or scripted redirect points (host), '' for none
    verdict: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageSummary:
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def summarise(page: Page, verdict: str = "", redirect: str = "") -> PageSummary:
    body = page.zone("body")
    strong: dict[str, Any] = {}
    for zone in ("title", "meta", "headings", "body", "hidden", "anchors", "internal-urls", "scripts"):
        strong.update(page.terms(zone))
    hidden_links = 0
    for block in page.hidden:
        for href, _text in block.links:
            host = host_of(href)
            if host and is_external(host, page.own) and not is_benign(host):
                hidden_links += 1
    return PageSummary(
        title=" ".join(page.zone("title").norm.split())[:300],
        words=len(body.tokens),
        sketch=sketch(body.tokens),
        external_sites=sorted({site_of(link.host) for link in page.links if link.external})[:MAX_ITEMS],
        scripts=sorted({_without_query(script.src) for script in page.scripts if script.src})[:MAX_ITEMS],
        inline_scripts=sum(1 for script in page.scripts if script.inline),
        frames=sorted({_without_query(frame.src) for frame in page.frames if frame.src})[:MAX_ITEMS],
        promo_terms=sorted(of_tier(strong, TermTier.PROMO))[:MAX_ITEMS],
        topic_terms=sorted(of_tier(strong, TermTier.TOPIC))[:MAX_ITEMS],
        hidden_links=hidden_links,
        verification=sorted(set(page.verification_tokens))[:20],
        redirect=redirect,
        verdict=verdict,
    )
