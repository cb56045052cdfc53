"""End dates from monitoring: a domain check run against a registry on 127.0.0.1 (RDAP through IANA's bootstrap)
fills the domain service's end; a date a person set is replaced only later, on request, and always recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from jagaweb.activity.choices import Severity
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Site
from jagaweb.jobs.registry import JOBS
from jagaweb.monitor.checks import rdap
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check
from jagaweb.monitor.operations import run_now
from jagaweb.renewals import verbs
from jagaweb.renewals.choices import DateSource, RefreshResult, ServiceKind
from jagaweb.renewals.monitoring import refresh
from tests.monitor.rdapserver import RdapServer


@pytest.fixture
def registry(settings: Any) -> Iterator[RdapServer]:
    rdap.clear_caches()
    with RdapServer() as server:
        settings.JAGAWEB_RDAP_BOOTSTRAP_URL = server.bootstrap_url
        yield server
    rdap.clear_caches()


@pytest.fixture
def domain_check(site_a: Site, registry: RdapServer, operator: Any) -> Check:
    """The site's domain check, run once against the local registry: kominfo.go.id expires on 2026-01-01."""
    check = Check.objects.create(site=site_a, kind=CheckKind.DOMAIN, target="kominfo.go.id", allow_private=True,
                                 timeout=5, config={"rdap": True, "whois": False, "expires_on": "", "warn_days": 30})
    outcome = run_now(check, operator)
    assert outcome.facts["source"] == "rdap", outcome.message
    assert outcome.facts["expires_on"] == "2026-01-01"
    assert "/rdap/domain/kominfo.go.id" in registry.paths()
    return check


def test_rdap_fills_a_domain_service(site_a, make_service, domain_check, operator):
    service = make_service(site=site_a, kind=ServiceKind.DOMAIN, name="Domain", identifier="KOMINFO.go.id.",
                           period_end=date(2025, 12, 1))
    outcome = refresh(service, operator)
    service.refresh_from_db()
    assert outcome.result == RefreshResult.UPDATED and outcome.old_end == date(2025, 12, 1)
    assert service.period_end == date(2026, 1, 1) and service.end_source == DateSource.RDAP
    assert service.monitored_end == date(2026, 1, 1) and service.monitored_source == DateSource.RDAP
    event = Event.objects.get(verb=verbs.END_FROM_MONITORING)
    # It replaced a date typed by hand (the default source): recorded, as a warning.
    assert event.severity == Severity.WARNING and event.data["old_end"] == "2025-12-01"
    assert event.data["old_source"] == DateSource.MANUAL and event.data["check_id"] == domain_check.pk
    assert refresh(service, operator).result == RefreshResult.UNCHANGED
    assert Event.objects.filter(verb=verbs.END_FROM_MONITORING).count() == 1


def test_a_later_date_set_by_a_person_is_kept_and_the_disagreement_recorded_once(site_a, make_service, domain_check):
    # Renewed at the registrar and recorded here, but the registry does not show the new expiry yet.
    service = make_service(site=site_a, kind=ServiceKind.DOMAIN, name="Domain", identifier="kominfo.go.id",
                           period_end=date(2027, 1, 1), end_source=DateSource.RENEWAL)
    job = JOBS["renewals.refresh"]
    assert job.call(None) == "1 kept"
    service.refresh_from_db()
    assert service.period_end == date(2027, 1, 1) and service.end_source == DateSource.RENEWAL
    assert service.monitored_end == date(2026, 1, 1)
    assert job.call(None) == "1 kept"
    event = Event.objects.get(verb=verbs.END_DISAGREES)  # once, not every day
    assert event.data["new_end"] == "2026-01-01" and event.data["old_end"] == "2027-01-01"
    assert not Event.objects.filter(verb=verbs.END_FROM_MONITORING).exists()


def test_a_person_asking_takes_the_monitored_date(site_a, make_service, domain_check, operator):
    service = make_service(site=site_a, kind=ServiceKind.DOMAIN, name="Domain", identifier="kominfo.go.id",
                           period_end=date(2027, 1, 1))
    outcome = refresh(service, operator, asked=True)
    assert outcome.result == RefreshResult.UPDATED
    service.refresh_from_db()
    assert service.period_end == date(2026, 1, 1)
    event = Event.objects.get(verb=verbs.END_FROM_MONITORING)
    assert event.actor == operator and event.data["old_end"] == "2027-01-01"


def test_which_checks_count(site_a, site_b, make_service, domain_check, operator):
    # Without an identifier, the service's own site's check; with one, the check must be about that name.
    own = make_service(site=site_a, kind=ServiceKind.DOMAIN, name="Domain", period_end=date(2025, 6, 1))
    assert refresh(own, operator).result == RefreshResult.UPDATED
    other_name = make_service(site=site_a, kind=ServiceKind.DOMAIN, name="Other", identifier="disdik.go.id",
                              period_end=date(2025, 6, 1))
    assert refresh(other_name, operator).result == RefreshResult.NOT_MONITORED
    # Another organisation's service is never fed from this organisation's checks.
    elsewhere = make_service(site=site_b, kind=ServiceKind.DOMAIN, name="Same name", identifier="kominfo.go.id",
                             period_end=date(2025, 6, 1))
    assert refresh(elsewhere, operator).result == RefreshResult.NOT_MONITORED
    hosting = make_service(site=site_a, kind=ServiceKind.HOSTING, identifier="kominfo.go.id")
    assert refresh(hosting, operator).result == RefreshResult.NOT_MONITORED
    # A date typed into the check itself is nobody's registry answer.
    Check.objects.filter(pk=domain_check.pk).update(facts={**domain_check.facts, "source": "manual"})
    again = make_service(site=site_a, kind=ServiceKind.DOMAIN, name="Again", period_end=date(2025, 6, 1))
    assert refresh(again, operator).result == RefreshResult.NOT_MONITORED


def test_certificate_end_from_the_tls_check_as_a_local_date(site_a, make_service, operator, settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    # As the TLS check stores it: the certificate's notAfter in UTC; 23:59 UTC is the next morning in Jakarta.
    Check.objects.create(site=site_a, kind=CheckKind.TLS, status=Status.UP, facts={
        "host": "portal.kominfo.go.id", "port": 443, "not_after": "2026-09-30T23:59:59+00:00", "days_left": 90})
    service = make_service(site=site_a, kind=ServiceKind.CERTIFICATE, name="Sertifikat",
                           identifier="portal.kominfo.go.id", period_end=date(2026, 9, 1),
                           end_source=DateSource.TLS)
    assert refresh(service, operator).result == RefreshResult.UPDATED
    service.refresh_from_db()
    assert service.period_end == date(2026, 10, 1) and service.end_source == DateSource.TLS
    event = Event.objects.get(verb=verbs.END_FROM_MONITORING)
    assert event.severity == Severity.INFO  # it followed its own earlier answer, no person's date was replaced
