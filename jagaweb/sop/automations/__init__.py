"""Automations: what JagaWeb does by itself for a step whose SOP names an `automation` (one module per
AutomationKind, one class per module, registered here). The records they make are linked to the step as its
system evidence; when every result is good the step is completed by the system, otherwise it stays open
for a person with the evidence of what went wrong.

Steps with automations open as PENDING; `run_pending` (the `sop.automations` job) takes each one once,
and a person can run them again from the step (`run_automations`).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob
from jagaweb.sop import verbs
from jagaweb.sop.automations.backup_run import BackupRunAutomation
from jagaweb.sop.automations.base import Automation, Result
from jagaweb.sop.automations.guard_check import GuardCheckAutomation
from jagaweb.sop.automations.logwatch_report import LogwatchReportAutomation
from jagaweb.sop.automations.monitor_check_now import MonitorCheckNowAutomation
from jagaweb.sop.automations.renewals_review import RenewalsReviewAutomation
from jagaweb.sop.choices import AutomationKind, AutomationState, StepState, Symbol
from jagaweb.sop.evidence import link
from jagaweb.sop.models import Evidence, RunStep
from jagaweb.sop.runs import RunError, complete_step, log, word

logger = logging.getLogger(__name__)
ACTOR = SystemJob("sop.automation")
AUTOMATIONS: dict[str, Automation] = {
    str(automation.kind): automation for automation in (
        BackupRunAutomation(), GuardCheckAutomation(), MonitorCheckNowAutomation(), LogwatchReportAutomation(),
        RenewalsReviewAutomation())
}


def results_of(step: RunStep, kind: str, actor: Actor) -> list[Result]:
    site = step.run.site
    automation = AUTOMATIONS.get(kind)
    if automation is None:
        return [Result(False, _("Unknown automation %(kind)s") % {"kind": kind})]
    if site is None:
        return [Result(False, _("%(automation)s needs a site; this run has none.") % {
            "automation": AutomationKind(kind).label})]
    try:
        return automation.run(site, actor)
    except Exception as exc:
        # A capability's bug must not stop the SOP: the step goes to a person with the error as evidence.
        logger.exception("automation %s of step %s", kind, step.pk)
        return [Result(False, f"{AutomationKind(kind).label}: {type(exc).__name__}: {exc}")]


def run_automations(step: RunStep, actor: Actor = ACTOR, now: datetime | None = None) -> list[Evidence]:
    """Run the step's automations now and link what they made; complete the step when all went well."""
    evidence: list[Evidence] = []
    for kind in step.automations:
        for result in results_of(step, kind, actor):
            evidence.append(link(step, result.label, actor, target=result.target, data=result.data, ok=result.ok))
            log(verbs.AUTOMATION_RAN, step.run, actor, target=step, step=step.number,
                kind=word(AutomationKind(kind).label) if kind in AutomationKind.values else kind,
                result=result.label)
    ok = bool(evidence) and all(item.ok for item in evidence)
    step.automation_state = AutomationState.SUCCEEDED if ok else AutomationState.FAILED
    step.save(update_fields=["automation_state"])
    if ok and step.symbol != Symbol.DECISION:
        with contextlib.suppress(RunError):  # a person completed or cancelled it meanwhile
            complete_step(step, actor, note="\n".join(item.label for item in evidence), now=now)
    return evidence


def claim(step: RunStep) -> bool:
    """Take a pending step for this pass; False when another worker has it."""
    return bool(RunStep.objects.filter(pk=step.pk, automation_state=AutomationState.PENDING,
                                       state=StepState.OPEN).update(automation_state=AutomationState.RUNNING))


def run_pending(limit: int = 20, now: datetime | None = None) -> int:
    """Run the automations of open steps that have not had them yet; returns how many steps were handled."""
    pending = RunStep.objects.filter(automation_state=AutomationState.PENDING, state=StepState.OPEN).select_related(
        "run", "run__site", "run__organisation").order_by("started_at", "pk")[:limit]
    handled = 0
    for step in pending:
        if claim(step):
            run_automations(step, now=now)
            handled += 1
    return handled


__all__ = ["AUTOMATIONS", "Automation", "Result", "run_automations", "run_pending"]
