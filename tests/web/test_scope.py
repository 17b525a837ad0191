"""The objects behind the new pages are found only through the scoped querysets: in scope, out of
scope and in another region (the role-by-page table itself is tests/test_permissions.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation
from zhicheng.publicity.models import Objection
from zhicheng.publicity.services import raise_objection

from ..conftest import staff_of
from ..cycle_helpers import advance

D = dt.date


@pytest.mark.django_db
def test_an_applicant_reaches_only_their_own_records_and_drafts(client, make_applicant):
    mine, theirs = make_applicant(P.regular_engineer()), make_applicant(P.regular_engineer())
    client.force_login(mine.person.account)
    record = theirs.person.education_records.first()
    for url in (reverse("archive_record_edit", args=["education", record.pk]),
                reverse("archive_record_delete", args=["education", record.pk]),
                reverse("declaration_edit", args=[theirs.pk])):
        assert client.get(url).status_code == 404, url
    for name in ("declaration_autosave", "declaration_records", "declaration_pledge", "declaration_fee"):
        assert client.post(reverse(name, args=[theirs.pk]), {"kind": "education"}).status_code == 404, name
    assert client.get(reverse("archive_record_new", args=["no_such_kind"])).status_code == 404
    assert client.get(reverse("declaration_edit", args=[mine.pk])).status_code == 200


@pytest.mark.django_db
def test_publicities_belong_to_their_publisher(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_county_doctor()), "employer_publicity")
    publicity = app.publicities.get()
    with clock.frozen(day):
        objection = raise_objection(publicity=publicity, application=app, name="王芳", phone="13900001234",
                                    content="该申报人的援鄂经历与事实不符，请核实。")
    publisher = staff_of(app.unit)
    same_region = staff_of(Organisation.objects.get(name="鄂尔多斯市中心医院"))
    other_region = staff_of(Organisation.objects.get(name="呼和浩特市第一医院"))
    regional = staff_of(Organisation.objects.get(kind="regional_hr_department"))
    detail = reverse("publicity_detail", args=[publicity.pk])
    for user, expected in ((publisher, 200), (same_region, 404), (other_region, 404), (regional, 200)):
        client.force_login(user)
        with clock.frozen(day):
            assert client.get(detail).status_code == expected, user
    for user in (same_region, other_region):
        client.force_login(user)
        with clock.frozen(day):
            assert client.post(reverse("objection_handle", args=[objection.pk]), {"substantiated": "yes", "finding": "属实属实属实"}).status_code == 404
            assert client.post(reverse("publicity_close", args=[publicity.pk])).status_code == 404
    client.force_login(regional)
    with clock.frozen(day):
        page = client.get(detail).content.decode()
        assert "记录核实结果" not in page, "the region reads; only the publisher handles"
        client.post(reverse("objection_handle", args=[objection.pk]), {"substantiated": "no", "finding": "经核实不属实。"})
    assert Objection.objects.get(pk=objection.pk).status == "open"


@pytest.mark.django_db
def test_a_publicity_is_public_only_from_its_first_day(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), "submitted")
    from zhicheng.publicity.services import start_publicity

    with clock.frozen(day):
        later = start_publicity(kind="employer", publisher=app.unit, applications=[app], actor=staff_of(app.unit),
                                starts_on=day + dt.timedelta(days=3))
        assert client.get(reverse("public_publicity_detail", args=[later.pk])).status_code == 404
    with clock.frozen(day + dt.timedelta(days=3)):
        assert client.get(reverse("public_publicity_detail", args=[later.pk])).status_code == 200


@pytest.mark.django_db
def test_the_correction_notice_is_for_the_body_holding_the_declaration(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_county_doctor()), "department_review")
    url = reverse("application_correction", args=[app.pk])
    holder = staff_of(app.holder)
    other_department = staff_of(Organisation.objects.get(name="呼和浩特市卫生健康委员会"))
    county_bureau = staff_of(Organisation.objects.get(name="鄂尔多斯市准格尔旗人力资源和社会保障局"))
    with clock.frozen(day):
        for user, expected in ((holder, 200), (other_department, 404), (county_bureau, 404)):
            client.force_login(user)
            assert client.get(url).status_code == expected, user
