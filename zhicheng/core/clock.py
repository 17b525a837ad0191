"""The one clock of the application.

Deadlines are enforced in Asia/Shanghai time (三（二）). Tests, benchmarks and the demo
region need a fixed date, so "today" can be pinned with ``ZHICHENG_TODAY`` (the demo) or
with ``frozen(...)`` (code). The time of day stays real so that timelines keep their order.
Tests that run the server and workers as separate processes move their date through a file
named by ``ZHICHENG_TODAY_FILE`` (an ISO date, or empty for the real date); never set in production.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_pinned: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("pinned_now", default=None)


_today_file_cache: dict[str, tuple[tuple, dt.date | None]] = {}


def _file_today(path: str) -> dt.date | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    # Writers replace the file (a new inode), so a change is seen even where timestamps are coarse.
    mtime = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _today_file_cache.get(path)
    if cached is None or cached[0] != mtime:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        cached = _today_file_cache[path] = (mtime, dt.date.fromisoformat(text) if text else None)
    return cached[1]


def _env_today() -> dt.date | None:
    path = os.environ.get("ZHICHENG_TODAY_FILE")
    if path:
        return _file_today(path)
    value = os.environ.get("ZHICHENG_TODAY")
    return dt.date.fromisoformat(value) if value else None


def environment_day() -> dt.date | None:
    """The date ZHICHENG_TODAY (or ZHICHENG_TODAY_FILE) pins, if any: the "today" of the demo and of training."""
    return _env_today()


def now() -> dt.datetime:
    """Aware datetime in Asia/Shanghai."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    real = dt.datetime.now(CHINA)
    env_day = _env_today()
    if env_day is not None:
        return real.replace(year=env_day.year, month=env_day.month, day=env_day.day)
    return real


def today() -> dt.date:
    return now().date()


@contextlib.contextmanager
def frozen(moment: dt.date | dt.datetime):
    """Pin the clock; a date means 10:00 that day in Asia/Shanghai."""
    if isinstance(moment, dt.datetime):
        value = moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
    else:
        value = dt.datetime.combine(moment, dt.time(10, 0), tzinfo=CHINA)
    token = _pinned.set(value)
    try:
        yield value
    finally:
        _pinned.reset(token)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=CHINA)
