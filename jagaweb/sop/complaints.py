"""Public complaints: a site's complaint form (no login) and what a complaint starts.

Spam protection without an outside captcha service: a honeypot field people do not see, a signed token
with the time the form was shown (refused when forged, older than MAX_FORM_AGE, or sent back faster than
a person can write: MIN_FILL_SECONDS), and a limit per sender address (RATE_LIMIT complaints per
RATE_WINDOW, counted on a keyed hash of the address, which is all that is kept of it).

A complaint opens a case whose run follows the complaint SOP; where that SOP's first step is the
complainant's own (a performer outside JagaWeb, as in SOP 003), the form stands for it: the step is
completed with the complaint as its evidence.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import SystemJob, record
from jagaweb.inventory.models import Site
from jagaweb.sop import verbs
from jagaweb.sop.cases import open_case
from jagaweb.sop.choices import CaseOrigin
from jagaweb.sop.evidence import link
from jagaweb.sop.models import Complaint
from jagaweb.sop.runs import complete_step

FORM_ACTOR = SystemJob("sop.complaint_form")
SALT = "jagaweb.sop.complaint"
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = timedelta(hours=2)
RATE_LIMIT = 5
RATE_WINDOW = timedelta(hours=1)


class Refused(Exception):
    """The form was not accepted; `reason` is one of the codes below, `message` what the person is told."""

    HONEYPOT, TOKEN, TOO_FAST, EXPIRED, RATE = "honeypot", "token", "too_fast", "expired", "rate"

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason, self.message = reason, message


class PinnedSigner(signing.TimestampSigner):
    """A timestamp signer whose clock is given (to issue a token as of a moment)."""

    def __init__(self, at: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.at))


def issue_token(site: Site, at: float | None = None) -> str:
    """The token for a freshly shown form of `site`."""
    return PinnedSigner(time.time() if at is None else at, salt=SALT).sign(str(site.pk))


def check_token(token: str, site: Site, now: float | None = None) -> None:
    """Refuse a token that is forged, for another site, too old, or sent back too fast."""
    now = time.time() if now is None else now
    try:
        value, stamp = signing.Signer(salt=SALT).unsign(token).rsplit(":", 1)
        issued = signing.b62_decode(stamp)
    except (ValueError, signing.BadSignature):
        raise Refused(Refused.TOKEN, _("The form could not be checked. Please send it again.")) from None
    if value != str(site.pk):
        raise Refused(Refused.TOKEN, _("The form could not be checked. Please send it again."))
    age = now - issued
    if age > MAX_FORM_AGE.total_seconds():
        raise Refused(Refused.EXPIRED, _("The form was open too long. Please send it again."))
    if age < MIN_FILL_SECONDS:
        raise Refused(Refused.TOO_FAST, _("That was quicker than anyone can write. Please send it again."))


def sender_digest(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{SALT}:{address}".encode(), hashlib.sha256).hexdigest()


def check_rate(digest: str, now: datetime) -> None:
    recent = Complaint.objects.filter(sender_digest=digest, received_at__gte=now - RATE_WINDOW).count()
    if recent >= RATE_LIMIT:
        raise Refused(Refused.RATE, _("Too many complaints from your connection. Please try again later."))


@dataclass(frozen=True)
class Submission:
    text: str
    name: str = ""
    contact: str = ""
    page: str = ""
    token: str = ""
    honeypot: str = ""


def submit_complaint(site: Site, submission: Submission, address: str, now: datetime | None = None,
                     clock: float | None = None) -> Complaint:
    """Check the form's spam protection, then record the complaint, open its case and start its SOP.
    `now` and `clock` (seconds since the epoch, for the token) fix the time in tests."""
    now = now or timezone.now()
    try:
        if submission.honeypot:
            raise Refused(Refused.HONEYPOT)
        check_token(submission.token, site, clock if clock is not None else now.timestamp())
        digest = sender_digest(address)
        check_rate(digest, now)
    except Refused as refused:
        record(verbs.COMPLAINT_REFUSED, actor=FORM_ACTOR, site=site, site_name=site.name, reason=refused.reason)
        raise
    with transaction.atomic():
        title = _("Complaint about %(site)s") % {"site": site.name}
        case = open_case(title=title, origin=CaseOrigin.COMPLAINT, actor=FORM_ACTOR, site=site,
                         description=submission.text, now=now)
        complaint = Complaint.objects.create(
            case=case, site=site, name=submission.name[:200], contact=submission.contact[:200],
            page=submission.page[:500], text=submission.text, sender_digest=digest, received_at=now)
        case.title = f"{title} ({complaint.reference})"
        case.save(update_fields=["title"])
        record(verbs.COMPLAINT_RECEIVED, actor=FORM_ACTOR, site=site, target=case, reference=complaint.reference,
               site_name=site.name)
        stand_for_first_step(complaint, now)
    return complaint


def stand_for_first_step(complaint: Complaint, now: datetime) -> None:
    """Complete the complainant's own step (no JagaWeb role does it) with the complaint as its evidence."""
    run = complaint.case.run
    step = run.current_step() if run is not None else None
    if step is None or step.role_kind:
        return
    link(step, _("Complaint %(reference)s") % {"reference": complaint.reference}, FORM_ACTOR, target=complaint,
         data={"text": complaint.text[:2000], "page": complaint.page}, now=now)
    complete_step(step, FORM_ACTOR, note=complaint.text[:2000], now=now)
