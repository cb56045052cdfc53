"""An organisation's public status page (`/status/<slug>/`): anyone may read it, without logging in, once
the organisation has made it public. It shows its sites' current state, 90 days of daily uptime and
the open incidents, never the checks' internal messages, targets or addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from jagaweb.inventory.models import Site
from jagaweb.monitor import history
from jagaweb.monitor.charts import UptimeBars, uptime_bars
from jagaweb.monitor.choices import IncidentState, Status
from jagaweb.monitor.models import Incident, StatusPage
from jagaweb.monitor.slots import site_statuses

DAYS = 90
MAX_SITES = 500  # a page is for people to read; an organisation with more sites splits it


@dataclass(frozen=True)
class PublicIncident:
    site: str
    since: datetime
    acknowledged: bool


@dataclass(frozen=True)
class PublicSite:
    name: str
    url: str
    status: str
    bars: UptimeBars


def public_sites(page: StatusPage) -> list[Site]:
    return list(Site.objects.filter(organisation=page.organisation, is_active=True)
                .exclude(monitor_profile__on_status_page=False).only("pk", "name", "url")
                .order_by("name", "pk")[:MAX_SITES])


@login_not_required
@require_safe
def status_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(StatusPage.objects.select_related("organisation"), slug=slug, is_public=True)
    sites = public_sites(page)
    ids = [site.pk for site in sites]
    today = timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    days = history.daily(ids, first, today)
    months = history.figures(ids, timezone.now() - timedelta(days=DAYS))
    statuses = site_statuses(ids, history.uptime_kinds())
    rows = [PublicSite(
        name=site.name, url=site.url,
        status=statuses[site.pk].status if site.pk in statuses else Status.UNKNOWN,
        bars=uptime_bars([(day, figures.uptime) for day, figures in sorted(days[site.pk].items())],
                         overall=months[site.pk].uptime),
    ) for site in sites]
    open_incidents = Incident.objects.filter(site_id__in=ids, state=IncidentState.OPEN,
                                             check_ref__kind__in=history.uptime_kinds())
    incidents = [PublicIncident(site=incident.site.name, since=incident.opened_at,
                                acknowledged=incident.acknowledged_at is not None)
                 for incident in open_incidents.select_related("site").order_by("-opened_at")]
    down = sum(1 for row in rows if row.status == Status.DOWN)
    return render(request, "monitor/status_page.html", {
        "page": page, "sites": rows, "incidents": incidents, "down": down, "days": DAYS, "now": timezone.now(),
    })
