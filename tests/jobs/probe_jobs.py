"""A test-only periodic job, loaded in worker subprocesses through JAGAWEB_EXTRA_JOB_MODULES.

Each execution writes one activity event naming its run and slot, so a test can count how often
every slot really ran.
"""

from __future__ import annotations

import time
from datetime import timedelta

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.verbs import register
from jagaweb.jobs.execute import current_run
from jagaweb.jobs.registry import periodic

PROBE = "probe.mark"
PROBE_RAN = register("probe.ran", "Probe ran for slot {slot}")


@periodic(PROBE, every=timedelta(minutes=1), per_site=True)
def mark(site: object) -> str:
    run = current_run()
    assert run is not None
    time.sleep(0.02)  # long enough for two workers to overlap
    record(PROBE_RAN, actor=SystemJob(PROBE), site=site, run=run.pk, slot=run.slot.isoformat())
    return f"marked {run.slot.isoformat()}"
