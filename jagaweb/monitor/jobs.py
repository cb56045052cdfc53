"""Monitoring's periodic jobs: rollups (each level when its periods complete) and history retention.

The checks themselves are not jobs: `jagaweb monitor` (the engine) runs them, thousands a minute,
which one queued task per run could not do.
"""

from __future__ import annotations

from datetime import timedelta

from jagaweb.jobs.registry import periodic
from jagaweb.monitor.rollups import prune, roll_up


@periodic("monitor.rollup", every=timedelta(minutes=1))
def rollup_history() -> str:
    """Roll results up into minutes, minutes into hours and hours into days, as each period completes."""
    written = roll_up()
    return ", ".join(f"{count} {period}" for period, count in written.items())


@periodic("monitor.prune", every=timedelta(hours=1))
def prune_history() -> str:
    """Delete raw results, minute and hour rollups past their retention (day rollups are kept)."""
    deleted = prune()
    return ", ".join(f"{count} {kind} deleted" for kind, count in deleted.items())
