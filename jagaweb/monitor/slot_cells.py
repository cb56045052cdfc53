"""How the dashboard's monitoring columns draw one site (see `dashboard.cells` for why in Python): the
status badge with the open incident or the worst complaint, uptime over 24 hours and 30 days with the
day's response-time sparkline, and badges for certificate days, domain days and the newest content."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from jagaweb.dashboard.cells import NOTHING, ago, badge, lines, link, muted
from jagaweb.inventory.models import Site
from jagaweb.monitor.charts import percent_text, uptime_level
from jagaweb.monitor.templatetags.monitor_format import (
    age_phrase,
    day_text,
    days_class,
    days_phrase,
    status_badge,
    status_label,
)

if TYPE_CHECKING:
    from jagaweb.monitor.slots import Availability, SiteFacts, SiteStatus


def status_cell(value: SiteStatus | None, site: Site) -> SafeString:
    if value is None:
        return link(f"{reverse('monitor:check_list')}?site={site.slug}", _("not monitored"), css="muted")
    shown = badge(status_badge(value.status), status_label(value.status), title=" · ".join(value.problems))
    if value.incident_id is not None and value.incident_since is not None:
        since = _("incident since %(since)s") % {"since": ago(value.incident_since)}
        return lines(shown, link(reverse("monitor:incident_detail", args=[value.incident_id]), since,
                                 css="incident-link"))
    if value.problems:
        return lines(shown, muted(Truncator(value.problems[0]).chars(60), "muted small"))
    return shown


def uptime_text(percent: float | None, title: str) -> SafeString:
    return format_html('<span class="uptime-text-{}" title="{}">{}</span>', uptime_level(percent), title,
                       percent_text(percent))


def availability_cell(value: Availability | None, site: Site) -> SafeString:
    if value is None or (value.day is None and value.month is None and not value.spark):
        return NOTHING
    uptimes = format_html('{} <span class="muted">·</span> {}', uptime_text(value.day, _("Uptime, 24 hours")),
                          uptime_text(value.month, _("Uptime, 30 days")))
    if not value.spark:
        return uptimes
    spark = value.spark
    picture = format_html(
        '<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{title}">'
        '<title>{title}</title><path d="{path}"/><circle cx="{x}" cy="{y}" r="2"/></svg>',
        w=f"{spark.width:g}", h=f"{spark.height:g}", title=spark.title, path=spark.path,
        x=f"{spark.last_x:g}", y=f"{spark.last_y:g}")
    return lines(uptimes, picture)


def facts_cell(value: SiteFacts | None, site: Site) -> SafeString:
    if value is None:
        return NOTHING
    shown = []
    if value.certificate_days is not None:
        label = _("TLS")  # not inside the f-string: makemessages would not find it there
        shown.append(badge(days_class(value.certificate_days, 14), f"{label} {days_phrase(value.certificate_days)}",
                           title=_("TLS certificate")))
    if value.domain_days is not None:
        label = _("Domain")
        shown.append(badge(days_class(value.domain_days, 30), f"{label} {days_phrase(value.domain_days)}",
                           title=_("Domain registration")))
    if value.content_date:
        age = age_phrase(value.content_age)
        text = _("stale") + f": {age}" if value.stale else _("updated") + f" {age}"
        title = _("Newest content: %(day)s") % {"day": day_text(value.content_date)}
        shown.append(badge("warning" if value.stale else "ok", text, title=title))
    return lines(*shown) if shown else NOTHING
