"""三（二）: a draft of a year whose declaration period closed is read only. The workspace says so at the top and
offers no upload, pledge or submission, nor an eligibility verdict; the services refuse the same. A declaration
under correction works to its own deadline (六（二）), and the archive stays editable for other years. And the
autosave names the field it could not save."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from zhicheng.catalogue.models import MaterialItem
from zhicheng.core import clock
from zhicheng.declarations import drafting
from zhicheng.declarations.checklist import attach, checklist, retire
from zhicheng.declarations.services import GuardFailed
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.files.services import store_file
from zhicheng.people.models import Education

from ..conftest import staff_of
from ..cycle_helpers import advance
from .helpers import pdf_bytes, upload

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}
OPEN_DAY = D(2021, 6, 1)
DEMO_DAY = D(2021, 9, 15)  # the demo's today: the 2021 declarations closed on 30 June
CLOSED = "2021年度申报已于2021-06-30截止（三（二））"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def draft(client, make_applicant):
    """An eligible 工程 draft with one uploaded file, pledge and fee not yet given."""
    app = make_applicant(P.regular_engineer(), pledge=False, fee_paid=False)
    with clock.frozen(OPEN_DAY):
        item = MaterialItem.objects.get(code="work_summary")
        attach(app, app.person.account, item, store_file("总结.pdf", pdf_bytes("summary")))
    client.force_login(app.person.account)
    return app


@pytest.mark.django_db
def test_within_the_period_the_workspace_offers_every_step(client, draft):
    with clock.frozen(dt.datetime(2021, 6, 30, 23, 0, tzinfo=clock.CHINA)):
        page = client.get(reverse("declaration_edit", args=[draft.pk])).content.decode()
    assert 'id="closed-h"' not in page and "不能再参加2021年度评审" not in page
    assert 'name="file"' in page and reverse("declaration_pledge", args=[draft.pk]) in page
    assert 'name="action" value="submit"' in page and "符合申报条件" in page


@pytest.mark.django_db
def test_after_the_deadline_the_draft_is_shown_read_only(client, draft):
    with clock.frozen(DEMO_DAY):
        response = client.get(reverse("declaration_edit", args=[draft.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    top = page[:page.index('id="info"')]
    assert "2021年度申报已于 2021-06-30 截止（三（二））" in top and "不能再参加2021年度评审" in top
    assert "档案仍可随时维护" in top and reverse("archive") in top
    assert 'name="file"' not in page, "no upload"
    assert reverse("declaration_pledge", args=[draft.pk]) not in page and "不能再签署" in page, "no pledge"
    assert 'value="submit"' not in page and "不能再提交" in page, "no submission"
    assert reverse("declaration_fee", args=[draft.pk]) not in page, "no fee for a draft that cannot go up"
    assert "符合申报条件" not in page and "不再进行资格审查" in page, "no verdict for a year that is over"
    assert reverse("declaration_autosave", args=[draft.pk]) not in page and reverse("declaration_records", args=[draft.pk]) not in page
    assert reverse("declaration_material_retire", args=[draft.pk, draft.materials.get().pk]) not in page
    assert "总结.pdf" in page, "what was given is still shown"


@pytest.mark.django_db
def test_after_the_deadline_the_pages_refuse_every_change(client, draft):
    item = MaterialItem.objects.get(code="annual_assessments")
    record = draft.person.education_records.first()
    assert not draft.selected_records.exists()
    with clock.frozen(DEMO_DAY):
        row = client.post(reverse("declaration_material", args=[draft.pk]),
                          {"item": item.pk, "file": upload("考核表.pdf", pdf_bytes("assessment"))}, **HX).content.decode()
        assert 'role="alert"' in row and CLOSED in row and 'name="file"' not in row
        pledge = client.post(reverse("declaration_pledge", args=[draft.pk]), {"agree": "yes"})
        assert any(CLOSED in m for m in _messages(pledge))
        submit = client.post(reverse("application_act", args=[draft.pk]), {"action": "submit"})
        assert submit["Location"] == reverse("declaration_edit", args=[draft.pk]) and any(CLOSED in m for m in _messages(submit))
        saved = client.post(reverse("declaration_autosave", args=[draft.pk]), {"specialty": draft.specialty_id, "exam_score": "合格"},
                            **HX).content.decode()
        assert "未保存" in saved and CLOSED in saved
        records = client.post(reverse("declaration_records", args=[draft.pk]), {"kind": "education", "record": [record.pk]}, **HX)
        assert CLOSED in records.content.decode()
        client.post(reverse("declaration_fee", args=[draft.pk]), {"reference": "NMG2021091500001"})
        retire_page = client.get(reverse("declaration_material_retire", args=[draft.pk, draft.materials.get().pk]))
        assert retire_page.status_code == 302 and any(CLOSED in m for m in _messages(retire_page)), "nothing to ask"
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.pledge_signed_at is None and draft.fee_paid_at is None and draft.exam_score == ""
    assert draft.materials.count() == 1 and not draft.materials.filter(item=item).exists()
    assert not draft.selected_records.exists()


@pytest.mark.django_db
def test_after_the_deadline_the_services_refuse_too(draft):
    account = draft.person.account
    material = draft.materials.get()
    with clock.frozen(DEMO_DAY):
        for step in (
            lambda: attach(draft, account, MaterialItem.objects.get(code="annual_assessments"), store_file("a.pdf", pdf_bytes("a"))),
            lambda: retire(material, account),
            lambda: drafting.sign_pledge(draft, account),
            lambda: drafting.submit(draft, account),
            lambda: drafting.update_draft(draft, account, {"exam_score": "合格"}),
            lambda: drafting.select_records(draft, account, "education", []),
            lambda: drafting.change_level(draft, account, "intermediate"),
            lambda: drafting.record_fee_payment(draft, staff_of(draft.unit), "NMG2021091500001"),
        ):
            with pytest.raises(GuardFailed, match=r"2021年度申报已于2021-06-30截止"):
                step()
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.level == "associate_senior" and material.retired_in_version is None


@pytest.mark.django_db
def test_a_declaration_under_correction_keeps_working_after_the_deadline(client, draft):
    with clock.frozen(OPEN_DAY):
        for row in checklist(draft):
            if row.missing:
                attach(draft, draft.person.account, row.item, store_file(f"{row.item.code}.pdf", pdf_bytes(row.item.code)))
        drafting.sign_pledge(draft, draft.person.account)
        drafting.record_fee_payment(draft, draft.person.account, "NMG2021060100001")
    app, _, day = advance(draft, "department_review")
    with clock.frozen(day):
        drafting.request_correction(app, staff_of(app.holder), standard_ids=[], extra="近三年年度考核表不全", deadline=D(2021, 7, 20))
    app.refresh_from_db()
    assert app.state == State.CORRECTION_REQUESTED
    client.force_login(app.person.account)
    item = MaterialItem.objects.get(code="annual_assessments")
    with clock.frozen(D(2021, 7, 10)):
        page = client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
        assert 'id="closed-h"' not in page and 'name="file"' in page and 'value="resubmit"' in page
        row = client.post(reverse("declaration_material", args=[app.pk]),
                          {"item": item.pk, "file": upload("考核表-补正.pdf", pdf_bytes("corrected"))}, **HX).content.decode()
        assert "考核表-补正.pdf" in row and 'role="alert"' not in row
        client.post(reverse("application_act", args=[app.pk]), {"action": "resubmit"})
    app.refresh_from_db()
    assert app.version == 2 and app.state not in (State.DRAFT, State.CORRECTION_REQUESTED)


@pytest.mark.django_db
def test_the_archive_stays_editable_after_the_deadline(client, draft):
    with clock.frozen(DEMO_DAY):
        response = client.post(reverse("archive_record_new", args=["education"]), {
            "level": "master", "school": "北京工业大学", "major": "结构工程", "full_time": "on", "graduated_on": "2010-07-01",
            "related_major": "on"})
    assert response.status_code == 302
    assert Education.objects.filter(person=draft.person, school="北京工业大学").exists()


@pytest.mark.django_db
def test_the_autosave_names_the_field_it_could_not_save(client, make_applicant):
    draft = make_applicant(P.regular_county_doctor())  # 卫生 asks for the exam result (五（二）1)
    client.force_login(draft.person.account)
    label = "考试成绩（考评结合系列，五（二）1）"
    with clock.frozen(OPEN_DAY):
        answer = client.post(reverse("declaration_autosave", args=[draft.pk]),
                             {"specialty": draft.specialty_id, "exam_score": "合" * 41}, **HX).content.decode()
    assert "未保存" in answer and f"{label}：" in answer and "40" in answer, answer
    draft.refresh_from_db()
    assert draft.exam_score == "合格（2021年卫生高级专业技术资格考试）", "nothing saved"
    with clock.frozen(OPEN_DAY):
        plain = client.post(reverse("declaration_autosave", args=[draft.pk]), {"specialty": draft.specialty_id, "exam_score": "合" * 41})
    assert any(m.startswith(f"{label}：") for m in _messages(plain)), "without script too"
