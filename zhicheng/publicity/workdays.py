"""Chinese working days: statutory holidays and make-up working weekends.

chinese-calendar knows the State Council's schedule for the years it ships; administrators
enter the rest (CalendarYear + CalendarDay). A year nobody has configured is an error: a
publicity period must never end on a guessed date.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from .models import CalendarDay, CalendarYear


class CalendarNotConfigured(Exception):
    def __init__(self, year: int):
        self.year = year
        super().__init__(f"{year}年的法定节假日安排尚未配置，无法计算工作日。请系统管理员在“节假日安排”中录入国务院办公厅公布的{year}年安排。")


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Working-day arithmetic over a loaded set of overrides (one query per calendar)."""

    def __init__(self, first_year: int, last_year: int):
        self.overrides = {
            row.date: row.is_working_day
            for row in CalendarDay.objects.filter(date__year__gte=first_year, date__year__lte=last_year)
        }
        self.configured = set(CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year).values_list("year", flat=True))
        self._checked: set[int] = set()

    def _check_year(self, year: int) -> None:
        if year in self._checked:
            return
        if year not in self.configured and not _library_knows(year):
            raise CalendarNotConfigured(year)
        self._checked.add(year)

    def is_working_day(self, day: dt.date) -> bool:
        self._check_year(day.year)
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.configured:
            return day.weekday() < 5
        return chinese_calendar.is_workday(day)

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The date of the count-th working day, counting ``start`` itself when it is a working day."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day, seen = start, 0
        while True:
            if self.is_working_day(day):
                seen += 1
                if seen == count:
                    return day
            day += dt.timedelta(days=1)


def publicity_end(start: dt.date, working_days: int) -> dt.date:
    # A publicity of 5 working days spans at most a few weeks, even over Spring Festival.
    return WorkingCalendar(start.year, start.year + 1).add_working_days(start, working_days)


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar(day.year, day.year).is_working_day(day)
