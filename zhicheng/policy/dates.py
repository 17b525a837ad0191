"""Counting "满N年" the way reading 1 says: start + N years on or before the cut-off.

Dates compare as keys y*10000 + m*100 + d, so start + N years is the key plus N*10000.
A 29 February start therefore reaches its anniversary on 1 March in a common year.
Service made of several periods counts each day once; it is "满N年" when a single
period of the same number of days ending on the cut-off would be.
"""

from __future__ import annotations

import datetime as dt


def key(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def held(start: dt.date, years: int, cutoff: dt.date) -> bool:
    return key(start) + years * 10000 <= key(cutoff)


def equivalent_start(days: int, cutoff: dt.date) -> dt.date:
    return cutoff - dt.timedelta(days=days - 1)


def served(days: int, years: int, cutoff: dt.date) -> bool:
    if years <= 0:
        return True
    return days > 0 and held(equivalent_start(days, cutoff), years, cutoff)


def anniversary(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(start.year + years, 3, 1)


def completed_months(start: dt.date, cutoff: dt.date) -> int:
    months = (cutoff.year - start.year) * 12 + cutoff.month - start.month
    if start.day > cutoff.day:
        months -= 1
    return max(months, 0)


def span_zh(months: int) -> str:
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{years}年{rest}个月"
    if years:
        return f"{years}年"
    return f"{rest}个月"


def date_zh(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def union_days(periods: list[tuple[dt.date, dt.date | None]], lo: dt.date | None, hi: dt.date) -> int:
    """Days covered by the periods within [lo, hi], each day once; to = None is ongoing."""
    clipped = []
    for start, end in periods:
        end = hi if end is None or end > hi else end
        if lo is not None and start < lo:
            start = lo
        if start <= end:
            clipped.append((start.toordinal(), end.toordinal()))
    clipped.sort()
    total, reach = 0, None
    for start, end in clipped:
        if reach is None or start > reach:
            total += end - start + 1
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def years_text(days: int, years: int, cutoff: dt.date) -> str:
    """'累计4年5个月，需满5年；还差7个月' for service counted in days."""
    months = completed_months(equivalent_start(days, cutoff), cutoff) if days > 0 else 0
    if served(days, years, cutoff):
        return f"截至{date_zh(cutoff)}累计{span_zh(months)}，满{years}年"
    return f"截至{date_zh(cutoff)}累计{span_zh(months)}，需满{years}年；还差{span_zh(years * 12 - months)}"
