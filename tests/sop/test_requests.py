"""Website requests (SOP 004): each step records its part of the request, a rejection needs its reason, and
completing an approved request writes the installation into the inventory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Server, Site
from jagaweb.people.choices import RoleKind
from jagaweb.sop.choices import Decision, RequestKind, RequestState, RunState
from jagaweb.sop.requests import RequestInput, record_step, submit_request
from jagaweb.sop.runs import RunError
from tests.sop.world import REQUEST_SOP, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
STAFF = SystemJob("test")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def letter(name: str = "surat-permohonan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def submitted(org, user, **extra):
    data = RequestInput(organisation=org, site_name="Website Dinas Sosial", purpose="Pembuatan website baru",
                        letter=letter(), letter_number="005/123/DINSOS/2026", **extra)
    return submit_request(data, user, now=at(2026, 3, 2, 9))


def walk(request, values_by_step, decisions=None):
    moment = at(2026, 3, 2, 9)
    step = request.run.current_step()
    while step is not None:
        moment += timedelta(minutes=5)
        values = values_by_step.get(step.number, {})
        step = record_step(request, step, STAFF, values, decision=(decisions or {}).get(step.number, ""),
                           note=values.pop("note", ""), now=moment)
        request.refresh_from_db()
    return request


INSTALLED = {
    2: {"agenda_number": "AG-2026-0042"}, 3: {"disposition": "Kepada Bidang Aplikasi: tindak lanjuti"},
    4: {"assessment": "Layak; server NOC tersedia"},
    7: {"kak": SimpleUploadedFile("kak.pdf", PDF)}, 8: {"build_notes": "WordPress, tema standar Pemda"},
    9: {"server_hostname": "web-opd-3.contoh.go.id", "public_ip": "203.0.113.40",
        "subdomain": "dinsos.contoh.go.id", "network_config": "VLAN 120, gateway 203.0.113.1, port 80/443"},
    10: {"report": "Website terpasang dan dapat diakses"},
}


def test_an_approved_request_lands_in_the_inventory(org_a, make_user):
    requester = make_user(RoleKind.ORG_MEMBER, username="staf-dinsos", organisation=org_a)
    request = submitted(org_a, requester)
    run = request.run
    assert run.definition_name == REQUEST_SOP and run.organisation == org_a and run.site is None
    assert run.steps.get(number=1).completed_by == requester and run.current_step().number == 2
    request = walk(request, {k: dict(v) for k, v in INSTALLED.items()}, {5: Decision.YES})
    assert request.state == RequestState.COMPLETED and request.approved and request.completed_at is not None
    assert request.agenda_number == "AG-2026-0042" and request.kak_name == "kak.pdf"
    server = Server.objects.get(hostname="web-opd-3.contoh.go.id")
    assert server.public_ip == "203.0.113.40" and "VLAN 120" in server.notes
    site = Site.objects.get(url="https://dinsos.contoh.go.id/")
    assert (site.slug, site.name, site.organisation, site.server) == ("dinsos", "Website Dinas Sosial", org_a, server)
    assert request.site == site and request.run.steps.get(number=7).evidence.get().file_name == "kak.pdf"
    assert Event.objects.filter(verb="inventory.created", target_id=str(site.pk)).exists()
    assert Event.objects.filter(verb="sop.request_installed", target_id=str(request.pk)).exists()
    run.refresh_from_db()
    assert run.state == RunState.DONE


def test_an_update_request_moves_the_existing_site(site_a, make_user):
    old = Server.objects.create(hostname="lama.contoh.go.id")
    site_a.server = old
    site_a.save()
    request = submitted(site_a.organisation, make_user(RoleKind.OPERATOR), kind=RequestKind.UPDATE, site=site_a)
    values = {k: dict(v) for k, v in INSTALLED.items()}
    values[9] = {"server_hostname": "baru.contoh.go.id", "public_ip": "203.0.113.41",
                 "subdomain": "kominfo.contoh.go.id"}
    walk(request, values, {5: Decision.YES})
    site_a.refresh_from_db()
    assert site_a.server.hostname == "baru.contoh.go.id" and site_a.url == "https://kominfo.contoh.go.id/"
    assert Site.objects.count() == 1


def test_a_rejection_needs_its_reason_and_writes_nothing(org_a, make_user):
    request = submitted(org_a, make_user(RoleKind.ORG_MEMBER, organisation=org_a))
    step = request.run.current_step()
    for number, values in ((2, {"agenda_number": "AG-7"}), (3, {"disposition": "Kaji"}), (4, {"assessment": "Kurang"})):
        assert step.number == number
        step = record_step(request, step, STAFF, values)
    with pytest.raises(RunError):
        record_step(request, step, STAFF, {}, decision=Decision.NO)
    end = record_step(request, step, STAFF, {"rejection_reason": "Anggaran tahun ini belum tersedia"},
                      decision=Decision.NO)
    request.refresh_from_db()
    assert end.number == 11 and request.state == RequestState.REJECTED and request.approved is False
    record_step(request, end, STAFF, {})
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED and request.completed_at is not None
    assert not Site.objects.exists() and not Server.objects.exists()


def test_a_letter_that_is_not_what_its_name_says_is_refused(org_a, make_user):
    from django.core.exceptions import ValidationError

    fake = SimpleUploadedFile("surat.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError):
        submit_request(RequestInput(organisation=org_a, site_name="X", purpose="Y", letter=fake),
                       make_user(RoleKind.OPERATOR))
