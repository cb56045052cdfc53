"""Judging one stored value with the guard's page analysis, plus what only matters for stored content.

The value (a post's title, body and slug; a widget's texts) is put into a small HTML document and goes
through the same parser and detectors as a fetched page (gambling vocabulary by place, hidden blocks and
links, defacement markers, redirects, gambling script sources). Added here, because a page from the web
may load them freely but stored content should not:

- scripts and frames from other sites written into the content itself (injected loaders);
- inline scripts that name another site's address (a loader that builds its <script> tag at run time);
- a value that IS an address (a menu item's link, a user's website) on a gambling host;
- PHP code kept in the database (code-snippet plugins, backdoors that eval an option), judged by the file
  guard's rules.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jagaweb.guard.choices import TermTier, Verdict
from jagaweb.guard.files import scan_file
from jagaweb.guard.page.analyse import judge_page
from jagaweb.guard.page.document import Page, parse
from jagaweb.guard.page.result import PageVerdict, Reason, evidence, judge
from jagaweb.guard.page.urls import host_of, is_benign, is_external, site_of
from jagaweb.guard.rules.terms import may_have_terms
from jagaweb.guard.vocabulary import find_terms, gambling_host, of_tier

FOREIGN_SCRIPT, SCRIPT_ADDRESS, FOREIGN_FRAME, GAMBLING_ADDRESS = 30, 25, 20, 60
PHP_PREFIX = "<?php\n"
_PHP_FUNCTIONS = ("base64_decode", "gzinflate", "gzuncompress", "str_rot13", "create_function", "shell_exec",
                  "passthru", "proc_open", "file_put_contents", "move_uploaded_file", "call_user_func")
_PHP = re.compile(
    r"<\?php|\$_(?:get|post|request|cookie|server|files)\b|\b(?:" + "|".join(_PHP_FUNCTIONS) + r")\s*\(",
)
_ADDRESS_IN_CODE = re.compile(r"""["'`](?:https?:)?//([a-z0-9][a-z0-9.-]{0,250}\.[a-z]{2,63})\b""", re.IGNORECASE)


@dataclass(frozen=True)
class Content:
    """One stored thing as visitors would meet it. Texts are HTML fragments except `title` and `meta`."""

    body: str = ""
    title: str = ""
    meta: str = ""  # a description or SEO text: what search results show
    slug: str = ""  # the address part ("slot-gacor-maxwin")
    addresses: tuple[str, ...] = ()  # values that are links on their own
    code: str = ""  # PHP the site runs

    def plain(self) -> bool:
        """No markup, no address, no code: only words, which a quick look can clear."""
        return not self.addresses and not self.code and "<" not in self.body and "&" not in self.body

    def document(self) -> str:
        title = html.escape(self.title, quote=False)
        parts = ["<!DOCTYPE html><html><head>"]
        if title:
            parts.append(f"<title>{title}</title>")
        if self.meta:
            parts.append(f'<meta name="description" content="{html.escape(self.meta)}">')
        parts.append("</head><body>")
        if title:
            parts.append(f"<h1>{title}</h1>")
        parts.append(self.body)
        if self.slug:  # the site's own address: the page guard reads gambling words in it
            parts.append(f'<p><a href="/{html.escape(self.slug)}/">{html.escape(self.slug)}</a></p>')
        parts.extend(f'<p><a href="{html.escape(address)}">{html.escape(address)}</a></p>'
                     for address in self.addresses)
        parts.append("</body></html>")
        return "\n".join(parts)


CLEAN = PageVerdict(Verdict.CLEAN, 0, [])


def analyse_content(content: Content, *, site_hosts: Iterable[str] = (), name: str = "stored-value") -> PageVerdict:
    """The verdict on one stored thing; `name` labels PHP code for the file rules."""
    if content.plain() and _nothing_to_find(f"{content.title}\n{content.meta}\n{content.body}\n{content.slug}"):
        return CLEAN
    page = parse(content.document(), site_hosts=list(site_hosts))
    verdict = judge_page(page)
    extra = [*_stored_reasons(page), *_address_reasons(content.addresses), *_code_reasons(content, name)]
    if not extra:
        return verdict
    return judge([*verdict.reasons, *extra])


def _nothing_to_find(text: str) -> bool:
    return text.isascii() and not may_have_terms(text.encode("ascii"))


def _foreign(host: str, page: Page) -> bool:
    return bool(host) and is_external(host, page.own) and not is_benign(host) and not gambling_host(host)


def _stored_reasons(page: Page) -> list[Reason]:
    reasons = []
    scripts = {site_of(script.host) for script in page.scripts if _foreign(script.host, page)}
    if scripts:
        reasons.append(Reason("db.foreign_script", _("Stored content loads a script from another site"),
                              Verdict.SUSPICIOUS, FOREIGN_SCRIPT, evidence(scripts)))
    named = {site_of(host.lower()) for script in page.scripts if script.inline
             for host in _ADDRESS_IN_CODE.findall(script.inline) if _foreign(host.lower(), page)}
    if named - scripts:
        reasons.append(Reason("db.script_address", _("An inline script in stored content names another site"),
                              Verdict.SUSPICIOUS, SCRIPT_ADDRESS, evidence(named - scripts)))
    # Hidden frames are the page guard's (frame.hidden); visible ones from elsewhere are worth a look here.
    frames = {site_of(frame.host) for frame in page.frames if not frame.hidden and _foreign(frame.host, page)}
    if frames:
        reasons.append(Reason("db.foreign_frame", _("Stored content shows a frame from another site"),
                              Verdict.SUSPICIOUS, FOREIGN_FRAME, evidence(frames)))
    return reasons


def _address_reasons(addresses: Iterable[str]) -> list[Reason]:
    gambling = set()
    for address in addresses:
        host = host_of(address)
        promo = of_tier(find_terms(address), TermTier.PROMO)
        if (host and gambling_host(host)) or promo:
            gambling.add(address)
    if not gambling:
        return []
    return [Reason("db.gambling_address", _("A stored link points to a gambling site"), Verdict.JUDOL,
                   GAMBLING_ADDRESS, evidence(gambling))]


def has_php(text: str) -> bool:
    # Substring tests first: the regex alone costs half a millisecond on a 5 KB post, as much as the parse.
    lower = text.lower()
    if "<?php" not in lower and "$_" not in lower and not any(name in lower for name in _PHP_FUNCTIONS):
        return False
    return _PHP.search(lower) is not None


def _code_reasons(content: Content, name: str) -> list[Reason]:
    code = content.code or (content.body if has_php(content.body) else "")
    if not code:
        return []
    source = code if code.lstrip().startswith("<?") else PHP_PREFIX + code
    finding = scan_file(f"{name}.php", source.encode("utf-8", "surrogatepass"))
    if finding is None:
        return []
    message = _("PHP code kept in the database: %(reason)s") % {"reason": finding.reasons[0]}
    return [Reason("db.php_code", message, finding.verdict, min(100, finding.score), evidence(finding.rules))]
