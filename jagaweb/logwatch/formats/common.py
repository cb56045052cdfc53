"""The Common Log Format: `%h %l %u %t "%r" %>s %b`, nothing after the byte count."""

from __future__ import annotations

import polars as pl

from jagaweb.logwatch.formats.base import FormatName, LogFormat, finish
from jagaweb.logwatch.formats.clf import ClfLayout, parse_clf


class CommonFormat(LogFormat):
    name = FormatName.COMMON
    label = "Common Log Format"
    layout = ClfLayout(vhost=False, referer_agent=False)

    def parse(self, lines: pl.DataFrame) -> pl.DataFrame:
        return finish(parse_clf(lines, self.layout))
