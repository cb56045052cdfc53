"""The SOP document's layout, without a browser: columns per performer, a shape per symbol, arrows
between the right symbols that miss every other one, labelled decisions, whole rows per page, and
off-page connector pairs where an arrow crosses a page break."""

from __future__ import annotations

from pathlib import Path

import pytest

from jagaweb.sop.choices import Symbol
from jagaweb.sop.definitions import builtin_definitions, load_definition
from jagaweb.sop.render import dimensions as dim
from jagaweb.sop.render.kinds import NodeKind, Port, RowKind
from jagaweb.sop.render.layout import DocumentLayout, definition_flows, layout_document
from jagaweb.sop.render.text import fitting_size, text_width_mm, wrap

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sop"
LONG = FIXTURES / "render" / "panjang.yaml"
ALL = [*builtin_definitions(), "panjang"]
CONNECTORS = (NodeKind.OFF_PAGE_IN, NodeKind.OFF_PAGE_OUT)


def definition_named(name):
    return load_definition(LONG) if name == "panjang" else builtin_definitions()[name]


@pytest.fixture(scope="module", params=ALL)
def layout(request) -> DocumentLayout:
    return layout_document(definition_named(request.param))


@pytest.fixture(scope="module")
def long_layout() -> DocumentLayout:
    return layout_document(load_definition(LONG))


def page_of(layout: DocumentLayout) -> dict[int, int]:
    return {step.number: page.index for page in layout.pages for step in page.steps}


def test_every_step_is_in_its_performers_column_in_the_definitions_order(layout):
    order = list(layout.definition.performers)
    for page in layout.pages:
        for step in page.steps:
            node = page.node_of(step.number)
            assert node.lane == order.index(step.performer)
            left = layout.columns.lane_left(node.lane)
            assert left < node.cx - node.half_width and node.cx + node.half_width < left + layout.columns.lane


def test_each_symbol_has_its_shape(layout):
    shapes = {Symbol.START: NodeKind.TERMINATOR, Symbol.END: NodeKind.TERMINATOR,
              Symbol.PROCESS: NodeKind.PROCESS, Symbol.DECISION: NodeKind.DECISION}
    for page in layout.pages:
        for step in page.steps:
            assert page.node_of(step.number).kind == shapes[step.symbol], step.number


def test_the_columns_fill_the_table_width(layout):
    columns = layout.columns
    total = (columns.number + columns.activity + columns.lanes_width + columns.kelengkapan + columns.waktu
             + columns.output + columns.keterangan)
    assert total == pytest.approx(dim.TABLE_WIDTH)
    assert columns.lane_count == len(layout.definition.performers)


def test_every_flow_is_an_arrow_from_its_step_to_its_target(layout):
    pages = {page.index: page for page in layout.pages}
    where = page_of(layout)
    for flow in definition_flows(layout.definition):
        source_page, target_page = pages[where[flow.source]], pages[where[flow.target]]
        source = source_page.node_of(flow.source)
        if source_page is target_page:
            ends = [(arrow.source, arrow.target) for arrow in source_page.arrows if not arrow.dashed]
            assert (source, target_page.node_of(flow.target)) in ends, flow
            continue
        out = [node for node in source_page.connectors(NodeKind.OFF_PAGE_OUT) if node.target == flow.target]
        into = [node for node in target_page.connectors(NodeKind.OFF_PAGE_IN) if node.target == flow.target]
        assert len(out) == 1 and len(into) == 1, flow
        assert any(arrow.source == source and arrow.target == out[0] for arrow in source_page.arrows), flow
        assert any(arrow.source == into[0] and arrow.target == target_page.node_of(flow.target)
                   for arrow in target_page.arrows), flow


def test_arrows_start_and_end_on_their_symbols_edges(layout):
    for page in layout.pages:
        for arrow in page.arrows:
            assert arrow.exit_port in Port  # raises when the first point is on none of the source's ports
            end = arrow.points[-1]
            assert any(abs(end.x - point.x) < 1e-6 and abs(end.y - point.y) < 1e-6
                       for point in (arrow.target.port(port) for port in Port)), arrow


