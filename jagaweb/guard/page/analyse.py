"""`analyse_page`: one page in, a verdict with reasons and a summary out. Offline: the caller fetches."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page.detectors import all_detectors
from jagaweb.guard.page.document import MAX_DEPTH, Page, parse
from jagaweb.guard.page.result import PageVerdict, Reason, judge
from jagaweb.guard.page.summary import summarise
from jagaweb.guard.page.urls import host_of

logger = logging.getLogger(__name__)
_SENDS_AWAY = ("redirect.http", "redirect.meta", "redirect.script")  # what the summary records as its redirect


def analyse_page(
    content: str | bytes,
    *,
    url: str = "",
    site_hosts: Iterable[str] = (),
    location: str = "",
    filename: str = "",
    content_type: str | None = None,
) -> PageVerdict:
    """Judge one page. `url` (or `site_hosts`) tells which hosts are the site's own; without either, the
    page's canonical link stands in. `location` is the HTTP redirect target when the answer was a redirect,
    `filename` the file's name when the page comes from disk (verification files are known by name)."""
    page = parse(content, url=url, site_hosts=site_hosts, location=location, filename=filename,
                 content_type=content_type)
    return judge_page(page)


def judge_page(page: Page) -> PageVerdict:
    reasons = _notes(page)
    if not page.binary:
        for detector in all_detectors():
            try:
                reasons.extend(detector.detect(page))
            except Exception:  # a detector's bug must not stop the others (or the site's whole check)
                logger.exception("page detector %s failed on %s", detector.kind, page.url or page.filename)
                reasons.append(Reason("page.detector_failed", _("One check could not run on this page"),
                                      Verdict.CLEAN, 0, (detector.kind,)))
    verdict = judge(reasons)
    redirect = next((host_of(r.evidence[0]) for r in verdict.reasons if r.code in _SENDS_AWAY and r.evidence), "")
    verdict.summary = summarise(page, str(verdict.verdict), redirect)
    return verdict


def _notes(page: Page) -> list[Reason]:
    notes = []
    if page.binary:
        notes.append(Reason("page.binary", _("Not a text page: binary content was not analysed"), Verdict.CLEAN, 0))
    if page.truncated:
        notes.append(Reason("page.truncated", _("Very large page: only its first megabytes were analysed"),
                            Verdict.CLEAN, 0))
    if page.flattened:
        notes.append(Reason("page.too_deep", _("Elements nested deeper than %(depth)d levels (no browser shows that)")
                            % {"depth": MAX_DEPTH}, Verdict.SUSPICIOUS, 15))
    return notes
