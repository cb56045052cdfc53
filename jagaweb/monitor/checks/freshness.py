"""Content freshness: when did the site last publish something, and is that longer ago than the site allows?

Options:

    {"source": "auto",    # or "sitemap", "feed", "header", "selector"
     "url": "",           # where to look (not with "auto"); default: /sitemap.xml, the feed the home page
                          # links, the home page
     "selector": ""}      # for "selector": CSS pointing at the latest news date, e.g. ".berita-terbaru .tanggal"

"auto" reads /sitemap.xml (a sitemap index too, a few child sitemaps deep) and the feed the home
page links to, and takes the newer of the two: a sitemap that a plugin generated once and never again
must not hide a feed that is current. Only when neither gives a date does it fall back to the home
page's Last-Modified header, which dynamic pages often set to "now".

Dates more than a day in the future are ignored (a CMS with a wrong clock or a scheduled post).
No date at all, or a sitemap or feed that cannot be read, makes the check UNKNOWN with the reasons;
a date older than the site's `stale_after_days` makes it DEGRADED and raises a "content stale" notice,
once per content date. All fetches of a run share the check's timeout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from yarl import URL

from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks import register
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Notice, Outcome, opened_options
from jagaweb.monitor.checks.content_dates import (
    Dates,
    NotReadable,
    check_selector,
    feed_dates,
    feed_links,
    gunzip,
    selector_dates,
    sitemap_dates,
)
from jagaweb.monitor.checks.fetch import Fetched, FetchError, fetch, short, unexpected
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.verbs import CONTENT_STALE

SOURCES = ("auto", "sitemap", "feed", "header", "selector")
OPTIONS = frozenset({"source", "url", "selector"})
SOURCE_LABELS: dict[str, Promise] = {
    "sitemap": _("the sitemap"), "feed": _("the feed"), "header": _("the Last-Modified header"),
    "selector": _("the selected page element"),
}
SITEMAP_LIMIT = 10 * 1024 * 1024  # sitemaps may list 50,000 URLs
PAGE_LIMIT = 2 * 1024 * 1024
SITEMAP_DEPTH = 2  # an index of indexes, no deeper
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Found:
    date: datetime
    source: str
    url: str


def local_day(date: datetime) -> str:
    return timezone.localtime(date).date().isoformat()


class Search:
    """One run's look for the newest content date; remembers why each place gave none, for the message."""

    def __init__(self, spec: CheckSpec, session: aiohttp.ClientSession, now: datetime) -> None:
        self.spec, self.session, self.now = spec, session, now
        self.zone: tzinfo = ZoneInfo(settings.TIME_ZONE)
        self.problems: list[str] = []
        # The engine gives a run its timeout (plus a margin), not one per request: all fetches share it,
        # and what was found before time ran out still counts.
        self.deadline = time.monotonic() + spec.timeout

    def note(self, where: str, problem: str) -> None:
        self.problems.append(f"{short(where, 80)}: {problem}")

    async def get(self, url: str, limit: int = PAGE_LIMIT) -> Fetched | None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.note(url, gettext("not fetched, the check's %(timeout)s s were used up")
                      % {"timeout": f"{self.spec.timeout:g}"})
            return None
        try:
            fetched = await fetch(self.session, url, timeout=remaining, limit=limit)
        except FetchError as exc:
            self.note(url, str(exc))
            return None
        if not 200 <= fetched.status < 300:
            self.note(url, gettext("HTTP %(status)s") % {"status": fetched.status})
            return None
        return fetched

    def newest(self, dates: Dates, source: str, url: str) -> Found | None:
        latest = self.now + FUTURE_SLACK
        usable = [date for date in dates.found if date <= latest]
        if usable:
            return Found(max(usable), source, url)
        if dates.found:
            self.note(url, gettext("only dates in the future (from %(date)s); is the CMS clock wrong?")
                      % {"date": local_day(min(dates.found))})
        elif dates.unreadable:
            self.note(url, gettext("no readable date (for example %(value)r)") % {"value": dates.unreadable[0]})
        else:
            self.note(url, gettext("no dates in it"))
        return None

    async def sitemap(self, url: str, depth: int = 0) -> Found | None:
        fetched = await self.get(url, SITEMAP_LIMIT)
        if fetched is None:
            return None
        try:
            dates = sitemap_dates(gunzip(fetched.body, SITEMAP_LIMIT), default_tz=self.zone)
        except NotReadable as exc:
            self.note(fetched.url, str(exc))
            return None
        if dates.children and depth < SITEMAP_DEPTH:
            found = [await self.sitemap(child, depth + 1) for child in dates.children]
            return max((item for item in found if item is not None), key=lambda item: item.date, default=None)
        return self.newest(dates, "sitemap", fetched.url)

    async def feed(self, url: str) -> Found | None:
        fetched = await self.get(url)
        if fetched is None:
            return None
        try:
            dates = feed_dates(fetched.body, default_tz=self.zone)
        except NotReadable as exc:
            self.note(fetched.url, str(exc))
            return None
        return self.newest(dates, "feed", fetched.url)

    async def linked_feed(self, page: Fetched | None) -> Found | None:
        if page is None:
            return None
        links = feed_links(page.text(), page.url)
        if not links:
            self.note(page.url, gettext("the page links no RSS or Atom feed"))
            return None
        return await self.feed(links[0])

    def header(self, page: Fetched | None) -> Found | None:
        if page is None:
            return None
        value = page.headers.get("Last-Modified")
        if not value:
            self.note(page.url, gettext("no Last-Modified header"))
            return None
        dates = Dates()
        dates.add([value], default_tz=self.zone)
        return self.newest(dates, "header", page.url)

    async def selector(self, page: Fetched | None, selector: str) -> Found | None:
        if page is None:
            return None
        try:
            dates = selector_dates(page.text(), selector, now=self.now, default_tz=self.zone)
        except NotReadable as exc:
            self.note(page.url, str(exc))
            return None
        return self.newest(dates, "selector", page.url)

    def default_sitemap(self) -> str:
        try:
            return str(URL(self.spec.target).join(URL("/sitemap.xml")))
        except ValueError:
            return self.spec.target  # fetching it reports the invalid URL

    async def auto(self) -> Found | None:
        home = await self.get(self.spec.target)
        candidates = [await self.sitemap(self.default_sitemap()), await self.linked_feed(home)]
        found = [item for item in candidates if item is not None]
        if found:
            return max(found, key=lambda item: item.date)
        return self.header(home)

    async def run(self, config: dict[str, Any]) -> Found | None:
        source = config.get("source") or "auto"
        url = config.get("url") or ""
        if source == "auto":
            return await self.auto()
        if source == "sitemap":
            return await self.sitemap(url or self.default_sitemap())
        if source == "feed":
            if url:
                return await self.feed(url)
            return await self.linked_feed(await self.get(self.spec.target))
        page = await self.get(url or self.spec.target)
        if source == "header":
            return self.header(page)
        if source == "selector":
            return await self.selector(page, str(config.get("selector") or ""))
        self.problems.append(gettext("unknown source %(source)r") % {"source": source})
        return None


