"""Pieces of sentences in the reader's language: dates (2021年08月02日 / 2021-08-02), lists (甲、乙 /
"A, B"; 甲；乙 / "A; B") and a declaration's title (工程副高级 / "Engineering, Associate senior"). The
formats themselves are in the translation catalogue."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext


def long_date(day: dt.date) -> str:
    return day.strftime(gettext("%Y年%m月%d日"))


def month_day(day: dt.date) -> str:
    return day.strftime(gettext("%m月%d日"))


def enumeration(items) -> str:
    return gettext("、").join(str(item) for item in items)


def clauses(items) -> str:
    return gettext("；").join(str(item) for item in items)


def title_label(app) -> str:
    """What `Application.title_label` says (series and level), with both labels translated."""
    return gettext("%(series)s%(level)s") % {"series": gettext(app.series.name), "level": gettext(app.get_level_display())}
