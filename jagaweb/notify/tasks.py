from __future__ import annotations

from django_tasks import task

from jagaweb.notify.models import Delivery


@task(queue_name="notify")
def deliver_task(delivery_id: int) -> bool:
    """First attempt at a delivery; later attempts are made by the notify.retry_deliveries job."""
    from jagaweb.notify.dispatch import deliver

    delivery = Delivery.objects.select_related("message__site", "channel").filter(pk=delivery_id).first()
    if delivery is None:
        return False
    return deliver(delivery)
