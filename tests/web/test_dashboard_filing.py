"""七（五）1: from the day the review work ends (its results publicity over), the office's dashboard warns until the
results are filed."""

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P

from ..conftest import staff_of
from ..cycle_helpers import advance


@pytest.mark.django_db
def test_office_dashboard_warns_then_flags_late_filing(client, make_applicant):
    from zhicheng.certificates.filing import one_month_after

    app, _, day = advance(make_applicant(P.regular_engineer()), "result_published")
    due = one_month_after(app.publicities.get(kind="result").ends_on)
    client.force_login(staff_of(app.committee.office))
    with clock.frozen(day):
        body = client.get(reverse("dashboard")).content.decode()
    assert "待核准备案的评审结果" in body and f"应于{due:%Y-%m-%d}前报备" in body and "已逾期" not in body
    with clock.frozen(due + dt.timedelta(days=1)):
        assert "已逾期" in client.get(reverse("dashboard")).content.decode()
