"""What changed on a page since the operator marked it known-good.

Every difference is a reason, weighted by how often it is an attack rather than editing: new gambling
terms or a new redirect almost always are; a new title or new text often are not (the operator approves
those with one action, which records the current summary as the new baseline).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Verdict
from jagaweb.guard.page.result import PageVerdict, Reason, evidence, judge
from jagaweb.guard.page.summary import PageSummary, similarity
from jagaweb.guard.page.urls import host_of, is_benign, site_of
from jagaweb.guard.vocabulary import gambling_host

TEXT_CHANGED = 0.35  # estimated share of distinct words in common, below which the text "changed a lot"
REPLACED = 0.15
SummaryLike = PageSummary | Mapping[str, Any]


def _summary(value: SummaryLike) -> PageSummary:
    return value if isinstance(value, PageSummary) else PageSummary.from_dict(dict(value))


def _sites(urls: list[str]) -> set[str]:
    return {site_of(host) for host in map(host_of, urls) if host}


def compare_with_baseline(baseline_summary: SummaryLike, current_summary: SummaryLike) -> PageVerdict:
    base, now = _summary(baseline_summary), _summary(current_summary)
    # A redirect answer has no text of its own to compare: the redirect is the change.
    content = [] if now.redirect and not now.words else _content(base, now)
    reasons = [*content, *_links(base, now), *_code(base, now)]
    return judge([reason for reason in reasons if reason.weight > 0], now)


def _content(base: PageSummary, now: PageSummary) -> list[Reason]:
    reasons = []
    title_changed = base.title != now.title
    if title_changed:
        reasons.append(Reason("baseline.title_changed", _("The page title changed"), Verdict.SUSPICIOUS, 15,
                              evidence([base.title, now.title])))
    same = similarity(base.sketch, now.sketch)
    shrunk = base.words >= 100 and now.words * 4 < base.words
    if (same < REPLACED or shrunk) and title_changed:
        reasons.append(Reason("baseline.replaced", _("Title and text both replaced (%(same)d%% of the words remain)")
                              % {"same": round(same * 100)}, Verdict.DEFACED, 50))
    elif same < TEXT_CHANGED or shrunk:
        reasons.append(Reason("baseline.text_changed", _("Most of the text changed (%(same)d%% of the words remain)")
                              % {"same": round(same * 100)}, Verdict.SUSPICIOUS, 20))
    new_promo = set(now.promo_terms) - set(base.promo_terms)
    if new_promo:
        reasons.append(Reason("baseline.new_terms", _("New gambling promotion terms"), Verdict.JUDOL,
                              min(60, 30 + 20 * (len(new_promo) - 1)), evidence(new_promo)))
    if now.verification and set(now.verification) - set(base.verification):
        reasons.append(Reason("baseline.new_verification", _("A new search-engine ownership verification tag"),
                              Verdict.SUSPICIOUS, 30, evidence(set(now.verification) - set(base.verification))))
    return reasons


def _links(base: PageSummary, now: PageSummary) -> list[Reason]:
    reasons = []
    new_sites = set(now.external_sites) - set(base.external_sites)
    gambling = {site for site in new_sites if gambling_host(site)}
    if gambling:
        reasons.append(Reason("baseline.new_gambling_sites", _("New links to gambling sites"), Verdict.JUDOL,
                              min(60, 40 + 10 * len(gambling)), evidence(gambling)))
    others = {site for site in new_sites - gambling if not is_benign(site)}
    if others:
        reasons.append(Reason("baseline.new_sites", _("Links to %(count)d new sites") % {"count": len(others)},
                              Verdict.SUSPICIOUS, min(20, 5 * len(others)), evidence(others)))
    if now.hidden_links > base.hidden_links:
        reasons.append(Reason("baseline.hidden_links", _("New hidden links to other sites"), Verdict.SUSPICIOUS, 25,
                              (f"{base.hidden_links} -> {now.hidden_links}",)))
    if now.redirect and now.redirect != base.redirect:
        gambling_target = gambling_host(now.redirect)
        reasons.append(Reason("baseline.new_redirect", _("The page now redirects to another site"),
                              Verdict.JUDOL if gambling_target else Verdict.SUSPICIOUS, 60 if gambling_target else 35,
                              (now.redirect,)))
    return reasons


def _code(base: PageSummary, now: PageSummary) -> list[Reason]:
    reasons = []
    new_script_sites = _sites(now.scripts) - _sites(base.scripts)
    if new_script_sites:
        gambling = {site for site in new_script_sites if gambling_host(site)}
        reasons.append(Reason("baseline.new_scripts", _("Scripts from new sites"),
                              Verdict.JUDOL if gambling else Verdict.SUSPICIOUS,
                              60 if gambling else min(30, 15 + 5 * len(new_script_sites)), evidence(new_script_sites)))
    new_frame_sites = _sites(now.frames) - _sites(base.frames)
    if new_frame_sites:
        reasons.append(Reason("baseline.new_frames", _("Frames from new sites"), Verdict.SUSPICIOUS, 15,
                              evidence(new_frame_sites)))
    if now.inline_scripts >= base.inline_scripts + 3:
        reasons.append(Reason("baseline.inline_scripts", _("More inline scripts than before"), Verdict.SUSPICIOUS, 5,
                              (f"{base.inline_scripts} -> {now.inline_scripts}",)))
    return reasons
