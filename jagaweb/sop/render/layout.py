"""The activity table laid out for print: pure Python, no browser.

`layout_document(definition)` decides everything Chromium must not: the column widths, each row's
fixed height (from the text it holds, estimated by `text`), which rows go on which A4 landscape page,
where each symbol sits (the column of its step's performer), the arrow routes, and the off-page
connector pairs where an arrow crosses a page break: a pentagon holding the target step's number at
the bottom of the page the arrow leaves and another at the top of the page it reaches, both in the
target step's column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jagaweb.sop.choices import Symbol
from jagaweb.sop.definitions import SopDefinition, Step
from jagaweb.sop.render import dimensions as dim
from jagaweb.sop.render.content import NO, YES, keterangan_text, waktu_text
from jagaweb.sop.render.dimensions import Columns
from jagaweb.sop.render.kinds import NodeKind, Port, RowKind
from jagaweb.sop.render.routes import Edge, Router
from jagaweb.sop.render.shapes import Arrow, Node, Row
from jagaweb.sop.render.text import fitting_size, text_height_mm

HEADINGS = ("Kelengkapan", "Waktu", "Output")
NOTE_HEADING = "Keterangan:"
STRIP = dim.STRIP_HEIGHT + dim.BORDER


@dataclass(frozen=True)
class Flow:
    """An arrow of the definition, by step numbers."""

    source: int
    target: int
    label: str = ""


@dataclass(frozen=True)
class Page:
    """One activity page; `index` counts activity pages from 1 (the identity page comes before them)."""

    index: int
    rows: tuple[Row, ...]
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(row.step for row in self.rows if row.step is not None)

    @property
    def height(self) -> float:
        return sum(row.height + dim.BORDER for row in self.rows)

    def node_of(self, step: int) -> Node:
        return next(node for node in self.nodes if node.step == step and node.kind not in INVOLVEMENT)

    def connectors(self, kind: NodeKind) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.kind == kind)


@dataclass(frozen=True)
class DocumentLayout:
    definition: SopDefinition
    columns: Columns
    head_labels_height: float  # the heading row of performer labels and Mutu Baku columns
    label_sizes: tuple[float, ...]  # the font size (pt) of each performer's label, in column order
    note_height: float  # the Keterangan note under the table on the last page; 0 without one
    pages: tuple[Page, ...]

    @property
    def head_height(self) -> float:
        return dim.HEAD_TOP_ROW + self.head_labels_height + 2 * dim.BORDER


INVOLVEMENT = (NodeKind.INVOLVED,)
SYMBOL_KINDS = {
    Symbol.START: NodeKind.TERMINATOR,
    Symbol.END: NodeKind.TERMINATOR,
    Symbol.PROCESS: NodeKind.PROCESS,
    Symbol.DECISION: NodeKind.DECISION,
}


def layout_document(definition: SopDefinition) -> DocumentLayout:
    columns = Columns.for_lanes(len(definition.performers))
    sizes = label_sizes(definition, columns)
    labels_height = head_labels_height(definition, columns, sizes)
    note = note_height(definition.header.keterangan)
    body = dim.PAGE_HEIGHT - dim.TITLE_HEIGHT - (dim.HEAD_TOP_ROW + labels_height + 2 * dim.BORDER) - dim.SLACK
    flows = definition_flows(definition)
    cap = body - 2 * STRIP - dim.BORDER - note
    heights = {step.number: min(row_height(definition, step, columns), cap) for step in definition.steps}
    backward = any(flow.target <= flow.source for flow in flows)
    groups = paginate(definition.steps, heights, body, note, reserve_all=backward)
    page_of = {step.number: index for index, group in enumerate(groups) for step in group}
    pages = tuple(
        build_page(definition, index, group, heights, flows, page_of, columns)
        for index, group in enumerate(groups))
    return DocumentLayout(definition, columns, labels_height, sizes, note, pages)


def definition_flows(definition: SopDefinition) -> list[Flow]:
    flows = []
    for step in definition.steps:
        if step.next is not None:
            flows.append(Flow(step.number, step.next))
        if step.yes is not None:
            flows.append(Flow(step.number, step.yes, YES))
        if step.no is not None:
            flows.append(Flow(step.number, step.no, NO))
    return flows


def row_height(definition: SopDefinition, step: Step, columns: Columns) -> float:
    """The fixed height of a step's row: its tallest text, never less than its symbol needs."""
    cells = (
        (f"{step.number}.", columns.number), (step.activity, columns.activity),
        (step.kelengkapan, columns.kelengkapan), (waktu_text(step.waktu), columns.waktu),
        (step.output, columns.output), (keterangan_text(definition, step), columns.keterangan),
    )
    text = max(text_height_mm(words, columns.text_width(width), dim.FONT_PT, dim.LINE_HEIGHT)
               for words, width in cells)
    minimum = dim.MIN_DECISION_ROW if step.symbol == Symbol.DECISION else dim.MIN_ROW
    return round_up(max(text + dim.TEXT_SLACK + 2 * dim.PAD_Y, minimum))


