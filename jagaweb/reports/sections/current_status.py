"""The state of every site now, for the situation report: status, since when, recent uptime, content age,
certificate and domain days left.

The status is the dashboard's (`monitor.slots.site_statuses`: the worst of the site's active checks, and the
newest open incident). Days left and content age are counted from the dates the checks last found (the
certificate's end, the domain's expiry, the newest content) to the report's moment of issue, so a report
issued later than the last check run still counts right; staleness uses each site's own limit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.db.models.fields.json import KT
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.inventory.models import Site
from jagaweb.monitor import history
from jagaweb.monitor.checks.expiry import days_until
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, MonitorProfile
from jagaweb.monitor.slots import site_statuses
from jagaweb.reports.charts import share_bar
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.availability import mean_or_none, percent_text, rounded
from jagaweb.reports.sections.base import Chart, Column, Part, PrintOrder, Problem, Scope, Section, Table
from jagaweb.reports.sections.incidents import moment_text
from jagaweb.reports.sections.words import listed

DAY = timedelta(hours=24)
ENDING_DAYS = 14  # certificates and domains ending this soon are a problem
DEFAULT_STALE_DAYS = MonitorProfile._meta.get_field("stale_after_days").get_default()
FACT_KINDS = (CheckKind.TLS, CheckKind.DOMAIN, CheckKind.FRESHNESS)
NOT_MONITORED = ""  # a site without active checks
SHOWN: tuple[str, ...] = (Status.UP, Status.DEGRADED, Status.DOWN)  # any other status counts as unknown


@dataclass
class SiteNow:
    site_id: int
    organisation: str
    name: str
    status: str = NOT_MONITORED
    since: datetime | None = None
    uptime_day: float | None = None
    uptime_week: float | None = None
    content_age: int | None = None
    stale: bool = False
    certificate_days: int | None = None
    domain_days: int | None = None

    @property
    def bucket(self) -> str:
        """up, degraded, down, or unknown (no verdict: not checked yet, could not judge, or no checks)."""
        return self.status if self.status in SHOWN else Status.UNKNOWN


@dataclass
class StatusFigures:
    site_count: int
    up: int
    degraded: int
    down: int
    unknown: int
    average_uptime_24h: float | None
    average_uptime_7d: float | None
    stale_sites: int
    certificates_ending: int  # within ENDING_DAYS, or already ended
    domains_ending: int
    at: str  # the moment of issue, ISO


def recent_uptime(site_ids: list[int], week_start: datetime, now: datetime) -> dict[str, dict[int, float | None]]:
    """Uptime over the last 24 hours and since `week_start`, from the same rollups `monitor.history` reads."""
    ends = history.covered_until()
    return history.uptimes(site_ids, {"day": history.cover(now - DAY, now, ends),
                                      "week": history.cover(week_start, now, ends)})


def soonest(current: int | None, value: int) -> int:
    return value if current is None else min(current, value)


def add_facts(sites: dict[int, SiteNow], now: datetime) -> None:
    """Days left of the soonest certificate and domain, and the age of the newest content: one query."""
    stale_after = dict(MonitorProfile.objects.filter(site_id__in=list(sites)).values_list("site_id",
                                                                                          "stale_after_days"))
    rows = (Check.objects.filter(site_id__in=list(sites), is_active=True, kind__in=FACT_KINDS).order_by()
            .annotate(not_after=KT("facts__not_after"), expires_on=KT("facts__expires_on"),
                      content=KT("facts__content_date"), days=KT("facts__days_left"))
            .values_list("site_id", "kind", "not_after", "expires_on", "content", "days"))
    newest: dict[int, datetime] = {}
    for site_id, kind, not_after, expires_on, content, days in rows:
        site = sites[site_id]
        if kind == CheckKind.TLS and (not_after or days is not None):
            left = days_until(datetime.fromisoformat(not_after), now) if not_after else int(days)
            site.certificate_days = soonest(site.certificate_days, left)
        elif kind == CheckKind.DOMAIN and (expires_on or days is not None):
            left = days_until(date.fromisoformat(expires_on), now) if expires_on else int(days)
            site.domain_days = soonest(site.domain_days, left)
        elif kind == CheckKind.FRESHNESS and content:
            found = datetime.fromisoformat(content)
            if site_id not in newest or found > newest[site_id]:
                newest[site_id] = found
    for site_id, found in newest.items():
        age = max(now - found, timedelta(0))
        sites[site_id].content_age = age.days
        sites[site_id].stale = age > timedelta(days=stale_after.get(site_id, DEFAULT_STALE_DAYS))


def sites_now(scope: Scope) -> list[SiteNow]:
    found = (Site.objects.filter(pk__in=scope.site_ids).order_by("organisation__name", "name", "pk")
             .values_list("pk", "organisation__name", "name"))
    sites = {pk: SiteNow(pk, organisation, name) for pk, organisation, name in found}
    ids = list(sites)
    for site_id, state in site_statuses(ids).items():
        sites[site_id].status, sites[site_id].since = state.status, state.incident_since
    uptime = recent_uptime(ids, scope.start, scope.now)
    for site_id, site in sites.items():
        site.uptime_day, site.uptime_week = uptime["day"][site_id], uptime["week"][site_id]
    add_facts(sites, scope.now)
    return list(sites.values())


def ending(sites: list[SiteNow], days_of: str) -> list[SiteNow]:
    return [site for site in sites
            if getattr(site, days_of) is not None and getattr(site, days_of) <= ENDING_DAYS]


class CurrentStatusSection(Section):
    """The situation report's picture of now; for the monthly report use AvailabilitySection."""

    key = "current_status"
    title = gettext_lazy("Current state of the sites")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        sites = sites_now(scope)
        figures = figures_of(sites, scope.now)
        part.figures = asdict(figures)
        part.tables = [status_table(sites)]
        part.charts = [status_chart(figures)]
        part.paragraphs = paragraphs(figures, scope.now)
        part.summary = part.paragraphs[:1]
        part.problems = problems(sites)
        return part