@register
class FreshnessCheck(CheckType):
    kind = CheckKind.FRESHNESS
    label = _("Content freshness")
    default_interval = 6 * 3600

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        config, errors = opened_options(config, OPTIONS)
        source = config.get("source") or "auto"
        if source not in SOURCES:
            errors.append(ValidationError(_("The source must be one of %(sources)s."),
                                          params={"sources": ", ".join(SOURCES)}))
        url = str(config.get("url") or "").strip()
        if url:
            try:
                parsed = URL(url)
                if parsed.scheme not in ("http", "https") or not parsed.host:
                    raise ValueError(url)
            except ValueError:
                errors.append(ValidationError(_("The URL must be a full http:// or https:// address.")))
        if url and source == "auto":
            errors.append(ValidationError(_("Choose a source to give a URL; auto finds its own addresses.")))
        selector = str(config.get("selector") or "").strip()
        if source == "selector":
            if not selector:
                errors.append(ValidationError(_("Give the CSS selector of the latest news date.")))
            else:
                try:
                    check_selector(selector)
                except ValueError:
                    errors.append(ValidationError(_("%(selector)r is not a CSS selector JagaWeb can read."),
                                                  params={"selector": selector}))
        if errors:
            raise ValidationError(errors)
        cleaned: dict[str, Any] = {"source": source, "url": url}
        if selector:
            cleaned["selector"] = selector
        return cleaned

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        try:
            search = Search(spec, context.sessions.http(spec.allow_private), context.now)
            found = await search.run(spec.config)
            return self.judge(spec, context.now, found, search.problems)
        except Exception as exc:  # a run never raises (see base)
            return unexpected(self.kind, exc)

    def judge(self, spec: CheckSpec, now: datetime, found: Found | None, problems: list[str]) -> Outcome:
        if found is None:
            reasons = "; ".join(problems) or gettext("nothing to read")
            return Outcome(Status.UNKNOWN, gettext("No content date found: %(reasons)s") % {"reasons": reasons})
        age = max(now - found.date, timedelta(0))
        facts = {"content_date": found.date.isoformat(), "source": found.source, "source_url": found.url,
                 "age_days": age.days}
        words = {"date": local_day(found.date), "days": age.days, "source": SOURCE_LABELS[found.source],
                 "stale": spec.stale_after_days}
        if age > timedelta(days=spec.stale_after_days):
            message = gettext("No new content for %(days)s days (newest %(date)s, from %(source)s); "
                              "stale after %(stale)s days.") % words
            return Outcome(Status.DEGRADED, message, facts=facts)
        message = gettext("Newest content %(date)s (%(days)s days ago), from %(source)s.") % words
        return Outcome(Status.UP, message, facts=facts)

    def notices(self, spec: CheckSpec, outcome: Outcome) -> list[Notice]:
        content_date = outcome.facts.get("content_date")
        if outcome.status != Status.DEGRADED or not content_date:
            return []
        day = local_day(datetime.fromisoformat(content_date))
        data = {"site_name": spec.site_name, "content_date": day, "age_days": outcome.facts.get("age_days"),
                "stale_after_days": spec.stale_after_days, "source": outcome.facts.get("source")}
        return [Notice(key=f"stale:{day}", verb=CONTENT_STALE, severity=Severity.WARNING, data=data)]
