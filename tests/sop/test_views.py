"""The SOP pages: the public complaint form (no login, spam-protected), task lists, doing a step, requests,
cases, compliance and the working-hours calendar, each within its role and scope."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jagaweb.activity.log import SystemJob
from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import CaseOrigin, DayOffKind, RequestState, StepState
from jagaweb.sop.complaints import RATE_LIMIT, issue_token
from jagaweb.sop.models import Case, Complaint, DayOff, WebsiteRequest
from jagaweb.sop.runs import start_run
from tests.sop.world import COMPLAINT_SOP, complaint_people

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CLI = SystemJob("test")
PDF = b"%PDF-1.4\n%%EOF\n"


def public_post(client: Client, site, shown_seconds_before: float = 30, **fields):
    data = {"text": "Formulir pendaftaran tidak bisa dikirim.", "page": "/daftar", "name": "Sari",
            "contact": "0812000000", "website": "", "token": issue_token(site, at=time.time() - shown_seconds_before)}
    data.update(fields)
    return client.post(reverse("complaint_form", args=[site.slug]), data, REMOTE_ADDR="203.0.113.5")


def test_the_public_form_needs_no_login_and_starts_the_complaint_sop(client, site_a):
    page = client.get(reverse("complaint_form", args=[site_a.slug]))
    assert page.status_code == 200 and b'name="token"' in page.content and b'name="website"' in page.content
    answer = public_post(client, site_a)
    assert answer.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.reference.encode() in answer.content
    assert complaint.case.run.definition_name == COMPLAINT_SOP


def test_the_public_form_refuses_bots_quietly_or_openly(client, site_a):
    assert public_post(client, site_a, website="http://judi.example").status_code == 200  # thanked, not stored
    too_fast = public_post(client, site_a, shown_seconds_before=0)
    assert too_fast.status_code == 400 and b"quicker than anyone" in too_fast.content
    assert public_post(client, site_a, token="garbage").status_code == 400
    assert not Complaint.objects.exists()
    for _number in range(RATE_LIMIT):
        assert public_post(client, site_a).status_code == 200
    assert public_post(client, site_a).status_code == 429


def test_an_inactive_site_has_no_complaint_form(client, site_a):
    site_a.is_active = False
    site_a.save()
    assert client.get(reverse("complaint_form", args=[site_a.slug])).status_code == 404


def test_a_step_is_done_by_its_role_only(site_a, make_user, client_for):
    people = complaint_people(make_user)
    run = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=4)
    step = run.current_step()
    tasks = client_for(people["kasi"]).get(reverse("sop:tasks"))
    assert step.activity[:40].encode() in tasks.content
    assert step.activity[:40].encode() not in client_for(people["jfu"]).get(reverse("sop:tasks")).content
    url = reverse("sop:step_complete", args=[step.pk])
    assert client_for(people["jfu"]).post(url, {"note": "bukan tugas saya"}).status_code == 403
    page = client_for(people["kasi"]).get(run.get_absolute_url())
    assert b"Complete the step" in page.content
    done = client_for(people["kasi"]).post(url, {"note": "Basis data penuh",
                                                  "file": SimpleUploadedFile("analisa.pdf", PDF)})
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.DONE and step.note == "Basis data penuh"
    assert step.evidence.get().file_name == "analisa.pdf"
    download = client_for(people["direktur"]).get(reverse("sop:evidence_download", args=[step.evidence.get().pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_a_disguised_upload_is_refused(site_a, make_user, client_for):
    people = complaint_people(make_user)
    step = start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=4).current_step()
    page = client_for(people["kasi"]).post(reverse("sop:step_complete", args=[step.pk]),
                                           {"file": SimpleUploadedFile("laporan.pdf", b"<?php system($_GET[1]);")})
    assert page.status_code == 200 and b"is not a PDF file" in page.content
    step.refresh_from_db()
    assert step.state == StepState.OPEN


def test_a_staff_case_is_opened_from_its_page(site_a, operator_client):
    answer = operator_client.post(reverse("sop:case_create"), {"site": site_a.pk, "title": "Menu tidak tampil",
                                                               "description": "Menu utama hilang di ponsel"})
    case = Case.objects.get()
    assert answer.status_code == 302 and case.origin == CaseOrigin.STAFF and case.run is not None
    assert b"Menu tidak tampil" in operator_client.get(case.get_absolute_url()).content


def test_a_request_is_submitted_and_its_steps_recorded_on_its_page(org_a, make_user, client_for):
    requester = make_user(RoleKind.ORG_MEMBER, username="staf-opd", organisation=org_a)
    clerk = make_user(RoleKind.OPERATOR, username="bagian-umum")
    answer = client_for(requester).post(reverse("sop:request_create"), {
        "organisation": org_a.pk, "kind": "create", "site_name": "Website Dinas Sosial", "purpose": "Website baru",
        "letter": SimpleUploadedFile("surat.pdf", PDF), "letter_number": "005/1"})
    assert answer.status_code == 302
    request = WebsiteRequest.objects.get()
    page = client_for(clerk).get(request.get_absolute_url())
    assert b'name="agenda_number"' in page.content
    step = request.run.current_step()
    recorded = client_for(clerk).post(reverse("sop:request_step", args=[request.pk]),
                                      {"step": step.pk, "agenda_number": "AG-99", "note": "Diagendakan"})
    assert recorded.status_code == 302
    request.refresh_from_db()
    assert request.agenda_number == "AG-99" and request.state == RequestState.REGISTERED
    assert client_for(requester).get(reverse("sop:request_letter", args=[request.pk])).status_code == 200
    # The requester sees the request but cannot do the clerk's steps.
    assert client_for(requester).post(reverse("sop:request_step", args=[request.pk]),
                                      {"step": request.run.current_step().pk}).status_code == 403


def test_the_calendar_is_changed_by_supervisors(make_user, client_for, operator_client):
    supervisor = client_for(make_user(RoleKind.SUPERVISOR, username="kasubbag"))
    data = {"date": "2026-12-28", "name": "Cuti bersama akhir tahun", "kind": DayOffKind.COLLECTIVE_LEAVE}
    assert operator_client.post(reverse("sop:dayoff_create"), data).status_code == 403
    assert supervisor.post(reverse("sop:dayoff_create"), data).status_code == 302
    assert DayOff.objects.get().name == "Cuti bersama akhir tahun"
    page = supervisor.get(reverse("sop:calendar"))
    assert b"Cuti bersama akhir tahun" in page.content
    hours = {f"{day}_{end}": "" for day in ("saturday", "sunday") for end in ("start", "end")}
    hours.update({f"{day}_start": "08:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")})
    hours.update({f"{day}_end": "16:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")})
    assert supervisor.post(reverse("sop:hours_create"), {**hours, "national_holidays": "on"}).status_code == 302


def test_the_compliance_page_shows_the_period(site_a, operator_client):
    start_run(COMPLAINT_SOP, CLI, site=site_a, at_step=4)
    page = operator_client.get(reverse("sop:compliance"))
    assert page.status_code == 200
    assert re.search(rb"1 runs started", page.content)


REQUEST_FORMS = {
    2: {"agenda_number": "AG-2026-7"}, 3: {"disposition": "Tindak lanjuti"}, 4: {"assessment": "Layak"},
    5: {"decision": "yes"}, 6: {"note": "Mulai"}, 7: {"kak": SimpleUploadedFile("kak.pdf", PDF)},
    8: {"build_notes": "WordPress"},
    9: {"server_hostname": "web-7.contoh.go.id", "public_ip": "203.0.113.77", "subdomain": "ppid.contoh.go.id",
        "network_config": "VLAN 7"},
    10: {"report": "Selesai dipasang"}, 11: {"note": "Pekerjaan selesai"},
}


def test_a_request_walks_through_its_page_into_the_inventory(org_a, make_user, client_for):
    from jagaweb.inventory.models import Site

    staff = client_for(make_user(RoleKind.SUPERVISOR, username="kabid"))
    clerk = client_for(make_user(RoleKind.OPERATOR, username="umum"))
    boss = client_for(make_user(RoleKind.EXECUTIVE, username="kepala"))
    by_role = {RoleKind.SUPERVISOR: staff, RoleKind.OPERATOR: clerk, RoleKind.EXECUTIVE: boss}
    staff.post(reverse("sop:request_create"), {"organisation": org_a.pk, "kind": "create", "site_name": "PPID",
                                               "purpose": "Website PPID", "letter": SimpleUploadedFile("s.pdf", PDF)})
    request = WebsiteRequest.objects.get()
    for _turn in range(len(REQUEST_FORMS)):
        step = request.run.current_step()
        if step is None:
            break
        client = by_role[step.role_kind]
        page = client.get(request.get_absolute_url())
        assert b'id="request-step"' in page.content and b"Record and complete the step" in page.content
        answer = client.post(reverse("sop:request_step", args=[request.pk]),
                             {"step": step.pk, **REQUEST_FORMS[step.number]})
        assert answer.status_code == 302, (step.number, answer.content[:2000])
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    site = Site.objects.get(slug="ppid")
    assert site.server.public_ip == "203.0.113.77" and site.organisation == org_a
    assert b"SOP runs" in staff.get(site.get_absolute_url()).content  # the site page's SOP section
