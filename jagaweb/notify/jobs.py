from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from jagaweb.jobs.registry import periodic
from jagaweb.notify.choices import DeliveryStatus
from jagaweb.notify.dispatch import OPEN_STATUSES, deliver
from jagaweb.notify.models import Delivery

BATCH = 50  # keeps one run short; the rest is due again a minute later


@periodic("notify.retry_deliveries", every=timedelta(minutes=1))
def retry_deliveries(now: datetime | None = None, limit: int = BATCH) -> str:
    """Send the notification deliveries whose next attempt is due."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
        .select_related("message__site", "message__organisation", "channel")
        .order_by("next_attempt_at")[:limit]
    )
    sent = sum(deliver(delivery) for delivery in due)
    failed = sum(delivery.status == DeliveryStatus.FAILED for delivery in due)
    return f"{len(due)} due, {sent} sent, {failed} given up"
