"""Visitor statistics from the sites' access logs (the SOP's "log aktivitas pengunjung") for the monthly
report: per day across the sites, per site, and the most requested pages and referring sites of the scope.

Visitors are each site's daily unique visitors (an address with a user agent on one day, as GoAccess counts
them) summed over the days and sites: someone who comes back on three days counts three times. The top lists
are merged from the daily top lists, which keep the `daily.TOP_KEPT` largest entries of each day, so the
counts of entries missing from some day's list are lower bounds.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.logwatch.daily import TOP_KEPT
from jagaweb.logwatch.models import DailyVisitors
from jagaweb.progress import size_text
from jagaweb.reports.charts import hbar_chart, line_chart, number
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, Problem, Scope, Section, Table
from jagaweb.reports.sections.incidents import listed

TOP = 10
PAGES_CHUNK = 50  # sites whose daily top pages are read in one query
NOT_FOUND_SHARE = 20.0  # percent of a site's requests answered 404 that is worth a look
NOT_FOUND_MIN_REQUESTS = 1000  # below this a few broken links make a large share
SUMS = ("requests", "visitors", "pages", "bandwidth", "not_found", "crawler_requests")


@dataclass(frozen=True)
class SiteInfo:
    """What the logwatch sections print and check of a site (the attacks section too)."""

    name: str
    organisation: str
    host: str
    has_logs: bool


@dataclass
class Visitors:
    sites: dict[int, SiteInfo]
    per_day: dict[date, tuple[int, int, int, int]]  # requests, visitors, pages, bandwidth
    per_site: dict[int, dict[str, int]]  # SUMS, days and inexact days of the sites with figures
    pages: list[tuple[int, int, str]]  # requests, site, path: the TOP most requested pages
    referrers: list[tuple[str, int]]

    def total(self, name: str) -> int:
        return sum(figures[name] for figures in self.per_site.values())

    def share(self, name: str) -> float:
        requests = self.total("requests")
        return 100 * self.total(name) / requests if requests else 0.0


def site_infos(scope: Scope) -> dict[int, SiteInfo]:
    rows = scope.sites().values_list("pk", "name", "organisation__name", "url", "access_logs")
    return {pk: SiteInfo(name, organisation, bare_host(url_host(url)), bool(logs))
            for pk, name, organisation, url, logs in rows}


def url_host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def bare_host(host: str) -> str:
    return host.removeprefix("www.")


def most_first(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def days_of(scope: Scope) -> QuerySet[DailyVisitors]:
    return DailyVisitors.objects.filter(site_id__in=scope.site_ids, date__gte=scope.first_day,
                                        date__lte=scope.last_day).order_by()


def figures_per_day(scope: Scope) -> dict[date, tuple[int, int, int, int]]:
    rows = (days_of(scope).values("date").annotate(r=Sum("requests"), v=Sum("visitors"), p=Sum("pages"),
                                                     b=Sum("bandwidth"))
            .values_list("date", "r", "v", "p", "b"))
    return {day: (requests, visitors, pages, bandwidth) for day, requests, visitors, pages, bandwidth in rows}


def figures_per_site(scope: Scope) -> dict[int, dict[str, int]]:
    sums = {name: Sum(name) for name in SUMS}
    rows = (days_of(scope).values("site_id")
            .annotate(**sums, days=Count("pk"), inexact=Count("pk", filter=Q(exact=False))).values_list(
                "site_id", *SUMS, "days", "inexact"))
    return {row[0]: dict(zip((*SUMS, "days", "inexact"), row[1:], strict=True)) for row in rows}


def top_referrers(scope: Scope, sites: dict[int, SiteInfo]) -> list[tuple[str, int]]:
    """Referring sites merged over the days and sites; a site's referrals from its own pages are left out."""
    merged: dict[str, int] = {}
    get = merged.get
    own = {pk: (info.host, f"www.{info.host}") for pk, info in sites.items() if info.host}
    for site_id, referrers in days_of(scope).values_list("site_id", "top_referrers"):
        for host, count in (referrers or {}).items():
            merged[host] = get(host, 0) + count
        for host in own.get(site_id, ()):  # taken back out: cheaper than a test for every entry
            merged[host] = get(host, 0) - (referrers or {}).get(host, 0)
    return heapq.nsmallest(TOP, ((host, count) for host, count in merged.items() if count > 0), key=most_first)


