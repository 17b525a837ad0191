"""The notifications' daily work, registered with the schedule in NotificationsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily

from . import digest, outbox


@daily("notifications.staff_digest")
@retrying(attempts=3, first_delay=600)
def staff_digest(day: str) -> dict:
    return digest.send_digests(dt.date.fromisoformat(day))


@daily("notifications.outbox_sweep")
@retrying(attempts=3, first_delay=600)
def outbox_sweep(day: str) -> dict:
    """Mails that are due and have no task waiting for them (the outbox's safety net)."""
    return asdict(outbox.deliver())
