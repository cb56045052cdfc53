"""Blocks of a page that a browser does not show to people but crawlers still read.

Hidden text is normal (menus, modals, "skip to content" links); what the detectors look for is hidden
blocks holding gambling words or links to other sites, the classic footer injection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from jagaweb.guard.page import css

logger = logging.getLogger(__name__)
MAX_BLOCKS = 200  # hidden roots examined per page
MAX_ANCESTORS = 40  # how far up a coloured element looks for its background
_NOT_BLOCKS = frozenset({"html", "body", "head", "main"})  # anti-flicker snippets hide the whole page briefly


@dataclass
class HiddenBlock:
    how: str  # display, visibility, offscreen, font-size, zero-size, same-colour, style-class, attribute, noscript
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, anchor text) of links to other sites


def _roots(tree: LexborHTMLParser, style_text: str, background: str) -> list[tuple[LexborNode, str]]:
    roots: list[tuple[LexborNode, str]] = []
    for node in tree.css("[style]"):
        style = css.squeeze(node.attrs.get("style") or "")
        how = css.hiding(style)
        if how is None and "color" in style:
            how = _same_colour(node, style, background)
        if how:
            roots.append((node, how))
    for node in tree.css("font[color]"):
        if css.colour((node.attrs.get("color") or "").lower()) == _background_of(node, background):
            roots.append((node, "same-colour"))
    for node in tree.css("[hidden], noscript"):
        roots.append((node, "noscript" if node.tag == "noscript" else "attribute"))
    if style_text:
        for selector, how in css.hiding_rules(style_text):
            try:
                matched = tree.css(selector)
            except Exception:  # selectolax raises plain errors on selectors it cannot parse
                logger.debug("selector %r not understood", selector)
                continue
            roots.extend((node, f"style-class:{how}") for node in matched[:MAX_BLOCKS])
    return [(node, how) for node, how in roots if node.tag not in _NOT_BLOCKS][: MAX_BLOCKS * 2]


def _same_colour(node: LexborNode, style: str, background: str) -> str | None:
    text = css.text_colour(style)
    if text is None:
        return None
    if text == "transparent":
        return "transparent"
    own = css.background_colour(style)
    return "same-colour" if text == (own or _background_of(node.parent, background)) else None


def _background_of(node: LexborNode | None, page_background: str) -> str:
    for _ in range(MAX_ANCESTORS):
        if node is None or node.tag in ("body", "html"):
            break
        style = node.attrs.get("style") if node.is_element_node else None
        if style and "background" in style.lower():
            found = css.background_colour(css.squeeze(style))
            if found:
                return found
        node = node.parent
    return page_background


def find_hidden(
    tree: LexborHTMLParser, style_text: str, background: str, outgoing: list[tuple[LexborNode, str, str]],
) -> list[HiddenBlock]:
    """Hidden blocks with their text, and which of the page's links to other sites (`outgoing`: node, href,
    anchor text) sit inside them. Links within the site are left out: hidden menus are full of them.

    Starting from the few outgoing links and looking up their ancestors costs far less than listing the
    links of every hidden menu. A block inside another hidden block is kept too: its text is read twice,
    which changes no distinct count."""
    blocks: dict[int, HiddenBlock] = {}
    for root, how in _roots(tree, style_text, background):
        if root.mem_id not in blocks:
            blocks[root.mem_id] = HiddenBlock(how, root.text(separator=" "))
            if len(blocks) >= MAX_BLOCKS:
                break
    if not blocks:
        return []
    for anchor, href, text in outgoing:
        node: LexborNode | None = anchor
        for _ in range(MAX_ANCESTORS):
            if node is None:
                break
            block = blocks.get(node.mem_id)
            if block is not None:
                block.links.append((href, text))
                break
            node = node.parent
    return [block for block in blocks.values() if block.links or not block.text.isspace()]