def top_pages(scope: Scope, per_site: dict[int, dict[str, int]]) -> list[tuple[int, int, str]]:
    """The TOP most requested pages as (requests, site, path), each site's daily top pages merged.

    No page has more requests than its site has page views, so sites are read by page views, largest first,
    and reading stops once a site's page views fall below the TOP-th page found: the same answer as merging
    every site, with a fraction of the JSON to decode when a few sites carry most of the traffic."""
    ordered = sorted(((figures["pages"], pk) for pk, figures in per_site.items() if figures["pages"]), reverse=True)
    best: list[tuple[int, int, str]] = []
    for start in range(0, len(ordered), PAGES_CHUNK):
        chunk = ordered[start:start + PAGES_CHUNK]
        if len(best) == TOP and chunk[0][0] < best[-1][0]:
            break
        merged: dict[int, dict[str, int]] = {}
        rows = days_of(scope).filter(site_id__in=[pk for _pages, pk in chunk]).values_list("site_id", "top_pages")
        for site_id, pages in rows:
            counts = merged.setdefault(site_id, {})
            get = counts.get
            for path, count in (pages or {}).items():
                counts[path] = get(path, 0) + count
        candidates = best + [(count, site_id, path) for site_id, counts in merged.items()
                             for path, count in heapq.nsmallest(TOP, counts.items(), key=most_first)]
        best = heapq.nsmallest(TOP, candidates, key=lambda item: (-item[0], item[1], item[2]))
    return best


def collect_visitors(scope: Scope) -> Visitors:
    sites = site_infos(scope)
    per_site = figures_per_site(scope)
    return Visitors(sites=sites, per_day=figures_per_day(scope), per_site=per_site,
                    pages=top_pages(scope, per_site), referrers=top_referrers(scope, sites))


def silent_sites(visitors: Visitors) -> list[int]:
    """Sites with an access log configured but no figures: the log is not being read."""
    return sorted((pk for pk, info in visitors.sites.items() if info.has_logs and pk not in visitors.per_site),
                  key=lambda pk: (visitors.sites[pk].name, pk))


def sites_without_logs(visitors: Visitors) -> list[int]:
    return sorted((pk for pk, info in visitors.sites.items() if not info.has_logs),
                  key=lambda pk: (visitors.sites[pk].name, pk))


def many_not_found(visitors: Visitors) -> list[int]:
    found = [pk for pk, figures in visitors.per_site.items()
             if figures["requests"] >= NOT_FOUND_MIN_REQUESTS
             and 100 * figures["not_found"] / figures["requests"] >= NOT_FOUND_SHARE]
    return sorted(found, key=lambda pk: -visitors.per_site[pk]["not_found"] / visitors.per_site[pk]["requests"])


def busiest(visitors: Visitors) -> tuple[date, int] | None:
    days = [(day, figures[0]) for day, figures in visitors.per_day.items()]
    return max(days, key=lambda item: (item[1], -item[0].toordinal()), default=None)


def figures(scope: Scope, visitors: Visitors) -> dict[str, Any]:
    peak = busiest(visitors)
    return {
        **{name: visitors.total(name) for name in SUMS},
        "crawler_share": round(visitors.share("crawler_requests"), 2),
        "not_found_share": round(visitors.share("not_found"), 2),
        "sites": len(visitors.sites),
        "sites_with_figures": len(visitors.per_site),
        "days_with_figures": len(visitors.per_day),
        "busiest_day": peak[0].isoformat() if peak else None,
        "busiest_day_requests": peak[1] if peak else 0,
        "per_day": {day.isoformat(): {"requests": requests, "visitors": count, "pages": pages}
                    for day, (requests, count, pages, _bandwidth) in sorted(visitors.per_day.items())},
        "per_site": {str(pk): dict(figures) for pk, figures in visitors.per_site.items()},
        "top_pages": [{"site_id": site_id, "page": path, "requests": count} for count, site_id, path in visitors.pages],
        "top_referrers": [{"referrer": host, "requests": count} for host, count in visitors.referrers],
        "silent_sites": silent_sites(visitors),
        "sites_without_logs": sites_without_logs(visitors),
        "many_not_found_sites": many_not_found(visitors),
    }


