"""One HTML page, parsed once into what the detectors look at: title, meta, headings, visible text, links,
scripts, iframes, hidden blocks, redirects. Detectors never touch the parser themselves.

Hostile pages are expected: the size is bounded in `decode`, and element nesting beyond what browsers build
is flattened before parsing (lexbor spends time quadratic in the depth of nested block elements: 20,000
nested <div>s take half a second, 100,000 take 18 seconds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from jagaweb.guard.page import css
from jagaweb.guard.page.decode import decode_page
from jagaweb.guard.page.hidden import HiddenBlock, find_hidden
from jagaweb.guard.page.urls import host_of, is_external, own_sites
from jagaweb.guard.vocabulary import Term, default_vocabulary
from jagaweb.guard.vocabulary.matcher import Scan

MAX_DEPTH = 512  # as Chromium's parser: deeper elements become siblings there
MAX_LINKS = 5000
MAX_SCRIPTS = 300
MAX_INLINE_SCRIPT = 100_000
MAX_STYLE = 400_000
MAX_ZONE = 400_000  # characters of one zone given to the vocabulary

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]{0,40})(?:[^>]{0,2000}>)?")
# Elements that never nest: void ones, and ones a new sibling closes (<li>, <p>, <td>...).
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
})
_FLAT = _VOID | frozenset({
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead", "tfoot", "colgroup", "caption",
    "rb", "rt", "rp", "image", "keygen", "basefont", "bgsound", "frame",
})
# Below this many start tags the quadratic cost is a few milliseconds at worst: no need to look closer.
_CHEAP_TAGS = 4000
_META_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?\s*([^'\"\s>]+)", re.IGNORECASE)


@dataclass
class Link:
    href: str
    text: str  # the anchor text of links to other sites ('' for the site's own links)
    host: str  # '' for relative links
    external: bool


@dataclass
class Script:
    src: str
    host: str
    inline: str  # the code of an inline script ('' for an external one)


@dataclass
class Frame:
    src: str
    host: str
    hidden: bool


@dataclass
class Page:
    """What the detectors read. `own` holds the registrable names of the site's own hosts."""

    url: str = ""
    filename: str = ""
    location: str = ""  # the HTTP redirect target, when the page was a redirect
    own: frozenset[str] = frozenset()
    encoding: str = ""
    truncated: bool = False
    binary: bool = False
    flattened: bool = False  # nesting deeper than MAX_DEPTH was flattened
    raw_text: str = ""  # the decoded source, for pages that are not really HTML (a verification file)
    title: str = ""
    meta_text: str = ""
    headings: str = ""
    body_text: str = ""
    links: list[Link] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    hidden: list[HiddenBlock] = field(default_factory=list)
    meta_refresh: str = ""
    canonical: str = ""  # <link rel=canonical>: where search engines send this page's ranking
    amphtml: str = ""  # <link rel=amphtml>: the page search engines show on phones instead
    verification_tokens: list[str] = field(default_factory=list)
    background: str = "#ffffff"
    marquees: int = 0
    autoplay: int = 0  # <audio autoplay>, <embed> / <bgsound> music: defacement pages play anthems
    _zones: dict[str, Scan] = field(default_factory=dict, repr=False)

    def zone(self, name: str) -> Scan:
        """The normalised words and vocabulary terms of one part of the page, computed once."""
        cached = self._zones.get(name)
        if cached is None:
            cached = self._zones[name] = default_vocabulary().scan(self.zone_text(name)[:MAX_ZONE])
        return cached

    def terms(self, name: str) -> dict[str, Term]:
        return self.zone(name).terms

    def zone_text(self, name: str) -> str:
        if name == "title":
            return self.title
        if name == "meta":
            return self.meta_text
        if name == "headings":
            return self.headings
        if name == "body":
            return self.body_text
        if name == "hidden":
            return "\n".join(block.text for block in self.hidden)
        if name == "anchors":  # text and address of links to other sites
            return "\n".join(f"{link.text}\n{link.href}" for link in self.links if link.external)
        if name == "internal-urls":
            return "\n".join(link.href for link in self.links if not link.external)
        if name == "scripts":
            return "\n".join(script.inline for script in self.scripts if script.inline)
        raise KeyError(name)

    @property
    def external_links(self) -> list[Link]:
        return [link for link in self.links if link.external]


def flatten_nesting(html: str) -> tuple[str, bool]:
    """Drop the tags of elements nested deeper than MAX_DEPTH (their text stays).

    Browsers flatten there too: Chromium attaches the children of an element past its depth limit to that
    element's parent, so a hiding <div> that deep hides nothing and its text shows.

    Depth is estimated from tag names (a close tag only counts for an element of that name still open), so
    stray close tags cannot hide depth; the estimate is at least the real depth."""
    if html.count("<") - html.count("</") <= _CHEAP_TAGS:
        return html, False
    tags = _TAG.findall(html)
    if not _too_deep(tags):
        return html, False
    open_names: dict[str, int] = {}
    level = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal level
        name = match.group(2).lower()
        if name in _FLAT:
            # Past the limit even siblings go: each <p> or <dd> makes lexbor search the whole open stack.
            return match.group() if level <= MAX_DEPTH or name in _VOID else _gap(match)
        if match.group(1):
            deep = level > MAX_DEPTH
            if open_names.get(name):
                open_names[name] -= 1
                level -= 1
            return _gap(match) if deep else match.group()
        level += 1
        open_names[name] = open_names.get(name, 0) + 1
        return _gap(match) if level > MAX_DEPTH else match.group()

    return _TAG.sub(drop, html), True


