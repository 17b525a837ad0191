"""The pages this issue adds or changes cost the same number of queries whatever their rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P

from ..conftest import staff_of
from ..cycle_helpers import advance

D = dt.date
COUNTY_CENTRE = "宁城县农牧技术推广中心"


def assert_flat(client, django_assert_num_queries, url, grow, day=D(2021, 6, 25)):
    with clock.frozen(day):
        with CaptureQueriesContext(connection) as one:
            assert client.get(url).status_code == 200
    grow()
    with clock.frozen(day):
        with django_assert_num_queries(len(one.captured_queries)):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/applications/?queue=1", "/applications/", "/dashboard/", "/publicities/"])
def test_employer_pages_with_the_post_quota(client, make_applicant, django_assert_num_queries, url):
    def one():
        return advance(make_applicant(P.regular_agronomist(unit=COUNTY_CENTRE)), "employer_publicity")[0]

    app = one()
    client.force_login(staff_of(app.unit))
    assert_flat(client, django_assert_num_queries, url, lambda: [one() for _ in range(3)], day=D(2021, 6, 9))


@pytest.mark.django_db
def test_public_publicity_pages(client, make_applicant, django_assert_num_queries):
    app, _, day = advance(make_applicant(P.regular_engineer()), "submitted")
    from zhicheng.publicity.services import start_publicity

    def publish(apps):
        with clock.frozen(day):
            return start_publicity(kind="employer", publisher=app.unit, applications=apps, actor=staff_of(app.unit))

    first = publish([app])
    more = [advance(make_applicant(P.regular_engineer()), "submitted")[0] for _ in range(3)]
    second = publish(more[:1])
    # The list grows by a publicity, the detail by three more names.
    with clock.frozen(day):
        with CaptureQueriesContext(connection) as list_one:
            client.get(reverse("public_publicity_list"))
        with CaptureQueriesContext(connection) as detail_one:
            client.get(reverse("public_publicity_detail", args=[second.pk]))
    publish(more[1:])
    with clock.frozen(day):
        with django_assert_num_queries(len(list_one.captured_queries)):
            client.get(reverse("public_publicity_list"))
    big = first.__class__.objects.exclude(pk__in=[first.pk, second.pk]).get()
    with clock.frozen(day):
        with django_assert_num_queries(len(detail_one.captured_queries)):
            client.get(reverse("public_publicity_detail", args=[big.pk]))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/dashboard/", "/archive/", "/notifications/"])
def test_applicant_pages(client, make_applicant, django_assert_num_queries, url):
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)

    def grow():
        from zhicheng.people.models import AnnualAssessment

        # More rows of a kind the archive already holds (an empty kind costs no evidence query at all).
        for year in range(2014, 2018):
            AnnualAssessment.objects.create(person=app.person, year=year, grade="competent")
        advance(app, "employer_publicity")

    assert_flat(client, django_assert_num_queries, url, grow)


@pytest.mark.django_db
def test_notice_index(client, django_assert_num_queries):
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notice_index"))
    assert len(one.captured_queries) <= 3, "series and the plan, whatever the number of series"
