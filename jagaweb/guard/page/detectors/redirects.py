"""Visitors sent elsewhere: an HTTP redirect, a meta refresh or a script assigning `location`, to a foreign
host; worse when the target is a gambling host or the script first looks at the referrer or user agent
(sending only search visitors or only crawlers away is cloaking)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page.detectors.base import Detector
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.result import Reason, evidence
from jagaweb.guard.page.urls import host_of, is_external
from jagaweb.guard.vocabulary import gambling_host

# Each starts with a literal, so the regex engine jumps from one "location" to the next.
_JS_TARGETS = (
    re.compile(r"""location(?:(?:\.href)?\s*=\s*|\.(?:replace|assign)\(\s*)["'`]([^"'`\s]{4,500})"""),
    re.compile(r"""window\.open\(\s*["'`]([^"'`\s]{4,500})"""),
)
# A script that reads who is asking and names a search engine or a crawler: whatever it does next, it does
# it for some visitors only.
_WHO = re.compile(r"document\.referrer|navigator\.userAgent", re.IGNORECASE)
_SEARCH_OR_BOT = re.compile(r"google|bing|yahoo|yandex|duckduckgo|bot|crawl|spider|slurp|inspection", re.IGNORECASE)
FOREIGN, UNKNOWN, GAMBLING, CANONICAL = 35, 15, 60, 10


class RedirectDetector(Detector):
    kind = "redirect"

    def detect(self, page: Page) -> list[Reason]:
        reasons = []
        for code, message, target, foreign in (
            ("redirect.http", _("The page redirects to another site"), page.location, FOREIGN),
            ("redirect.meta", _("A meta refresh sends visitors to another site"), page.meta_refresh, FOREIGN),
            # Judi-online campaigns point a victim page's AMP version (what Google shows on phones) at their
            # own copy, or its canonical address at their site, so the victim's ranking goes to them. A
            # canonical address on another domain of the same office (a moved domain, an IP address) is common.
            ("redirect.amphtml", _("The page's mobile (AMP) version is on another site"), page.amphtml, FOREIGN),
            ("redirect.canonical", _("The page names another site as its canonical address"), page.canonical,
             CANONICAL),
        ):
            reason = self._judge(page, code, message, target, foreign)
            if reason:
                reasons.append(reason)
        for script in page.scripts:
            if not script.inline or ("location" not in script.inline and "window.open" not in script.inline):
                continue
            reason = next(filter(None, (
                self._judge(page, "redirect.script", _("A script sends visitors to another site"), target)
                for pattern in _JS_TARGETS for target in pattern.findall(script.inline))), None)
            if reason is None:
                continue
            reasons.append(reason)
            if _WHO.search(script.inline) and _SEARCH_OR_BOT.search(script.inline):
                reasons.append(Reason(
                    "redirect.cloaked", _("The redirect depends on the referrer or the browser (cloaking)"),
                    Verdict.SUSPICIOUS, 25, reason.evidence,
                ))
            break  # one scripted redirect tells the story; more would only inflate the score
        return reasons

    def _judge(self, page: Page, code: str, message: str, target: str, foreign: int = FOREIGN) -> Reason | None:
        host = host_of(target)
        if not host:
            return None
        if gambling_host(host):
            return Reason(code, message, Verdict.JUDOL, GAMBLING, evidence([target]))
        if not page.own:  # a file with no known address: any absolute target might be foreign
            if code == "redirect.canonical":
                return None  # the canonical address is what stands in for the unknown address
            return Reason(code, message, Verdict.SUSPICIOUS, UNKNOWN, evidence([target]))
        if is_external(host, page.own):
            return Reason(code, message, Verdict.SUSPICIOUS, foreign, evidence([target]))
        return None
