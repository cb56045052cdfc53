"""Arrow routes between the symbols of one activity page, as orthogonal polylines.

Every body row holds one step's symbol (and the dashed boxes of performers it involves), so a route
only has to keep its vertical runs off the symbols of the rows it passes: it runs down a symbol's own
column when that is clear, else down the target's column, else down a side channel, a thin strip
along a column's edge that no symbol reaches. Horizontal runs cross columns between a symbol and its
row's edge, where nothing else is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jagaweb.sop.render.dimensions import APPROACH, CHANNEL_INSET, CHANNEL_STEP, DEPARTURE, Columns
from jagaweb.sop.render.kinds import Port
from jagaweb.sop.render.shapes import Arrow, Node, Point, Row

LABEL_GAP = 1.0
LABEL_DROP = 3.0  # a label under a bottom exit sits this far below it
MAX_SHARED = 2  # arrows after this many in one channel share the innermost line
SAME = 1e-6
TURN_MARGIN = 0.8  # a turn keeps this far from its row's top rule


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    label: str = ""


class Router:
    def __init__(self, rows: Sequence[Row], nodes: Sequence[Node], columns: Columns) -> None:
        self.rows = rows
        self.nodes = nodes
        self.columns = columns
        self.channel_use: dict[tuple[int, Port], int] = {}

    def route_all(self, edges: Sequence[Edge]) -> list[Arrow]:
        """Routes for `edges`, those of one source together so that each leaves by its own side."""
        by_source: dict[Node, list[Edge]] = {}
        for edge in edges:
            by_source.setdefault(edge.source, []).append(edge)
        arrows = []
        for source, outgoing in by_source.items():
            for edge, port in zip(outgoing, self.exits(source, outgoing), strict=True):
                arrows.append(self.route(edge, port))
        return arrows

    def exits(self, source: Node, edges: Sequence[Edge]) -> list[Port]:
        """The bottom for the forward arrow to the nearest row; the others leave by the side facing
        their target, or the other side when that one is taken (a decision's two arrows)."""
        ports: list[Port | None] = [None] * len(edges)
        forward = [index for index, edge in enumerate(edges) if edge.target.row > source.row]
        used: set[Port] = set()
        if forward:
            nearest = min(forward, key=lambda index: (edges[index].target.row, index))
            ports[nearest] = Port.BOTTOM
            used.add(Port.BOTTOM)
        for index, edge in enumerate(edges):
            if ports[index] is not None:
                continue
            side = facing(source, edge.target)
            if side in used:
                side = Port.LEFT if side == Port.RIGHT else Port.RIGHT
            ports[index] = side
            used.add(side)
        return [port or Port.BOTTOM for port in ports]

    def route(self, edge: Edge, port: Port) -> Arrow:
        source, target = edge.source, edge.target
        if target.row > source.row:
            points = self.down_from_bottom(source, target) if port == Port.BOTTOM else \
                self.down_from_side(source, target, port)
        else:
            points = self.back(source, target, port)
        if not edge.label:
            return Arrow(source, target, tuple(points))
        label_at, anchor = label_place(points, port)
        return Arrow(source, target, tuple(points), edge.label, label_at, anchor)

    def down_from_bottom(self, source: Node, target: Node) -> list[Point]:
        start, end = source.port(Port.BOTTOM), target.port(Port.TOP)
        between = range(source.row + 1, target.row)
        if abs(start.x - end.x) < SAME and self.clear(start.x, between):
            return [start, end]
        below_source = self.below(source, start)
        above_target = self.above(target, end)
        if self.clear(end.x, between):
            return [start, Point(start.x, below_source), Point(end.x, below_source), end]
        if self.clear(start.x, between):
            return [start, Point(start.x, above_target), Point(end.x, above_target), end]
        channel = self.channel(source.lane, Port.RIGHT if target.lane >= source.lane else Port.LEFT)
        return [start, Point(start.x, below_source), Point(channel, below_source), Point(channel, above_target),
                Point(end.x, above_target), end]

    def down_from_side(self, source: Node, target: Node, port: Port) -> list[Point]:
        start, end = source.port(port), target.port(Port.TOP)
        direction = 1 if port == Port.RIGHT else -1
        between = range(source.row + 1, target.row)
        if (end.x - start.x) * direction > 0 and self.clear(end.x, between) \
                and self.row_clear(source, start.x, end.x):
            return [start, Point(end.x, start.y), end]
        channel = self.channel(source.lane, port)
        above_target = self.above(target, end)
        return [start, Point(channel, start.y), Point(channel, above_target), Point(end.x, above_target), end]

    def back(self, source: Node, target: Node, port: Port) -> list[Point]:
        """Up (or across) to an earlier row: out by the side, along the outermost column's channel, and
        into the target's same side."""
        start, end = source.port(port), target.port(port)
        lane = min(source.lane, target.lane) if port == Port.LEFT else max(source.lane, target.lane)
        channel = self.channel(lane, port)
        return [start, Point(channel, start.y), Point(channel, end.y), end]

    def below(self, source: Node, start: Point) -> float:
        """The height of the turn after leaving `source` by its bottom, inside its row."""
        return min(start.y + DEPARTURE, (start.y + self.rows[source.row].bottom) / 2)

    def above(self, target: Node, end: Point) -> float:
        """The height of the last turn before entering `target` from above, inside its row."""
        top = self.rows[target.row].top
        return max(end.y - APPROACH, top + min(TURN_MARGIN, (end.y - top) / 2))

    def clear(self, x: float, rows: range) -> bool:
        return not any(node.row in rows and node.blocks(x) for node in self.nodes)

    def row_clear(self, source: Node, x_from: float, x_to: float) -> bool:
        """Whether a horizontal run in the source's row meets none of that row's other symbols."""
        low, high = sorted((x_from, x_to))
        return not any(node.row == source.row and node != source and node.cx + node.half_width > low
                       and node.cx - node.half_width < high for node in self.nodes)

    def channel(self, lane: int, side: Port) -> float:
        taken = self.channel_use.get((lane, side), 0)
        self.channel_use[(lane, side)] = taken + 1
        inset = CHANNEL_INSET + min(taken, MAX_SHARED) * CHANNEL_STEP
        if side == Port.LEFT:
            return self.columns.lane_left(lane) + inset
        return self.columns.lane_left(lane) + self.columns.lane - inset


def facing(source: Node, target: Node) -> Port:
    """The side of `source` that faces `target`; in one column, right going down and left going up."""
    if target.lane != source.lane:
        return Port.RIGHT if target.lane > source.lane else Port.LEFT
    return Port.RIGHT if target.row > source.row else Port.LEFT


def label_place(points: Sequence[Point], port: Port) -> tuple[Point, str]:
    """Where a Ya/Tidak label goes: beside the route's first run, on the side it does not turn to."""
    start = points[0]
    if port == Port.RIGHT:
        return Point(start.x + LABEL_GAP, start.y - LABEL_GAP), "start"
    if port == Port.LEFT:
        return Point(start.x - LABEL_GAP, start.y - LABEL_GAP), "end"
    turns_right = len(points) > 2 and points[2].x > points[1].x + SAME
    if turns_right:
        return Point(start.x - LABEL_GAP, start.y + LABEL_DROP), "end"
    return Point(start.x + LABEL_GAP, start.y + LABEL_DROP), "start"
