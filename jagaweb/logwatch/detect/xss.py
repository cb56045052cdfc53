"""Cross-site scripting: markup, event handlers, script URLs and script calls placed where text belongs.

A "<" followed by an ordinary word is left alone ("harga < 5000"); tags need to be ones that run script
or load something, and handlers need to look like attributes (`" onerror=`), not like `&online=1`.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity
from jagaweb.logwatch.detect.normalise import only_where

_S = Severity
# Tags that run script, load a document or restyle the page. Written with optional spaces between the
# letters because old filters (and NoScript's checks) were fooled by "< s c r i p t".
_TAGS = (
    "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "img", "image", "body", "html",
    "meta", "link", "base", "style", "form", "input", "button", "isindex", "textarea", "video", "audio", "source",
    "marquee", "details", "dialog", "template", "animate", "handler", "vmlframe", "xml", "layer", "ilayer",
    "bgsound", "blink", "keygen", "xss", "portal", "noscript", "title", "table", "select", "option", "listing",
    "plaintext", "xmp", "comment", "frameset", "picture", "track", "menu", "set",
)  # fmt: skip


def _spaced(word: str, between: str = r"\s*") -> str:
    return between.join(word)


_URL_GAP = r"[\t\n\r]*"
_TAG_ALTERNATION = "|".join(sorted({_spaced(tag) for tag in _TAGS}, key=len, reverse=True))
_JS_CALLS = (
    r"alert|prompt|confirm|eval|settimeout|setinterval|execscript|fromcharcode|atob|btoa|importscripts|"
    r"document\.write(?:ln)?|window\.open|location\.(?:assign|replace)|fetch"
)


class XssFamily(Family):
    category = Category.XSS
    tokens: ClassVar[tuple[str, ...]] = (
        "<", ">", "script", "javascript", "vbscript", "livescript", "mocha", "data:", "data :", "alert", "prompt",
        "confirm", "eval", "settimeout", "setinterval", "execscript", "fromcharcode", "atob", "btoa",
        "importscripts", "document", "window", "location", "fetch", "function", "call", "apply", "bind", "${",
        "url(", "url (", "-moz-binding", "expression", "behavior", "{{", "adw-", "!entity", "\\u", "formaction",
        "xlink:href", "srcdoc", "dynsrc", "lowsrc", " on", '"on', "'on", "`on", ";on", "(on", ")on", "![", "[](",
        "%5cu", "[ ](", "innerhtml", "outerhtml", "self[", "this[", "top[", "parent[", "frames[", ")[", "%bc", "\\xbc",
    )  # fmt: skip
    patterns = (
        Pattern("script-tag", _S.HIGH, r"<\s*/?\s*(?:[\w-]+\s*:\s*)?" + _spaced("script") + r"(?:[^a-z]|$)",
                "A <script> tag, also namespaced (<x:script>) or spaced out."),
        # Browsers read a tag only when its name follows "<" directly ("harga < set" is text).
        Pattern("html-tag", _S.HIGH, r"<[/?!]?(?:[\w-]+:)?(?:" + _TAG_ALTERNATION + r")(?:[^\w-]|$)|"
                r"<\s*\??\s*import",
                "A tag that runs script or loads content (<svg>, <img>, <iframe>, <form>...)."),
        Pattern("tag-attribute", _S.MEDIUM, r"<[a-z][\w:.-]*(?:\s+|/)(?:[^>]*?[\s/])?[a-z][\w:-]*\s*=",
                "Any tag written with an attribute (<a href=, <x xmlns=): markup injected into a page."),
        Pattern("event-handler", _S.HIGH, r"""(?:[\s"'`;(<>)]|^)on[a-z]{3,50}\s*=""",
                "An event-handler attribute (onerror=, onload=...) after a break-out character."),
        Pattern("tag-handler", _S.HIGH, r"<[a-z][\w:-]*[\s/+][^>]*?\bon[a-z]{3,50}\s*=",
                "A tag carrying an event handler."),
        Pattern("break-out", _S.MEDIUM, r"""['"]\s*>\s*<\s*[a-z/!]|</\s*(?:title|textarea|style|noscript|xmp)\s*>""",
                "Closing the attribute or element the value was written into (\"><...)."),
        # Browsers drop tabs and new lines inside a URL scheme, not spaces ("java script:" is prose).
        Pattern("script-url", _S.HIGH, r"(?:" + _spaced("java", _URL_GAP) + r"|" + _spaced("vb", _URL_GAP) + r"|"
                + _spaced("live", _URL_GAP) + r")" + _URL_GAP + _spaced("script", _URL_GAP) + r"\s*:|\bmocha\s*:",
                "A javascript: or vbscript: URL."),
        Pattern("data-url", _S.MEDIUM, r"\bdata\s*:\s*(?:text/(?:html|xml|javascript)|application/(?:x-)?"
                r"(?:javascript|xhtml)|image/svg\+xml|,)",
                "A data: URL carrying HTML or script."),
        Pattern("script-call", _S.MEDIUM, r"\b(?:" + _JS_CALLS + r")\s*(?:\(|`)|\bnew\s+function\s*\(|"
                r"\b(?:document|window|top|self|parent)\s*(?:\.|\[\s*['\"])\s*(?:cookie|domain|location|write|"
                r"localstorage|sessionstorage|createelement|body|queryselector|getelementby\w+|forms|head)\b|"
                r"\b(?:window|self|top|parent|this|globalthis|document|frames)\s*\[\s*['\"`]|"
                r"\)\s*\[\s*['\"`](?:cookie|alert|eval|location|domain|constructor)|"
                r"\.\s*(?:innerhtml|outerhtml|srcdoc)\s*=",
                "alert(), eval(), document.cookie and friends, also through [\"...\"] property access."),
        Pattern("jsfuck", _S.HIGH, r"!!\s*\[\s*\]|\(\s*!\s*\[\s*\]|\[\s*\]\s*\[\s*\(",
                "Script written with only []()!+ characters (JSFuck)."),
        Pattern("template-call", _S.HIGH, r"\.\s*(?:call|apply|bind)\s*`|\$\{\s*(?:alert|eval|prompt|confirm)\b",
                "Functions called through template literals, without parentheses ([].sort.call`${alert}1`)."),
        Pattern("css-script", _S.HIGH, r"url\s*\(\s*['\"]?\s*(?:java|vb)script|-moz-binding\s*:|\bexpression\s*\(|"
                r"\bbehavior\s*:\s*url",
                "Script run from CSS: url(javascript:...), expression(), -moz-binding."),
        Pattern("angular-template", _S.HIGH, r"\{\{[^}]{0,200}(?:constructor|\$eval|\$on\b|\(\s*['\"]|\)\s*\()",
                "An AngularJS template expression reaching the Function constructor."),
        Pattern("utf7-markup", _S.HIGH, r"[+\s]adw-[^\s]{0,40}?ad4-",
                "A UTF-7 encoded \"<\" (+ADw-) for pages served without a charset."),
        Pattern("xml-entity", _S.HIGH, r"<!\s*(?:entity|doctype)|!entity\s+(?:%\s*)?[\w.-]+\s+(?:system|public)\b",
                "An XML entity or doctype declaration (XXE)."),
        Pattern("script-escapes", _S.MEDIUM, r"(?:(?:\\|%5c)+u(?:00[0-7][0-9a-f]|\{0*[0-7]?[0-9a-f]\})\s*){2}",
                "JavaScript \\u escapes of plain ASCII letters: hiding a word from filters.",
                sources=frozenset({Source.RAW})),
        Pattern("malformed-ascii-tag", _S.MEDIUM, r"(?:%|\\x)(?:c2|d0)?(?:%|\\x)?bc\s*/?\s*(?:script|img|svg|iframe)",
                "Tags written with the high bit set (\\xbcscript\\xbe), read as <script> by pages served as US-ASCII.",
                sources=frozenset({Source.RAW})),
        Pattern("attribute-injection", _S.MEDIUM, r"""['"\s](?:formaction|xlink:href|srcdoc|dynsrc|lowsrc)\s*=""",
                "Attributes that carry a URL to run (formaction=, srcdoc=)."),
    )  # fmt: skip

    def prepared(self, text: pl.Series) -> pl.Series:
        # Script comments are whitespace to a browser: "document/**/.cookie", "alert/*x*/(1)".
        return only_where(text, text.str.contains("/*", literal=True),
                          lambda part: part.str.replace_all(r"(?s)/\*.*?\*/", ""))