def crosses(start, end, box, inset=0.05):
    x0, y0, x1, y1 = box
    low_x, high_x = sorted((start.x, end.x))
    low_y, high_y = sorted((start.y, end.y))
    return low_x < x1 - inset and high_x > x0 + inset and low_y < y1 - inset and high_y > y0 + inset


def test_routes_are_orthogonal_and_cross_no_symbol(layout):
    for page in layout.pages:
        for arrow in page.arrows:
            for start, end in zip(arrow.points, arrow.points[1:], strict=False):
                assert abs(start.x - end.x) < 1e-6 or abs(start.y - end.y) < 1e-6, arrow
                for node in page.nodes:
                    assert not crosses(start, end, node.box), (arrow.source, arrow.target, node)


def test_routes_stay_inside_the_swimlanes_and_their_page(layout):
    for page in layout.pages:
        for arrow in page.arrows:
            x0, y0, x1, y1 = arrow.box
            assert x0 >= 0 and x1 <= layout.columns.lanes_width
            assert y0 >= 0 and y1 <= page.rows[-1].bottom


@pytest.mark.parametrize(("name", "number"), [("permohonan_website_opd", 5), ("panjang", 6), ("panjang", 10)])
def test_a_decision_has_a_ya_and_a_tidak_arrow_leaving_by_different_sides(name, number):
    layout = layout_document(definition_named(name))
    step = layout.definition.step(number)
    page = next(page for page in layout.pages if step in page.steps)
    arrows = [arrow for arrow in page.arrows if arrow.source == page.node_of(number)]
    assert sorted(arrow.label for arrow in arrows) == ["Tidak", "Ya"]
    for arrow in arrows:
        goes_to = arrow.target.target if arrow.target.kind in CONNECTORS else arrow.target.step
        assert goes_to == (step.yes if arrow.label == "Ya" else step.no)
        assert arrow.label_at is not None
        assert abs(arrow.label_at.x - arrow.points[0].x) < 5 and abs(arrow.label_at.y - arrow.points[0].y) < 5
    assert arrows[0].exit_port != arrows[1].exit_port


def test_rows_are_whole_in_order_and_each_page_fits_the_sheet(layout):
    assert [step.number for page in layout.pages for step in page.steps] == \
        [step.number for step in layout.definition.steps]
    for page in layout.pages:
        note = layout.note_height if page is layout.pages[-1] else 0.0
        assert dim.TITLE_HEIGHT + layout.head_height + page.height + note <= dim.PAGE_HEIGHT - dim.SLACK + 1e-6
        for row in page.rows:
            assert row.height >= (dim.MIN_DECISION_ROW if row.step and row.step.symbol == Symbol.DECISION
                                  else dim.MIN_ROW if row.step else dim.STRIP_HEIGHT)


def test_a_long_definition_breaks_across_pages_with_connector_pairs_holding_the_target_step(long_layout):
    assert len(long_layout.pages) >= 3
    where = page_of(long_layout)
    crossing = [flow for flow in definition_flows(long_layout.definition) if where[flow.source] != where[flow.target]]
    expected_out = {(where[flow.source], flow.target) for flow in crossing}
    expected_in = {(where[flow.target], flow.target) for flow in crossing}
    found_out = {(page.index, node.target) for page in long_layout.pages
                 for node in page.connectors(NodeKind.OFF_PAGE_OUT)}
    found_in = {(page.index, node.target) for page in long_layout.pages
                for node in page.connectors(NodeKind.OFF_PAGE_IN)}
    assert found_out == expected_out
    assert found_in == expected_in
    # The fixture's arrow from step 14 back up to step 9 leaves a later page for an earlier one.
    assert (where[14], 9) in found_out and (where[9], 9) in found_in and where[9] < where[14]
    for page in long_layout.pages:
        for node in page.connectors(NodeKind.OFF_PAGE_OUT):
            assert page.rows[node.row].kind == RowKind.CONNECTORS_OUT and node.row == len(page.rows) - 1
        for node in page.connectors(NodeKind.OFF_PAGE_IN):
            assert page.rows[node.row].kind == RowKind.CONNECTORS_IN and node.row == 0


def test_both_connectors_of_a_pair_sit_in_the_target_steps_column(long_layout):
    lanes = list(long_layout.definition.performers)
    for page in long_layout.pages:
        for node in (*page.connectors(NodeKind.OFF_PAGE_OUT), *page.connectors(NodeKind.OFF_PAGE_IN)):
            assert node.lane == lanes.index(long_layout.definition.step(node.target).performer)


