"""What the monitoring engine leaves on each check at the month's end (status, message, streaks, facts), and
the notices its kinds raised during the month: content gone stale, a domain nearing its expiry.

The messages use the check kinds' own wording (through gettext, as the engine writes them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.demo.month.base import Fill
from jagaweb.demo.month.renewals import DomainPlan
from jagaweb.monitor import verbs
from jagaweb.monitor.checks.expiry import days_until, threshold_crossed
from jagaweb.monitor.checks.freshness import local_day
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, MaintenanceWindow

if TYPE_CHECKING:
    from jagaweb.demo.month.monitoring import SitePlan

JOB = "monitor"
STALE_AFTER_DAYS = 14
PUBLISHED_HOUR = 10.0  # new content appears around mid-morning
STATE_FIELDS = ["status", "message", "response_ms", "last_checked_at", "next_due_at", "consecutive_failures",
                "consecutive_successes", "facts"]
ISSUER = "CN=R11,O=Let's Encrypt,C=US"


def common(check: Check, window: MaintenanceWindow | None = None) -> dict[str, object]:
    """The data every monitoring alert records (`monitor.alerts.common`)."""
    data: dict[str, object] = {"site_name": check.site.name, "check": str(check), "check_id": check.pk}
    if window is not None:
        data["silenced_by"] = window.reason
    return data


def published(fill: Fill, day: date) -> datetime:
    return fill.month.at(day, PUBLISHED_HOUR)


def stale_notices(fill: Fill, check: Check, updates: list[date], stale: set[date]) -> None:
    """One notice each time the content goes stale (`freshness.notices`, key "stale:<day>")."""
    for day in sorted(stale):
        if day - timedelta(days=1) in stale:
            continue
        newest = max(update for update in updates if update <= day)
        at = fill.month.at(day, fill.rng.uniform(0, 6))
        content_date = published(fill, newest)
        key_day = local_day(content_date)
        data = {"site_name": check.site.name, "content_date": key_day, "age_days": (at - content_date).days,
                "stale_after_days": STALE_AFTER_DAYS, "source": "sitemap"}
        fill.events.system(verbs.CONTENT_STALE, at, JOB, site=check.site, target=check, severity=Severity.WARNING,
                           **{**common(check), **data, "key": f"stale:{key_day}"})


def expiry_notices(fill: Fill, check: Check, plan: DomainPlan) -> None:
    """The domain check's daily runs: a notice when the days left cross a threshold (once per expiry date and
    threshold; the ones crossed before the month were sent then)."""
    hour = fill.rng.uniform(0, 24)
    first = fill.month.at(fill.month.days[0], hour) - timedelta(days=1)
    start_threshold = threshold_crossed(days_until(plan.ends_before, first))
    sent = {f"domain:{plan.ends_before.isoformat()}:{start_threshold}"}
    for day in fill.month.days:
        at = fill.month.at(day, hour)
        expires = plan.expires_on(at)
        days_left = days_until(expires, at)
        threshold = threshold_crossed(days_left)
        key = f"domain:{expires.isoformat()}:{threshold}"
        if threshold is None or key in sent:
            continue
        sent.add(key)
        data = {"site_name": check.site.name, "domain": plan.domain, "days_left": days_left,
                "expires_on": expires.isoformat(), "threshold": threshold, "source": "rdap",
                "registrar": plan.registrar}
        fill.events.system(verbs.DOMAIN_EXPIRING, at, JOB, site=check.site, target=check,
                           severity=Severity.CRITICAL if threshold <= 7 else Severity.WARNING,
                           **{**common(check), **data, "key": key})


def http_state(fill: Fill, check: Check, plan: SitePlan) -> None:
    last = fill.month.end - timedelta(seconds=fill.rng.uniform(1, 59))
    ms = round(plan.typical_ms * fill.rng.lognormvariate(0, 0.3), 1)
    spans = plan.spans()
    since = spans[-1].end if spans else fill.month.start
    check.status, check.response_ms, check.last_checked_at = Status.UP, ms, last
    check.message = _("HTTP %(status)s in %(ms)s ms") % {"status": 200, "ms": f"{ms:.0f}"}
    check.consecutive_failures, check.consecutive_successes = 0, int((last - since).total_seconds() // 60) + 1
    check.facts = {"status_code": 200, "size": fill.rng.randint(18_000, 240_000)}


def tls_state(fill: Fill, check: Check) -> None:
    last = fill.month.end - timedelta(hours=fill.rng.uniform(0, 12))
    host = check.site.hostname or check.site.slug
    days_left = fill.rng.randint(31, 89)  # a 90-day certificate, renewed automatically 30 days before its end
    not_after = datetime.combine(last.date() + timedelta(days=days_left), time(12), UTC)
    check.status, check.response_ms, check.last_checked_at = Status.UP, round(fill.rng.uniform(60, 400), 1), last
    check.message = _("Valid for %(days)s more days (until %(date)s), %(protocol)s.") % {
        "days": days_until(not_after, last), "date": not_after.date().isoformat(), "protocol": "TLSv1.3"}
    check.facts = {"host": host, "port": 443, "not_after": not_after.isoformat(),
                   "days_left": days_until(not_after, last), "issuer": ISSUER, "subject": f"CN={host}",
                   "names": [host], "protocol": "TLSv1.3", "legacy_probe": "refused"}


def domain_state(fill: Fill, check: Check, plan: DomainPlan) -> None:
    last = fill.month.end - timedelta(hours=fill.rng.uniform(0, 24))
    days_left = days_until(plan.ends_after, last)
    when = {"domain": plan.domain, "date": plan.ends_after.isoformat(), "days": days_left, "source": "rdap"}
    check.response_ms, check.last_checked_at = round(fill.rng.uniform(300, 1500), 1), last
    if days_left < 30:
        check.status = Status.DEGRADED
        check.message = _("%(domain)s expires in %(days)s days, on %(date)s (%(source)s); renew it now.") % when
    else:
        check.status = Status.UP
        check.message = _("%(domain)s is registered until %(date)s, %(days)s days from now (%(source)s).") % when
    check.facts = {"domain": plan.domain, "registrar": plan.registrar, "status": ["active"], "source": "rdap",
                   "nameservers": ["ns1.go.id", "ns2.go.id"], "expires_on": plan.ends_after.isoformat(),
                   "days_left": days_left}


def freshness_state(fill: Fill, check: Check, updates: list[date]) -> None:
    last = fill.month.end - timedelta(hours=fill.rng.uniform(0, 6))
    newest = published(fill, max(update for update in updates if update <= fill.month.last_day))
    age = (last - newest).days
    words = {"date": local_day(newest), "days": age, "source": _("the sitemap"), "stale": STALE_AFTER_DAYS}
    check.response_ms, check.last_checked_at = None, last
    if age > STALE_AFTER_DAYS:
        check.status = Status.DEGRADED
        check.message = _("No new content for %(days)s days (newest %(date)s, from %(source)s); "
                          "stale after %(stale)s days.") % words
    else:
        check.status = Status.UP
        check.message = _("Newest content %(date)s (%(days)s days ago), from %(source)s.") % words
    check.facts = {"content_date": newest.isoformat(), "source": "sitemap",
                   "source_url": check.site.url.rstrip("/") + "/sitemap.xml", "age_days": age}


def end_states(fill: Fill, checks: dict[tuple[int, str], Check], plans: dict[int, SitePlan],
               domains: dict[int, DomainPlan]) -> None:
    for (site_id, kind), check in checks.items():
        if kind == CheckKind.HTTP:
            http_state(fill, check, plans[site_id])
        elif kind == CheckKind.TLS:
            tls_state(fill, check)
        elif kind == CheckKind.DOMAIN:
            domain_state(fill, check, domains[site_id])
        else:
            freshness_state(fill, check, plans[site_id].updates)
        check.message = check.message[:500]
        assert check.last_checked_at is not None
        check.next_due_at = check.last_checked_at + timedelta(seconds=check.interval)
        if kind != CheckKind.HTTP:
            check.consecutive_failures, check.consecutive_successes = 0, 1
