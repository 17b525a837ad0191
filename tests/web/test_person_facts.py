"""The facts about the applicant the engine reads (civil servant, retired, transferred in, postdoc, high skill ...)
and the two the annex's forms print (民族, 政治面貌), typed by the applicant on one page of the archive: choices
and dates checked, nothing saved from a refused form, every change audited, the open draft screened again."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.models import Application, SubmittedPersonFacts
from zhicheng.declarations.screening import build_facts
from zhicheng.demo import applicants as P
from zhicheng.people.forms import PersonFactsForm
from zhicheng.people.models import Person

D = dt.date


@pytest.fixture
def draft(make_applicant, client):
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)
    return app


def _values(person: Person, **changes) -> dict:
    """The form's fields as the page would post them, with these changes."""
    form = PersonFactsForm(instance=person)
    data = {}
    for name, field in form.fields.items():
        value = changes.get(name, form.initial.get(name))
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value not in (None, ""):
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


@pytest.mark.django_db
def test_a_fact_the_engine_reads_screens_the_draft_again_with_its_clause(client, draft):
    assert draft.eligible
    with clock.frozen(D(2021, 6, 2)):
        response = client.post(reverse("archive_person"), _values(draft.person, retired=True, ethnicity="02", political_status="13"))
    assert response.status_code == 302 and response.url == reverse("archive")
    person = Person.objects.get(pk=draft.person_id)
    assert (person.retired, person.ethnicity, person.political_status) == (True, "02", "13")
    draft.refresh_from_db()
    assert draft.eligible is False
    assert {"block": "retired", "clause": "二（四）"}.items() <= draft.decision["blocks"][0].items()
    entry = AuditEntry.objects.filter(action="person.change", object_id=str(person.pk)).get()
    assert entry.before["retired"] is False and entry.after["retired"] is True and "已离退休" in entry.summary
    page = client.get(reverse("archive")).content.decode()
    assert "已离退休" in page and "蒙古族" in page and "群众" in page
    with clock.frozen(D(2021, 6, 2)):
        workspace = client.get(reverse("declaration_edit", args=[draft.pk])).content.decode()
    assert "本人情况</th><td>已离退休" in workspace and reverse("archive_person") in workspace


@pytest.mark.django_db
def test_a_transfer_and_years_of_service_are_audited_as_typed(client, draft):
    with clock.frozen(D(2021, 6, 2)):
        response = client.post(reverse("archive_person"), _values(
            draft.person, transferred_in_from="military", transferred_in_on=D(2019, 3, 1), rural_service_years="2.5"))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="person.change", object_id=str(draft.person_id))
    assert entry.after == {"transferred_in_from": "military", "transferred_in_on": "2019-03-01", "rural_service_years": "2.5"}
    assert entry.before == {"transferred_in_from": "", "transferred_in_on": None, "rural_service_years": "0.0"}
    facts = build_facts(Application.objects.get(pk=draft.pk))
    assert facts["transferred_in"]["from"] == "military" and facts["rural_service_years"] == 2.5


