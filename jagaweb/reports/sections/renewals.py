"""Renewals of hosting, domain names, connections and certificates (seed SOP 000 step 4): the renewals recorded
in the period with their cost and invoice, the services due in the next 60 days and those already ended.

"Due" and "ended" are counted from the day after the period (the monthly report) or from the moment of issue
(the situation report), with the services' current end dates: a service renewed since has moved on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jagaweb.renewals.choices import ServiceKind
from jagaweb.renewals.models import Renewal, Service
from jagaweb.reports.charts import hbar_chart, number
from jagaweb.reports.choices import ColumnKind, ProblemLevel
from jagaweb.reports.sections.base import Chart, Column, Part, Problem, Scope, Section, Table
from jagaweb.reports.sections.service import LISTED, period_phrase, person_name, place, scope_filter
from jagaweb.reports.sections.words import listed

DUE_DAYS = 60  # how far ahead the report looks, as the first renewal reminder does
URGENT_DAYS = 14  # a service ending this soon without renewing by itself is a problem
# Bands of days left for the chart: (upper bound or None for "ended", colour); ended first.
BANDS: tuple[tuple[int | None, str], ...] = ((None, "bad"), (7, "bad"), (14, "fair"), (30, "info"), (60, "info"))


def reference_day(scope: Scope) -> date:
    """The day "due" and "ended" are counted from: the first day after the period, or today for a situation."""
    return timezone.localdate(scope.now if scope.is_situation else scope.end)


def service_label(name: str, identifier: str) -> str:
    return f"{name} ({identifier})" if identifier else name


def rupiah(amount: Decimal | float) -> str:
    return f"Rp {number(round(float(amount)), 0)}"


@dataclass(frozen=True)
class DueService:
    label: str
    kind: str
    place: str
    provider: str | None
    period_end: date
    days_left: int
    cost: Decimal | None
    auto_renew: bool

    @property
    def ended(self) -> bool:
        return self.days_left < 0


SERVICE_FIELDS = ("name", "identifier", "kind", "site__name", "organisation__name", "provider__name", "period_end",
                  "cost", "auto_renew")


def due_services(scope: Scope, day: date) -> list[DueService]:
    """The services in use that end within DUE_DAYS of `day` or have ended, soonest first (one query)."""
    rows = (Service.objects.filter(scope_filter(scope), is_active=True, period_end__lte=day + timedelta(days=DUE_DAYS))
            .order_by("period_end", "name", "pk").values_list(*SERVICE_FIELDS))
    return [DueService(service_label(name, identifier), kind, place(site_name, organisation_name), provider, end,
                       (end - day).days, cost, auto_renew)
            for name, identifier, kind, site_name, organisation_name, provider, end, cost, auto_renew
            in rows.iterator(chunk_size=2000)]


RENEWAL_FIELDS = ("service__name", "service__identifier", "service__kind", "service__site__name",
                  "service__organisation__name", "service__provider__name", "period_start", "period_end", "cost",
                  "invoice_number", "recorded_by__username", "recorded_by__first_name", "recorded_by__last_name",
                  "recorded_at")


COST = 6  # the cost's place in a renewal row


def recorded_renewals(scope: Scope) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The renewals recorded in the period as table rows, and their services' kinds (one query)."""
    rows = (Renewal.objects.filter(scope_filter(scope, "service__"), recorded_at__gte=scope.start,
                                   recorded_at__lt=scope.end)
            .order_by("recorded_at", "pk").values_list(*RENEWAL_FIELDS))
    table, kinds = [], []
    for (name, identifier, kind, site_name, organisation_name, provider, start, end, cost, invoice, username, first,
         last, recorded_at) in rows.iterator(chunk_size=2000):
        table.append((service_label(name, identifier), kind_label(kind), place(site_name, organisation_name),
                      provider, start, end, cost, invoice or None, person_name(username, first, last), recorded_at))
        kinds.append(kind)
    return table, kinds


