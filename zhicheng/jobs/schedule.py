"""The daily work, queued exactly once per day however many workers run, with missed days caught up.

Each app registers its daily tasks with ``@daily("name")`` on a django-tasks task that takes the
business day as an ISO date string (``day``), and does that day's work as of that day. Every
worker calls ``tick()`` now and then; for each registered name and each day that is due (the
configured Asia/Shanghai time has passed) and not yet recorded, it inserts a ScheduledRun row
and queues the task in the same transaction. The row's unique key (name, day) decides which
worker queues it: the others' inserts fail and they move on.

The days of a catch-up are separate tasks, run in order by one worker but side by side by
several, and a failed day is tried again later (runner.retrying): each task must do its day's
work as of that day and leave alone what another day's run has done already.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from zhicheng.core import clock

from .models import ScheduledRun

logger = logging.getLogger(__name__)

DAILY: dict[str, object] = {}
# After a long outage, at most this many past days are caught up (the oldest are skipped, and said so in the log).
MAX_CATCH_UP_DAYS = 31


def daily(name: str):
    def register(the_task):
        DAILY[name] = the_task
        return the_task
    return register


def run_time() -> dt.time:
    hours, minutes = settings.DAILY_RUN_AT.split(":")
    return dt.time(int(hours), int(minutes))


def latest_due_day(now: dt.datetime) -> dt.date:
    return now.date() if now.time() >= run_time() else now.date() - dt.timedelta(days=1)


def first_unqueued_day(name: str, due: dt.date) -> dt.date:
    """The day after the last one queued (a schedule never run before starts with ``due``)."""
    last = ScheduledRun.objects.filter(name=name).aggregate(last=Max("day"))["last"]
    return last + dt.timedelta(days=1) if last else due


def tick(now: dt.datetime | None = None) -> list[tuple[str, dt.date]]:
    """Queue every day's work that is due and not queued yet; returns what this call queued."""
    now = now or clock.now()
    due = latest_due_day(now)
    queued = []
    for name, the_task in DAILY.items():
        # Read outside the inserts' transactions: another worker may queue these days meanwhile, and
        # then this worker's inserts fail on the unique key and it queues nothing twice.
        first = first_unqueued_day(name, due)
        if (due - first).days >= MAX_CATCH_UP_DAYS:
            logger.warning("%s: %d days missed; catching up the last %d", name, (due - first).days + 1, MAX_CATCH_UP_DAYS)
            first = due - dt.timedelta(days=MAX_CATCH_UP_DAYS - 1)
        day = first
        while day <= due:
            try:
                with transaction.atomic():  # the task row goes too when the insert fails
                    result = the_task.enqueue(day=day.isoformat())
                    ScheduledRun.objects.create(name=name, day=day, queued_at=now, task_id=str(result.id))
                queued.append((name, day))
            except IntegrityError:
                pass  # another worker queued this day first
            day += dt.timedelta(days=1)
    return queued
