"""The Common Log Format: `%h %l %u %t "%r" %>s %b`, nothing after the byte count."""

from __future__ import annotations

from jagaweb.logwatch.formats.base import FormatName
from jagaweb.logwatch.formats.clf import ClfFormat, ClfLayout


class CommonFormat(ClfFormat):
    name = FormatName.COMMON
    label = "Common Log Format"
    layout = ClfLayout(vhost=False, referer_agent=False)
