"""The applicant's side: registration with the 身份证 checked, the wizard's instant answer, the checklist
adapted to the route, saving as you go, the progress page and its countdown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import Series
from zhicheng.core import clock
from zhicheng.declarations.checklist import checklist, missing_materials
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import Person

from ..cycle_helpers import advance
from .helpers import PRIVATE_UNIT, registration

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
def test_registration_checks_the_id_number_and_creates_person_and_account(client):
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    data = registration(unit.pk, serial=77)
    wrong = dict(data, id_number=data["id_number"][:-1] + ("0" if data["id_number"][-1] != "0" else "1"))
    body = client.post(reverse("register"), wrong).content.decode()
    assert "身份证号码校验位不正确，请核对。" in body and 'value="乌兰其其格"' in body
    assert "请填写11位手机号。" in client.post(reverse("register"), dict(data, phone="0471")).content.decode()
    assert client.post(reverse("register"), data).status_code == 302
    person = Person.objects.get(id_number=data["id_number"])
    user = User.objects.get(username=person.id_number)
    assert user.role == Role.APPLICANT and user.person == person and person.unit == unit
    assert person.birth_date == D(1992, 3, 14), "birth date read from the number, never typed"
    again = client.post(reverse("register"), data)
    assert again.status_code == 302 and Person.objects.filter(id_number=data["id_number"]).count() == 1, \
        "a number on file is declined without saying so (tests/security/test_registration.py)"


@pytest.mark.django_db
def test_the_wizard_shows_routes_and_why_before_anything_is_saved(client, make_applicant):
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)
    engineering = Series.objects.get(code="engineering")
    with clock.frozen(D(2021, 6, 1)):
        page = client.get(reverse("declare_preview"), {"series": engineering.pk, "level": "full_senior"}, **HX).content.decode()
    assert "暂不符合申报条件" in page and "正常申报（三（一））" in page and "【三（一）" in page
    assert "土木工程" in page, "the specialty list follows the series"
    with clock.frozen(D(2021, 6, 1)):
        page = client.get(reverse("declare_preview"), {"series": engineering.pk, "level": "associate_senior"}, **HX).content.decode()
    assert "符合申报条件" in page and "该途径的要求" in page
    health = Series.objects.get(code="health")
    with clock.frozen(D(2021, 6, 1)):
        response = client.post(reverse("declare_start"), {"series": health.pk, "level": "associate_senior"})
    created = app.person.applications.get(series=health)
    assert response["Location"] == reverse("declaration_edit", args=[created.pk]) and created.decision
    with clock.frozen(D(2021, 6, 1)):
        again = client.post(reverse("declare_start"), {"series": health.pk, "level": "associate_senior"})
    assert again["Location"] == reverse("declaration_edit", args=[created.pk]), "one declaration per series and year"


@pytest.mark.django_db
def test_the_checklist_follows_the_engine_conditions(make_applicant):
    township = make_applicant(P.township_direct_intermediate())
    city = make_applicant(P.regular_engineer())
    by_code = lambda app: {row.item.code: row for row in checklist(app)}  # noqa: E731
    assert township.decision["conditions"]["continuing_education"] == "not_required"
    assert not by_code(township)["continuing_education_card"].applies, "五（六）1: no card in a township"
    assert by_code(city)["continuing_education_card"].required
    assert not by_code(township)["current_title_certificate"].applies, "holds no title yet"
    assert "专业技术资格证书" not in " ".join(missing_materials(township))
    assert "继续教育审验卡" in " ".join(missing_materials(city))


@pytest.mark.django_db
@pytest.mark.parametrize("profile, item, clause", [
    (P.green_channel, "talent_recognition", "五（四）3"),
    (P.transferred_cadre, "transfer_documents", "五（四）4"),
    (P.postdoc_recognition, "postdoc_proof", "五（十二）1"),
    (P.high_skill_bridge, "high_skill_certificate", "五（九）"),
])
def test_a_route_opened_on_a_stated_fact_asks_for_its_proof_and_no_other_route_does(make_applicant, profile, item, clause):
    """The engine takes the applicant's word (我的档案 → 修改个人信息) for the fact that opens the route; the checklist
    asks for the document that proves it, so the employer checks it and a missing one is named in the one-time notice."""
    proofs = {"talent_recognition", "transfer_documents", "postdoc_proof", "high_skill_certificate"}
    app = make_applicant(profile())
    regular = make_applicant(P.regular_engineer())
    rows = {row.item.code: row for row in checklist(app)}
    assert rows[item].applies and rows[item].required and clause in rows[item].item.clause
    assert [code for code in proofs - {item} if rows[code].applies] == []
    assert rows[item].item.name in " ".join(missing_materials(app))
    assert [row.item.code for row in checklist(regular) if row.applies and row.item.code in proofs] == []


@pytest.mark.django_db
@pytest.mark.parametrize("area, nationality, permit", [
    ("810000", "HK", ""), ("820000", "MO", ""), ("830000", "TW", ""), ("915840", "foreign", "permanent_residence"),
])
def test_hong_kong_macao_taiwan_and_foreign_permanent_residents_register_with_their_cards(client, area, nationality, permit):
    """二（二） opens declaration to them; their 居住证 (810000, 820000, 830000) and the 外国人永久居留身份证 (9, the
    province, the nationality) carry numbers of the 身份证's form that cn.ric refuses for their area. The number says
    who they are: the engine reads it as their nationality (and the foreigner's permit)."""
    from stdnum.cn import ric

    from zhicheng.core.identifiers import normalise_id_number

    def number_of(prefix, birth="19880402"):
        body = f"{prefix}{birth}031"
        return body + ric.calc_check_digit(body + "0")

    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    number = number_of(area)
    assert client.post(reverse("register"), dict(registration(unit.pk, serial=78), id_number=number)).status_code == 302
    person = Person.objects.get(id_number=number)
    assert (person.nationality, person.foreign_permit, person.birth_date) == (nationality, permit, D(1988, 4, 2))
    from zhicheng.people.forms import PersonFactsForm

    assert PersonFactsForm(instance=person).fields["nationality"].disabled, "the card says it; not a choice to overwrite"
    with pytest.raises(ValidationError, match="校验位"):
        normalise_id_number(number[:-1] + ("0" if number[-1] != "0" else "1"))
    with pytest.raises(ValidationError, match="出生日期或地区码无效"):
        normalise_id_number(number_of(area, birth="19881302"))
    with pytest.raises(ValidationError, match="出生日期或地区码无效"):
        normalise_id_number(number_of("790000"))  # no such area, and no card of another kind
    with pytest.raises(ValidationError, match="出生日期或地区码无效"):
        normalise_id_number(number_of("990840"))  # a permanent-residence card issued by no province (99)


@pytest.mark.django_db
def test_a_foreign_national_is_asked_for_the_permit_that_lets_them_declare(make_applicant):
    """二（二）: a foreign national declares only with a work permit, permanent residence or the overseas talent's
    residence permit. The engine reads the kind stated; the checklist asks for the card, a citizen is not asked."""
    from zhicheng.people.models import ForeignPermit, Nationality

    app = make_applicant(dict(P.regular_engineer(), person={"nationality": Nationality.FOREIGN,
                                                             "foreign_permit": ForeignPermit.WORK_PERMIT}))
    citizen = make_applicant(P.regular_engineer())
    row = next(row for row in checklist(app) if row.item.code == "foreign_permit_copy")
    assert row.applies and row.required and row.item.clause == "二（二）"
    assert row.item.name in " ".join(missing_materials(app))
    assert not next(row for row in checklist(citizen) if row.item.code == "foreign_permit_copy").applies


@pytest.mark.django_db
def test_new_items_of_the_material_list_go_after_the_one_before_them_wherever_the_department_put_it():
    from zhicheng.catalogue.materials_data import ensure_defaults
    from zhicheng.catalogue.models import CorrectionItem, MaterialItem

    new = ["talent_recognition", "transfer_documents", "postdoc_proof", "high_skill_certificate", "foreign_permit_copy"]
    MaterialItem.objects.filter(code__in=new).delete()
    MaterialItem.objects.filter(code="rural_service_proof").update(sort_order=130)
    MaterialItem.objects.filter(code="qualification_certificates").update(sort_order=140, name="职业资格证书（本厅修改）")
    ensure_defaults(MaterialItem, CorrectionItem)
    order = list(MaterialItem.objects.values_list("code", flat=True))
    at = order.index("rural_service_proof")
    assert order[at:at + len(new) + 2] == ["rural_service_proof", *new, "qualification_certificates"]
    assert MaterialItem.objects.get(code="qualification_certificates").name == "职业资格证书（本厅修改）", "an edit is kept"


@pytest.mark.django_db
def test_autosave_renews_the_decision_and_submission_needs_every_material(client, make_applicant):
    app = make_applicant(P.epidemic_direct())
    client.force_login(app.person.account)
    app.epidemic_hubei_aid = False
    app.save()
    from zhicheng.declarations.screening import screen

    with clock.frozen(D(2021, 6, 1)):
        screen(app)
        assert not any(r["route"] == "epidemic_direct" and r["eligible"] for r in app.decision["routes"])
        response = client.post(reverse("declaration_autosave", args=[app.pk]), {
            "epidemic_hubei_aid": "on", "epidemic_commended_provincial": "on", "exam_score": app.exam_score}, **HX)
    body = response.content.decode()
    assert "已自动保存" in body and 'hx-swap-oob="true"' in body and "抗疫突出贡献直接申报（五（八））" in body
    app.refresh_from_db()
    assert app.epidemic_hubei_aid and app.route == "epidemic_direct"
    with clock.frozen(D(2021, 6, 2)):
        response = client.post(reverse("application_act", args=[app.pk]), {"action": "submit"}, follow=True)
    app.refresh_from_db()
    assert app.state == State.DRAFT
    refused = response.content.decode()
    assert "缺少申报材料：近三年的年度考核表" in refused
    assert "缺少申报材料：专业技术职务任职资格评审表" not in refused, "the system generates the forms on submission"


@pytest.mark.django_db
def test_progress_page_shows_every_step_who_holds_it_and_the_countdown(client, make_applicant):
    app = make_applicant(P.regular_county_doctor())
    client.force_login(app.person.account)
    with clock.frozen(dt.datetime(2021, 6, 28, 9, 0, tzinfo=clock.CHINA)):
        page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "2021年度申报截止" in page and "2021-06-30 23:59" in page and "2天14小时" in page
    for holder in ("准格尔旗人民医院", "鄂尔多斯市卫生健康委员会", "鄂尔多斯市准格尔旗人力资源和社会保障局",
                   "鄂尔多斯市人力资源和社会保障局", "内蒙古自治区人事人才公共服务中心"):
        assert holder in page
    app, _, day = advance(app, "department_review")
    with clock.frozen(day):
        page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    page = page[page.index("办理进度"):page.index('id="facts-h"')]
    assert page.index("待单位审核") < page.index("主管部门审核中") < page.index("旗县人社局审核中")
    assert "申报人本人" in page and "继续填写申报" not in page


@pytest.mark.django_db
def test_the_submit_request_stays_lean(client, make_applicant, django_assert_max_num_queries, monkeypatch):
    """The deadline day: submitting checks the checklist and moves the state; it does not run the engine."""
    from zhicheng.catalogue.models import MaterialItem
    from zhicheng.declarations.checklist import attach
    from zhicheng.files.services import store_file

    app = make_applicant(P.non_public_direct())
    with clock.frozen(D(2021, 6, 1)):  # uploaded within the declaration period
        for row in checklist(app):
            if row.missing:
                attach(app, app.person.account, row.item, store_file(f"{row.item.code}.pdf", b"%PDF-1.4\n%" + row.item.code.encode() + b"\n%%EOF\n"))
    assert MaterialItem.objects.exists() and not missing_materials(app)
    client.force_login(app.person.account)

    def engine_must_not_run(*args, **kwargs):
        raise AssertionError("the engine ran in the submit request")

    monkeypatch.setattr("zhicheng.policy.evaluate", engine_must_not_run)
    with clock.frozen(dt.datetime(2021, 6, 30, 23, 50, tzinfo=clock.CHINA)):
        with django_assert_max_num_queries(45):
            response = client.post(reverse("application_act", args=[app.pk]), {"action": "submit"})
    app.refresh_from_db()
    assert response.status_code == 302 and app.state == State.SUBMITTED, [str(m) for m in response.wsgi_request._messages]


@pytest.mark.django_db
def test_the_workspace_page_stays_lean(client, make_applicant, django_assert_num_queries):
    """The deadline day: the workspace reads each archive kind once and nothing twice (the archive's titles
    serve the checklist too; a draft has no correction notice to look up)."""
    from zhicheng.people.models import ARCHIVE_MODELS

    app = make_applicant(P.regular_county_doctor())
    client.force_login(app.person.account)
    with clock.frozen(D(2021, 6, 30)):  # the deadline day itself, with the draft still open
        client.get(reverse("declaration_edit", args=[app.pk]))
        # session, user, the declaration, its selected records, one per archive kind, its materials, the checklist's
        # items, the specialties of its series (the draft form)
        with django_assert_num_queries(7 + len(ARCHIVE_MODELS)) as captured:
            response = client.get(reverse("declaration_edit", args=[app.pk]))
    assert response.status_code == 200 and 'name="action" value="submit"' in response.content.decode()  # an open draft
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "declarations_correctionnotice" not in sql and "SELECT 1 AS" not in sql
    assert "2021年度申报截止" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "张三1", "李四@example", "王五;"])
def test_a_name_is_written_in_a_script_of_names(client, name):
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    response = client.post(reverse("register"), dict(registration(unit.pk, serial=79), name=name))
    assert response.status_code == 200 and "姓名只能由汉字、蒙古文或拉丁字母组成" in response.content.decode()
    assert not Person.objects.filter(name=name).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["阿拉坦·巴根", "Anna-Maria O'Neil", "乌兰其其格"])
def test_names_of_the_region_and_abroad_register(client, name):
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    assert client.post(reverse("register"), dict(registration(unit.pk, serial=80), name=name)).status_code == 302
    assert Person.objects.filter(name=name).exists()