def paragraphs(scope: Scope, visitors: Visitors) -> list[str]:
    sites = ngettext("%(count)s site", "%(count)s sites", len(visitors.sites)) % {"count": number(len(visitors.sites))}
    if not visitors.per_site:
        found = [_("No visitor figures were recorded for the %(sites)s during the period.") % {"sites": sites}]
    else:
        found = [_("Visitor figures are available for %(with)s of the %(sites)s. Together they received %(requests)s "
                   "requests, %(pages)s page views and %(visitors)s visitors (daily unique visitors summed), "
                   "%(bandwidth)s of data in all.") % {
            "with": number(len(visitors.per_site)), "sites": sites, "requests": number(visitors.total("requests")),
            "pages": number(visitors.total("pages")), "visitors": number(visitors.total("visitors")),
            "bandwidth": size_text(visitors.total("bandwidth"))}]
        day, requests = busiest(visitors) or (scope.first_day, 0)
        found.append(_("On average %(requests)s requests and %(visitors)s visitors were recorded per day; the busiest "
                       "day was %(day)s with %(busiest)s requests. Crawlers made %(crawlers)s%% of the requests, and "
                       "%(not_found)s%% were answered with 404 (not found).") % {
            "requests": number(visitors.total("requests") / len(scope.days)),
            "visitors": number(visitors.total("visitors") / len(scope.days)), "day": formats.date_format(day),
            "busiest": number(requests), "crawlers": number(visitors.share("crawler_requests"), 1),
            "not_found": number(visitors.share("not_found"), 1)})
        found += tops_sentence(visitors)
    without = len(sites_without_logs(visitors))
    if without:
        found.append(ngettext("%(count)s site has no access log configured, so its visitors are not counted.",
                              "%(count)s sites have no access log configured, so their visitors are not counted.",
                              without) % {"count": number(without)})
    return found


def tops_sentence(visitors: Visitors) -> list[str]:
    if not visitors.pages:
        return []
    _count, site_id, path = visitors.pages[0]
    text = _("The most requested page was %(page)s on %(site)s.") % {"page": path, "site": visitors.sites[site_id].name}
    if visitors.referrers:
        text += " " + _("The leading referring site was %(referrer)s.") % {"referrer": visitors.referrers[0][0]}
    return [text]


def summary(visitors: Visitors) -> list[str]:
    if not visitors.per_site:
        return [_("No visitor figures were recorded in the period.")]
    return [_("The sites received %(requests)s requests from %(visitors)s visitors (daily unique visitors summed) "
              "in the period.") % {"requests": number(visitors.total("requests")),
                                   "visitors": number(visitors.total("visitors"))}]


def charts(scope: Scope, visitors: Visitors) -> list[Chart]:
    if not visitors.per_site:
        return []
    labels = [day.strftime("%d/%m") if scope.is_situation else str(day.day) for day in scope.days]

    def series(index: int) -> list[float | None]:
        return [float(visitors.per_day[day][index]) if day in visitors.per_day else None for day in scope.days]

    leaders = heapq.nsmallest(TOP, visitors.per_site.items(),
                              key=lambda item: (-item[1]["visitors"], visitors.sites[item[0]].name, item[0]))
    return [
        Chart(_("Requests, visitors and page views per day"),
              line_chart(labels, [(_("Requests"), series(0)), (_("Visitors"), series(1)),
                                  (_("Page views"), series(2))])),
        Chart(_("Sites with the most visitors"),
              hbar_chart([visitors.sites[pk].name for pk, _figures in leaders],
                         [float(figures["visitors"]) for _pk, figures in leaders])),
    ]


def day_table(scope: Scope, visitors: Visitors) -> Table:
    rows = [(day, *visitors.per_day[day]) if day in visitors.per_day else (day, None, None, None, None)
            for day in scope.days]
    return Table("visitors_per_day", _("Visitors per day"),
                 [Column(_("Date"), ColumnKind.DATE), Column(_("Requests"), ColumnKind.INTEGER),
                  Column(_("Visitors"), ColumnKind.INTEGER), Column(_("Page views"), ColumnKind.INTEGER),
                  Column(_("Bandwidth"), ColumnKind.BYTES)], rows)


def site_table(visitors: Visitors) -> Table:
    def row(pk: int) -> tuple[Any, ...]:
        info, figures = visitors.sites[pk], visitors.per_site.get(pk)
        if figures is None:
            return (info.name, info.organisation, None, None, None, None, None, None, 0)
        crawlers = 100 * figures["crawler_requests"] / figures["requests"] if figures["requests"] else None
        return (info.name, info.organisation, figures["requests"], figures["visitors"], figures["pages"],
                figures["bandwidth"], figures["not_found"], crawlers, figures["days"])

    rows = sorted((row(pk) for pk in visitors.sites), key=lambda item: (item[2] is None, -(item[2] or 0), item[0]))
    return Table("visitors_per_site", _("Visitors per site"),
                 [Column(_("Site")), Column(_("Organisation")), Column(_("Requests"), ColumnKind.INTEGER),
                  Column(_("Visitors"), ColumnKind.INTEGER), Column(_("Page views"), ColumnKind.INTEGER),
                  Column(_("Bandwidth"), ColumnKind.BYTES), Column(_("Not found (404)"), ColumnKind.INTEGER),
                  Column(_("Crawler share"), ColumnKind.PERCENT), Column(_("Days with figures"), ColumnKind.INTEGER)],
                 rows, note=_("Visitors: each day's unique visitors (an address with a user agent) summed over the "
                              "days, so a visitor who returns on another day is counted again."))


