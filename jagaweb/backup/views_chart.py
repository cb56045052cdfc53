"""The size of a site's backups over time as a small bar chart, drawn on the server as inline SVG:
one bar per backup (oldest left), its height the size backed up, the darker part the new data stored,
and a failed backup a short red bar, so a sudden jump or a run of failures shows at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupRun
from jagaweb.backup.runs import human_size
from jagaweb.inventory.models import Site

WIDTH, HEIGHT, GAP = 600.0, 90.0, 2.0
FAILED_HEIGHT = 6.0
MAX_BARS = 60


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    new_y: float
    new_height: float
    failed: bool
    title: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: float
    height: float
    largest: str
    first: datetime
    last: datetime


def recent_backups(site: Site, count: int = MAX_BARS) -> list[BackupRun]:
    runs = (BackupRun.objects.filter(site=site, operation=Operation.BACKUP).exclude(state=RunState.RUNNING)
            .order_by("-started_at", "-pk").only("started_at", "state", "bytes_total", "bytes_new", "files")[:count])
    return list(reversed(runs))


def bar_title(run: BackupRun) -> str:
    when = f"{run.started_at:%Y-%m-%d %H:%M}"
    if run.state == RunState.FAILED:
        return _("%(when)s: failed") % {"when": when}
    return _("%(when)s: %(size)s, %(new)s new, %(files)d files") % {
        "when": when, "size": human_size(run.bytes_total), "new": human_size(run.bytes_new), "files": run.files}


def size_chart(runs: list[BackupRun]) -> Chart | None:
    if not runs:
        return None
    largest = max(run.bytes_total for run in runs) or 1
    slot = WIDTH / max(len(runs), 12)  # a few backups make a few bars, not a few walls
    bars = []
    for index, run in enumerate(runs):
        failed = run.state == RunState.FAILED
        height = FAILED_HEIGHT if failed else max(HEIGHT * run.bytes_total / largest, 1.0)
        new_height = 0.0 if failed else min(height, HEIGHT * run.bytes_new / largest)
        bars.append(Bar(
            x=round(index * slot, 2), width=round(max(slot - GAP, 1.0), 2), y=round(HEIGHT - height, 2),
            height=round(height, 2), new_y=round(HEIGHT - new_height, 2), new_height=round(new_height, 2),
            failed=failed, title=bar_title(run),
        ))
    return Chart(bars=bars, width=WIDTH, height=HEIGHT, largest=human_size(largest),
                 first=runs[0].started_at, last=runs[-1].started_at)
