"""The flowchart of an activity page as inline SVG, one small picture per swimlane cell.

Each cell of a performer's column shows its own window (its column's width, its row's height) onto
the page's one drawing, so the table's rules are the swimlanes' lines and an arrow passing through a
cell continues in the next one exactly; the table can give each row its fixed height without any
drawing laid over it. Arrowheads are drawn as triangles (not SVG markers, whose ids would repeat in
every cell of the document).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape

from jagaweb.sop.render import dimensions as dim
from jagaweb.sop.render.dimensions import Columns
from jagaweb.sop.render.kinds import NodeKind
from jagaweb.sop.render.layout import Page
from jagaweb.sop.render.shapes import Arrow, Node, Point
from jagaweb.sop.render.text import MM_PER_PT, text_width_mm

STROKE = 0.3
HEAD_LENGTH = 2.2
HEAD_HALF_WIDTH = 0.8
POINT_DEPTH = 2.5  # the height of a connector's point
DASH = "1.2 0.8"
SYMBOL_FONT_MM = dim.SYMBOL_FONT_PT * MM_PER_PT
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Piece:
    """One drawn element with the box it covers, to know which cells show it."""

    box: Box
    markup: str


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def points_attr(points: list[Point] | tuple[Point, ...]) -> str:
    return " ".join(f"{number(point.x)},{number(point.y)}" for point in points)


def node_piece(node: Node) -> Piece:
    x0, y0, x1, y1 = node.box
    width, height = number(x1 - x0), number(y1 - y0)
    common = f'fill="#fff" stroke="#000" stroke-width="{STROKE}"'
    if node.kind == NodeKind.TERMINATOR:
        markup = (f'<rect class="terminator" x="{number(x0)}" y="{number(y0)}" width="{width}" height="{height}" '
                  f'rx="{number(node.half_height)}" {common}/>')
    elif node.kind == NodeKind.PROCESS:
        markup = f'<rect class="process" x="{number(x0)}" y="{number(y0)}" width="{width}" height="{height}" {common}/>'
    elif node.kind == NodeKind.DECISION:
        corners = [Point(node.cx, y0), Point(x1, node.cy), Point(node.cx, y1), Point(x0, node.cy)]
        markup = f'<polygon class="decision" points="{points_attr(corners)}" {common}/>'
    elif node.kind == NodeKind.INVOLVED:
        markup = (f'<rect class="involved" x="{number(x0)}" y="{number(y0)}" width="{width}" height="{height}" '
                  f'{common} stroke-dasharray="{DASH}"/>')
    else:
        markup = connector_markup(node, common)
    return Piece(node.box, markup)


def connector_markup(node: Node, common: str) -> str:
    """The off-page connector: a pentagon pointing down, holding the number of the step it leads to."""
    x0, y0, x1, y1 = node.box
    shoulder = y1 - POINT_DEPTH
    corners = [Point(x0, y0), Point(x1, y0), Point(x1, shoulder), Point(node.cx, y1), Point(x0, shoulder)]
    text_y = (y0 + shoulder) / 2
    return (f'<g class="{node.kind.value.replace("_", "-")}" data-target="{node.target}">'
            f'<polygon points="{points_attr(corners)}" {common}/>'
            f'<text x="{number(node.cx)}" y="{number(text_y)}" font-size="{number(SYMBOL_FONT_MM)}" '
            f'text-anchor="middle" dominant-baseline="central">{node.target}</text></g>')


def arrow_pieces(arrow: Arrow) -> list[Piece]:
    x0, y0, x1, y1 = arrow.box
    box = (x0 - HEAD_HALF_WIDTH, y0 - HEAD_HALF_WIDTH, x1 + HEAD_HALF_WIDTH, y1 + HEAD_HALF_WIDTH)
    if arrow.dashed:
        line = (f'<polyline class="involves" points="{points_attr(arrow.points)}" fill="none" stroke="#000" '
                f'stroke-width="{STROKE}" stroke-dasharray="{DASH}"/>')
        return [Piece(box, line)]
    line = (f'<polyline class="arrow" points="{points_attr(arrow.points)}" fill="none" stroke="#000" '
            f'stroke-width="{STROKE}"/>')
    pieces = [Piece(box, line + head_markup(arrow.points[-2], arrow.points[-1]))]
    if arrow.label and arrow.label_at is not None:
        pieces.append(label_piece(arrow.label, arrow.label_at, arrow.label_anchor))
    return pieces


def head_markup(before: Point, tip: Point) -> str:
    length = math.hypot(tip.x - before.x, tip.y - before.y) or 1.0
    ux, uy = (tip.x - before.x) / length, (tip.y - before.y) / length
    base = Point(tip.x - ux * HEAD_LENGTH, tip.y - uy * HEAD_LENGTH)
    left = Point(base.x - uy * HEAD_HALF_WIDTH, base.y + ux * HEAD_HALF_WIDTH)
    right = Point(base.x + uy * HEAD_HALF_WIDTH, base.y - ux * HEAD_HALF_WIDTH)
    return f'<polygon class="head" points="{points_attr([tip, left, right])}" fill="#000"/>'


def label_piece(label: str, at: Point, anchor: str) -> Piece:
    width = text_width_mm(label, dim.SYMBOL_FONT_PT)
    x0 = at.x - width if anchor == "end" else at.x
    markup = (f'<text class="label" x="{number(at.x)}" y="{number(at.y)}" font-size="{number(SYMBOL_FONT_MM)}" '
              f'text-anchor="{anchor}">{escape(label)}</text>')
    return Piece((x0, at.y - SYMBOL_FONT_MM, x0 + width, at.y + 0.5), markup)


def page_pieces(page: Page) -> list[Piece]:
    """Arrows first, so that symbols are drawn over the ends of the lines meeting them."""
    pieces: list[Piece] = []
    for arrow in page.arrows:
        pieces += arrow_pieces(arrow)
    pieces += [node_piece(node) for node in page.nodes]
    return pieces


def overlaps(box: Box, window: Box) -> bool:
    return box[0] < window[2] and box[2] > window[0] and box[1] < window[3] and box[3] > window[1]


def lane_cells(page: Page, columns: Columns) -> dict[tuple[int, int], str]:
    """The SVG of every swimlane cell of the page, by (row index, lane)."""
    pieces = page_pieces(page)
    cells = {}
    for row_index, row in enumerate(page.rows):
        for lane in range(columns.lane_count):
            window = (columns.lane_left(lane), row.top, columns.lane_left(lane) + columns.lane, row.bottom)
            shown = "".join(piece.markup for piece in pieces if overlaps(piece.box, window))
            cells[(row_index, lane)] = (
                f'<svg xmlns="http://www.w3.org/2000/svg" class="lane" width="100%" height="{number(row.height)}mm" '
                f'viewBox="{number(window[0])} {number(window[1])} {number(columns.lane)} {number(row.height)}" '
                f'preserveAspectRatio="none" aria-hidden="true">{shown}</svg>')
    return cells
