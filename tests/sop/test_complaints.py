"""The public complaint: spam protection (honeypot, signed timestamp token, rate per sender) and what an
accepted complaint starts (a case, and the complaint SOP with the complainant's step done by the form)."""

from __future__ import annotations

import pytest
from django.core import signing

from jagaweb.activity.models import Event
from jagaweb.sop.choices import CaseOrigin, EvidenceKind, RunState, StepState
from jagaweb.sop.complaints import (
    MAX_FORM_AGE,
    MIN_FILL_SECONDS,
    RATE_LIMIT,
    Refused,
    Submission,
    issue_token,
    submit_complaint,
)
from jagaweb.sop.models import Case, Complaint
from tests.sop.world import COMPLAINT_SOP, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SENT = at(2026, 3, 2, 9, 0)
TEXT = "Halaman pengumuman beasiswa menampilkan galat 500 sejak pagi."


def filled(site, shown_seconds_before: float = 30, **fields) -> Submission:
    token = issue_token(site, at=SENT.timestamp() - shown_seconds_before)
    return Submission(text=TEXT, name="Budi", contact="budi@example.com", page="/pengumuman", token=token, **fields)


def test_an_accepted_complaint_opens_a_case_and_the_complaint_sop(site_a):
    complaint = submit_complaint(site_a, filled(site_a), "203.0.113.7", now=SENT)
    case = complaint.case
    assert case.origin == CaseOrigin.COMPLAINT and complaint.reference in case.title
    run = case.run
    assert run.definition_name == COMPLAINT_SOP and run.state == RunState.OPEN and run.site == site_a
    first = run.steps.get(number=1)
    assert first.state == StepState.DONE and first.completed_by_label == "sistem:sop.complaint_form"
    evidence = first.evidence.get()
    assert evidence.kind == EvidenceKind.SYSTEM and evidence.target() == complaint
    assert run.current_step().number == 2
    assert "203.0.113.7" not in complaint.sender_digest and len(complaint.sender_digest) == 64
    assert Event.objects.filter(verb="sop.complaint_received", site=site_a, job="sop.complaint_form").exists()


@pytest.mark.parametrize("changes,reason", [
    ({"honeypot": "http://slot-gacor.example"}, Refused.HONEYPOT),
    ({"token": "1:abc:forged"}, Refused.TOKEN),
    ({"token": ""}, Refused.TOKEN),
])
def test_bots_are_refused(site_a, changes, reason):
    submission = filled(site_a)
    submission = Submission(**{**submission.__dict__, **changes})
    with pytest.raises(Refused) as refused:
        submit_complaint(site_a, submission, "198.51.100.9", now=SENT)
    assert refused.value.reason == reason
    assert not Complaint.objects.exists() and not Case.objects.exists()
    assert Event.objects.filter(verb="sop.complaint_refused", data__reason=reason).exists()


def test_a_form_sent_back_too_fast_or_too_late_is_refused(site_a):
    with pytest.raises(Refused) as fast:
        submit_complaint(site_a, filled(site_a, shown_seconds_before=MIN_FILL_SECONDS - 1), "198.51.100.9", now=SENT)
    assert fast.value.reason == Refused.TOO_FAST
    late = MAX_FORM_AGE.total_seconds() + 60
    with pytest.raises(Refused) as old:
        submit_complaint(site_a, filled(site_a, shown_seconds_before=late), "198.51.100.9", now=SENT)
    assert old.value.reason == Refused.EXPIRED


def test_a_token_of_another_site_is_refused(site_a, site_b):
    submission = filled(site_b)
    with pytest.raises(Refused) as refused:
        submit_complaint(site_a, submission, "198.51.100.9", now=SENT)
    assert refused.value.reason == Refused.TOKEN
    # Re-signed by someone without the key: still refused.
    _value, stamp, _signature = submission.token.split(":")
    forged = signing.Signer(key="not-the-key", salt="jagaweb.sop.complaint").sign(f"{site_a.pk}:{stamp}")
    with pytest.raises(Refused):
        submit_complaint(site_a, Submission(text=TEXT, token=forged), "198.51.100.9", now=SENT)


def test_one_sender_is_limited_per_hour(site_a):
    for _number in range(RATE_LIMIT):
        submit_complaint(site_a, filled(site_a), "198.51.100.20", now=SENT)
    with pytest.raises(Refused) as refused:
        submit_complaint(site_a, filled(site_a), "198.51.100.20", now=SENT)
    assert refused.value.reason == Refused.RATE
    submit_complaint(site_a, filled(site_a), "198.51.100.21", now=SENT)  # another sender is not held back
    assert Complaint.objects.count() == RATE_LIMIT + 1
