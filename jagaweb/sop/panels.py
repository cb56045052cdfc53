"""The "SOP" section of a site's page: the site's runs in progress with their current step and due time,
and its open cases."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import Panel, register
from jagaweb.sop.choices import CaseState, RunState, StepState
from jagaweb.sop.models import Case, RunStep


def load(site: Site) -> dict[str, Any]:
    current = (RunStep.objects.filter(run__site=site, run__state=RunState.OPEN,
                                      state__in=(StepState.OPEN, StepState.WAITING))
               .select_related("run").order_by("due_at", "pk")[:20])
    cases = Case.objects.filter(site=site, state=CaseState.OPEN).order_by("-opened_at")[:20]
    return {"steps": list(current), "cases": list(cases), "now": timezone.now()}


register(Panel("sop", _("SOP runs"), "sop/panel.html", load, order=500, permission="sop.view_run"))
