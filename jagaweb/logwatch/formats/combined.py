"""Apache's and Nginx's combined format: `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`.

Fields a configuration appends after the user agent (Nginx's "$http_x_forwarded_for", a request time)
are allowed and ignored."""

from __future__ import annotations

from jagaweb.logwatch.formats.base import FormatName
from jagaweb.logwatch.formats.clf import ClfFormat, ClfLayout


class CombinedFormat(ClfFormat):
    name = FormatName.COMBINED
    label = "Apache/Nginx combined"
    layout = ClfLayout(vhost=False, referer_agent=True)
