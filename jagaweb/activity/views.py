"""The activity log's pages: the filtered list, the CSV export and the printable day log."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity
from jagaweb.activity.export import csv_lines
from jagaweb.activity.filters import EventFilter, day_range
from jagaweb.activity.log import record
from jagaweb.activity.models import Event
from jagaweb.activity.paging import keyset_page
from jagaweb.activity.targets import attach_target_urls
from jagaweb.activity.verbs import EXPORTED

PAGE_SIZE = 50
LONG_SELECTS = {"site": "name", "organisation": "name", "actor": "username"}
# Past this many choices a select is too long to use (and to send): the page offers a text search instead.
SELECT_LIMIT = 300
# Rows listed per section of the day log (the summary counts them all; the CSV export has them all).
PEOPLE_LIMIT = 1000
SYSTEM_LIMIT = 500


def event_filter(request: HttpRequest) -> EventFilter:
    """The request's filters over the events the user may see (Event.objects.visible_to)."""
    events = Event.objects.visible_to(request.user).select_related("actor", "site", "organisation")
    return EventFilter(request.GET, queryset=events, request=request)


def select_options(filterset: EventFilter, *names: str) -> list[dict[str, object]]:
    """The long choice lists (sites, organisations, users) as plain pairs.

    Django renders each <option> of a select widget through a template, which takes a noticeable
    part of a second for a thousand sites; the page loops over these pairs instead.
    """
    selects = []
    for name in names or LONG_SELECTS:
        label_field = LONG_SELECTS[name]
        field = filterset.form.fields[name]
        pairs = list(field.queryset.values_list("pk", label_field)[:SELECT_LIMIT + 1])
        select: dict[str, object] = {"name": name, "label": field.label, "value": filterset.data.get(name, "")}
        if len(pairs) > SELECT_LIMIT and f"{name}_text" in filterset.form.fields:
            select.update(text_name=f"{name}_text", text_value=filterset.data.get(f"{name}_text", ""))
        else:
            select["options"] = [(str(pk), label) for pk, label in pairs]
        selects.append(select)
    return selects


def filtered_events(filterset: EventFilter) -> QuerySet[Event]:
    return filterset.qs if filterset.is_valid() else Event.objects.none()


def query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@permission_required("activity.view_event", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = event_filter(request)
    page = keyset_page(filtered_events(filterset), request.GET.get("cursor"), PAGE_SIZE)
    attach_target_urls(page.rows)
    context = {
        "filter": filterset,
        "selects": select_options(filterset),
        "long_selects": [*LONG_SELECTS, *(f"{name}_text" for name in LONG_SELECTS)],
        "page": page,
        "query": query_without(request, "cursor"),
        "first_page": not request.GET.get("cursor"),
    }
    # "Load more" asks through htmx for the next rows only, appended under the ones shown.
    more = bool(getattr(request, "htmx", False)) and not context["first_page"]
    template = "activity/rows.html" if more else "activity/list.html"
    return render(request, template, context)


@permission_required(["activity.view_event", "activity.export_event"], raise_exception=True)
def export(request: HttpRequest) -> HttpResponseBase:
    filterset = event_filter(request)
    if not filterset.is_valid():
        errors = filterset.errors.as_text()
        return HttpResponseBadRequest(_("Invalid filter: %(errors)s") % {"errors": errors})
    filters = {key: value for key, value in request.GET.items() if value and key in filterset.filters}
    exported = record(EXPORTED, actor=request.user, filters=filters)
    events = filterset.qs.exclude(pk=exported.pk)
    response = StreamingHttpResponse(csv_lines(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="jagaweb-activity-{stamp}.csv"'
    return response


def requested_day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def day_export_query(request: HttpRequest, day: date) -> str:
    query = request.GET.copy()
    query.pop("date", None)
    query["date_from"] = query["date_to"] = day.isoformat()
    return query.urlencode()


@permission_required("activity.view_event", raise_exception=True)
def daily(request: HttpRequest) -> HttpResponse:
    """The day's log ("log kegiatan harian"): what people did and what the system did, oldest first."""
    day = requested_day(request)
    start, end = day_range(day)
    filterset = event_filter(request)
    events = filtered_events(filterset).filter(at__gte=start, at__lt=end).order_by("at", "pk")
    people = list(events.filter(actor__isnull=False)[: PEOPLE_LIMIT + 1])
    system = list(events.filter(actor__isnull=True)[: SYSTEM_LIMIT + 1])
    attach_target_urls([*people[:PEOPLE_LIMIT], *system[:SYSTEM_LIMIT]])
    counts = list(
        events.filter(actor__isnull=True).order_by().values("job", "verb", "severity")
        .annotate(count=Count("pk")).order_by("job", "verb", "severity")
    )
    summary = [{**row, "severity_label": Severity(row["severity"]).label} for row in counts]
    context = {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "filter": filterset,
        "selects": select_options(filterset, "site", "organisation"),
        "people": people[:PEOPLE_LIMIT],
        "people_more": len(people) > PEOPLE_LIMIT,
        "system": system[:SYSTEM_LIMIT],
        "system_more": len(system) > SYSTEM_LIMIT,
        "summary": summary,
        "system_total": sum(row["count"] for row in counts),
        "query": query_without(request, "date"),
        "export_query": day_export_query(request, day),
        "printed_at": timezone.localtime(),
    }
    return render(request, "activity/daily.html", context)
