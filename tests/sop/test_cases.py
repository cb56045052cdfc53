"""Cases: the complaint SOP's steps fill in analysis, solution, repair, verification and closure, and the
run's end closes the case; the events job opens one case (with its run) per new monitoring incident, guard
attack and serious visitor-log incident, and no second one while the site's case is open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.guard.choices import RunState as GuardRunState
from jagaweb.guard.choices import Severity, Verdict
from jagaweb.guard.models import GuardRun
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, Incident
from jagaweb.sop.cases import open_case
from jagaweb.sop.choices import CaseOrigin, CaseState, RunState, TriggerEvent
from jagaweb.sop.events import pick_up, started_by
from jagaweb.sop.models import Case
from jagaweb.sop.runs import complete_step
from tests.sop.world import COMPLAINT_SOP, MAINTENANCE_SOP, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
STAFF = SystemJob("test")
NOTES = {4: "Modul pengumuman gagal membaca basis data", 5: "Perbesar batas koneksi basis data",
         7: "Batas koneksi dinaikkan, halaman normal", 8: "Laporan JFU diterima", 9: "Dicatat di log harian"}


def test_a_staff_case_follows_the_complaint_sop_to_closure(site_a):
    case = open_case(title="Galat 500 di halaman pengumuman", origin=CaseOrigin.STAFF, actor=STAFF, site=site_a,
                     now=at(2026, 3, 2, 9))
    run = case.run
    assert run.definition_name == COMPLAINT_SOP and run.trigger_event == TriggerEvent.COMPLAINT
    moment = at(2026, 3, 2, 9)
    step = run.current_step()
    while step is not None:
        moment += timedelta(minutes=2)
        step = complete_step(step, STAFF, note=NOTES.get(step.number, ""), now=moment)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_at == moment
    assert (case.analysis, case.solution, case.repair) == (NOTES[4], NOTES[5], NOTES[7])
    assert (case.verification, case.closure) == (NOTES[8], NOTES[9])


def incident_of(site, opened_at):
    check = Check.objects.create(site=site, kind=CheckKind.HTTP, status=Status.DOWN, message="HTTP 503")
    return Incident.objects.create(site=site, check_ref=check, opened_at=opened_at, cause="HTTP 503")


def test_a_new_monitoring_incident_opens_a_case_with_the_troubleshooting_steps(site_a, site_b):
    now = timezone.now()
    incident = incident_of(site_a, now - timedelta(minutes=5))
    incident_of(site_b, now - timedelta(days=30))  # from before SOP runs were switched on: left alone
    assert str(pick_up(now)) == "1 monitoring, 0 guard, 0 visitor-log cases opened"
    case = Case.objects.get()
    assert case.origin == CaseOrigin.MONITOR and case.site == site_a and "HTTP 503" in case.title
    run = case.run
    assert run.definition_name == MAINTENANCE_SOP and run.current_step().number == 5  # the incident's entry step
    assert run.source_type.model == "incident" and run.source_id == str(incident.pk)
    incident_of(site_a, now)  # a second check failing on the same site while its case is open
    assert pick_up(now).monitor == 0 and Case.objects.count() == 1


def test_a_guard_attack_opens_one_case_however_often_it_is_seen(site_a):
    now = timezone.now()
    for _check in range(3):
        GuardRun.objects.create(site=site_a, state=GuardRunState.SUCCEEDED, verdict=Verdict.JUDOL,
                                severity=Severity.CRITICAL)
    GuardRun.objects.create(site=site_a, state=GuardRunState.SUCCEEDED, verdict=Verdict.CLEAN)
    assert pick_up(now).guard == 1 and pick_up(now).guard == 0
    case = Case.objects.get()
    assert case.origin == CaseOrigin.GUARD and case.run.definition_name == "penjagaan_website"
    assert case.run.current_step().number == 3
    case.run.state = RunState.DONE
    case.run.save()
    case.state = CaseState.CLOSED
    case.save()
    GuardRun.objects.create(site=site_a, state=GuardRunState.SUCCEEDED, verdict=Verdict.DEFACED,
                            severity=Severity.CRITICAL)
    assert pick_up(now).guard == 1  # a new attack after the last case closed


def test_started_by_an_event_no_sop_declares_starts_nothing(site_a):
    assert started_by(TriggerEvent.LOGWATCH_ALERT, site=site_a) is None
    run = started_by(TriggerEvent.GUARD_ALERT, site=site_a)
    assert run is not None and run.current_step().number == 3


def test_a_serious_visitor_log_incident_opens_a_case(site_a):
    from jagaweb.logwatch.models import Incident as LogIncident

    now = timezone.now()
    LogIncident.objects.create(site=site_a, ip="198.51.100.66", severity="critical", first_seen=now, last_seen=now)
    LogIncident.objects.create(site=site_a, ip="198.51.100.67", severity="low", first_seen=now, last_seen=now)
    assert pick_up(now).logwatch == 1
    case = Case.objects.get()
    assert case.origin == CaseOrigin.LOGWATCH and "198.51.100.66" in case.title
    assert case.run is None  # no built-in SOP starts on a visitor-log alert