def kind_label(kind: str) -> str:
    return str(ServiceKind(kind).label) if kind in ServiceKind.values else kind


class RenewalsSection(Section):
    key = "renewals"
    title = gettext_lazy("Renewals of hosting, domain names and connections")

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        day = reference_day(scope)
        renewals, kinds = recorded_renewals(scope)
        services = due_services(scope, day)
        ended = [service for service in services if service.ended]
        due = [service for service in services if not service.ended]
        urgent = [service for service in due if service.days_left <= URGENT_DAYS and not service.auto_renew]
        cost = sum((row[COST] for row in renewals if row[COST] is not None), Decimal(0))
        part.figures = {
            "renewals_count": len(renewals), "renewals_cost": float(cost),
            "renewals_without_cost": sum(1 for row in renewals if row[COST] is None),
            "services_active": Service.objects.filter(scope_filter(scope), is_active=True).count(),
            "due_count": len(due), "due_within_14_count": sum(1 for service in due if service.days_left <= URGENT_DAYS),
            "due_within_14_manual_count": len(urgent),
            "due_cost": float(sum((service.cost for service in due if service.cost is not None), Decimal(0))),
            "ended_count": len(ended), "reference_day": day.isoformat(),
            "renewals_by_kind": counts_by_kind(kinds),
            "due_by_kind": counts_by_kind(service.kind for service in due),
        }
        part.tables = [renewals_table(renewals), due_table(due, day), ended_table(ended, day)]
        if services:
            part.charts = [due_chart(services)]
        part.paragraphs = paragraphs(scope, len(renewals), cost, due, urgent, ended)
        part.summary = [summary(due, urgent, ended)]
        part.problems = [*ended_problems(ended), *urgent_problems(urgent)]
        return part


def counts_by_kind(kinds: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(kinds).items()))


def band_counts(services: list[DueService]) -> list[int]:
    counts = [0] * len(BANDS)
    for service in services:
        for index, (upper, _colour) in enumerate(BANDS):
            if (upper is None and service.ended) or (upper is not None and 0 <= service.days_left <= upper):
                counts[index] += 1
                break
    return counts


def band_labels() -> list[str]:
    labels, lower = [_("Ended, not renewed")], 0
    for upper, _colour in BANDS[1:]:
        assert upper is not None
        labels.append(_("%(low)d-%(high)d days") % {"low": lower, "high": upper})
        lower = upper + 1
    return labels


def due_chart(services: list[DueService]) -> Chart:
    svg = hbar_chart(band_labels(), [float(value) for value in band_counts(services)],
                     colours=[colour for _upper, colour in BANDS])
    return Chart(_("Services by days left until their end"), svg,
                 caption=_("Services in use that end within %(days)d days or have ended.") % {"days": DUE_DAYS})


def renewals_table(rows: list[tuple[Any, ...]]) -> Table:
    columns = [Column(_("Service")), Column(_("Kind")), Column(_("Site or organisation")), Column(_("Provider")),
               Column(_("Period start"), ColumnKind.DATE), Column(_("Period end"), ColumnKind.DATE),
               Column(_("Cost (IDR)"), ColumnKind.NUMBER), Column(_("Invoice number")), Column(_("Recorded by")),
               Column(_("Recorded"), ColumnKind.DATETIME)]
    return Table("renewals_recorded", _("Renewals recorded in the period"), columns, rows,
                 empty=_("No renewals were recorded in the period."))


def service_columns(days: Any) -> list[Column]:
    return [Column(_("Service")), Column(_("Kind")), Column(_("Site or organisation")), Column(_("Provider")),
            Column(_("End of the period"), ColumnKind.DATE), Column(days, ColumnKind.INTEGER),
            Column(_("Cost per period (IDR)"), ColumnKind.NUMBER), Column(_("Renews automatically"))]


