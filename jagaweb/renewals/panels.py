"""The "Services" section of a site's page: what the site's hosting, domain and other services cost and
when each ends."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.inventory.panels import Panel, register
from jagaweb.renewals.models import Service
from jagaweb.renewals.views import row


def load(site: Site) -> dict[str, Any]:
    today = timezone.localdate()
    services = Service.objects.filter(site=site).select_related("provider").order_by("-is_active", "period_end")
    return {"rows": [row(service, today) for service in services]}


register(Panel("renewals", _("Services"), "renewals/panel.html", load, order=400,
               permission="renewals.view_service"))
