"""The services list as CSV (for the finance office and the annual budget), one row per service."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date

from django.db.models import Max, QuerySet
from django.utils import timezone

from jagaweb.renewals.models import Service

COLUMNS = ("organisation", "site", "kind", "name", "identifier", "provider", "period_start", "period_end",
           "days_left", "end_source", "cost_idr", "billing_cycle", "auto_renew", "in_use", "last_renewed",
           "notes")
BOM = "\ufeff"  # lets Excel read the file as UTF-8
# A cell starting with one of these is a formula to a spreadsheet; names and notes are typed by people.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def plain(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def service_row(service: Service, today: date) -> list[str]:
    last_renewed = getattr(service, "last_renewed", None)
    return [
        plain(service.organisation.name), plain(service.site.name if service.site else ""),
        service.kind, plain(service.name), plain(service.identifier),
        plain(service.provider.name if service.provider else ""), day(service.period_start), day(service.period_end),
        str(service.days_left(today)), service.end_source, "" if service.cost is None else f"{service.cost:.0f}",
        service.billing_cycle, "yes" if service.auto_renew else "no", "yes" if service.is_active else "no",
        day(timezone.localdate(last_renewed) if last_renewed else None), plain(service.notes.replace("\r\n", "\n")),
    ]


def csv_lines(services: QuerySet[Service], today: date) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(COLUMNS)
    rows = services.annotate(last_renewed=Max("renewals__recorded_at")).order_by("period_end", "name", "pk")
    for service in rows.iterator(chunk_size=500):
        yield writer.writerow(service_row(service, today))
