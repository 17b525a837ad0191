"""The daily run (registered with the schedule in RectificationConfig.ready()): orders whose deadline passed become
overdue and both sides are told, once (the state changes, so a second run of the same day finds nothing)."""

from __future__ import annotations

import datetime as dt

from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily

from .services import mark_overdue


@daily("rectification.overdue_orders")
@retrying(attempts=3, first_delay=600)
def overdue_orders(day: str) -> dict:
    return {"overdue": mark_overdue(dt.date.fromisoformat(day))}
