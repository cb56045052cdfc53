"""Recording a renewal (the next period starts, the invoice is kept), invoice validation, billing-cycle
arithmetic, and removing a service with its invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.renewals import verbs
from jagaweb.renewals.choices import BillingCycle, DateSource
from jagaweb.renewals.invoices import MAX_INVOICE_BYTES
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.operations import (
    RenewalInput,
    add_months,
    create_service,
    delete_service,
    next_period,
    record_renewal,
    update_service,
)
from tests.renewals.conftest import FIXTURES, upload


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 7, 1), 12) == date(2027, 7, 1)
    assert add_months(date(2026, 7, 1), 36) == date(2029, 7, 1)


def test_next_period_follows_the_billing_cycle(site_a, make_service):
    service = make_service(site=site_a, period_end=date(2026, 7, 1), billing_cycle=BillingCycle.QUARTERLY)
    assert next_period(service) == (date(2026, 7, 1), date(2026, 10, 1))
    service.billing_cycle = BillingCycle.OTHER
    assert next_period(service) == (date(2026, 7, 1), None)


def test_recording_a_renewal_starts_the_next_period(site_a, make_service, operator, media, invoice_pdf):
    service = make_service(site=site_a)
    renewal = record_renewal(service, operator, RenewalInput(
        period_start=date(2026, 7, 1), period_end=date(2027, 7, 1), invoice=invoice_pdf,
        cost=Decimal("1650000"), invoice_number="INV-2026-0042", paid_on=date(2026, 6, 20)))
    service.refresh_from_db()
    assert (service.period_start, service.period_end) == (date(2026, 7, 1), date(2027, 7, 1))
    assert service.end_source == DateSource.RENEWAL and service.cost == Decimal("1650000")
    assert renewal.previous_end == date(2026, 7, 1) and renewal.recorded_by == operator
    assert renewal.invoice_name == "Invoice INV-2026-0042.pdf"
    stored = media / renewal.invoice.name
    assert renewal.invoice.name.startswith(f"renewals/{service.pk}/") and renewal.invoice.name.endswith(".pdf")
    assert stored.read_bytes() == (FIXTURES / "invoice.pdf").read_bytes()
    event = Event.objects.get(verb=verbs.RENEWED)
    assert event.actor == operator and event.site == site_a
    assert event.data["period_end"] == "2027-07-01" and event.data["previous_end"] == "2026-07-01"
    assert event.data["invoice"] == "Invoice INV-2026-0042.pdf"


def test_a_renewal_without_a_cost_keeps_the_service_cost(site_a, make_service, invoice_pdf):
    service = make_service(site=site_a)
    renewal = record_renewal(service, SystemJob("test"), RenewalInput(
        period_start=date(2026, 7, 1), period_end=date(2027, 7, 1), invoice=invoice_pdf))
    assert renewal.recorded_by is None
    service.refresh_from_db()
    assert service.cost == Decimal("1500000")


@pytest.mark.parametrize("name,content,code", [
    ("invoice.docx", b"PK\x03\x04 not an invoice", "invoice_type"),
    ("invoice.pdf", b"", "invoice_empty"),
    ("invoice.pdf", None, "invoice_content"),  # an HTML page renamed to .pdf
    ("invoice.png", b"%PDF-1.4 a pdf with the wrong name", "invoice_content"),
    ("invoice.pdf", b"%PDF-1.4\n" + b"0" * MAX_INVOICE_BYTES, "invoice_size"),
])
def test_invoices_are_checked_for_type_size_and_content(site_a, make_service, operator, media, name, content, code):
    service = make_service(site=site_a)
    bad = upload(name, content) if content is not None else upload(name, fixture="not-a-pdf.pdf")
    with pytest.raises(ValidationError) as raised:
        record_renewal(service, operator, RenewalInput(
            period_start=date(2026, 7, 1), period_end=date(2027, 7, 1), invoice=bad))
    assert "invoice" in raised.value.message_dict
    assert [error.code for error in raised.value.error_dict["invoice"]] == [code]
    assert not Renewal.objects.exists() and not (media / "renewals").exists()
    service.refresh_from_db()
    assert service.period_end == date(2026, 7, 1)


def test_png_and_jpeg_invoices_are_accepted(site_a, make_service, operator):
    service = make_service(site=site_a)
    record_renewal(service, operator, RenewalInput(period_start=date(2026, 7, 1), period_end=date(2027, 7, 1),
                                                   invoice=upload("scan.PNG", fixture="invoice.png")))
    jpeg = upload("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 rest of a photo")
    renewal = record_renewal(service, operator, RenewalInput(period_start=date(2027, 7, 1),
                                                             period_end=date(2028, 7, 1), invoice=jpeg))
    assert renewal.invoice.name.endswith(".jpg") and service.renewals.count() == 2


def test_a_renewal_period_must_make_sense(site_a, make_service, operator, invoice_pdf):
    service = make_service(site=site_a)
    with pytest.raises(ValidationError) as raised:
        record_renewal(service, operator, RenewalInput(period_start=date(2026, 7, 1), period_end=date(2026, 7, 1),
                                                       invoice=invoice_pdf))
    assert "period_end" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:  # would end before the current period does
        record_renewal(service, operator, RenewalInput(period_start=date(2025, 1, 1), period_end=date(2026, 1, 1),
                                                       invoice=invoice_pdf))
    assert "period_end" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        record_renewal(service, operator, RenewalInput(period_start=date(2026, 7, 1), period_end=date(2027, 7, 1),
                                                       invoice=invoice_pdf, cost=Decimal("-1")))
    assert "cost" in raised.value.message_dict


def test_create_change_and_delete_are_recorded_and_delete_removes_invoices(
        site_a, operator, media, invoice_pdf, django_capture_on_commit_callbacks):
    service = create_service(Service(organisation=site_a.organisation, site=site_a, kind="domain",
                                     name="Domain kominfo", identifier="kominfo.go.id", period_end=date(2027, 1, 1)),
                             operator)
    assert Event.objects.filter(verb=verbs.SERVICE_CREATED, target_id=str(service.pk)).exists()
    service.end_source = DateSource.RDAP
    service.period_end = date(2027, 2, 1)
    update_service(service, operator, ["period_end"])
    service.refresh_from_db()
    assert service.end_source == DateSource.MANUAL  # a person's date from now on
    assert Event.objects.get(verb=verbs.SERVICE_CHANGED).data["fields"] == "period_end"
    renewal = record_renewal(service, operator, RenewalInput(period_start=date(2027, 2, 1),
                                                             period_end=date(2028, 2, 1), invoice=invoice_pdf))
    stored = media / renewal.invoice.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        delete_service(service, operator)
    assert not Service.objects.filter(pk=service.pk).exists() and not Renewal.objects.exists()
    assert not stored.exists()
    assert Event.objects.get(verb=verbs.SERVICE_DELETED).data["service"] == "Domain kominfo (kominfo.go.id)"
