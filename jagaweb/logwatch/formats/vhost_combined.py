"""Debian's Apache `vhost_combined`: `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`.

`vhost` is the host name without the port ("portal.example.go.id:443" gives "portal.example.go.id")."""

from __future__ import annotations

from jagaweb.logwatch.formats.base import FormatName
from jagaweb.logwatch.formats.clf import ClfFormat, ClfLayout


class VhostCombinedFormat(ClfFormat):
    name = FormatName.VHOST_COMBINED
    label = "Apache vhost_combined"
    layout = ClfLayout(vhost=True, referer_agent=True)
