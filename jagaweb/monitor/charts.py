"""Pictures of monitoring history, drawn on the server as inline SVG (no chart library in the browser).

Each function turns figures into the geometry a template draws: a sparkline of hourly response times,
a line chart of response time with the hours of downtime shaded, a bar per day coloured by uptime, and
a strip of a check's status over time. Every mark carries a title (a tooltip and what a screen reader
says), and colours come from CSS classes that always sit next to a written figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jagaweb.monitor.choices import Status

# Uptime at or above GOOD is green, at or above FAIR amber, below it red.
GOOD, FAIR = 99.9, 99.0
SPARSE_POINTS = 48


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value`: a scale that reads easily."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def uptime_level(percent: float | None) -> str:
    if percent is None:
        return "none"
    if percent >= GOOD:
        return "ok"
    return "warning" if percent >= FAIR else "bad"


def percent_text(percent: float | None) -> str:
    if percent is None:
        return _("no data")
    # 99.95 % must not read as 100 %: keep two decimals below a hundred.
    return "100 %" if percent >= 100 else f"{math.floor(percent * 100) / 100:.2f} %"


def ms_text(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:.0f} ms"


def local_time(at: datetime) -> str:
    return str(formats.date_format(timezone.localtime(at), "Y-m-d H:i"))


@dataclass(frozen=True)
class Sparkline:
    width: float
    height: float
    path: str  # SVG path data; a gap in the data starts a new segment
    down: list[float]  # x positions of hours with downtime, drawn as red ticks
    title: str
    last_x: float  # the newest point, drawn as a dot (so that a single hour still shows)
    last_y: float


def sparkline(values: Sequence[float | None], down: Sequence[bool] = (), width: float = 120.0,
              height: float = 24.0) -> Sparkline | None:
    """Hourly response times (oldest first, None where nothing ran) as a small line; None without data."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    top = nice_ceiling(max(known))
    step = width / max(len(values) - 1, 1)
    parts: list[str] = []
    pen_down = False
    x = y = 0.0
    for i, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        x, y = round(i * step, 1), round(height - 2 - (height - 4) * value / top, 1)
        parts.append(f"{'L' if pen_down else 'M'}{x:g} {y:g}")
        pen_down = True
    ticks = [round(i * step, 1) for i, bad in enumerate(down) if bad]
    title = _("response time %(low)s to %(high)s") % {"low": ms_text(min(known)), "high": ms_text(max(known))}
    return Sparkline(width=width, height=height, path=" ".join(parts), down=ticks, title=title, last_x=x, last_y=y)


@dataclass(frozen=True)
class Sample:
    at: datetime
    value: float | None  # response time in ms
    bad: bool = False  # the site was down (some of) that time


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    title: str


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: float
    height: float
    path: str
    dots: list[Dot]
    bands: list[Band]
    grid: list[Gridline]
    first: str
    last: str

    @property
    def sparse(self) -> bool:
        """Few points: each is drawn as a dot too (a lone point makes no line)."""
        return len(self.dots) <= SPARSE_POINTS


def line_chart(samples: Sequence[Sample], start: datetime, end: datetime, slot_seconds: float,
               width: float = 600.0, height: float = 120.0) -> LineChart | None:
    """Response time over [start, end): one point per sample, shaded where the site was down.

    `slot_seconds` is how long one sample stands for (an hour, a day), the width of a shaded band."""
    if not samples or end <= start:
        return None
    span = (end - start).total_seconds()
    known = [s.value for s in samples if s.value is not None]
    top = nice_ceiling(max(known)) if known else 1.0

    def x_of(at: datetime) -> float:
        return round(width * (at - start).total_seconds() / span, 1)

    parts: list[str] = []
    dots: list[Dot] = []
    bands: list[Band] = []
    pen_down = False
    for sample in samples:
        x = x_of(sample.at)
        if sample.bad:
            bands.append(Band(x=x, width=round(max(width * slot_seconds / span, 1.0), 1),
                              title=_("%(when)s: down") % {"when": local_time(sample.at)}))
        if sample.value is None:
            pen_down = False
            continue
        y = round(height - height * sample.value / top, 1)
        parts.append(f"{'L' if pen_down else 'M'}{x:g} {y:g}")
        dots.append(Dot(x=x, y=y, title=f"{local_time(sample.at)}: {ms_text(sample.value)}"))
        pen_down = True
    grid = [Gridline(y=round(height - height * f, 1), label=ms_text(top * f)) for f in (0.5, 1.0)]
    return LineChart(width=width, height=height, path=" ".join(parts), dots=dots, bands=bands, grid=grid,
                     first=local_time(start), last=local_time(end))


@dataclass(frozen=True)
class UptimeBar:
    x: float
    width: float
    level: str  # ok, warning, bad, none: a CSS class
    title: str


@dataclass(frozen=True)
class UptimeBars:
    width: float
    height: float
    bars: list[UptimeBar]
    overall: float | None
    days: int


def uptime_bars(days: Sequence[tuple[date, float | None]], overall: float | None = None, width: float = 600.0,
                height: float = 30.0, gap: float = 1.0) -> UptimeBars:
    """One bar per day (oldest left), coloured by that day's uptime; grey where nothing was measured."""
    slot = width / max(len(days), 1)
    bars = []
    for i, (day, percent) in enumerate(days):
        bars.append(UptimeBar(
            x=round(i * slot, 2), width=round(max(slot - gap, 0.5), 2), level=uptime_level(percent),
            title=f"{formats.date_format(day, 'Y-m-d')}: {percent_text(percent)}",
        ))
    return UptimeBars(width=width, height=height, bars=bars, overall=overall, days=len(days))


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    status: str
    title: str


def status_strip(changes: Sequence[tuple[datetime, str]], start: datetime, end: datetime,
                 width: float = 600.0) -> list[Segment]:
    """A check's status over [start, end) from its results (time, status; oldest first), as segments.

    Each result's status lasts until the next one; before the first result the status is unknown."""
    if end <= start:
        return []
    span = (end - start).total_seconds()
    runs: list[tuple[datetime, datetime, str]] = []
    for at, status in changes:
        at = max(at, start)
        if at >= end:
            break
        if runs and runs[-1][2] == status:
            continue
        if runs:
            runs[-1] = (runs[-1][0], at, runs[-1][2])
        runs.append((at, end, status))
    segments = []
    for begin, finish, status in runs:
        if finish <= begin:
            continue
        x = width * (begin - start).total_seconds() / span
        label = Status(status).label if status in Status.values else status
        segments.append(Segment(
            x=round(x, 2), width=round(max(width * (finish - begin).total_seconds() / span, 0.5), 2), status=status,
            title=_("%(status)s from %(start)s to %(end)s") % {
                "status": label, "start": local_time(begin), "end": local_time(finish)},
        ))
    return segments
