"""The "Guard" section of a site's page: the last check and its verdict, the open findings, the known-good
date, and the buttons to check now or restore."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jagaweb.guard.views import VIEW_RUNS, profile_or_default
from jagaweb.guard.views_index import OpenFindings, latest_checks, open_findings
from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import Panel, register


def load(site: Site) -> dict[str, Any]:
    findings = open_findings([site.pk]).get(site.pk) or OpenFindings()
    return {
        "profile": profile_or_default(site),
        "last_check": latest_checks([site.pk]).get(site.pk),
        "findings": findings,
        "restorable": findings.files > 0,
    }


register(Panel("guard", _("Guard"), "guard/panel.html", load, order=150, permission=VIEW_RUNS))
