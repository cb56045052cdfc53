"""The dashboard column "last activity": when anyone, person or system job, last did something on a site."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from jagaweb.activity.models import Event
from jagaweb.dashboard.slots import Slot, register


def last_activity(site_ids: list[int]) -> dict[int, datetime]:
    rows = Event.objects.filter(site_id__in=site_ids).values("site_id").annotate(last=Max("at"))
    return {row["site_id"]: row["last"] for row in rows}


register(Slot("last_activity", _("Last activity"), "activity/slot_last_activity.html", last_activity, order=900))