def figures_of(sites: list[SiteNow], now: datetime) -> StatusFigures:
    buckets: dict[str, int] = defaultdict(int)
    for site in sites:
        buckets[site.bucket] += 1
    return StatusFigures(
        site_count=len(sites), up=buckets[Status.UP], degraded=buckets[Status.DEGRADED], down=buckets[Status.DOWN],
        unknown=buckets[Status.UNKNOWN],
        average_uptime_24h=rounded(mean_or_none([site.uptime_day for site in sites])),
        average_uptime_7d=rounded(mean_or_none([site.uptime_week for site in sites])),
        stale_sites=sum(1 for site in sites if site.stale),
        certificates_ending=len(ending(sites, "certificate_days")), domains_ending=len(ending(sites, "domain_days")),
        at=now.isoformat(),
    )


def status_label(site: SiteNow) -> str:
    if site.status == NOT_MONITORED:
        return _("Not monitored")
    return str(Status(site.status).label) if site.status in Status.values else str(site.status)


def status_table(sites: list[SiteNow]) -> Table:
    columns = [
        Column(_("Organisation")), Column(_("Site")), Column(_("Status")), Column(_("Since"), ColumnKind.DATETIME),
        Column(_("Uptime 24 h"), ColumnKind.PERCENT), Column(_("Uptime 7 days"), ColumnKind.PERCENT),
        Column(_("Content age (days)"), ColumnKind.INTEGER), Column(_("Certificate days left"), ColumnKind.INTEGER),
        Column(_("Domain days left"), ColumnKind.INTEGER),
    ]
    rows = [(site.organisation, site.name, status_label(site), site.since, site.uptime_day, site.uptime_week,
             site.content_age, site.certificate_days, site.domain_days) for site in sites]
    return Table(key="current_status", title=_("State of each site now"), columns=columns, rows=rows,
                 print_order=PrintOrder(5, descending=False),
                 note=_("The status is the worst of the site's checks; \"since\" is when its open incident began. "
                        "Days left are negative once a certificate or domain has ended."),
                 empty=_("No site in this report."))


def status_chart(figures: StatusFigures) -> Chart:
    parts: list[tuple[str, float]] = [(_("up"), figures.up), (_("degraded"), figures.degraded),
                                      (_("down"), figures.down), (_("unknown"), figures.unknown)]
    return Chart(title=_("Sites by status now"), svg=share_bar(parts, colours=["good", "fair", "bad", "none"]),
                 caption=_("Unknown: not checked yet, the checks could not judge, or the site has no checks."))


