"""Dates are checked against today (zhicheng.core.clock) and against each other, with a Chinese message
(issue 14, defect 5: an ID number born in 2030, a graduation in 2035, a transfer date in 2030 and a
correction deadline of 2031-09-01 were all accepted)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from zhicheng.core import clock
from zhicheng.declarations.forms import DraftForm
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation
from zhicheng.people.forms import RegistrationForm, record_form_class
from zhicheng.people.models import ARCHIVE_MODELS, Education, Person

from ..conftest import staff_of
from ..cycle_helpers import advance
from .helpers import PRIVATE_UNIT, new_id_number, registration

D = dt.date
TODAY = D(2021, 6, 1)


@pytest.fixture
def draft(make_applicant):
    return make_applicant(P.regular_engineer())  # the person is born in 1980


@pytest.mark.django_db
def test_registration_refuses_a_birth_date_in_the_future_or_under_working_age(client):
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    with clock.frozen(TODAY):
        for birth, message in ((D(2030, 1, 1), "身份证号码中的出生日期（2030-01-01）晚于今天，请核对。"),
                               (D(2010, 5, 1), "未满16周岁")):
            data = dict(registration(unit.pk), id_number=new_id_number(612, birth=birth))
            response = client.post(reverse("register"), data)
            assert response.status_code == 200 and message in response.content.decode()
            assert not Person.objects.filter(id_number=data["id_number"]).exists()
        form = RegistrationForm(dict(registration(unit.pk), id_number=new_id_number(613, birth=D(2005, 5, 31))))
        form.fields["unit"].queryset = Organisation.objects.filter(pk=unit.pk)
        assert form.is_valid(), "sixteen years old on the day: accepted"


def _post(client, kind: str, data: dict):
    with clock.frozen(TODAY):
        response = client.post(reverse("archive_record_new", args=[kind]), data)
    assert response.status_code == 200, f"{kind} saved: {data}"
    return response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k, m in ARCHIVE_MODELS.items()
                                  if any(f.get_internal_type() == "DateField" or f.name == "year" for f in m._meta.concrete_fields)])
def test_every_archive_date_and_year_is_checked_against_today_and_birth(client, draft, kind):
    """Each date field of each kind of record: a day after today is refused (except a project's planned
    end), so is one before the person turned fourteen; a year after this one and before that age likewise."""
    client.force_login(draft.person.account)
    form_class = record_form_class(kind)
    model = form_class._meta.model
    for field in model._meta.concrete_fields:
        if field.name not in form_class.base_fields:
            continue
        if field.get_internal_type() == "DateField":
            future, early = "2035-07-01", "1990-07-01"
        elif field.name == "year":
            future, early = "2022", "1990"
        else:
            continue
        errors = _post(client, kind, {field.name: future})
        if (kind, field.name) == ("project", "ended_on"):
            assert field.name not in errors, "a project's end may be planned ahead"
        else:
            assert any("不能晚于今" in e for e in errors.get(field.name, [])), (kind, field.name, errors)
        errors = _post(client, kind, {field.name: early})
        assert any("早于您年满14周岁" in e for e in errors.get(field.name, [])), (kind, field.name, errors)


@pytest.mark.django_db
def test_an_end_before_its_start_is_refused_and_a_sound_record_is_saved(client, draft):
    client.force_login(draft.person.account)
    errors = _post(client, "project", {"name": "草原生态修复", "role_in_project": "负责人", "started_on": "2019-03-01",
                                       "ended_on": "2018-12-31"})
    assert errors["ended_on"] == ["结束时间不能早于开始时间。"]
    errors = _post(client, "work", {"started_on": "2019-03-01", "ended_on": "2018-12-31"})
    assert "截止日期不能早于起始日期。" in errors["ended_on"]
    with clock.frozen(TODAY):
        saved = client.post(reverse("archive_record_new", args=["education"]), {
            "level": "master", "school": "内蒙古大学", "major": "环境工程", "graduated_on": "2021-05-31", "full_time": "on"})
    assert saved.status_code == 302 and Education.objects.filter(person=draft.person, graduated_on=D(2021, 5, 31)).exists()


@pytest.mark.django_db
def test_a_years_continuing_education_hours_are_bounded(client, draft):
    """99,999 hours in a year was saved on SQLite and would be PostgreSQL's smallint error: a message instead."""
    from zhicheng.people.models import ContinuingEducation

    client.force_login(draft.person.account)
    errors = _post(client, "continuing_education", {"year": "2010", "hours": "99999"})
    assert errors["hours"] == ["一年的继续教育学时不超过1000，请核对。"]
    errors = _post(client, "continuing_education", {"year": "99999999999", "hours": "90"})
    assert errors["year"] == ["年度应为四位数字，如2020。"], "not the database's integer bound"
    assert not ContinuingEducation.objects.filter(person=draft.person, year=2010).exists()
    with clock.frozen(TODAY):
        saved = client.post(reverse("archive_record_new", args=["continuing_education"]), {"year": "2010", "hours": "96"})
    assert saved.status_code == 302 and ContinuingEducation.objects.get(person=draft.person, year=2010).hours == 96


