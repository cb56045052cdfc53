"""The placed pieces of an activity page: rows, symbols (nodes) and arrows, in millimetres.

Coordinates are per page: x from the left edge of the first performer column, y from the top of the
page's first body row (a connector strip when there is one).
"""

from __future__ import annotations

from dataclasses import dataclass

from jagaweb.sop.definitions import Step
from jagaweb.sop.render.kinds import NodeKind, Port, RowKind


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Row:
    kind: RowKind
    top: float
    height: float
    step: Step | None = None

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class Node:
    """A symbol. `step` is the step it draws; for a connector, `target` is the step the flow goes to."""

    kind: NodeKind
    row: int  # index into the page's rows
    lane: int
    cx: float
    cy: float
    half_width: float
    half_height: float
    step: int | None = None
    target: int | None = None

    def port(self, port: Port) -> Point:
        offsets = {
            Port.TOP: (0.0, -self.half_height),
            Port.BOTTOM: (0.0, self.half_height),
            Port.LEFT: (-self.half_width, 0.0),
            Port.RIGHT: (self.half_width, 0.0),
        }
        dx, dy = offsets[port]
        return Point(self.cx + dx, self.cy + dy)

    def blocks(self, x: float, margin: float = 0.8) -> bool:
        """Whether a vertical line at `x` through this node's row would cross it."""
        return abs(x - self.cx) < self.half_width + margin

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.cx - self.half_width, self.cy - self.half_height,
                self.cx + self.half_width, self.cy + self.half_height)


@dataclass(frozen=True)
class Arrow:
    """A route from `source` to `target`; `label` is Ya/Tidak on a decision's arrows. A dashed arrow
    without a head links a step to a performer it involves."""

    source: Node
    target: Node
    points: tuple[Point, ...]
    label: str = ""
    label_at: Point | None = None
    label_anchor: str = "start"  # the SVG text-anchor of the label
    dashed: bool = False

    @property
    def box(self) -> tuple[float, float, float, float]:
        xs = [point.x for point in self.points]
        ys = [point.y for point in self.points]
        return (min(xs), min(ys), max(xs), max(ys))

    @property
    def exit_port(self) -> Port:
        """Which side of the source the arrow leaves by (read back from its first point)."""
        start = self.points[0]
        for port in Port:
            point = self.source.port(port)
            if abs(point.x - start.x) < 1e-6 and abs(point.y - start.y) < 1e-6:
                return port
        raise ValueError("the arrow does not start on its source")
