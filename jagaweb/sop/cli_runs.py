"""The run subcommands of `jagaweb sop`: `runs [--open]`, `start NAME --site SLUG [--step N]`,
`step RUN STEP --done [--note TEXT] [--decision yes|no]`. They act as the system actor "cli" (the activity
log records them as "sistem:cli"), which sees every run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Site
from jagaweb.sop.choices import Decision, RunState, StepState
from jagaweb.sop.definitions import definitions
from jagaweb.sop.models import Run, RunStep
from jagaweb.sop.runs import RunError, complete_step, start_run

CLI = SystemJob("cli")


def add_run_parsers(sub: Any) -> None:
    runs = sub.add_parser("runs", help="list SOP runs, the newest first")
    runs.add_argument("--open", action="store_true", help="only runs in progress")
    runs.add_argument("--limit", type=int, default=50)
    start = sub.add_parser("start", help="start a run of an SOP for a site")
    start.add_argument("name", metavar="NAME")
    start.add_argument("--site", required=True, metavar="SLUG")
    start.add_argument("--step", type=int, metavar="N", help="begin at this step instead of the start")
    step = sub.add_parser("step", help="complete the open step of a run")
    step.add_argument("run", type=int, metavar="RUN")
    step.add_argument("step", type=int, metavar="STEP")
    step.add_argument("--done", action="store_true", required=True, help="complete the step")
    step.add_argument("--note", default="")
    step.add_argument("--decision", choices=Decision.values, default="")


def due_text(step: RunStep | None) -> str:
    if step is None or step.due_at is None:
        return "-"
    late = " " + _("OVERDUE") if step.is_overdue(timezone.now()) else ""
    return f"{timezone.localtime(step.due_at):%Y-%m-%d %H:%M}{late}"


def list_runs(options: dict[str, Any], write: Any) -> None:
    runs = Run.objects.select_related("site", "organisation").order_by("-started_at", "-pk")
    if options["open"]:
        runs = runs.filter(state=RunState.OPEN)
    for run in runs[: max(1, options["limit"])]:
        current = run.current_step()
        where = run.site.slug if run.site is not None else run.organisation.code
        position = f"{_('step')} {current.number} ({current.performer_label}) {_('due')} {due_text(current)}" \
            if current is not None else RunState(run.state).label
        write(f"{run.pk:>6}  {run.definition_name:<28} {where:<20} {timezone.localtime(run.started_at):%Y-%m-%d %H:%M}"
              f"  {position}")


def start(options: dict[str, Any], write: Any) -> None:
    name = options["name"]
    if name not in definitions():
        raise CommandError(_("There is no definition named %(name)s. Known: %(names)s") % {
            "name": name, "names": ", ".join(definitions())})
    site = Site.objects.filter(slug=options["site"]).first()
    if site is None:
        raise CommandError(_("There is no site %(slug)s.") % {"slug": options["site"]})
    try:
        run = start_run(name, CLI, site=site, at_step=options.get("step"))
    except RunError as exc:
        raise CommandError(str(exc)) from exc
    current = run.current_step()
    assert current is not None
    write(_("Started run %(run)s: step %(step)s for %(performer)s, due %(due)s") % {
        "run": run.pk, "step": current.number, "performer": current.performer_label, "due": due_text(current)})


def complete(options: dict[str, Any], write: Any) -> None:
    step = RunStep.objects.filter(run_id=options["run"], number=options["step"],
                                  state__in=(StepState.OPEN, StepState.WAITING)).select_related("run").first()
    if step is None:
        raise CommandError(_("Run %(run)s has no open step %(step)s.") % {
            "run": options["run"], "step": options["step"]})
    try:
        following = complete_step(step, CLI, note=options["note"], decision=options["decision"])
    except RunError as exc:
        raise CommandError(str(exc)) from exc
    if following is None:
        write(_("Step %(step)s done; run %(run)s is finished.") % {"step": step.number, "run": step.run_id})
    else:
        write(_("Step %(step)s done; step %(next)s is next, for %(performer)s, due %(due)s") % {
            "step": step.number, "next": following.number, "performer": following.performer_label,
            "due": due_text(following)})