def label_sizes(definition: SopDefinition, columns: Columns) -> tuple[float, ...]:
    return tuple(fitting_size(performer.label, columns.text_width(columns.lane), dim.HEAD_FONT_PT,
                              dim.MIN_HEAD_FONT_PT, bold=True) for performer in definition.performers.values())


def head_labels_height(definition: SopDefinition, columns: Columns, sizes: Sequence[float]) -> float:
    cells = [(performer.label, columns.lane, size)
             for performer, size in zip(definition.performers.values(), sizes, strict=True)]
    cells += [(heading, width, dim.HEAD_FONT_PT)
              for heading, width in zip(HEADINGS, (columns.kelengkapan, columns.waktu, columns.output), strict=True)]
    text = max(text_height_mm(words, columns.text_width(width), size, dim.LINE_HEIGHT, bold=True)
               for words, width, size in cells)
    return round_up(max(text + dim.TEXT_SLACK + 2 * dim.PAD_Y, dim.HEAD_MIN_LABELS))


def note_height(note: str) -> float:
    if not note.strip():
        return 0.0
    text = f"{NOTE_HEADING}\n{note}"
    return round_up(text_height_mm(text, dim.TABLE_WIDTH, dim.FONT_PT, dim.LINE_HEIGHT) + dim.TEXT_SLACK + dim.NOTE_GAP)


