"""What can be done to services, in one place for pages, API and jobs: add, change and remove a service,
and record a renewal with its invoice (which starts the next period). Each is recorded in the activity log."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob, record
from jagaweb.inventory.models import Organisation, Site
from jagaweb.renewals import verbs
from jagaweb.renewals.choices import CYCLE_MONTHS, DateSource
from jagaweb.renewals.invoices import check_invoice
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.visibility import member_organisations


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when shorter (31 January + 1 month: 28/29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def next_period(service: Service) -> tuple[date, date | None]:
    """The period a renewal would most likely cover: from the current end, one billing cycle long."""
    months = CYCLE_MONTHS.get(service.billing_cycle)  # type: ignore[call-overload]
    return service.period_end, add_months(service.period_end, months) if months else None


def owner_of(actor: Actor, organisation: Organisation | None, site: Site | None) -> Organisation:
    """The organisation a service belongs to: its site's, or one the actor belongs to for a service of a whole
    organisation (anyone else could not see it once saved)."""
    if site is not None:
        if organisation is not None and organisation.pk != site.organisation_id:
            raise ValidationError({"organisation": _("The service of a site belongs to the site's organisation.")})
        return site.organisation
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the organisation, or one of its sites.")})
    if not member_organisations(actor).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("Only the organisation's own people add a service of the whole "
                                                 "organisation; choose one of its sites instead.")})
    return organisation


def common(service: Service) -> dict[str, Any]:
    return {"site": service.site, "organisation": service.organisation, "target": service, "service": str(service)}


def create_service(service: Service, actor: Actor) -> Service:
    with transaction.atomic():
        service.save()
        record(verbs.SERVICE_CREATED, actor=actor, organisation_name=service.organisation.name, **common(service))
    return service


def update_service(service: Service, actor: Actor, changed: list[str]) -> Service:
    """Save a changed service; an end date changed by a person is theirs from now on (see `monitoring`)."""
    if "period_end" in changed:
        service.end_source = DateSource.MANUAL
    with transaction.atomic():
        service.save()
        if changed:
            record(verbs.SERVICE_CHANGED, actor=actor, fields=", ".join(changed), **common(service))
    return service


def delete_files(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def delete_service(service: Service, actor: Actor) -> None:
    """Remove a service with its renewals; their invoice files go once the removal is committed."""
    names = [str(renewal.invoice.name) for renewal in service.renewals.all() if renewal.invoice]
    storage = Renewal._meta.get_field("invoice").storage
    with transaction.atomic():
        record(verbs.SERVICE_DELETED, actor=actor, organisation_name=service.organisation.name, **common(service))
        service.delete()
        transaction.on_commit(lambda: delete_files(storage, names))


def person(actor: Actor) -> Any:
    """The user behind an action, for a "recorded by" column (None for a system job or nobody)."""
    return actor if not isinstance(actor, SystemJob) and actor.is_authenticated else None


@dataclass(frozen=True)
class RenewalInput:
    period_start: date
    period_end: date
    invoice: Any  # an uploaded file
    cost: Decimal | None = None
    invoice_number: str = ""
    paid_on: date | None = None
    notes: str = ""


def check_renewal(service: Service, data: RenewalInput) -> None:
    errors: dict[str, Any] = {}
    if data.period_end <= data.period_start:
        errors["period_end"] = _("The period must end after it starts.")
    elif data.period_end < service.period_end:
        errors["period_end"] = _("The new period ends before the current one (%(end)s).") % {
            "end": f"{service.period_end:%Y-%m-%d}"}
    if data.cost is not None and data.cost < 0:
        errors["cost"] = _("The cost cannot be negative.")
    try:
        check_invoice(data.invoice)
    except ValidationError as exc:
        errors["invoice"] = exc
    if errors:
        raise ValidationError(errors)


def record_renewal(service: Service, actor: Actor, data: RenewalInput) -> Renewal:
    """Keep the renewal and its invoice, and start the next period: the service's dates (and cost, when
    given) move, so the reminders of the old period stop and the new period's begin."""
    check_renewal(service, data)
    renewal = Renewal(
        service=service, period_start=data.period_start, period_end=data.period_end, cost=data.cost,
        invoice_number=data.invoice_number, paid_on=data.paid_on, notes=data.notes,
        invoice_name=str(data.invoice.name)[-255:], recorded_by=person(actor),
    )
    renewal.invoice.save(data.invoice.name, data.invoice, save=False)
    try:
        with transaction.atomic():
            locked = Service.objects.select_for_update().get(pk=service.pk)
            renewal.service, renewal.previous_end = locked, locked.period_end
            renewal.save()
            locked.period_start, locked.period_end, locked.end_source = (
                data.period_start, data.period_end, DateSource.RENEWAL)
            if data.cost is not None:
                locked.cost = data.cost
            locked.save(update_fields=["period_start", "period_end", "end_source", "cost", "updated_at"])
            record(verbs.RENEWED, actor=actor, period_start=f"{data.period_start:%Y-%m-%d}",
                   period_end=f"{data.period_end:%Y-%m-%d}", previous_end=f"{renewal.previous_end:%Y-%m-%d}",
                   cost=str(data.cost) if data.cost is not None else "", invoice=renewal.invoice_name,
                   invoice_number=data.invoice_number, **common(locked))
    except BaseException:
        renewal.invoice.storage.delete(str(renewal.invoice.name))  # no row points at it
        raise
    service.period_start, service.period_end, service.end_source, service.cost = (
        locked.period_start, locked.period_end, locked.end_source, locked.cost)
    return renewal
