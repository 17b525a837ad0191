"""The webhooks' daily work, registered with the schedule in WebhooksConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily

from .delivery import deliver
from .models import Delivery, DeliveryState

# Delivered and given-up deliveries are kept this long for the subscriber's log, then deleted.
LOG_DAYS = 90


@daily("webhooks.sweep")
@retrying(attempts=3, first_delay=600)
def sweep(day: str) -> dict:
    """Deliveries that are due and have no task waiting for them (the safety net for a lost task), and the log's old rows."""
    outcome = deliver()
    ended = Delivery.objects.filter(state__in=(DeliveryState.DELIVERED, DeliveryState.FAILED),
                                    created_at__lt=timezone.now() - dt.timedelta(days=LOG_DAYS))
    outcome["removed"] = ended.delete()[1].get(Delivery._meta.label, 0)
    return outcome
