"""The dashboard column "last activity": when anyone, person or system job, last did something on a site."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.models import Event
from jagaweb.dashboard.cells import NOTHING, ago, link, stamp
from jagaweb.dashboard.slots import Slot, register
from jagaweb.inventory.models import Site


def last_activity(site_ids: list[int]) -> dict[int, datetime]:
    rows = Event.objects.filter(site_id__in=site_ids).values("site_id").annotate(last=Max("at"))
    return {row["site_id"]: row["last"] for row in rows}


def last_activity_cell(last: datetime | None, site: Site) -> SafeString:
    if last is None:
        return NOTHING
    return link(f"{reverse('activity:list')}?site={site.pk}", ago(last), title=stamp(last))


register(Slot("last_activity", _("Last activity"), last_activity, last_activity_cell, order=900,
              permission="activity.view_event"))
