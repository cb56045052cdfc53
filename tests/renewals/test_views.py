"""The renewals pages: list with filters and ended services highlighted, CSV export, forms, recording a renewal
with its invoice upload, invoice downloads, scoping (OPD staff see their own organisation only) and permissions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jagaweb.activity.models import Event
from jagaweb.people.choices import RoleKind
from jagaweb.renewals import verbs
from jagaweb.renewals.choices import DateSource, ServiceKind
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.operations import RenewalInput, record_renewal
from tests.renewals.conftest import FIXTURES


@pytest.fixture
def world(org_a, org_b, site_a, site_b, make_service, operator, invoice_pdf):
    today = timezone.localdate()
    ended = make_service(site=site_a, name="Hosting Kominfo", period_end=today - timedelta(days=3))
    soon = make_service(site=site_a, kind=ServiceKind.DOMAIN, name="Domain Kominfo", identifier="kominfo.go.id",
                        period_end=today + timedelta(days=20))
    network = make_service(organisation=org_a, kind=ServiceKind.CONNECTION, name="Astinet Diskominfo",
                           identifier="CID-778812", period_end=today + timedelta(days=200))
    retired = make_service(site=site_a, name="Hosting lama", period_end=today - timedelta(days=400), is_active=False)
    other = make_service(site=site_b, name="Hosting Disdik", period_end=today + timedelta(days=10))
    renewal = record_renewal(other, operator, RenewalInput(period_start=other.period_end,
                                                           period_end=other.period_end + timedelta(days=365),
                                                           invoice=invoice_pdf))
    return {"ended": ended, "soon": soon, "network": network, "retired": retired, "other": other,
            "other_renewal": renewal}


def names(response) -> set[str]:
    body = response.content.decode()
    return {name for name in ("Hosting Kominfo", "Domain Kominfo", "Astinet Diskominfo", "Hosting lama",
                              "Hosting Disdik") if name in body}


def test_list_filters_and_highlights_ended_services(operator_client, world, org_a):
    url = reverse("renewals:service_list")
    response = operator_client.get(url)
    assert response.status_code == 200
    assert names(response) == {"Hosting Kominfo", "Domain Kominfo", "Astinet Diskominfo", "Hosting Disdik"}
    body = response.content.decode()
    assert body.count('class="overdue"') == 1 and "badge bad" in body
    assert names(operator_client.get(url, {"kind": "domain"})) == {"Domain Kominfo"}
    # Hosting Disdik ended within 10 days too, but its renewal is recorded: its new period ends in a year.
    assert names(operator_client.get(url, {"due_within": "30"})) == {"Hosting Kominfo", "Domain Kominfo"}
    assert names(operator_client.get(url, {"overdue": "true"})) == {"Hosting Kominfo"}
    assert names(operator_client.get(url, {"organisation": org_a.pk, "q": "astinet"})) == {"Astinet Diskominfo"}
    assert names(operator_client.get(url, {"is_active": "false"})) == {"Hosting lama"}
    assert names(operator_client.get(url, {"is_active": ""})) == {"Hosting Kominfo", "Domain Kominfo",
                                                                  "Astinet Diskominfo", "Hosting lama",
                                                                  "Hosting Disdik"}
    partial = operator_client.get(url, {"kind": "connection"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and names(partial) == {"Astinet Diskominfo"}


def test_csv_export_is_filtered_recorded_and_safe_for_spreadsheets(operator_client, operator, world):
    Service.objects.filter(pk=world["soon"].pk).update(notes="=HYPERLINK(\"http://evil\")")
    response = operator_client.get(reverse("renewals:service_export"), {"organisation": world["soon"].organisation_id})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("organisation,site,kind,name,identifier,provider,period_start,period_end,days_left")
    assert len(lines) == 4  # header and the three services of the organisation in use
    assert "Hosting Disdik" not in text and "'=HYPERLINK" in text and "1500000" in text
    assert Event.objects.get(verb=verbs.EXPORTED).data["count"] == 3


def test_org_staff_see_only_their_organisation(make_user, client_for, org_a, world):
    staff = client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    assert names(staff.get(reverse("renewals:service_list"))) == {"Hosting Kominfo", "Domain Kominfo",
                                                                  "Astinet Diskominfo"}
    assert staff.get(world["soon"].get_absolute_url()).status_code == 200
    assert staff.get(world["network"].get_absolute_url()).status_code == 200  # their organisation's own
    assert staff.get(world["other"].get_absolute_url()).status_code == 404
    assert staff.get(reverse("renewals:invoice", args=[world["other_renewal"].pk])).status_code == 404
    export = b"".join(staff.get(reverse("renewals:service_export"), {"is_active": ""}).streaming_content).decode()
    assert "Hosting Kominfo" in export and "Hosting Disdik" not in export


def test_org_staff_read_but_do_not_change(make_user, client_for, org_a, world):
    staff = client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    service = world["soon"]
    assert staff.get(reverse("renewals:service_create")).status_code == 403
    assert staff.post(reverse("renewals:service_update", args=[service.pk]), {"name": "x"}).status_code == 403
    assert staff.post(reverse("renewals:renew", args=[service.pk])).status_code == 403
    assert staff.post(reverse("renewals:refresh", args=[service.pk])).status_code == 403
    assert staff.post(reverse("renewals:service_delete", args=[service.pk])).status_code == 403
    page = staff.get(service.get_absolute_url()).content.decode()
    assert reverse("renewals:renew", args=[service.pk]) not in page


def test_a_third_party_does_not_see_what_the_organisation_pays_for_elsewhere(make_user, client_for, site_a, world):
    from jagaweb.inventory.models import ThirdParty
    from jagaweb.renewals.visibility import visible_services

    vendor = ThirdParty.objects.create(name="CV Web Daerah", kind="vendor")
    site_a.third_parties.add(vendor)
    user = make_user(RoleKind.THIRD_PARTY, third_party=vendor)
    assert {s.name for s in visible_services(user)} == {"Hosting Kominfo", "Domain Kominfo", "Hosting lama"}
    assert client_for(user).get(reverse("renewals:service_list")).status_code == 403  # no permission by default


def form_data(**values):
    data = {"kind": "hosting", "name": "VPS Portal", "identifier": "vps-2c4g", "period_start": "2026-01-01",
            "period_end": "2027-01-01", "cost": "2400000", "billing_cycle": "yearly", "is_active": "on",
            "notes": "", "site": "", "organisation": "", "provider": ""}
    data.update(values)
    return data


def test_create_takes_the_organisation_from_the_site_and_records_it(operator_client, site_a, hosting):
    response = operator_client.post(reverse("renewals:service_create"),
                                    form_data(site=site_a.pk, provider=hosting.pk))
    service = Service.objects.get(name="VPS Portal")
    assert response.status_code == 302 and response["Location"] == service.get_absolute_url()
    assert service.organisation == site_a.organisation and service.provider == hosting
    assert service.cost == Decimal("2400000") and service.end_source == DateSource.MANUAL
    assert Event.objects.get(verb=verbs.SERVICE_CREATED).actor.username == "operator"
    page = operator_client.get(reverse("renewals:service_create") + f"?site={site_a.slug}").content.decode()
    assert f'<option value="{site_a.pk}" selected>' in page


def test_operators_of_one_organisation_cannot_file_services_under_another(make_user, client_for, org_a, org_b,
                                                                         site_b):
    client = client_for(make_user(RoleKind.OPERATOR, organisation=org_a))
    response = client.post(reverse("renewals:service_create"), form_data(site=site_b.pk))
    assert response.status_code == 200 and not Service.objects.exists()  # the site is not a choice
    response = client.post(reverse("renewals:service_create"), form_data(organisation=org_b.pk))
    assert response.status_code == 200 and not Service.objects.exists()
    response = client.post(reverse("renewals:service_create"), form_data(organisation=org_a.pk))
    assert response.status_code == 302 and Service.objects.get().organisation == org_a


def test_form_refuses_nonsense(operator_client, site_a, org_b):
    response = operator_client.post(reverse("renewals:service_create"),
                                    form_data(site=site_a.pk, period_end="2025-01-01", cost="-5"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "period_end" in errors and "cost" in errors
    response = operator_client.post(reverse("renewals:service_create"),
                                    form_data(site=site_a.pk, organisation=org_b.pk))
    assert "organisation" in response.context["form"].errors and not Service.objects.exists()


def test_update_records_the_changed_fields(operator_client, world):
    service = world["network"]
    data = form_data(kind="connection", name="Astinet Diskominfo", identifier="CID-778812",
                     organisation=service.organisation_id, period_start="", cost="900000",
                     period_end=f"{service.period_end:%Y-%m-%d}")
    response = operator_client.post(reverse("renewals:service_update", args=[service.pk]), data)
    assert response.status_code == 302
    event = Event.objects.get(verb=verbs.SERVICE_CHANGED)
    assert set(event.data["fields"].split(", ")) == {"period_start", "cost"}
    service.refresh_from_db()
    assert service.cost == Decimal("900000") and service.period_start is None


def test_recording_a_renewal_with_its_invoice(operator_client, world, media):
    service = world["soon"]
    page = operator_client.get(reverse("renewals:renew", args=[service.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["period_start"] == service.period_end  # the next period starts where this one ends
    new_end = service.period_end + timedelta(days=365)
    with (FIXTURES / "invoice.pdf").open("rb") as handle:
        response = operator_client.post(reverse("renewals:renew", args=[service.pk]), {
            "period_start": f"{service.period_end:%Y-%m-%d}", "period_end": f"{new_end:%Y-%m-%d}",
            "cost": "275000", "invoice": handle, "invoice_number": "PANDI/2026/001", "paid_on": "", "notes": ""})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.period_end == new_end and service.end_source == DateSource.RENEWAL
    renewal = service.renewals.get()
    assert renewal.invoice_name == "invoice.pdf" and renewal.recorded_by.username == "operator"
    detail = operator_client.get(service.get_absolute_url()).content.decode()
    assert "PANDI/2026/001" in detail and reverse("renewals:invoice", args=[renewal.pk]) in detail
    download = operator_client.get(reverse("renewals:invoice", args=[renewal.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == (FIXTURES / "invoice.pdf").read_bytes()


def test_a_renamed_web_page_is_not_taken_as_an_invoice(operator_client, world, media):
    service = world["soon"]
    with (FIXTURES / "not-a-pdf.pdf").open("rb") as handle:
        response = operator_client.post(reverse("renewals:renew", args=[service.pk]), {
            "period_start": f"{service.period_end:%Y-%m-%d}",
            "period_end": f"{service.period_end + timedelta(days=365):%Y-%m-%d}", "invoice": handle})
    assert response.status_code == 200 and "invoice" in response.context["form"].errors
    assert not service.renewals.exists()
    response = operator_client.post(reverse("renewals:renew", args=[service.pk]), {
        "period_start": f"{service.period_end:%Y-%m-%d}", "period_end": f"{service.period_end:%Y-%m-%d}"})
    assert "invoice" in response.context["form"].errors and not Renewal.objects.filter(service=service).exists()


def test_refresh_without_a_check_says_what_is_missing(operator_client, world):
    service = world["soon"]
    response = operator_client.post(reverse("renewals:refresh", args=[service.pk]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and service.period_end == Service.objects.get(pk=service.pk).period_end


def test_delete_asks_then_removes(operator_client, make_user, client_for, world):
    service = world["ended"]
    assert operator_client.post(reverse("renewals:service_delete", args=[service.pk])).status_code == 403
    supervisor = client_for(make_user(RoleKind.SUPERVISOR))
    assert supervisor.get(reverse("renewals:service_delete", args=[service.pk])).status_code == 200
    response = supervisor.post(reverse("renewals:service_delete", args=[service.pk]))
    assert response.status_code == 302 and not Service.objects.filter(pk=service.pk).exists()


def test_site_panel_and_navigation(operator_client, make_user, client_for, org_a, site_a, world):
    page = operator_client.get(site_a.get_absolute_url()).content.decode()
    assert "Domain Kominfo" in page and "Hosting lama" in page
    assert f"{reverse('renewals:service_create')}?site={site_a.slug}" in page
    assert reverse("renewals:service_list") in page  # the main navigation
    third_party = client_for(make_user(RoleKind.THIRD_PARTY))
    assert reverse("renewals:service_list").encode() not in third_party.get(reverse("dashboard:index")).content


def test_detail_lists_the_reminders_sent(operator_client, world):
    from jagaweb.renewals.reminders import send_reminders

    service = world["soon"]
    send_reminders(service.period_end - timedelta(days=14))
    send_reminders(service.period_end)
    page = operator_client.get(service.get_absolute_url()).content.decode()
    assert f"14 days before {service.period_end:%Y-%m-%d}" in page
    assert f"the period ending {service.period_end:%Y-%m-%d} has ended" in page