def _gap(match: re.Match[str]) -> str:
    """What a dropped tag leaves: a space between words, nothing between tags (megabytes of blanks otherwise)."""
    start = match.start()
    return "" if start == 0 or match.string[start - 1] == ">" else " "


def _too_deep(tags: list[tuple[str, str]]) -> bool:
    open_names: dict[str, int] = {}
    level = 0
    for slash, raw in tags:
        name = raw.lower()
        if name in _FLAT:
            continue
        if slash:
            if open_names.get(name):
                open_names[name] -= 1
                level -= 1
        else:
            level += 1
            if level > MAX_DEPTH:
                return True
            open_names[name] = open_names.get(name, 0) + 1
    return False


def _text(node: LexborNode | None) -> str:
    return node.text(separator=" ") if node is not None else ""


def _attr(node: LexborNode, name: str) -> str:
    return (node.attrs.get(name) or "").strip()


def _meta(tree: LexborHTMLParser, page: Page) -> None:
    texts = []
    for node in tree.css("meta"):
        key = (_attr(node, "name") or _attr(node, "property") or _attr(node, "http-equiv")).lower()
        content = _attr(node, "content")
        if key in ("description", "keywords", "og:title", "og:description", "twitter:title", "twitter:description"):
            texts.append(content)
        elif key == "google-site-verification" and content:
            page.verification_tokens.append(content[:200])
        elif key == "refresh" and not page.meta_refresh:
            found = _META_REFRESH_URL.search(content)
            page.meta_refresh = found.group(1) if found else ""
    page.meta_text = "\n".join(texts)


def _scripts(tree: LexborHTMLParser, page: Page) -> None:
    for node in tree.css("script")[:MAX_SCRIPTS]:
        src = _attr(node, "src")
        if not src and "json" in _attr(node, "type").lower():
            continue  # structured data (a news article's headline and body), not code that writes the page
        inline = "" if src else (node.text() or "")[:MAX_INLINE_SCRIPT]
        if src or inline.strip():
            page.scripts.append(Script(src, host_of(src), inline))
    for node in tree.css("iframe, frame")[:MAX_SCRIPTS]:
        src = _attr(node, "src")
        style = css.squeeze(_attr(node, "style"))
        tiny = any(_attr(node, side) in ("0", "1", "0px", "1px") for side in ("width", "height"))
        page.frames.append(Frame(src, host_of(src), tiny or css.hiding(style) is not None))


def _shape(tree: LexborHTMLParser, page: Page) -> None:
    for node in tree.css("marquee, blink, audio[autoplay], video[autoplay], bgsound, embed"):
        if node.tag in ("marquee", "blink"):
            page.marquees += 1
        elif node.tag != "embed" or _attr(node, "src").lower().endswith((".mp3", ".wav", ".ogg", ".mid")):
            page.autoplay += 1


def parse(
    content: str | bytes, *, url: str = "", site_hosts: Iterable[str] = (), location: str = "", filename: str = "",
    content_type: str | None = None,
) -> Page:
    decoded = decode_page(content, content_type=content_type)
    page = Page(url=url, filename=filename, location=location, encoding=decoded.encoding,
                truncated=decoded.truncated, binary=decoded.binary)
    if decoded.binary:
        return page
    page.raw_text = decoded.text[:4096]
    html, page.flattened = flatten_nesting(decoded.text)
    tree = LexborHTMLParser(html)
    head = tree.head
    titles = (head.css("title") if head is not None else []) or tree.css("title")[:1]
    page.title = " ".join(_text(node) for node in titles)[:2000]
    _meta(tree, page)
    for node in tree.css("link[rel][href]"):
        rel = _attr(node, "rel").lower()
        if rel == "canonical" and not page.canonical:
            page.canonical = _attr(node, "href")
        elif rel == "amphtml" and not page.amphtml:
            page.amphtml = _attr(node, "href")
    fallback = host_of(page.canonical)
    page.own = own_sites([host_of(url), *site_hosts] if (url or site_hosts) else [fallback])
    page.headings = "\n".join(_text(node) for node in tree.css("h1, h2, h3")[:100])
    outgoing = []
    for node in tree.css("a[href]")[:MAX_LINKS]:
        href = _attr(node, "href")
        host = host_of(href)
        if is_external(host, page.own):
            text = _text(node)
            page.links.append(Link(href, text, host, True))
            outgoing.append((node, href, text))
        else:  # the text of the site's own links is in the body text; nothing reads it on its own
            page.links.append(Link(href, "", host, False))
    _scripts(tree, page)
    _shape(tree, page)
    style_text = "\n".join(node.text() for node in tree.css("style"))[:MAX_STYLE]
    body = tree.body
    page.background = css.page_background(
        _attr(body, "style") if body is not None else "", _attr(body, "bgcolor") if body is not None else "",
        style_text,
    )
    page.hidden = find_hidden(tree, style_text, page.background, outgoing)
    tree.strip_tags(["script", "style", "template"])
    page.body_text = _text(tree.body if tree.body is not None else tree.root)
    return page
