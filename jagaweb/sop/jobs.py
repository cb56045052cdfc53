"""The SOP app's periodic jobs: overdue steps reminded and escalated, automations run, runs started by events
(new incidents, attacks, visitor-log incidents), and the daily maintenance round of each site."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Site
from jagaweb.jobs.registry import periodic
from jagaweb.sop.automations import run_pending
from jagaweb.sop.cases import definition_for
from jagaweb.sop.choices import RunState, StartKind, TriggerEvent
from jagaweb.sop.events import pick_up
from jagaweb.sop.models import Run
from jagaweb.sop.overdue import overdue_pass
from jagaweb.sop.runs import start_run

ROUND_ACTOR = SystemJob("sop.daily_round")


@periodic("sop.overdue", every=timedelta(minutes=5))
def remind_and_escalate() -> str:
    """Remind the people of overdue SOP steps, then escalate the steps still open to the next role up."""
    return str(overdue_pass())


@periodic("sop.automations", every=timedelta(minutes=1))
def run_automations() -> str:
    """Run the automations of SOP steps that just opened (backups, guard checks, ...)."""
    return f"{run_pending()} steps"


@periodic("sop.events", every=timedelta(minutes=1))
def start_from_events() -> str:
    """Open cases, with their SOP runs, for new monitoring incidents, guard attacks and visitor-log incidents."""
    return str(pick_up())


# Off until switched on per site (on the schedule page): a run a day for every site of a large inventory is
# work for people, which an institution takes on site by site.
@periodic("sop.daily_round", every=timedelta(days=1), per_site=True, enabled_by_default=False)
def daily_round(site: Site) -> str:
    """Start the scheduled SOP (the daily maintenance round) for the site, unless the last one is still open."""
    definition = definition_for(TriggerEvent.SCHEDULE)
    if definition is None:
        return _("no SOP starts on a schedule")
    if Run.objects.filter(site=site, definition_name=definition.name, started_via=StartKind.SCHEDULE,
                          state=RunState.OPEN).exists():
        return _("the previous round is still open")
    run = start_run(definition, ROUND_ACTOR, site=site, via=StartKind.SCHEDULE, event=TriggerEvent.SCHEDULE)
    return f"run {run.pk}"