def test_a_short_definition_fits_one_page_without_connectors():
    layout = layout_document(builtin_definitions()["penjagaan_website"])
    assert len(layout.pages) == 1
    assert not any(node.kind in CONNECTORS for node in layout.pages[0].nodes)
    assert [row.kind for row in layout.pages[0].rows] == [RowKind.STEP] * 5


def test_an_involved_performer_gets_a_dashed_box_in_its_column_linked_to_the_step():
    layout = layout_document(builtin_definitions()["pemeliharaan_website"])
    page = layout.pages[0]
    involved = [node for node in page.nodes if node.kind == NodeKind.INVOLVED]
    assert [node.step for node in involved] == [4, 7]
    assert {node.lane for node in involved} == {list(layout.definition.performers).index("pihak_ketiga")}
    links = [arrow for arrow in page.arrows if arrow.dashed]
    assert [(arrow.source.step, arrow.target) for arrow in links] == [(4, involved[0]), (7, involved[1])]


def test_row_height_follows_the_longest_text():
    layout = layout_document(load_definition(LONG))
    rows = {row.step.number: row for page in layout.pages for row in page.rows if row.step}
    assert rows[1].height > rows[4].height >= dim.MIN_ROW  # step 1's activity runs to five lines


def test_wrap_breaks_at_spaces_keeps_newlines_and_cuts_a_word_too_long_for_the_line():
    assert wrap("satu dua\ntiga", 100, 8.5) == ["satu dua", "tiga"]
    width = text_width_mm("Melaksanakan", 8.5)
    assert wrap("Melaksanakan perbaikan", width + 0.1, 8.5) == ["Melaksanakan", "perbaikan"]
    pieces = wrap("https://contoh.go.id/sebuah/alamat/yang/panjang", 20, 8.5)
    assert len(pieces) > 1 and all(text_width_mm(piece, 8.5) <= 20 for piece in pieces)


def test_a_heading_shrinks_until_its_longest_word_fits():
    assert fitting_size("Sekretaris", 40, 8, 6, bold=True) == 8
    size = fitting_size("Kasubdit Perencanaan", 16, 8, 6, bold=True)
    assert 6 <= size < 8 and text_width_mm("Perencanaan", size, bold=True) <= 16
    assert fitting_size("Pengelolaanadministrasijaringan", 10, 8, 6, bold=True) == 6


def zigzag(performers: int) -> str:
    """A definition whose steps visit every column in turn, with a decision looping back to step 2."""
    columns = "\n".join(f"  p{index}: Pelaksana nomor {index}" for index in range(performers))
    steps = ["  - {number: 1, symbol: start, performer: p0, activity: Mulai}"]
    last = max(3 * performers, 12) + 2  # enough steps for two pages at least
    for number in range(2, last):
        steps.append(f"  - {{number: {number}, performer: p{number % performers}, activity: Kegiatan {number}}}")
    steps.append(f"  - {{number: {last}, symbol: decision, performer: p{last % performers}, "
                 f"activity: Apakah selesai, yes: {last + 1}, no: 2}}")
    steps.append(f"  - {{number: {last + 1}, symbol: end, performer: p0, activity: Selesai}}")
    return f"header: {{nama: Zigzag}}\nperformers:\n{columns}\nsteps:\n" + "\n".join(steps) + "\n"


@pytest.mark.parametrize("performers", [1, 2, 9, 12])
def test_any_number_of_columns_keeps_symbols_in_their_columns_and_routes_off_them(performers):
    layout = layout_document(load_definition(zigzag(performers), source_name="zigzag.yaml"))
    assert layout.columns.lane_count == performers
    assert len(layout.pages) >= 2
    for page in layout.pages:
        for node in page.nodes:
            left = layout.columns.lane_left(node.lane)
            assert left < node.cx - node.half_width and node.cx + node.half_width < left + layout.columns.lane
        for arrow in page.arrows:
            for start, end in zip(arrow.points, arrow.points[1:], strict=False):
                for node in page.nodes:
                    assert not crosses(start, end, node.box), (arrow.source, arrow.target, node)
