"""The printed document's measures, in millimetres on an A4 landscape page, and its column widths.

The HTML prints these very numbers (the template's CSS and every row's fixed height come from here),
so the pagination computed from them is the one Chromium prints.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_MARGIN = 10.0
PAGE_WIDTH = 297.0 - 2 * PAGE_MARGIN
PAGE_HEIGHT = 210.0 - 2 * PAGE_MARGIN
TITLE_HEIGHT = 8.0  # the line above each activity table: the SOP's name and the page number
SLACK = 4.0  # left free on every page: rounding in the browser must never push a row over
BORDER = 0.3  # the table rules; each row takes its height plus one rule
# Half of a collapsed table's outer rule lies outside its width: the table is that much narrower.
TABLE_WIDTH = PAGE_WIDTH - BORDER
TEXT_SLACK = 0.6  # added to every estimated text height, for fonts other than those measured

FONT_PT = 8.5
HEAD_FONT_PT = 8.0  # table headings, bold
MIN_HEAD_FONT_PT = 6.0  # a performer label whose longest word is too wide for its column shrinks to this
SYMBOL_FONT_PT = 7.0  # Ya / Tidak and the connectors' step numbers
LINE_HEIGHT = 1.3
PAD_X = 1.4
PAD_Y = 1.2

HEAD_TOP_ROW = 6.0  # "Pelaksana" and "Mutu Baku" above their columns
HEAD_MIN_LABELS = 8.0
STRIP_HEIGHT = 12.0  # a row of off-page connectors
MIN_ROW = 15.0
MIN_DECISION_ROW = 19.0
NOTE_GAP = 3.0

SHAPE_HEIGHT = 7.5
DIAMOND_HEIGHT = 11.0
MAX_SHAPE_WIDTH = 20.0
MAX_DIAMOND_WIDTH = 16.0
SHAPE_SIDE_ROOM = 4.0  # between a symbol and its column's edge, where the side channels run
MIN_SHAPE_WIDTH = 4.0  # in columns too narrow for SHAPE_SIDE_ROOM (a dozen performers), symbols keep this
INVOLVED_HEIGHT = 5.5
MAX_INVOLVED_WIDTH = 13.0
CONNECTOR_WIDTH = 6.0
CONNECTOR_HEIGHT = 7.0
CONNECTOR_EDGE_GAP = 0.8  # an incoming connector hangs this far under its strip's top, an outgoing one
# sits this far above its strip's bottom: the arrow into it or out of it gets the rest of the strip
CHANNEL_INSET = 1.6  # a side channel's distance from the column edge
CHANNEL_STEP = 0.9  # between two arrows sharing a channel
APPROACH = 3.5  # the straight run into a symbol after a route's last turn, where the row leaves room
DEPARTURE = 2.0  # the straight run out of a symbol's bottom before a turn

NUMBER_WIDTH = 9.0
MIN_ACTIVITY_WIDTH = 40.0
ACTIVITY_WIDTH = 60.0
KELENGKAPAN_WIDTH = 34.0
WAKTU_WIDTH = 16.0
OUTPUT_WIDTH = 34.0
KETERANGAN_WIDTH = 22.0
MIN_LANE = 17.0
MAX_LANE = 30.0


@dataclass(frozen=True)
class Columns:
    """The activity table's column widths; every performer (swimlane) column is `lane` wide."""

    lane_count: int
    lane: float
    number: float = NUMBER_WIDTH
    activity: float = ACTIVITY_WIDTH
    kelengkapan: float = KELENGKAPAN_WIDTH
    waktu: float = WAKTU_WIDTH
    output: float = OUTPUT_WIDTH
    keterangan: float = KETERANGAN_WIDTH

    @classmethod
    def for_lanes(cls, lane_count: int) -> Columns:
        """Lanes share what the text columns leave; few lanes give their spare width to Kegiatan, many
        take it from Kegiatan down to its minimum, and only then narrow below MIN_LANE."""
        fixed = NUMBER_WIDTH + KELENGKAPAN_WIDTH + WAKTU_WIDTH + OUTPUT_WIDTH + KETERANGAN_WIDTH
        count = max(lane_count, 1)
        lane = min(MAX_LANE, max(MIN_LANE, (TABLE_WIDTH - fixed - ACTIVITY_WIDTH) / count))
        activity = TABLE_WIDTH - fixed - lane * count
        if activity < MIN_ACTIVITY_WIDTH:
            activity = MIN_ACTIVITY_WIDTH
            lane = (TABLE_WIDTH - fixed - activity) / count
        return cls(lane_count=count, lane=lane, activity=activity)

    @property
    def lanes_width(self) -> float:
        return self.lane * self.lane_count

    def lane_left(self, lane: int) -> float:
        return lane * self.lane

    def lane_centre(self, lane: int) -> float:
        return (lane + 0.5) * self.lane

    def text_width(self, column_width: float) -> float:
        """The room for text in a column: its width less the cell's padding and rule."""
        return column_width - 2 * PAD_X - BORDER
