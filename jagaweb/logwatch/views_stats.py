"""One site's visitor log for a day ("Log aktivitas pengunjung"): the day's figures, the hours as a bar chart
drawn on the server as inline SVG, the top lists, the days before, and the CSV export of the day; plus the
button that reads the site's logs now."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jagaweb.logwatch import tasks
from jagaweb.logwatch.daily import TOP_FIELDS, csv_rows, ranked, status_classes
from jagaweb.logwatch.forms import DayForm
from jagaweb.logwatch.models import DailyVisitors, LogCursor, WatchState
from jagaweb.logwatch.views import INGEST_NOW, VIEW_STATS, local_today, open_incidents, site_or_404

WIDTH, HEIGHT, GAP, LABEL_HEIGHT = 600.0, 120.0, 3.0, 14.0
TOP_SHOWN = 15
DAYS_LISTED = 14
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOP_TITLES = {
    "top_pages": gettext_lazy("Pages"), "top_not_found": gettext_lazy("Not found (404)"),
    "top_referrers": gettext_lazy("Referring sites"), "top_agents": gettext_lazy("User agents"),
    "top_crawlers": gettext_lazy("Crawlers and bots"), "top_clients": gettext_lazy("Clients"),
    "browsers": gettext_lazy("Browsers"), "systems": gettext_lazy("Operating systems"),
}


@dataclass(frozen=True)
class HourBar:
    hour: int
    x: float
    y: float
    width: float
    height: float
    requests: int
    label: bool  # every third hour is named under the axis


@dataclass(frozen=True)
class HourChart:
    bars: list[HourBar]
    width: float
    height: float
    busiest: int
    peak: int


@dataclass(frozen=True)
class TopList:
    key: str
    title: str
    rows: list[tuple[str, int, float]]  # value, requests, share of the day's requests (0-100)


def hour_chart(hours: list[int]) -> HourChart:
    largest = max(hours) if hours and max(hours) > 0 else 1
    slot = WIDTH / 24
    bars = []
    for hour, requests in enumerate(hours):
        height = HEIGHT * requests / largest
        bars.append(HourBar(hour, round(hour * slot, 2), round(HEIGHT - height, 2), round(slot - GAP, 2),
                            round(height, 2), requests, hour % 3 == 0))
    busiest = max(range(24), key=lambda hour: hours[hour]) if hours else 0
    return HourChart(bars, WIDTH, HEIGHT + LABEL_HEIGHT, busiest, max(hours) if hours else 0)


def top_lists(day: DailyVisitors) -> list[TopList]:
    total = day.requests or 1
    return [TopList(name, str(TOP_TITLES[name]),
                    [(value, count, round(100 * count / total, 1)) for value, count in
                     ranked(getattr(day, name) or {}, TOP_SHOWN)])
            for name in TOP_FIELDS]


def chosen_day(request: HttpRequest) -> tuple[DayForm, date]:
    form = DayForm(request.GET or None)
    return form, form.chosen(local_today())


@permission_required(VIEW_STATS, raise_exception=True)
def site_page(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    form, day_chosen = chosen_day(request)
    day = DailyVisitors.objects.filter(site=site, date=day_chosen).first()
    recent = DailyVisitors.objects.filter(site=site, date__lte=day_chosen).order_by("-date").only(
        "date", "requests", "visitors", "clients", "pages", "bandwidth", "not_found", "exact")[:DAYS_LISTED]
    context: dict[str, Any] = {
        "site": site, "form": form, "chosen": day_chosen, "day": day,
        "previous": day_chosen - timedelta(days=1),
        "next": day_chosen + timedelta(days=1) if day_chosen < local_today() else None,
        "chart": hour_chart(list(day.hours)) if day else None,
        "classes": status_classes(day.statuses) if day else {},
        "tops": top_lists(day) if day else [],
        "recent": recent,
        "incidents": open_incidents([site.pk]).get(site.pk),
        "state": WatchState.objects.filter(site=site).first(),
        "cursors": LogCursor.objects.filter(site=site),
        "can_ingest": request.user.has_perm(INGEST_NOW) and bool(site.access_logs),
    }
    return render(request, "logwatch/site.html", context)


def plain(value: Any) -> Any:
    """A cell a spreadsheet would take for a formula (paths and agents come from attackers) stays text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


@permission_required(VIEW_STATS, raise_exception=True)
def site_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The chosen day as CSV: section, name, value."""
    site = site_or_404(request, slug)
    _form, day_chosen = chosen_day(request)
    day = DailyVisitors.objects.filter(site=site, date=day_chosen).first() or DailyVisitors(site=site, date=day_chosen)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visitors-{site.slug}-{day_chosen.isoformat()}.csv"'
    response.write("\ufeff")  # spreadsheets read the file as UTF-8 with it
    writer = csv.writer(response)
    writer.writerow([_("site"), site.slug, ""])
    writer.writerow([_("date"), day_chosen.isoformat(), ""])
    for row in csv_rows(day):
        writer.writerow([plain(cell) for cell in row])
    return response


@require_POST
@permission_required(INGEST_NOW, raise_exception=True)
def ingest_now(request: HttpRequest, slug: str) -> HttpResponse:
    site = site_or_404(request, slug)
    tasks.ingest_now.enqueue(site.pk, int(request.user.pk or 0))
    messages.success(request, _("Reading the access logs of %(site)s was queued; a worker will start it shortly.")
                     % {"site": site.name})
    return HttpResponseRedirect(reverse("logwatch:site", args=[site.slug]))
