"""A report travels up the chain: issued by the operator, acknowledged by the supervisor, who forwards it to
the executive, who acknowledges it in turn (seed SOPs: report to the person in charge, forward to the
Sekretaris). Each step is an Acknowledgement; the PDF's signature block is redrawn after each one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jagaweb.activity.log import record
from jagaweb.notify.choices import MessageKind
from jagaweb.notify.dispatch import notify
from jagaweb.people.choices import RoleKind
from jagaweb.reports import verbs
from jagaweb.reports.choices import ReportState
from jagaweb.reports.models import Acknowledgement, Report

# The state a report is in -> the role that acknowledges it next and the state that follows.
NEXT: dict[str, tuple[RoleKind, ReportState]] = {
    ReportState.ISSUED: (RoleKind.SUPERVISOR, ReportState.SUPERVISOR),
    ReportState.SUPERVISOR: (RoleKind.EXECUTIVE, ReportState.EXECUTIVE),
}


class AcknowledgeError(Exception):
    """The report cannot be acknowledged by this person now; the message says why."""


def role_kinds(user: Any) -> set[str]:
    return set(user.memberships.values_list("role__kind", flat=True))


def next_reader(report: Report) -> RoleKind | None:
    step = NEXT.get(report.state)
    return step[0] if step else None


def may_acknowledge(report: Report, user: Any) -> bool:
    reader = next_reader(report)
    if reader is None or not user.has_perm("reports.acknowledge_report"):
        return False
    return bool(user.is_superuser or reader in role_kinds(user))


def acknowledge(report: Report, user: Any, note: str = "") -> Acknowledgement:
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not may_acknowledge(locked, user):
            raise AcknowledgeError(_("This report is not waiting for your acknowledgement."))
        reader, state = NEXT[locked.state]
        ack = Acknowledgement.objects.create(report=locked, user=user, state=state, note=note.strip())
        locked.state = state
        locked.save(update_fields=["state"])
        record(verbs.ACKNOWLEDGED, actor=user, organisation=locked.organisation, target=locked,
               report=locked.title, role=str(reader.label).split(" (")[0])
        forward(locked)
        transaction.on_commit(lambda: redraw_later(locked.pk), robust=True)
    report.state = locked.state
    return ack


def forward(report: Report) -> None:
    """Ask the next reader up the chain to read and acknowledge the report."""
    reader = next_reader(report)
    if reader is None:
        return
    notify(
        _("Report to acknowledge: %(title)s") % {"title": report.title},
        _("%(title)s is waiting for your acknowledgement in JagaWeb.") % {"title": report.title},
        organisation=report.organisation, audience=[reader], kind=MessageKind.REPORT,
    )


def redraw_later(report_id: int) -> None:
    from jagaweb.reports.tasks import redraw_signatures

    redraw_signatures.enqueue(report_id)
