"""The annex's forms (四（一）, 附件 1、2): the 评审表 (A4) and the 送审表 (one A3 landscape sheet), filled
from the records a declaration was submitted with, for whoever may see its dossier; turned into PNG in
test-artifacts/forms/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations import annex_forms
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import select_records
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import ARCHIVE_MODELS, Award, Education, Person, Project, Publication, TitleHeld

from ..conftest import staff_of
from ..cycle_helpers import advance

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "forms"
D = dt.date
MM = 72 / 25.4  # PDF points per millimetre


def _declared(make_applicant, until="department_review"):
    """A county surgeon with papers, a project and an award, every archive record selected, taken to ``until``."""
    app = make_applicant(P.regular_county_doctor())
    person, account = app.person, app.person.account
    with clock.frozen(D(2021, 6, 1)):
        TitleHeld.objects.filter(person=person, level="intermediate").update(title_name="主治医师", certificate_number="B15201009001")
        TitleHeld.objects.filter(person=person, level="assistant").update(title_name="医师")
        Publication.objects.create(person=person, title="腹腔镜胆囊切除术在基层医院的应用", venue="中国普外基础与临床杂志",
                                   published_on=D(2019, 5, 1), authorship="第一作者", representative=True)
        Project.objects.create(person=person, name="旗县医院日间手术规范化建设", role_in_project="负责人", level="盟市级",
                               started_on=D(2018, 3, 1), ended_on=D(2020, 12, 31))
        Award.objects.create(person=person, name="鄂尔多斯市科学技术进步奖", scope="city", grade=2, year=2020)
        for kind, model in ARCHIVE_MODELS.items():
            ids = list(model.objects.filter(person=person).values_list("pk", flat=True))
            if ids:
                select_records(app, account, kind, ids)
    app, _, _ = advance(app, until)
    return app


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _page_sizes(path: Path) -> list[tuple[float, float]]:
    info = _run("pdfinfo", "-l", "100", str(path))
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


@pytest.mark.django_db
def test_both_forms_print_the_submitted_records_on_their_paper(make_applicant, tmp_path):
    app = _declared(make_applicant)
    person = app.person
    # The live archive changes after submission: the forms keep what went up.
    Education.objects.filter(person=person).update(school="改名后的院校")
    Publication.objects.filter(person=person).delete()

    app = Application.objects.select_related(*annex_forms.FORM_RELATED).get(pk=app.pk)
    staff_view = annex_forms.content([app], {app.pk: app.version})[app.pk]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    texts = {}
    for form, paper in ((annex_forms.REVIEW_FORM, (210, 297)), (annex_forms.SUMMARY_FORM, (420, 297))):
        path = ARTIFACTS / f"{form.replace('_', '-')}.pdf"
        path.write_bytes(annex_forms.form_pdf(form, staff_view))
        sizes = _page_sizes(path)
        assert sizes and all(abs(w - paper[0] * MM) < 1 and abs(h - paper[1] * MM) < 1 for w, h in sizes), (form, sizes)
        fonts = _run("pdffonts", str(path)).splitlines()[2:]
        assert fonts and all(" yes " in line for line in fonts if line.strip()), fonts  # every font embedded
        texts[form] = _run("pdftotext", "-layout", str(path), "-")
        _run("pdftoppm", "-png", "-r", "80", str(path), str(ARTIFACTS / form.replace("_", "-")))

    assert len(_page_sizes(ARTIFACTS / "summary-form.pdf")) == 1  # the 送审表 is one sheet
    assert len(_page_sizes(ARTIFACTS / "review-form.pdf")) >= 3  # cover, tables, opinions
    for form, text in texts.items():
        flat = re.sub(r"\s+", "", text)
        for expected in (annex_forms.TITLES[form], person.name, app.unit.name, "包头医学院", "临床医学", "大学本科", "主治医师",
                         "腹腔镜胆囊切除术在基层医院的应用", "旗县医院日间手术规范化建设", "鄂尔多斯市科学技术进步奖",
                         "副主任医师", "外科", "单位负责人（签字）", "评委会主任（签字）"):
            assert expected in flat, (form, expected)
        for expected in ("民族", person.get_ethnicity_display(), "政治面貌", person.get_political_status_display()):
            assert expected in flat, (form, expected)
        assert "改名后的院校" not in flat, form  # the snapshot, not the live archive
        assert person.id_number not in flat, form  # masked for staff
        assert "在本单位公示" in flat, form  # the unit's publicity, done before the department's review (六（一）)
    assert person.id_number[:1] + "*" * 16 + person.id_number[-1:] in re.sub(r"\s+", "", texts[annex_forms.REVIEW_FORM])
    assert "（签字）" in texts[annex_forms.REVIEW_FORM] and "（盖章）" in texts[annex_forms.REVIEW_FORM]
    current_post = person.workperiod_records.get(ended_on__isnull=True).post
    assert current_post and "现聘岗位" + current_post in re.sub(r"\s+", "", texts[annex_forms.REVIEW_FORM])

    own = annex_forms.content([app], {app.pk: app.version}, full_id={app.pk})[app.pk]
    assert person.id_number in _run_text(tmp_path, annex_forms.review_form_pdf(own))


def _run_text(tmp_path, data: bytes) -> str:
    path = tmp_path / "probe.pdf"
    path.write_bytes(data)
    return re.sub(r"\s+", "", _run("pdftotext", str(path), "-"))


@pytest.mark.django_db
def test_a_long_record_list_still_fits_one_summary_sheet(make_applicant, tmp_path):
    app = _declared(make_applicant, until="submitted")
    c = annex_forms.content([Application.objects.select_related(*annex_forms.FORM_RELATED).get(pk=app.pk)], {app.pk: 1})[app.pk]
    c["sections"]["publication"]["rows"] = [[f"论文题目第{i}篇：县级医院外科诊疗能力提升研究", "内蒙古医学杂志", "2019.05", "论文", "第一作者", "否"]
                                            for i in range(40)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "summary-form-long.pdf"
    path.write_bytes(annex_forms.summary_form_pdf(c))
    assert len(_page_sizes(path)) == 1
    _run("pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / "summary-form-long"))
    assert "论文题目第39篇" in re.sub(r"\s+", "", _run("pdftotext", str(path), "-"))


@pytest.mark.django_db
def test_content_costs_the_same_queries_for_one_declaration_or_many(make_applicant):
    apps = [_declared(make_applicant, until="submitted") for _ in range(3)]
    loaded = list(Application.objects.filter(pk__in=[a.pk for a in apps]).select_related(*annex_forms.FORM_RELATED))
    with CaptureQueriesContext(connection) as one:
        annex_forms.content(loaded[:1], {loaded[0].pk: 1})
    with CaptureQueriesContext(connection) as three:
        contents = annex_forms.content(loaded, {a.pk: 1 for a in loaded})
    assert len(three) == len(one) <= 7, [q["sql"] for q in three.captured_queries]
    assert all(c["sections"]["publication"]["rows"] for c in contents.values())


@pytest.mark.django_db
def test_a_kept_form_is_read_not_rendered_again(make_applicant, monkeypatch):
    app = _declared(make_applicant, until="submitted")
    c = annex_forms.content([Application.objects.select_related(*annex_forms.FORM_RELATED).get(pk=app.pk)], {app.pk: 1})[app.pk]
    first = annex_forms.form_pdf(annex_forms.SUMMARY_FORM, c)
    monkeypatch.setitem(annex_forms.RENDERERS, annex_forms.SUMMARY_FORM, lambda content: pytest.fail("rendered again"))
    assert annex_forms.form_pdf(annex_forms.SUMMARY_FORM, c) == first
    changed = {**c, "unit": "另一单位"}
    monkeypatch.setitem(annex_forms.RENDERERS, annex_forms.SUMMARY_FORM, lambda content: b"%PDF-1.4\n%changed\n%%EOF\n")
    assert annex_forms.form_pdf(annex_forms.SUMMARY_FORM, changed) != first


@pytest.mark.django_db
def test_the_forms_open_for_those_who_see_the_dossier_and_no_one_else(client, make_applicant):
    app = _declared(make_applicant)
    draft = make_applicant(P.regular_county_doctor())
    allowed = [app.person.account, staff_of(app.unit), staff_of(app.unit.competent_department)]
    for user in allowed:
        client.force_login(user)
        for name in ("application_review_form", "application_summary_form"):
            response = client.get(reverse(name, args=[app.pk]))
            assert response.status_code == 200, (user, name)
            assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF"), (user, name)
    refused = [staff_of(Organisation.objects.get(name="鄂尔多斯市中心医院")), draft.person.account]
    for user in refused:
        client.force_login(user)
        for name in ("application_review_form", "application_summary_form"):
            assert client.get(reverse(name, args=[app.pk])).status_code == 404, (user, name)
    client.force_login(draft.person.account)
    assert client.get(reverse("application_review_form", args=[draft.pk])).status_code == 404  # nothing submitted yet


@pytest.mark.django_db
def test_the_dossier_links_the_forms_of_the_version_shown(client, make_applicant):
    app = _declared(make_applicant)
    client.force_login(staff_of(app.unit))
    page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    for name in ("application_review_form", "application_summary_form"):
        assert f'{reverse(name, args=[app.pk])}?version={app.version}' in page, name
    draft = make_applicant(P.regular_county_doctor())
    client.force_login(draft.person.account)
    page = client.get(reverse("application_detail", args=[draft.pk])).content.decode()
    assert reverse("application_review_form", args=[draft.pk]) not in page


@pytest.mark.django_db
def test_the_publisher_prints_every_summary_form_of_its_publicity_and_the_public_page_links_none(client, make_applicant, tmp_path):
    from zhicheng.publicity.services import start_publicity

    app, colleague = _declared(make_applicant, until="submitted"), _declared(make_applicant, until="submitted")
    employer = staff_of(app.unit)
    with clock.frozen(D(2021, 6, 8)):
        publicity = start_publicity(kind="employer", publisher=app.unit, applications=[app, colleague], actor=employer)
    url = reverse("publicity_summary_forms", args=[publicity.pk])
    client.force_login(employer)
    assert url in client.get(reverse("publicity_detail", args=[publicity.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "publicity.pdf"
    path.write_bytes(response.content)
    assert len(_page_sizes(path)) == 2  # a sheet each
    text = _run_text(tmp_path, response.content)
    assert app.person.name in text and colleague.person.name in text
    client.force_login(staff_of(Organisation.objects.get(name="鄂尔多斯市中心医院")))
    assert client.get(url).status_code == 404
    client.logout()
    public = client.get(reverse("public_publicity_detail", args=[publicity.pk])).content.decode()
    assert app.person.name in public and url not in public and "送审表" not in public
    assert app.person.id_number not in public


@pytest.mark.django_db
def test_each_submitted_version_prints_what_it_went_up_with(client, make_applicant, tmp_path):
    from zhicheng.declarations import drafting
    from zhicheng.declarations.services import transition

    app = _declared(make_applicant)
    account, person_before = app.person.account, Person.objects.get(pk=app.person_id)
    with clock.frozen(D(2021, 6, 20)):
        drafting.request_correction(app, staff_of(app.unit.competent_department), standard_ids=[], extra="论文与岗位无关，请删去",
                                    deadline=D(2021, 6, 30))
        app.refresh_from_db()
        client.force_login(account)
        # The owner's dossier shows the draft being corrected; its forms are those of the version submitted.
        dossier = client.get(reverse("application_detail", args=[app.pk])).content.decode()
        assert f'{reverse("application_review_form", args=[app.pk])}?version=1' in dossier
        select_records(app, account, "publication", [])
        # 民族 and 政治面貌 changed before the resubmission: each version prints what it went up with.
        Person.objects.filter(pk=app.person_id).update(ethnicity="03", political_status="03")
        transition(app, "resubmit", account)
    app.refresh_from_db()
    assert app.version == 2
    paper = "腹腔镜胆囊切除术在基层医院的应用"
    first = client.get(reverse("application_review_form", args=[app.pk]), {"version": 1})
    latest = client.get(reverse("application_review_form", args=[app.pk]))
    assert first.status_code == latest.status_code == 200
    assert paper in _run_text(tmp_path, first.content)
    assert paper not in _run_text(tmp_path, latest.content)
    assert (person_before.ethnicity, person_before.political_status) == ("01", "13")
    assert "汉族" in _run_text(tmp_path, first.content) and "群众" in _run_text(tmp_path, first.content)
    assert "回族" not in _run_text(tmp_path, first.content) and "共青团员" not in _run_text(tmp_path, first.content)
    assert "回族" in _run_text(tmp_path, latest.content) and "共青团员" in _run_text(tmp_path, latest.content)
    assert "第2次提交版本" in _run_text(tmp_path, latest.content)
    assert app.person.id_number in _run_text(tmp_path, latest.content)  # the applicant's own copy, in full


@pytest.mark.django_db
def test_the_committee_box_carries_the_vote_once_it_is_counted(make_applicant):
    from zhicheng.review.models import Meeting, MeetingResult, ReviewPlan

    app = _declared(make_applicant, until="under_review")
    meeting = Meeting.objects.create(plan=ReviewPlan.objects.get(committee=app.committee, year=2021), held_on=D(2021, 8, 20),
                                     place="呼和浩特", committee_size=25)
    MeetingResult.objects.create(meeting=meeting, application=app, group="general", eligible=21, yes=17, no=3, abstain=1,
                                 reached_two_thirds=True, passed=True)
    app = Application.objects.select_related(*annex_forms.FORM_RELATED).get(pk=app.pk)
    c = annex_forms.content([app], {app.pk: app.version})[app.pk]
    assert c["committee_result"] == ("2021年08月20日评审会议：评委会25人，出席0人，应参加表决21人，同意17票，不同意3票，弃权1票，"
                                     "未投票0人；评审通过。")


@pytest.mark.django_db
def test_the_committee_box_counts_the_present_and_who_did_not_vote(make_applicant):
    """As the minutes do (review.meeting): present from the attendance, not voted = eligible − yes − no − abstain."""
    from zhicheng.review.meeting import not_voted
    from zhicheng.review.models import Attendance, Meeting, MeetingResult, ReviewPlan

    from ..review.kit import Kit

    app = _declared(make_applicant, until="under_review")
    kit = Kit(app.committee.name)
    meeting = Meeting.objects.create(plan=ReviewPlan.objects.get(committee=app.committee, year=2021), held_on=D(2021, 8, 20),
                                     place="呼和浩特", committee_size=5)
    for present in (True, True, True, True, False):
        Attendance.objects.create(meeting=meeting, expert=kit.expert(), present=present, recorded_at=clock.now())
    # Four present, none recused: one of them cast no ballot.
    result = MeetingResult.objects.create(meeting=meeting, application=app, group="general", eligible=4, yes=3, no=0, abstain=0,
                                          reached_two_thirds=True, passed=True)
    assert not_voted(result) == 1
    app = Application.objects.select_related(*annex_forms.FORM_RELATED).get(pk=app.pk)
    c = annex_forms.content([app], {app.pk: app.version})[app.pk]
    assert c["committee_result"] == ("2021年08月20日评审会议：评委会5人，出席4人，应参加表决4人，同意3票，不同意0票，弃权0票，"
                                     "未投票1人；评审通过。")
