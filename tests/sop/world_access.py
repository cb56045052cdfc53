"""SOP records of one organisation, for tests/test_url_access.py (an outsider must not see or change them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Site, ThirdParty
from jagaweb.sop.cases import open_case
from jagaweb.sop.choices import CaseOrigin, DayOffKind
from jagaweb.sop.evidence import involve, link
from jagaweb.sop.models import Complaint, DayOff, WebsiteRequest, WorkingHours
from jagaweb.sop.runs import start_run

ACTOR = SystemJob("test")


def sop_objects(site: Site, third_party: ThirdParty) -> dict[str, Any]:
    run = start_run("pemeliharaan_portal_keluhan", ACTOR, site=site, at_step=4)
    step = run.current_step()
    assert step is not None
    case = open_case(title="Kasus Disdik", origin=CaseOrigin.STAFF, actor=ACTOR, site=site, start=False)
    complaint = Complaint.objects.create(case=case, site=site, text="Halaman rusak", sender_digest="0" * 64,
                                         received_at=timezone.now())
    request = WebsiteRequest.objects.create(organisation=site.organisation, site_name="Web Disdik", purpose="Baru",
                                            letter="sop/requests/x.pdf", letter_name="x.pdf",
                                            submitted_at=timezone.now())
    return {
        "sop_run": run, "sop_step": step, "sop_evidence": link(step, "Bukti Disdik", ACTOR),
        "sop_involvement": involve(step, third_party, ACTOR), "sop_case": case, "sop_complaint": complaint,
        "sop_request": request, "sop_hours": WorkingHours.objects.create(organisation=site.organisation),
        "sop_day": DayOff.objects.create(date=date(2026, 12, 31), name="Libur Disdik",
                                         kind=DayOffKind.LOCAL_HOLIDAY, organisation=site.organisation),
    }