@pytest.mark.django_db
def test_the_transfer_date_of_the_declaration_is_not_in_the_future(draft):
    with clock.frozen(TODAY):
        form = DraftForm({"new_post_since": "2030-01-01"}, instance=draft)
        assert not form.is_valid() and "不能晚于今天（2021-06-01）" in form.errors["new_post_since"][0]
        form = DraftForm({"new_post_since": "1985-01-01"}, instance=draft)
        assert not form.is_valid() and "早于您年满14周岁" in form.errors["new_post_since"][0]
        form = DraftForm({"new_post_since": "2020-01-01"}, instance=draft)
        assert "new_post_since" not in form.errors


@pytest.mark.django_db
def test_dates_the_back_office_types_on_a_person_are_checked(draft):
    person = draft.person
    person.transferred_in_from, person.transferred_in_on = "civil_service", D(2030, 1, 1)
    person.high_skill_level, person.high_skill_obtained_on = "technician", D(1985, 1, 1)
    with clock.frozen(TODAY), pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert set(refused.value.message_dict) == {"transferred_in_on", "high_skill_obtained_on"}


@pytest.mark.django_db
def test_the_correction_deadline_stays_within_the_years_cycle(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), "department_review")
    client.force_login(staff_of(app.holder))
    url = reverse("application_correction", args=[app.pk])
    with clock.frozen(day):
        far = client.post(url, {"extra": "缺聘书", "deadline": "2031-09-01"})
        body = far.content.decode()
        assert far.status_code == 200 and "补正截止日期不得晚于2021年度评审及公示截止日（2021年09月30日" in body
        app.refresh_from_db()
        assert app.state == "department_review"
        last_day = client.post(url, {"extra": "缺聘书", "deadline": "2021-09-30"}).content.decode()
        assert "补正截止日期：2021-09-30" in last_day and 'name="confirm"' in last_day
        client.post(url, {"extra": "缺聘书", "deadline": "2021-09-30", "confirm": "yes"})
    app.refresh_from_db()
    assert app.state == "correction_requested", "the last day of the cycle is accepted"


@pytest.mark.django_db
def test_the_messages_read_in_english_too(client, draft):
    client.force_login(draft.person.account)
    with translation.override("en"), clock.frozen(TODAY):
        form = record_form_class("education")({"graduated_on": "2035-07-01"}, instance=Education(person=draft.person))
        form.is_valid()
    assert "cannot be later than today (2021-06-01)" in form.errors["graduated_on"][0]


@pytest.mark.django_db
def test_back_office_forms_refuse_dates_that_have_not_happened():
    from zhicheng.certificates.forms import ExchangeForm
    from zhicheng.review.forms import RelationForm, SanctionForm

    with clock.frozen(TODAY):
        relation = RelationForm({"kind": "former_unit", "started_on": "2030-01-01", "ended_on": "2031-01-01"})
        sanction = SanctionForm({"reason": "评审中违反纪律", "imposed_on": "2030-01-01"})
        exchange = ExchangeForm({"obtained_on": "2030-01-01"})
        for form, names in ((relation, ("started_on", "ended_on")), (sanction, ("imposed_on",)), (exchange, ("obtained_on",))):
            form.is_valid()
            for name in names:
                assert any("不能晚于今天（2021-06-01）" in e for e in form.errors.get(name, [])), (type(form).__name__, name, form.errors)
        assert "imposed_on" not in SanctionForm({"reason": "x", "imposed_on": "2021-06-01"}).errors
