"""The "Visitor activity" section of a site's page: visitors today, open incidents, the last log read."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import Panel, register
from jagaweb.logwatch.views import VIEW_STATS, SiteSummary, summaries


def load(site: Site) -> dict[str, Any]:
    return {"summary": summaries([site.pk]).get(site.pk) or SiteSummary(), "configured": bool(site.access_logs)}


register(Panel("logwatch", _("Visitor activity"), "logwatch/panel.html", load, order=160, permission=VIEW_STATS))
