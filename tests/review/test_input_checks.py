"""What the committee pages accept (tester's findings): the plan's recusal years bounded, its dates shown
as the date input reads them, one clear message for a second plan of the same year, a service year not
ahead of this year, and an expert import that checks dates, phones and lists every problem of every row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.people.models import Person
from zhicheng.review import pool
from zhicheng.review.forms import NewPlanForm, PlanForm, ServiceYearForm
from zhicheng.review.models import Expert, PlanStatus, ReviewPlan, ServiceYear

from .kit import D
from .test_pool_and_plans import IDS, row, workbook

TODAY = D(2021, 6, 1)
PHONE = 11  # the 手机号 column of test_pool_and_plans.row


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def plan_data(kit, **extra) -> dict:
    return {"committee": kit.committee.pk, "year": 2021, "place": "呼和浩特市", "review_starts_on": "2021-08-09",
            "review_ends_on": "2021-08-13", "declarations_summary": "", "composition": "", "procedure": "", "measures": "",
            "recusal_years": 3} | extra


# ---- B: the recusal years of a plan -------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("years", [0, 11, 99999999999])
def test_recusal_years_are_bounded_on_the_form_and_the_model(kit, years):
    form = PlanForm(plan_data(kit, recusal_years=years), instance=kit.plan)
    assert not form.is_valid()
    assert form.errors["recusal_years"] == ["曾工作单位回避年限应为1至10年，请核对。"]
    plan = ReviewPlan.objects.get(pk=kit.plan.pk)
    plan.recusal_years = years
    with pytest.raises(ValidationError) as raised:
        plan.full_clean()
    assert raised.value.message_dict["recusal_years"][0] == "曾工作单位回避年限应为1至10年，请核对。"


@pytest.mark.django_db
def test_a_plan_saved_through_the_page_keeps_its_recusal_years_in_bounds(kit, client):
    ReviewPlan.objects.filter(pk=kit.plan.pk).update(status=PlanStatus.DRAFT)
    client.force_login(kit.office)
    with clock.frozen(TODAY):
        response = client.post(reverse("review_plan_act", args=[kit.plan.pk]),
                               {"action": "save", **plan_data(kit, recusal_years=99999999999)}, follow=True)
    assert "曾工作单位回避年限：曾工作单位回避年限应为1至10年，请核对。" in messages_of(response)
    assert ReviewPlan.objects.get(pk=kit.plan.pk).recusal_years == 3
    assert PlanForm(plan_data(kit, recusal_years=10), instance=kit.plan).is_valid()


# ---- C: the plan's dates in its edit form -------------------------------------------------------------

@pytest.mark.django_db
def test_the_plan_edit_form_shows_its_dates_as_the_date_input_reads_them(kit, client):
    ReviewPlan.objects.filter(pk=kit.plan.pk).update(status=PlanStatus.DRAFT)
    client.force_login(kit.office)
    with clock.frozen(TODAY):
        page = client.get(reverse("review_plan_detail", args=[kit.plan.pk])).content.decode()
    starts, ends = kit.plan.review_starts_on, kit.plan.review_ends_on
    assert f'type="date" name="review_starts_on" value="{starts:%Y-%m-%d}"' in page
    assert f'type="date" name="review_ends_on" value="{ends:%Y-%m-%d}"' in page
    assert f"{starts:%Y/%m/%d}" not in page


# ---- E: a second plan for the same committee and year -------------------------------------------------

@pytest.mark.django_db
def test_a_second_plan_of_the_year_is_refused_once_in_plain_words(kit, client):
    client.force_login(kit.office)
    with clock.frozen(TODAY):
        response = client.post(reverse("review_plans"), plan_data(kit, place="包头市"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("本评委会该年度的评审实施方案已经存在，请打开原方案修改。") == 1
    assert "已经存在。" not in page.replace("已经存在，", "")  # not Django's "包含 评委会 和 年度 的 … 已经存在。"
    assert 'value="包头市"' in page, "what was typed comes back"
    assert ReviewPlan.objects.filter(committee=kit.committee, year=2021).count() == 1
    with clock.frozen(TODAY):  # the plan's year and dates are checked against today
        form = NewPlanForm(plan_data(kit), committees=pool.committees_for(kit.office))
        assert not form.is_valid() and form.errors == {"year": ["本评委会该年度的评审实施方案已经存在，请打开原方案修改。"]}


# ---- D: years and dates of the pool --------------------------------------------------------------------

@pytest.mark.django_db
def test_a_service_year_cannot_lie_ahead(kit, client):
    expert = kit.expert()
    client.force_login(kit.office)
    with clock.frozen(TODAY):
        response = client.post(reverse("expert_act", args=[expert.pk]),
                               {"action": "service_year", "committee": kit.committee.pk, "year": 2099}, follow=True)
        assert "年度：担任评委年度（2099年）不能晚于今年（2021年），请核对。" in messages_of(response)
        assert not ServiceYear.objects.filter(expert=expert).exists()
        assert 'max="2021"' in client.get(reverse("expert_detail", args=[expert.pk])).content.decode()
        form = ServiceYearForm({"committee": kit.committee.pk, "year": 2021}, committees=pool.committees_for(kit.office))
        assert form.is_valid()


def _phone(values: list, phone: str) -> list:
    values = list(values)
    values[PHONE] = phone
    return values


@pytest.mark.django_db
def test_the_import_checks_dates_against_today_and_birth_and_the_phone(kit):
    born_1970 = IDS[0]  # 1970-01-01
    with clock.frozen(TODAY):
        report = pool.import_experts(workbook([
            _phone(row(born_1970, "张三", 职称取得时间="2099-12-01",
                       曾工作单位="包头钢铁（集团）有限责任公司:2030-01-01:2031-06-30；内蒙古大学:2012-01-01:2010-06-30"), "abc"),
            row(IDS[1], "李四", 职称取得时间="1980-12-01"),  # born 1972: not fourteen yet
        ]), kit.office)
    assert not report.ok and report.created == report.updated == 0
    assert report.errors == [
        "第2行“职称取得时间”：2099-12-01晚于今天（2021-06-01），请核对",
        "第2行“手机号”：“abc”不是手机号，请填写以1开头的11位数字",
        "第2行“曾工作单位”：“包头钢铁（集团）有限责任公司:2030-01-01:2031-06-30”中的起始日期2030-01-01晚于今天（2021-06-01），请核对",
        "第2行“曾工作单位”：“包头钢铁（集团）有限责任公司:2030-01-01:2031-06-30”中的离开日期2031-06-30晚于今天（2021-06-01），请核对",
        "第2行“曾工作单位”：“内蒙古大学:2012-01-01:2010-06-30”中的离开日期早于起始日期",
        "第3行“职称取得时间”：1980-12-01早于该专家年满14周岁之日（1986-03-04，按身份证号码中的出生日期），请核对",
    ]
    assert not Expert.objects.exists() and not Person.objects.filter(id_number__in=IDS).exists()
    with clock.frozen(TODAY):
        assert pool.import_experts(workbook([_phone(row(born_1970, "张三"), "13912345678")]), kit.office).ok


@pytest.mark.django_db
def test_the_import_lists_every_problem_of_every_row(kit):
    """An empty required cell does not hide the row's other problems, nor a bad row what the archive says
    against another."""
    existing = kit.expert()  # in the system under another name
    with clock.frozen(TODAY):
        report = pool.import_experts(workbook([
            _phone(row(IDS[0], "", 职称取得时间="2099-12-01"), "12345"),
            row(existing.person.id_number, "王某某"),
            row(IDS[1], "李四"),
        ]), kit.office)
    assert not report.ok and report.created == report.updated == 0
    assert report.errors == [
        "第2行“姓名”：不能为空",
        "第2行“职称取得时间”：2099-12-01晚于今天（2021-06-01），请核对",
        "第2行“手机号”：“12345”不是手机号，请填写以1开头的11位数字",
        f"第3行：身份证号码{existing.person.id_number}在系统中登记的姓名为{existing.person.name}，与“王某某”不符",
    ]
    assert not Person.objects.filter(id_number=IDS[1]).exists(), "a good row is not written while another has a problem"
    assert Expert.objects.count() == 1
