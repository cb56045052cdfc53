"""The renewals section: renewals recorded in the period with their cost, services due in the next 60 days and
services ended without renewal, for the monthly and the situation report, cross-checked with the database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import translation

from jagaweb.inventory.models import Site, ThirdParty
from jagaweb.renewals.choices import ServiceKind
from jagaweb.renewals.models import Renewal, Service
from jagaweb.reports.periods import month_scope, situation_scope
from jagaweb.reports.sections.renewals import RenewalsSection
from tests.sop.world import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(org_a, org_b):
    sites = [Site.objects.create(slug=f"situs-{n}", name=f"Situs {n}", url=f"http://127.0.0.1:90{n}/",
                                 organisation=org_a if n < 3 else org_b) for n in range(1, 5)]
    provider = ThirdParty.objects.create(name="Jagoan Hosting", kind="hosting")
    registrar = ThirdParty.objects.create(name="PANDI", kind="registrar")

    def service(name, kind, end, site=None, organisation=None, auto=False, active=True, cost="1500000"):
        return Service.objects.create(
            name=name, kind=kind, period_end=end, site=site, organisation=organisation or site.organisation,
            provider=registrar if kind == ServiceKind.DOMAIN else provider, auto_renew=auto, is_active=active,
            cost=Decimal(cost) if cost else None, identifier=f"{name.lower().replace(' ', '-')}.go.id")

    services = {
        "hosting1": service("Hosting Satu", ServiceKind.HOSTING, date(2026, 4, 5), sites[0]),  # 4 days left
        "domain1": service("Domain Satu", ServiceKind.DOMAIN, date(2026, 4, 10), sites[0], auto=True),  # 9
        "line_a": service("Internet Kantor", ServiceKind.CONNECTION, date(2026, 5, 20), organisation=org_a,
                          cost="2400000"),  # 49, the organisation's own
        "cert2": service("Sertifikat Dua", ServiceKind.CERTIFICATE, date(2026, 6, 15), sites[1]),  # 75: not yet
        "hosting3": service("Hosting Tiga", ServiceKind.HOSTING, date(2026, 3, 20), sites[2]),  # ended 12 days ago
        "old2": service("Domain Lama", ServiceKind.DOMAIN, date(2026, 3, 1), sites[1], active=False),  # not in use
        "outside": service("Hosting Empat", ServiceKind.HOSTING, date(2026, 4, 3), sites[3]),  # site not in scope
        "line_b": service("Internet Dinas", ServiceKind.CONNECTION, date(2026, 4, 30), organisation=org_b,
                          cost=None),  # 29
        "vps1": service("VPS Satu", ServiceKind.HOSTING, date(2026, 4, 1), sites[0]),  # ends on the day: 0
        "domain2": service("Domain Dua", ServiceKind.DOMAIN, date(2026, 3, 31), sites[1]),  # ended yesterday
    }
    clerk = get_user_model().objects.create_user("bendahara", first_name="Sri", last_name="Wahyuni")
    recorded = [
        (services["cert2"], at(2026, 3, 3, 10), Decimal("750000"), "INV-001"),
        (services["domain1"], at(2026, 3, 12, 14), Decimal("250000"), "INV-002"),
        (services["line_a"], at(2026, 3, 20, 9), Decimal("2400000"), ""),
        (services["hosting3"], at(2026, 3, 31, 23, 30), None, "INV-004"),
        (services["cert2"], at(2026, 2, 27, 10), Decimal("750000"), "INV-000"),  # February
        (services["domain1"], at(2026, 4, 2, 9), Decimal("250000"), "INV-005"),  # April
        (services["outside"], at(2026, 3, 15, 10), Decimal("999000"), "INV-006"),  # not in scope
        (services["line_b"], at(2026, 4, 6, 10), Decimal("1000000"), "INV-007"),  # April, org_b's own
        (services["vps1"], at(2026, 4, 1, 0), Decimal("500000"), "INV-008"),  # the first moment after March
    ]
    for index, (target, moment, cost, invoice) in enumerate(recorded):
        renewal = Renewal.objects.create(
            service=target, period_start=date(2025, 3, 1) + timedelta(days=index),
            period_end=date(2026, 3, 1) + timedelta(days=index), cost=cost, invoice=f"renewals/{index}.pdf",
            invoice_number=invoice, recorded_by=clerk if index % 2 == 0 else None)
        Renewal.objects.filter(pk=renewal.pk).update(recorded_at=moment)  # recorded_at is set on creation
    return {"sites": sites, "services": services, "in_scope": sites[:3]}


def collect(world, organisation_id=None, sites=None):
    site_ids = [site.pk for site in (sites or world["in_scope"])]
    return RenewalsSection().collect(month_scope(2026, 3, site_ids, organisation_id, now=at(2026, 4, 1, 8)))


def test_figures_of_the_month(world):
    part = collect(world)
    march = Renewal.objects.filter(recorded_at__gte=at(2026, 3, 1), recorded_at__lt=at(2026, 4, 1)).exclude(
        service__site=world["sites"][3])
    assert part.figures["renewals_count"] == march.count() == 4
    assert part.figures["renewals_cost"] == float(march.aggregate(total=Sum("cost"))["total"]) == 3400000.0
    assert part.figures["renewals_without_cost"] == 1
    assert part.figures["reference_day"] == "2026-04-01"
    assert (part.figures["due_count"], part.figures["due_within_14_count"], part.figures["due_within_14_manual_count"],
            part.figures["ended_count"]) == (5, 3, 2, 2)
    assert part.figures["due_cost"] == 1500000 * 3 + 2400000  # line_b has no cost
    assert part.figures["renewals_by_kind"] == {"certificate": 1, "connection": 1, "domain": 1, "hosting": 1}
    assert part.figures["due_by_kind"] == {"connection": 2, "domain": 1, "hosting": 2}
    active = Service.objects.filter(is_active=True).exclude(site=world["sites"][3])
    assert part.figures["services_active"] == active.count() == 8


def test_tables(world):
    tables = {table.key: table for table in collect(world).tables}
    recorded = tables["renewals_recorded"].rows
    assert [row[0] for row in recorded] == ["Sertifikat Dua (sertifikat-dua.go.id)", "Domain Satu (domain-satu.go.id)",
                                            "Internet Kantor (internet-kantor.go.id)",
                                            "Hosting Tiga (hosting-tiga.go.id)"]
    assert recorded[0][1:8] == ("TLS certificate", "Situs 2", "Jagoan Hosting", date(2025, 3, 1), date(2026, 3, 1),
                                Decimal("750000.00"), "INV-001")
    assert recorded[0][8] == "Sri Wahyuni" and recorded[1][8] is None and recorded[2][7] is None
    assert recorded[2][2] == "Dinas Komunikasi dan Informatika"  # the organisation's own service
    due = tables["renewals_due"].rows
    assert [(row[0].split(" (")[0], row[5]) for row in due] == [
        ("VPS Satu", 0), ("Hosting Satu", 4), ("Domain Satu", 9), ("Internet Dinas", 29), ("Internet Kantor", 49)]
    assert due[2][7] == "yes" and due[1][7] == "no" and due[2][3] == "PANDI"
    ended = tables["renewals_ended"].rows
    assert [(row[0].split(" (")[0], row[4], row[5]) for row in ended] == [
        ("Hosting Tiga", date(2026, 3, 20), 12), ("Domain Dua", date(2026, 3, 31), 1)]


def test_chart_and_problems(world):
    part = collect(world)
    [chart] = part.charts
    root = ET.fromstring(chart.svg)
    assert len(root.findall(f"{SVG}rect")) == 5
    labels = [element.text for element in root.findall(f"{SVG}text")]
    assert labels == ["Ended, not renewed", "2", "0-7 days", "2", "8-14 days", "1", "15-30 days", "1",
                      "31-60 days", "1"]
    ended, urgent = part.problems
    assert ended.level == "critical" and ended.text.startswith("2 services have ended without a recorded renewal: ")
    assert "Hosting Tiga (hosting-tiga.go.id), Situs 3, March 20, 2026" in ended.text
    assert urgent.level == "warning" and urgent.text.startswith("2 services end within 14 days and do not renew")
    assert "VPS Satu" in urgent.text and "Hosting Satu" in urgent.text and "Domain Satu" not in urgent.text
    assert part.paragraphs[0] == "In this period 4 renewals were recorded, at a total cost of Rp 3,400,000."
    assert part.paragraphs[1].startswith("5 services end within the next 60 days, 2 of them within 14 days")


def test_an_organisation_sees_its_own_services(world, org_a):
    part = collect(world, organisation_id=org_a.pk, sites=world["in_scope"][:2])
    due = {row[0].split(" (")[0] for row in {t.key: t for t in part.tables}["renewals_due"].rows}
    assert due == {"VPS Satu", "Hosting Satu", "Domain Satu", "Internet Kantor"}  # not org_b's line, nor site 3's
    assert part.figures["ended_count"] == 1 and part.figures["renewals_count"] == 3


def test_situation_counts_from_now(world):
    now = at(2026, 4, 8, 10)
    part = RenewalsSection().collect(situation_scope([site.pk for site in world["in_scope"]], now=now))
    assert part.figures["reference_day"] == "2026-04-08"
    # recorded in the 7 days before: the April 2 renewal of domain1 and the April 6 one of org_b's line
    assert part.figures["renewals_count"] == 2 and part.figures["renewals_cost"] == 1250000.0
    assert part.paragraphs[0].startswith("In the past 7 days 2 renewals were recorded")
    ended = {row[0].split(" (")[0] for row in {t.key: t for t in part.tables}["renewals_ended"].rows}
    assert ended == {"Hosting Tiga", "Domain Dua", "VPS Satu", "Hosting Satu"}


def test_nothing_to_renew(org_a):
    site = Site.objects.create(slug="sepi", name="Situs Sepi", url="http://127.0.0.1:9100/", organisation=org_a)
    part = RenewalsSection().collect(month_scope(2026, 3, [site.pk], org_a.pk))
    assert part.figures["renewals_count"] == 0 and part.charts == [] and part.problems == []
    assert all(table.rows == [] and table.empty for table in part.tables)
