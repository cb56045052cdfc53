"""The kinds of things the document layout places: plain StrEnums, as the layout is pure Python."""

from enum import StrEnum


class NodeKind(StrEnum):
    TERMINATOR = "terminator"  # the capsule of a start or end step
    PROCESS = "process"  # the rectangle
    DECISION = "decision"  # the diamond, with a Ya and a Tidak arrow
    OFF_PAGE_OUT = "off_page_out"  # the pentagon where the flow leaves a page
    OFF_PAGE_IN = "off_page_in"  # its pair, where the flow comes back on a later (or earlier) page
    INVOLVED = "involved"  # a dashed box in the column of a performer the step calls in (a third party)


class RowKind(StrEnum):
    STEP = "step"
    CONNECTORS_IN = "connectors_in"  # the strip above a page's first step holding its incoming connectors
    CONNECTORS_OUT = "connectors_out"  # the strip under a page's last step holding its outgoing ones


class Port(StrEnum):
    """Where an arrow leaves or enters a symbol."""

    TOP = "top"
    BOTTOM = "bottom"
    LEFT = "left"
    RIGHT = "right"
