"""Publicity periods in Chinese working days (六（一）（二）（三）: 不少于5个工作日)."""

import datetime as dt

import pytest

from zhicheng.publicity.models import CalendarDay, CalendarYear
from zhicheng.publicity.workdays import CalendarNotConfigured, is_working_day, publicity_end

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize("start, end", [
    # Across the 2021 National Day holiday (1–7 October) with the make-up working Saturday 9 October.
    (D(2021, 9, 28), D(2021, 10, 9)),
    (D(2021, 9, 30), D(2021, 10, 12)),
    # Starting on the make-up working Sunday 26 September 2021: it counts.
    (D(2021, 9, 26), D(2021, 9, 30)),
    (D(2021, 10, 3), D(2021, 10, 13)),  # starting inside the holiday: 8, 9 (Saturday, worked), 11, 12, 13
    # An ordinary week, and a start on a Saturday that is a rest day.
    (D(2021, 6, 21), D(2021, 6, 25)),
    (D(2021, 6, 19), D(2021, 6, 25)),
    # Dragon Boat Festival 2021 (14 June, a Monday).
    (D(2021, 6, 8), D(2021, 6, 15)),
])
def test_publicity_end_dates(start, end):
    assert publicity_end(start, 5) == end


@pytest.mark.django_db
def test_make_up_days_are_working_days():
    assert is_working_day(D(2021, 10, 9))  # Saturday, worked
    assert is_working_day(D(2021, 9, 26))  # Sunday, worked
    assert not is_working_day(D(2021, 10, 4))  # Monday, holiday


@pytest.mark.django_db
def test_a_year_nobody_configured_is_an_error():
    with pytest.raises(CalendarNotConfigured, match="2031年"):
        publicity_end(D(2031, 3, 3), 5)


@pytest.mark.django_db
def test_an_administrator_configures_a_year_the_library_lacks():
    CalendarYear.objects.create(year=2031, source="国办发明电〔2030〕X号")
    CalendarDay.objects.create(date=D(2031, 1, 1), is_working_day=False, note="元旦")
    CalendarDay.objects.create(date=D(2031, 1, 4), is_working_day=True, note="调休上班")
    assert not is_working_day(D(2031, 1, 1))
    assert is_working_day(D(2031, 1, 4))  # a Saturday
    # Wednesday 31 December 2030 is known to neither; a period crossing into 2031 needs 2031 configured.
    assert publicity_end(D(2031, 1, 1), 5) == D(2031, 1, 7)


@pytest.mark.django_db
def test_an_override_beats_the_library():
    CalendarDay.objects.create(date=D(2021, 6, 21), is_working_day=False, note="地方性假日（示例）")
    assert publicity_end(D(2021, 6, 21), 5) == D(2021, 6, 28)
