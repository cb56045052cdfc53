"""SOP run bookkeeping at scale: the compliance report, the overdue pass and a person's task list.

    python benchmarks/sop_runs.py [--sites 500] [--runs 20000] [--overdue 500] [--postgres]

Creates a throwaway installation (SQLite in a temporary directory, or with --postgres the database of
DATABASE_URL, which must be empty), with --sites sites in 50 organisations and --runs complaint-SOP runs
(SOP 003) over the last 60 days, each with its nine steps completed through the engine's data model
(rows written in bulk; the engine's own transitions are what the tests cover). --overdue of them are left
open at step 7 past their due time. Then times, once each:

- `compliance_all` for the last 30 days (every SOP, every run),
- `overdue_pass` twice (the reminders, then the escalations, each a notify message),
- `open_tasks` for a supervisor scoped to one organisation, and for one who sees everything.

No data files are needed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup(postgres: bool) -> None:
    os.environ["JAGAWEB_DATA_DIR"] = tempfile.mkdtemp(prefix="jagaweb-bench-sop-")
    if not postgres:
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL"):
        sys.exit("--postgres needs DATABASE_URL=postgres://...")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jagaweb.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def fill(sites: int, runs: int, overdue: int, rng: random.Random) -> None:
    from django.utils import timezone

    from jagaweb.inventory.models import Organisation, Site
    from jagaweb.sop.definitions import get_definition
    from jagaweb.sop.models import Run, RunStep

    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisasi {n:02}", code=f"opd-{n:02}") for n in range(50))
    made = Site.objects.bulk_create(
        Site(slug=f"situs-{n}", name=f"Situs {n}", url=f"https://situs-{n}.contoh.go.id/",
             organisation=organisations[n % 50]) for n in range(sites))
    definition = get_definition("pemeliharaan_portal_keluhan")
    now = timezone.now()
    run_rows = []
    for n in range(runs):
        site = made[n % sites]
        started = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
        run_rows.append(Run(definition_name=definition.name, definition_digest=definition.digest, title=f"Keluhan {n}",
                            organisation_id=site.organisation_id, site=site, started_at=started,
                            state="open" if n < overdue else "done", started_by_label="sistem:benchmark"))
    created = Run.objects.bulk_create(run_rows, batch_size=2000)
    steps = []
    for index, run in enumerate(created):
        moment = run.started_at
        for step in definition.steps:
            if index < overdue and step.number > 7:
                break
            minutes = float(step.waktu.value) if step.waktu else 5.0
            due = moment + timedelta(minutes=minutes) if step.waktu else None
            is_open = index < overdue and step.number == 7
            taken = timedelta(minutes=minutes * rng.uniform(0.3, 2.0))
            steps.append(RunStep(
                run=run, number=step.number, activity=step.activity, symbol=step.symbol, performer=step.performer,
                performer_label=definition.performer_of(step).label,
                role_kind=definition.performer_of(step).role or "",
                waktu_value=step.waktu.value if step.waktu else None, waktu_unit=step.waktu.unit if step.waktu else "",
                waktu_text=str(step.waktu) if step.waktu else "", state="open" if is_open else "done",
                started_at=moment, due_at=due, completed_at=None if is_open else moment + taken,
                completed_by_label="" if is_open else "sistem:benchmark"))
            moment += taken
    RunStep.objects.bulk_create(steps, batch_size=5000)


def timed(label: str, work: object) -> None:
    began = time.perf_counter()
    result = work() if callable(work) else work
    print(f"{label:<48} {time.perf_counter() - began:8.3f} s   {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--overdue", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup(args.postgres)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from jagaweb.inventory.models import Organisation
    from jagaweb.people.choices import RoleKind
    from jagaweb.people.models import Membership, Role
    from jagaweb.sop.assignment import open_tasks
    from jagaweb.sop.compliance import compliance_all
    from jagaweb.sop.overdue import overdue_pass

    began = time.perf_counter()
    fill(args.sites, args.runs, args.overdue, random.Random(args.seed))
    print(f"{args.runs} runs ({args.overdue} overdue) of {args.sites} sites on {connection.vendor}; "
          f"filled in {time.perf_counter() - began:.1f} s")
    users = get_user_model().objects
    scoped, everywhere = users.create_user("kasi-opd"), users.create_user("kasi-semua")
    supervisor = Role.objects.get(kind=RoleKind.SUPERVISOR)
    Membership.objects.create(user=scoped, role=supervisor, organisation=Organisation.objects.order_by("pk").first())
    Membership.objects.create(user=everywhere, role=supervisor)
    operator = Role.objects.get(kind=RoleKind.OPERATOR)
    Membership.objects.create(user=users.create_user("jfu"), role=operator)
    now = timezone.now()

    def month() -> str:
        reports = compliance_all(now - timedelta(days=30), now, now=now)
        report = next(item for item in reports if item.definition == "pemeliharaan_portal_keluhan")
        return f"{report.runs} runs, {report.steps_done} steps, {len(report.overdue)} overdue"

    timed("compliance_all, last 30 days", month)
    timed("overdue_pass (reminders)", lambda: overdue_pass(now=now))
    timed("overdue_pass (escalations)", lambda: overdue_pass(now=now + timedelta(days=7)))
    timed("open_tasks, supervisor of one organisation", lambda: f"{len(list(open_tasks(scoped)))} tasks")
    timed("open_tasks, supervisor of every site", lambda: f"{len(list(open_tasks(everywhere)))} tasks")


if __name__ == "__main__":
    main()