def round_up(value: float, step: float = 0.5) -> float:
    return -(-value // step) * step


def paginate(steps: Sequence[Step], heights: dict[int, float], body: float, note: float, *,
             reserve_all: bool) -> list[list[Step]]:
    """Whole rows per page. A page keeps room for the connector strips it may need: at its top from the
    second page on, at its bottom unless the rest (with the note) fits; with an arrow back up the flow,
    both on every page, as such an arrow can leave any page and reach any other."""
    costs = [heights[step.number] + dim.BORDER for step in steps]
    groups: list[list[Step]] = []
    index = 0
    while index < len(steps):
        top = STRIP if groups or reserve_all else 0.0
        bottom_if_last = STRIP if reserve_all else 0.0
        group: list[Step] = []
        used = 0.0
        while index < len(steps):
            if used + sum(costs[index:]) + note <= body - top - bottom_if_last:
                group += steps[index:]
                index = len(steps)
                break
            if group and used + costs[index] > body - top - STRIP:
                break
            group.append(steps[index])
            used += costs[index]
            index += 1
        groups.append(group)
    return groups


def build_page(definition: SopDefinition, index: int, group: Sequence[Step], heights: dict[int, float],
               flows: Sequence[Flow], page_of: dict[int, int], columns: Columns) -> Page:
    lanes = {performer: lane for lane, performer in enumerate(definition.performers)}
    here = {step.number for step in group}
    incoming = sorted({flow.target for flow in flows if flow.target in here and page_of[flow.source] != index})
    outgoing = sorted({flow.target for flow in flows if flow.source in here and page_of[flow.target] != index})
    rows: list[Row] = []
    top = 0.0
    for kind, step, height in (
        *([(RowKind.CONNECTORS_IN, None, dim.STRIP_HEIGHT)] if incoming else []),
        *[(RowKind.STEP, step, heights[step.number]) for step in group],
        *([(RowKind.CONNECTORS_OUT, None, dim.STRIP_HEIGHT)] if outgoing else []),
    ):
        rows.append(Row(kind, top, height, step))
        top += height + dim.BORDER
    nodes: list[Node] = []
    step_nodes: dict[int, Node] = {}
    links: list[Arrow] = []
    for row_index, row in enumerate(rows):
        if row.step is None:
            continue
        node = symbol_node(row.step, row_index, row, lanes[row.step.performer], columns)
        step_nodes[row.step.number] = node
        nodes.append(node)
        for performer in row.step.involves:
            if performer != row.step.performer:
                involved = involved_node(row.step, row_index, row, lanes[performer], columns)
                nodes.append(involved)
                links.append(involvement_link(node, involved))
    targets_in = connector_nodes(NodeKind.OFF_PAGE_IN, incoming, 0, rows, definition, lanes, columns)
    targets_out = connector_nodes(NodeKind.OFF_PAGE_OUT, outgoing, len(rows) - 1, rows, definition, lanes, columns)
    nodes += [*targets_in.values(), *targets_out.values()]
    edges = [Edge(connector, step_nodes[target]) for target, connector in targets_in.items()]
    for flow in flows:
        if flow.source in here:
            target = step_nodes[flow.target] if flow.target in here else targets_out[flow.target]
            edges.append(Edge(step_nodes[flow.source], target, flow.label))
    arrows = Router(rows, nodes, columns).route_all(edges)
    return Page(index + 1, tuple(rows), tuple(nodes), tuple(arrows + links))


def symbol_room(columns: Columns) -> float:
    return max(columns.lane - 2 * dim.SHAPE_SIDE_ROOM, dim.MIN_SHAPE_WIDTH)


def symbol_node(step: Step, row_index: int, row: Row, lane: int, columns: Columns) -> Node:
    kind = SYMBOL_KINDS[Symbol(step.symbol)]
    room = symbol_room(columns)
    if kind == NodeKind.DECISION:
        half_width, half_height = min(room, dim.MAX_DIAMOND_WIDTH) / 2, dim.DIAMOND_HEIGHT / 2
    else:
        half_width, half_height = min(room, dim.MAX_SHAPE_WIDTH) / 2, dim.SHAPE_HEIGHT / 2
    return Node(kind, row_index, lane, columns.lane_centre(lane), row.top + row.height / 2,
                half_width, half_height, step=step.number)


def involved_node(step: Step, row_index: int, row: Row, lane: int, columns: Columns) -> Node:
    room = symbol_room(columns)
    return Node(NodeKind.INVOLVED, row_index, lane, columns.lane_centre(lane), row.top + row.height / 2,
                min(room, dim.MAX_INVOLVED_WIDTH) / 2, dim.INVOLVED_HEIGHT / 2, step=step.number)


def involvement_link(node: Node, involved: Node) -> Arrow:
    port = Port.RIGHT if involved.lane > node.lane else Port.LEFT
    facing = Port.LEFT if port == Port.RIGHT else Port.RIGHT
    return Arrow(node, involved, (node.port(port), involved.port(facing)), dashed=True)


def connector_nodes(kind: NodeKind, targets: Sequence[int], row_index: int, rows: Sequence[Row],
                    definition: SopDefinition, lanes: dict[str, int], columns: Columns) -> dict[int, Node]:
    """The pentagons of one strip, each in its target step's column, spread out when several share one."""
    if not targets:
        return {}
    row = rows[row_index]
    half = dim.CONNECTOR_HEIGHT / 2
    centre_y = row.top + dim.CONNECTOR_EDGE_GAP + half if kind == NodeKind.OFF_PAGE_IN else \
        row.bottom - dim.CONNECTOR_EDGE_GAP - half
    by_lane: dict[int, list[int]] = {}
    for target in targets:
        by_lane.setdefault(lanes[definition.step(target).performer], []).append(target)
    found = {}
    for lane, lane_targets in by_lane.items():
        for position, target in enumerate(lane_targets, 1):
            x = columns.lane_left(lane) + columns.lane * position / (len(lane_targets) + 1)
            found[target] = Node(kind, row_index, lane, x, centre_y, dim.CONNECTOR_WIDTH / 2,
                                 dim.CONNECTOR_HEIGHT / 2, target=target)
    return found

