from __future__ import annotations

from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor
from jagaweb.guard.checking import check_summary_of, run_check
from jagaweb.guard.choices import RunState, Verdict
from jagaweb.inventory.models import Site
from jagaweb.sop.automations.base import Automation, Result
from jagaweb.sop.choices import AutomationKind


class GuardCheckAutomation(Automation):
    """The page guard's check of the site (pages, appearance, files, database as its profile says); the
    GuardRun is the evidence, clean or not."""

    kind = AutomationKind.GUARD_CHECK

    def run(self, site: Site, actor: Actor) -> list[Result]:
        run = run_check(site, actor)
        ok = run.state == RunState.SUCCEEDED and run.verdict == Verdict.CLEAN
        summary = check_summary_of(run) if run.state == RunState.SUCCEEDED else run.error[:200]
        return [Result(ok, _("Guard check: %(summary)s") % {"summary": summary}, run,
                       {"verdict": run.verdict, "severity": run.severity})]
