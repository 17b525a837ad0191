"""七（五）1: from the day the review ends, the office's dashboard warns until the results are filed."""

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P

from ..conftest import staff_of
from ..cycle_helpers import advance


@pytest.mark.django_db
def test_office_dashboard_warns_then_flags_late_filing(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), "passed")
    client.force_login(staff_of(app.committee.office))
    with clock.frozen(dt.date(2021, 8, 20)):
        body = client.get(reverse("dashboard")).content.decode()
    assert "待核准备案的评审结果" in body and "应于2021-09-13前报备" in body and "已逾期" not in body
    with clock.frozen(dt.date(2021, 9, 14)):
        assert "已逾期" in client.get(reverse("dashboard")).content.decode()