def service_row(service: DueService, days: int) -> tuple[Any, ...]:
    return (service.label, kind_label(service.kind), service.place, service.provider, service.period_end, days,
            service.cost, _("yes") if service.auto_renew else _("no"))


def due_table(due: list[DueService], day: date) -> Table:
    return Table("renewals_due", _("Services due for renewal in the next %(days)d days") % {"days": DUE_DAYS},
                 service_columns(_("Days left")), [service_row(service, service.days_left) for service in due],
                 note=_("Counted from %(day)s.") % {"day": formats.date_format(day, "DATE_FORMAT")},
                 empty=_("No service ends in the next %(days)d days.") % {"days": DUE_DAYS})


def ended_table(ended: list[DueService], day: date) -> Table:
    return Table("renewals_ended", _("Services ended and not renewed"), service_columns(_("Days since the end")),
                 [service_row(service, -service.days_left) for service in ended],
                 note=_("Services in use whose period ended before %(day)s without a recorded renewal.")
                 % {"day": formats.date_format(day, "DATE_FORMAT")},
                 empty=_("No service in use has ended without a renewal."))


def paragraphs(scope: Scope, count: int, cost: Decimal, due: list[DueService], urgent: list[DueService],
               ended: list[DueService]) -> list[str]:
    texts = [ngettext("%(period)s %(count)d renewal was recorded, at a total cost of %(cost)s.",
                      "%(period)s %(count)d renewals were recorded, at a total cost of %(cost)s.", count)
             % {"period": period_phrase(scope), "count": count, "cost": rupiah(cost)}]
    texts.append(ngettext("%(count)d service ends within the next %(days)d days, %(urgent)d of them within "
                          "%(soon)d days without renewing automatically.",
                          "%(count)d services end within the next %(days)d days, %(urgent)d of them within "
                          "%(soon)d days without renewing automatically.", len(due))
                 % {"count": len(due), "days": DUE_DAYS, "urgent": len(urgent), "soon": URGENT_DAYS})
    if ended:
        texts.append(ngettext("%(count)d service in use has ended without a recorded renewal.",
                              "%(count)d services in use have ended without a recorded renewal.", len(ended))
                     % {"count": len(ended)})
    return texts


def summary(due: list[DueService], urgent: list[DueService], ended: list[DueService]) -> str:
    return (_("Renewals: %(due)d services due within %(days)d days (%(urgent)d urgent), %(ended)d ended without "
              "renewal.") % {"due": len(due), "days": DUE_DAYS, "urgent": len(urgent), "ended": len(ended)})


def named(service: DueService) -> str:
    return _("%(service)s, %(place)s, %(day)s") % {
        "service": service.label, "place": service.place, "day": formats.date_format(service.period_end,
                                                                                     "DATE_FORMAT")}


def ended_problems(ended: list[DueService]) -> list[Problem]:
    if not ended:
        return []
    text = ngettext("%(count)d service has ended without a recorded renewal: %(services)s.",
                    "%(count)d services have ended without a recorded renewal: %(services)s.", len(ended)) % {
        "count": len(ended), "services": listed([named(service) for service in ended], LISTED, "; ")}
    advice = _("Renew them with their providers at once, or record the renewal with its invoice if it was already "
               "paid; mark a service no longer used as not in use.")
    return [Problem(text, advice, ProblemLevel.CRITICAL)]


def urgent_problems(urgent: list[DueService]) -> list[Problem]:
    if not urgent:
        return []
    text = ngettext("%(count)d service ends within %(days)d days and does not renew automatically: %(services)s.",
                    "%(count)d services end within %(days)d days and do not renew automatically: %(services)s.",
                    len(urgent)) % {"count": len(urgent), "days": URGENT_DAYS,
                                    "services": listed([named(service) for service in urgent], LISTED, "; ")}
    advice = _("Start the payment with each provider now and record the renewal with its invoice once it is paid.")
    return [Problem(text, advice, ProblemLevel.WARNING)]