def paragraphs(figures: StatusFigures, now: datetime) -> list[str]:
    words = {**asdict(figures), "at": formats.date_format(timezone.localtime(now), "Y-m-d H:i")}
    texts = [ngettext("At %(at)s the site stood as follows: %(up)s up, %(degraded)s degraded, %(down)s down and "
                      "%(unknown)s without a current verdict.",
                      "At %(at)s the %(site_count)s sites stood as follows: %(up)s up, %(degraded)s degraded, "
                      "%(down)s down and %(unknown)s without a current verdict.", figures.site_count) % words]
    if figures.average_uptime_24h is not None and figures.average_uptime_7d is not None:
        texts.append(_("The average availability was %(day)s%% over the last 24 hours and %(week)s%% over the last "
                       "7 days.") % {"day": percent_text(figures.average_uptime_24h),
                                     "week": percent_text(figures.average_uptime_7d)})
    attention = [
        ngettext("Content is stale on %(stale_sites)s site.", "Content is stale on %(stale_sites)s sites.",
                 figures.stale_sites) % words if figures.stale_sites else "",
        ngettext("%(certificates_ending)s certificate ends within 14 days or has ended.",
                 "%(certificates_ending)s certificates end within 14 days or have ended.",
                 figures.certificates_ending) % words if figures.certificates_ending else "",
        ngettext("%(domains_ending)s domain ends within 14 days or has ended.",
                 "%(domains_ending)s domains end within 14 days or have ended.",
                 figures.domains_ending) % words if figures.domains_ending else "",
    ]
    if any(attention):
        texts.append(" ".join(sentence for sentence in attention if sentence))
    return texts


def problems(sites: list[SiteNow]) -> list[Problem]:
    found = []
    down = [site for site in sites if site.status == Status.DOWN]
    if down:
        names = [_("%(site)s (since %(since)s)") % {"site": site.name, "since": moment_text(site.since)}
                 if site.since else site.name for site in down]
        found.append(Problem(
            text=ngettext("%(count)s site is down now: %(names)s.", "%(count)s sites are down now: %(names)s.",
                          len(down)) % {"count": len(down), "names": listed(names)},
            recommendation=_("Check each server and its network connection, contact the hosting provider where "
                             "the fault lies with them, and report the situation to the person in charge."),
            level=ProblemLevel.CRITICAL))
    stale = sorted((site for site in sites if site.stale), key=lambda site: -(site.content_age or 0))
    if stale:
        names = [ngettext("%(site)s (%(days)s day)", "%(site)s (%(days)s days)", site.content_age or 0)
                 % {"site": site.name, "days": site.content_age} for site in stale]
        found.append(Problem(
            text=ngettext("%(count)s site has published no new content for longer than allowed: %(names)s.",
                          "%(count)s sites have published no new content for longer than allowed: %(names)s.",
                          len(stale)) % {"count": len(stale), "names": listed(names)},
            recommendation=_("Remind the organisations concerned to publish their news and information, and check "
                             "that their content managers can still log in."),
            level=ProblemLevel.WARNING))
    found += expiry_problems(sites)
    return found


def expiry_problem(soon: list[SiteNow], days: list[int], text: str, recommendation: str) -> Problem:
    names = [_("%(site)s (%(days)s days)") % {"site": site.name, "days": left} for site, left in zip(soon, days,
                                                                                                   strict=True)]
    return Problem(text=text % {"count": len(soon), "names": listed(names)}, recommendation=recommendation,
                   level=ProblemLevel.CRITICAL if min(days) <= 7 else ProblemLevel.WARNING)


def expiry_problems(sites: list[SiteNow]) -> list[Problem]:
    found = []
    certificates = sorted(ending(sites, "certificate_days"), key=lambda site: site.certificate_days or 0)
    if certificates:
        found.append(expiry_problem(
            certificates, [site.certificate_days or 0 for site in certificates],
            ngettext("%(count)s site's certificate ends within 14 days or has ended: %(names)s.",
                     "%(count)s sites' certificates end within 14 days or have ended: %(names)s.", len(certificates)),
            _("Renew these certificates now (or check that their automatic renewal works) and install the new "
              "ones on the servers.")))
    domains = sorted(ending(sites, "domain_days"), key=lambda site: site.domain_days or 0)
    if domains:
        found.append(expiry_problem(
            domains, [site.domain_days or 0 for site in domains],
            ngettext("%(count)s site's domain ends within 14 days or has ended: %(names)s.",
                     "%(count)s sites' domains end within 14 days or have ended: %(names)s.", len(domains)),
            _("Pay the renewal of these domains with the registrar now, before the sites become unreachable.")))
    return found
