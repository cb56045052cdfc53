"""The "Monitoring" section of a site's page: its checks with what they found, the open incident,
pictures of the last day and month, and links to everything else."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import Panel, register
from jagaweb.monitor.choices import IncidentState
from jagaweb.monitor.models import Check, Incident, MonitorProfile
from jagaweb.monitor.views_history import site_history


def load(site: Site) -> dict[str, Any]:
    checks = list(Check.objects.filter(site=site).defer("baseline", "notices_sent", "config"))
    data: dict[str, Any] = {
        "checks": checks,
        "open_incidents": list(Incident.objects.filter(site=site, state=IncidentState.OPEN)
                               .select_related("check_ref").order_by("-opened_at")),
        "profile": MonitorProfile.objects.filter(site=site).first() or MonitorProfile(site=site),
    }
    if checks:
        data.update(site_history(site))
    return data


register(Panel("monitor", _("Monitoring"), "monitor/panel.html", load, order=100, permission="monitor.view_check"))
