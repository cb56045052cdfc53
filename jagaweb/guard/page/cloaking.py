"""Cloaking: the same address answering differently to a crawler, a phone or a visitor from Google search
than to a plain browser. Only material differences count (new gambling terms, new sites linked, another
title, a redirect, most of the text); dates, tokens and rotating banners differ on every request anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Identity, Verdict
from jagaweb.guard.page.analyse import analyse_page
from jagaweb.guard.page.result import PageVerdict, Reason, evidence, judge
from jagaweb.guard.page.summary import PageSummary, similarity
from jagaweb.guard.page.urls import is_benign
from jagaweb.guard.vocabulary import gambling_host

CONTENT_DIFFERS = 0.5  # estimated share of distinct words in common below which two answers "differ"
PER_IDENTITY = 3
PageLike = str | bytes | PageVerdict


def compare_identities(
    pages: Mapping[str, PageLike], *, url: str = "", site_hosts: Iterable[str] = (),
    reference: str = Identity.NORMAL,
) -> PageVerdict:
    """Compare each identity's answer with the reference identity's (a desktop browser by default).

    Values are page content (analysed here) or the `PageVerdict` of an earlier `analyse_page`. The result's
    reasons name the identity in their evidence ("googlebot: slot gacor")."""
    if reference not in pages:
        raise ValueError(f"the reference identity {reference!r} is not among {sorted(pages)}")
    hosts = tuple(site_hosts)
    verdicts = {name: value if isinstance(value, PageVerdict) else analyse_page(value, url=url, site_hosts=hosts)
                for name, value in pages.items()}
    base = verdicts[reference]
    found: dict[str, Reason] = {}
    for name, other in verdicts.items():
        if name == reference or other.summary is None or base.summary is None:
            continue
        for reason in _differences(name, base, other):
            known = found.get(reason.code)
            if known is None:
                found[reason.code] = reason
            else:  # the same difference for several identities: one reason, the identities together
                found[reason.code] = Reason(reason.code, reason.message, reason.verdict,
                                            max(known.weight, reason.weight), evidence([*known.evidence,
                                                                                        *reason.evidence]))
    return judge(found.values(), base.summary)


def _differences(name: str, base: PageVerdict, other: PageVerdict) -> list[Reason]:
    assert base.summary is not None and other.summary is not None
    a, b = base.summary, other.summary
    reasons = []
    if other.verdict in (Verdict.JUDOL, Verdict.DEFACED) and base.verdict != other.verdict:
        reasons.append(Reason(f"cloaking.{other.verdict}", _("Only some visitors are shown %(verdict)s")
                              % {"verdict": other.verdict.label}, other.verdict, 60, (f"{name}: {other.verdict}",)))
    new_promo = set(b.promo_terms) - set(a.promo_terms)
    if new_promo:
        reasons.append(Reason("cloaking.terms", _("Gambling terms shown only to some visitors"), Verdict.JUDOL,
                              30 if len(new_promo) == 1 else 50, _named(name, new_promo)))
    reasons.extend(_links(name, a, b))
    if b.redirect != a.redirect and b.redirect:
        gambling = gambling_host(b.redirect)
        reasons.append(Reason("cloaking.redirect", _("Some visitors are redirected to another site"),
                              Verdict.JUDOL if gambling else Verdict.SUSPICIOUS, 60 if gambling else 35,
                              (f"{name}: {b.redirect}",)))
    if a.title != b.title:
        reasons.append(Reason("cloaking.title", _("Some visitors get another page title"), Verdict.SUSPICIOUS, 15,
                              (f"{name}: {b.title[:120]}",)))
    same = similarity(a.sketch, b.sketch)
    if same < CONTENT_DIFFERS:
        reasons.append(Reason("cloaking.content", _("Some visitors get mostly different text (%(same)d%% shared)")
                              % {"same": round(same * 100)}, Verdict.SUSPICIOUS, 20, (f"{name}",)))
    return reasons


def _named(name: str, items: set[str]) -> tuple[str, ...]:
    """A few items per identity, so that merged evidence shows every identity that differs."""
    return tuple(f"{name}: {item}" for item in sorted(items)[:PER_IDENTITY])


def _links(name: str, a: PageSummary, b: PageSummary) -> list[Reason]:
    new_sites = set(b.external_sites) - set(a.external_sites)
    gambling = {site for site in new_sites if gambling_host(site)}
    others = {site for site in new_sites - gambling if not is_benign(site)}
    reasons = []
    if gambling:
        reasons.append(Reason("cloaking.gambling_links", _("Links to gambling sites shown only to some visitors"),
                              Verdict.JUDOL, 50, _named(name, gambling)))
    if others:
        reasons.append(Reason("cloaking.links", _("Links to other sites shown only to some visitors"),
                              Verdict.SUSPICIOUS, min(30, 10 * len(others)), _named(name, others)))
    return reasons
