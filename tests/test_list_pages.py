"""List pages cost the same number of queries whatever their number of rows (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P

from .conftest import D, staff_of
from .cycle_helpers import advance


@pytest.mark.django_db
@pytest.mark.parametrize("url_name, params", [
    ("application_list", ""), ("application_list", "?queue=1"), ("dashboard", ""), ("audit_log", ""), ("notifications", ""),
])
def test_list_pages_do_not_grow_with_rows(client, make_applicant, django_assert_num_queries, url_name, params):
    from zhicheng.accounts.models import User

    regional = User.objects.get(username="org1")
    client.force_login(regional)
    url = reverse(url_name) + params
    advance(make_applicant(P.regular_engineer()), "department_review")
    with clock.frozen(D(2021, 6, 25)):
        client.get(url)  # the first region-wide view of a year stores its stage figures (statistics): not a row's cost
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for _ in range(4):
            advance(make_applicant(P.regular_engineer()), "department_review")
        with django_assert_num_queries(len(one.captured_queries)):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_employer_queue_lists_its_own_rows(client, make_applicant):
    apps = [advance(make_applicant(P.regular_engineer()), "submitted")[0] for _ in range(3)]
    client.force_login(staff_of(apps[0].unit))
    with clock.frozen(D(2021, 6, 8)):
        body = client.get(reverse("application_list") + "?queue=1").content.decode()
    assert all(app.person.name in body for app in apps)
