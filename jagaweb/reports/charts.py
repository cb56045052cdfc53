"""Charts for reports, drawn on the server as standalone SVG strings (WeasyPrint draws them into the PDF).

Each function takes plain figures and returns one `<svg>` element with its own sizes, fonts and colours,
so the same chart works in the PDF, the HTML file and a page of the UI. Every value is also written in a
table of the report: a chart only shows the shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from jagaweb.monitor.charts import nice_ceiling
from jagaweb.reports.cells import number

FONT = "Noto Sans, DejaVu Sans, sans-serif"
INK, GRID, MUTED = "#1f2933", "#d5dbe1", "#616e7c"
PALETTE = ("#1d6fa5", "#e07b24", "#2f9e5a", "#c0392b", "#7d55c7", "#8a6d3b", "#d35d9b", "#5f6b7a")
LEVELS = {"good": "#2f9e5a", "fair": "#e0a124", "bad": "#c0392b", "none": "#b8c2cc", "info": "#1d6fa5"}
LEFT, RIGHT, TOP, BOTTOM = 48.0, 12.0, 12.0, 34.0


def svg(width: float, height: float, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}" role="img" aria-label="{escape(label)}" '
            f'font-family="{FONT}" font-size="9" fill="{INK}">' + "".join(body) + "</svg>")


def text(x: float, y: float, content: str, anchor: str = "start", size: float = 9, colour: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}" '
            f'fill="{colour}">{escape(content)}</text>')


def grid_line(x0: float, x1: float, y: float) -> str:
    return f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>'


def y_axis(floor: float, ceiling: float, x0: float, x1: float, top: float, bottom: float, unit: str,
           ticks: int = 4) -> list[str]:
    """Horizontal grid lines with their values on the left; the scale need not start at zero."""
    parts = []
    whole = floor == 0 and ceiling >= ticks * 10
    for n in range(ticks + 1):
        value = floor + (ceiling - floor) * n / ticks
        y = bottom - (bottom - top) * n / ticks
        parts.append(grid_line(x0, x1, y))
        decimals = 0 if whole or value == int(value) else 1
        parts.append(text(x0 - 4, y + 3, f"{number(value, decimals)}{unit}", "end", 8, MUTED))
    return parts


def x_labels(labels: Sequence[str], x_of: list[float], y: float, every: int) -> list[str]:
    return [text(x, y, label, "middle", 8, MUTED) for index, (x, label) in enumerate(zip(x_of, labels, strict=True))
            if index % every == 0]


def bar_chart(labels: Sequence[str], values: Sequence[float | None], *, unit: str = "", floor: float = 0.0,
              ceiling: float | None = None, levels: Sequence[str] | None = None, width: float = 640,
              height: float = 190, title: str = "") -> str:
    """One vertical bar per label (a day of the month, say); a missing value leaves a grey stub.

    `floor` lets an uptime chart start at 90 % so that 99.2 and 99.9 look different; `levels` colours each
    bar by name (see LEVELS), otherwise bars take the first colour.
    """
    known = [value for value in values if value is not None]
    top_value = ceiling if ceiling is not None else nice_ceiling(max(known, default=0.0) - floor) + floor
    span = max(top_value - floor, 1e-9)
    x0, x1, y0, y1 = LEFT, width - RIGHT, TOP, height - BOTTOM
    slot = (x1 - x0) / max(len(values), 1)
    body = [text(x0, 9, title, size=9)] if title else []
    body += y_axis(floor, top_value, x0, x1, y0, y1, unit)
    centres = []
    for index, value in enumerate(values):
        x = x0 + slot * index + slot * 0.15
        centres.append(x + slot * 0.35)
        if value is None:
            stub = LEVELS["none"]
            body.append(f'<rect x="{x:.1f}" y="{y1 - 2:.1f}" width="{slot * 0.7:.1f}" height="2" fill="{stub}"/>')
            continue
        bar = (y1 - y0) * min(max(value - floor, 0.0), span) / span
        colour = LEVELS.get(levels[index], PALETTE[0]) if levels else PALETTE[0]
        body.append(f'<rect x="{x:.1f}" y="{y1 - bar:.1f}" width="{slot * 0.7:.1f}" height="{max(bar, 0.5):.1f}" '
                    f'fill="{colour}"><title>{escape(labels[index])}: {number(value, 2)}{escape(unit)}</title></rect>')
    body += x_labels(labels, centres, y1 + 12, max(1, len(labels) // 16 + (len(labels) % 16 > 0)))
    return svg(width, height, body, title or "bar chart")


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, unit: str = "",
               width: float = 640, height: float = 200, title: str = "") -> str:
    """One line per series over the same labels, with a legend; gaps where a value is missing."""
    known = [value for _, values in series for value in values if value is not None]
    scale = nice_ceiling(max(known, default=0.0))
    x0, x1, y0, y1 = LEFT, width - RIGHT, TOP + 12, height - BOTTOM
    count = max(len(labels), 1)
    step = (x1 - x0) / max(count - 1, 1)
    xs = [x0 + step * index for index in range(count)]
    body = [text(x0, 9, title)] if title else []
    body += y_axis(0.0, scale, x0, x1, y0, y1, unit)
    legend_x = x1
    for number_of, (name, values) in enumerate(series):
        colour = PALETTE[number_of % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for x, value in zip(xs, values, strict=False):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x:.1f},{y1 - (y1 - y0) * min(value, scale) / scale:.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                body.append(f'<circle cx="{cx}" cy="{cy}" r="1.6" fill="{colour}"/>')
            elif run:
                body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="1.4"/>')
        legend_x -= 7 * len(name) + 18
        body.append(f'<rect x="{legend_x:.1f}" y="4" width="10" height="3" fill="{colour}"/>')
        body.append(text(legend_x + 13, 9, name, size=8))
    body += x_labels(labels, xs, y1 + 12, max(1, len(labels) // 16 + (len(labels) % 16 > 0)))
    return svg(width, height, body, title or "line chart")


def hbar_chart(labels: Sequence[str], values: Sequence[float], *, unit: str = "", width: float = 640,
               colours: Sequence[str] | None = None, decimals: int = 0, title: str = "") -> str:
    """Horizontal bars, one per label, largest scale first: top sources, categories, worst sites."""
    row, label_width = 16.0, min(260.0, max((len(label) for label in labels), default=4) * 5.2 + 8)
    top = 16.0 if title else 2.0
    height = top + row * len(labels) + 4
    scale = nice_ceiling(max(values, default=0.0))
    x0, x1 = label_width, width - 70
    body = [text(0, 10, title)] if title else []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + row * index
        colour = LEVELS.get(colours[index], colours[index]) if colours else PALETTE[0]
        length = (x1 - x0) * min(value, scale) / scale
        body.append(text(x0 - 6, y + 11, label, "end", 8))
        body.append(f'<rect x="{x0:.1f}" y="{y + 3:.1f}" width="{max(length, 0.5):.1f}" height="{row - 6:.1f}" '
                    f'fill="{colour}"/>')
        body.append(text(x0 + length + 4, y + 11, f"{number(value, decimals)}{unit}", size=8, colour=MUTED))
    return svg(width, height, body, title or "bar chart")


def share_bar(parts: Sequence[tuple[str, float]], *, width: float = 640, colours: Sequence[str] | None = None,
              title: str = "") -> str:
    """One bar split into shares (on time, late, open ...), each labelled with its count and percentage."""
    total = sum(value for _, value in parts)
    top = 16.0 if title else 2.0
    height = top + 22 + 14 * ((len(parts) + 2) // 3)
    body = [text(0, 10, title)] if title else []
    x = 0.0
    for index, (label, value) in enumerate(parts):
        colour = LEVELS.get(colours[index], colours[index]) if colours else PALETTE[index % len(PALETTE)]
        length = width * value / total if total else 0.0
        if length:
            body.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{length:.1f}" height="14" fill="{colour}"/>')
        x += length
        legend_x, legend_y = (index % 3) * width / 3, top + 30 + 14 * (index // 3)
        share = f" ({number(100 * value / total, 1)}%)" if total else ""
        body.append(f'<rect x="{legend_x:.1f}" y="{legend_y - 8:.1f}" width="9" height="9" fill="{colour}"/>')
        body.append(text(legend_x + 13, legend_y, f"{label}: {number(value)}{share}", size=8))
    if not total:
        body.append(f'<rect x="0" y="{top:.1f}" width="{width:g}" height="14" fill="{LEVELS["none"]}"/>')
    return svg(width, height, body, title or "shares")
