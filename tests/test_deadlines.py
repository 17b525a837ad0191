"""三（二）: declarations close on the plan's deadline in Asia/Shanghai time; no review step crosses the year."""

import datetime as dt

import pytest

from zhicheng.core import clock
from zhicheng.declarations.services import GuardFailed, transition
from zhicheng.demo import applicants as P

from .cycle_helpers import actor_for, advance

SHANGHAI = clock.CHINA


@pytest.mark.django_db
def test_the_deadline_day_is_open_until_midnight_shanghai_time(make_applicant):
    app = make_applicant(P.regular_engineer())
    with clock.frozen(dt.datetime(2021, 6, 30, 23, 59, 30, tzinfo=SHANGHAI)):
        transition(app, "submit", app.person.account)
    app.refresh_from_db()
    assert app.state == "submitted"


@pytest.mark.django_db
def test_before_the_window_opens_nothing_can_be_submitted(make_applicant):
    # The 2021 plan opens declarations on 15 May: the last minute of 14 May in Shanghai is still before it.
    app = make_applicant(P.regular_engineer(), on=dt.date(2021, 5, 10))
    with clock.frozen(dt.datetime(2021, 5, 14, 23, 59, 30, tzinfo=SHANGHAI)):
        with pytest.raises(GuardFailed, match="尚未开始（2021年05月15日开始）"):
            transition(app, "submit", app.person.account)
    app.refresh_from_db()
    assert app.state == "draft"
    with clock.frozen(dt.datetime(2021, 5, 15, 0, 0, 30, tzinfo=SHANGHAI)):
        transition(app, "submit", app.person.account)
    app.refresh_from_db()
    assert app.state == "submitted"


@pytest.mark.django_db
def test_one_second_after_midnight_it_is_closed(make_applicant):
    app = make_applicant(P.regular_engineer())
    # 16:00:01 UTC on 30 June is already 1 July in Shanghai.
    with clock.frozen(dt.datetime(2021, 6, 30, 16, 0, 1, tzinfo=dt.timezone.utc)):
        with pytest.raises(GuardFailed, match="截止"):
            transition(app, "submit", app.person.account)


@pytest.mark.django_db
def test_no_review_step_in_the_next_year(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), "under_review")
    with clock.frozen(dt.date(2022, 1, 4)):
        with pytest.raises(GuardFailed, match="跨年度"):
            transition(app, "record_pass", actor_for(app))