@pytest.mark.django_db
def test_what_the_engine_does_not_read_screens_nothing_again(client, draft):
    decision = draft.decision
    with clock.frozen(D(2021, 6, 2)):
        client.post(reverse("archive_person"), _values(draft.person, ethnicity="11"))
    draft.refresh_from_db()
    assert Person.objects.get(pk=draft.person_id).ethnicity == "11" and draft.decision == decision
    assert AuditEntry.objects.filter(action="person.change", object_id=str(draft.person_id)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("changes, field, message", [
    ({"ethnicity": "汉族"}, "ethnicity", "不在可用的选项中"),
    ({"foreign_permit": "work_permit"}, "foreign_permit", "外籍人员证件只由外籍人员填写"),
    ({"transferred_in_from": "military"}, "transferred_in_on", "须同时填写"),
    ({"high_skill_obtained_on": D(2015, 5, 1)}, "high_skill_level", "须同时填写"),
    ({"postdoc_foundation_grant": True}, "postdoc_foundation_grant", "请先勾选“在站博士后”"),
    ({"rural_service_years": "99"}, "rural_service_years", "服务年限应在0至50年之间"),
    ({"rural_service_years": "45"}, "rural_service_years", "超过了您年满16周岁以来的年数"),  # born in 1980: 25 years
    ({"transferred_in_from": "civil_service", "transferred_in_on": D(2030, 1, 1)}, "transferred_in_on", "不能晚于今天"),
    ({"high_skill_level": "technician", "high_skill_obtained_on": D(1975, 1, 1)}, "high_skill_obtained_on", "周岁"),
])
def test_a_refused_form_says_why_beside_the_field_and_saves_nothing(client, draft, changes, field, message):
    before = Person.objects.filter(pk=draft.person_id).values().get()
    with clock.frozen(D(2021, 6, 2)):
        response = client.post(reverse("archive_person"), _values(draft.person, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert Person.objects.filter(pk=draft.person_id).values().get() == before
    assert not AuditEntry.objects.filter(action="person.change").exists()
    assert "请按提示修改后重新保存" in response.content.decode()


@pytest.mark.django_db
def test_the_page_is_the_applicants_own_and_a_stored_value_outside_its_choices_is_asked_again(client, draft):
    Person.objects.filter(pk=draft.person_id).update(ethnicity="蒙")
    page = client.get(reverse("archive_person"))
    assert page.status_code == 200 and "原填写的“蒙”不是可选项中的值" in page.content.decode()
    assert '<option value="02">蒙古族</option>' in page.content.decode()
    assert "（未填写）</option>" in page.content.decode() and "---------" not in page.content.decode()


@pytest.mark.django_db
def test_the_page_and_what_it_stated_in_english(client, draft):
    from tests.web.test_i18n import visible_text

    Person.objects.filter(pk=draft.person_id).update(ethnicity="02", postdoc_in_station=True, high_skill_level="technician",
                                                     high_skill_obtained_on=D(2015, 5, 1))
    client.cookies["django_language"] = "en"
    with clock.frozen(D(2021, 6, 2)):
        page = visible_text(client.get(reverse("archive_person")).content.decode())
        archive = visible_text(client.get(reverse("archive")).content.decode())
    for english in ("Personal details", "Ethnic group", "Mongol", "Retired", "High-skill talent (V(9))", "Technician",
                    "already count"):
        assert english in page, english
    for chinese in ("民族", "蒙古族", "已离退休", "技师"):
        assert chinese not in page, chinese
    for english in ("Ethnic group: Mongol", "Postdoctoral researcher in station", "High-skill level: Technician",
                    "High-skill level obtained on: 2015-05-01", "Edit personal details", "Political affiliation: "):
        assert english in archive, english


@pytest.mark.django_db
def test_the_employer_checking_the_declaration_sees_what_the_applicant_stated_when_submitting(client, make_applicant):
    """Each version keeps the facts it went up with: a change after submission is the applicant's archive, not what
    the checkers are checking (nor what that version's screening read)."""
    from tests.conftest import staff_of
    from tests.cycle_helpers import advance

    app = make_applicant(P.regular_engineer())
    Person.objects.filter(pk=app.person_id).update(transferred_in_from="military", transferred_in_on=D(2019, 3, 1))
    app, _, day = advance(app, "submitted")
    assert SubmittedPersonFacts.objects.get(application=app, version=1).facts["transferred_in_on"] == "2019-03-01"
    Person.objects.filter(pk=app.person_id).update(retired=True, transferred_in_from="", transferred_in_on=None)
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "本人情况" in page and "调入前身份（五（四）4）：军队转业干部" in page and "调入时间：2019-03-01" in page
    assert "已离退休" not in page and "第1版提交时申报人填写的情况" in page
    # A version submitted before the facts were kept shows today's, and says so.
    SubmittedPersonFacts.objects.filter(application=app).delete()
    with clock.frozen(day):
        page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "已离退休" in page and "该版提交时未留存本人情况" in page


@pytest.mark.django_db
def test_a_resubmission_keeps_both_versions_facts_and_the_owner_sees_the_draft_live(client, make_applicant):
    from tests.conftest import staff_of
    from tests.cycle_helpers import advance
    from zhicheng.declarations import drafting
    from zhicheng.declarations.services import transition

    app, _, _ = advance(make_applicant(P.regular_engineer()), "department_review")
    account = app.person.account
    client.force_login(account)
    with clock.frozen(D(2021, 6, 20)):
        drafting.request_correction(app, staff_of(app.unit.competent_department), standard_ids=[], extra="请补充调入材料",
                                    deadline=D(2021, 6, 30))
        response = client.post(reverse("archive_person"), _values(app.person, transferred_in_from="military",
                                                                  transferred_in_on=D(2019, 3, 1)))
        assert response.status_code == 302
        owner_view = client.get(reverse("application_detail", args=[app.pk])).content.decode()
        assert "调入时间：2019-03-01" in owner_view, "the draft being corrected shows what is stated now"
        app.refresh_from_db()
        transition(app, "resubmit", account)
    app.refresh_from_db()
    kept = dict(SubmittedPersonFacts.objects.filter(application=app).values_list("version", "facts__transferred_in_on"))
    assert kept == {1: None, 2: "2019-03-01"}
    with clock.frozen(D(2021, 6, 21)):
        first = client.get(reverse("application_detail", args=[app.pk]), {"version": 1}).content.decode()
        second = client.get(reverse("application_detail", args=[app.pk]), {"version": 2}).content.decode()
    assert "调入时间" not in first and "第1版提交时" in first
    assert "调入时间：2019-03-01" in second and "第2版提交时" in second