def page_table(visitors: Visitors) -> Table:
    rows = [(path, visitors.sites[site_id].name, count,
             100 * count / visitors.per_site[site_id]["pages"] if visitors.per_site[site_id]["pages"] else None)
            for count, site_id, path in visitors.pages]
    return Table("top_pages", _("Most requested pages"),
                 [Column(_("Page")), Column(_("Site")), Column(_("Requests"), ColumnKind.INTEGER),
                  Column(_("Share of the site's page views"), ColumnKind.PERCENT)], rows,
                 note=_("The %(top)s most requested pages of all sites, merged from each day's list of the %(kept)s "
                        "most requested pages of a site; the counts are lower bounds.")
                 % {"top": number(TOP), "kept": number(TOP_KEPT)},
                 empty=_("No page views were recorded."))


def referrer_table(visitors: Visitors) -> Table:
    requests = visitors.total("requests")
    rows = [(host, count, 100 * count / requests if requests else None) for host, count in visitors.referrers]
    return Table("top_referrers", _("Leading referring sites"),
                 [Column(_("Referring site")), Column(_("Requests"), ColumnKind.INTEGER),
                  Column(_("Share of all requests"), ColumnKind.PERCENT)], rows,
                 note=_("The %(top)s referring sites that sent the most requests to all sites, from each day's list "
                        "of the %(kept)s leading ones; referrals from a site's own pages are left out.")
                 % {"top": number(TOP), "kept": number(TOP_KEPT)},
                 empty=_("No referrals were recorded."))


def names(visitors: Visitors, pks: list[int]) -> str:
    return listed([visitors.sites[pk].name for pk in pks])


def problems(visitors: Visitors) -> list[Problem]:
    found = []
    silent, without, not_found = silent_sites(visitors), sites_without_logs(visitors), many_not_found(visitors)
    if silent:
        found.append(Problem(
            ngettext("%(count)s site has an access log configured but no visitor figures for the period: %(sites)s.",
                     "%(count)s sites have an access log configured but no visitor figures for the period: "
                     "%(sites)s.", len(silent)) % {"count": number(len(silent)), "sites": names(visitors, silent)},
            _("Check that the log paths are still right and that the JagaWeb service may read the files; the site's "
              "page under Visitor activity shows the last read and its error, and its button reads the logs now."),
            ProblemLevel.WARNING))
    if without:
        found.append(Problem(
            ngettext("%(count)s site has no access log configured, so its visitors and attacks are not watched: "
                     "%(sites)s.", "%(count)s sites have no access log configured, so their visitors and attacks are "
                     "not watched: %(sites)s.", len(without)) % {"count": number(len(without)),
                                                                  "sites": names(visitors, without)},
            _("Enter the access log paths in each site's record in the inventory, or ask the hosting provider for "
              "access to the logs."), ProblemLevel.NOTICE))
    if not_found:
        found.append(Problem(
            ngettext("%(count)s site answered %(share)s%% or more of its requests with 404 (not found): %(sites)s.",
                     "%(count)s sites answered %(share)s%% or more of their requests with 404 (not found): %(sites)s.",
                     len(not_found)) % {"count": number(len(not_found)), "share": number(NOT_FOUND_SHARE),
                                        "sites": names(visitors, not_found)},
            _("Review the most requested missing addresses on the site's Visitor activity page: repair or redirect "
              "broken links; many requests for missing files from one address are usually probing (see the attacks "
              "section)."), ProblemLevel.NOTICE))
    return found


class VisitorsSection(Section):
    """Visitor statistics over the scope's days; visitors are daily uniques summed (see the module)."""

    key = "visitors"
    title = gettext_lazy("Visitor statistics")

    def collect(self, scope: Scope) -> Part:
        visitors = collect_visitors(scope)
        part = self.part()
        part.paragraphs = paragraphs(scope, visitors)
        part.summary = summary(visitors)
        part.figures = figures(scope, visitors)
        part.charts = charts(scope, visitors)
        part.tables = [day_table(scope, visitors), site_table(visitors), page_table(visitors),
                       referrer_table(visitors)]
        part.problems = problems(visitors)
        return part
