"""The pool (import, edits, filing with the region) and the review plan (filing a week ahead,
approval, and the guard that keeps the review closed until then)."""

import io

import pytest
from openpyxl import Workbook

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.services import GuardFailed, transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.files.services import store_file
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import Person, TitleHeld
from zhicheng.review import plans, pool
from zhicheng.review.models import Expert, PlanStatus, PoolFiling, ReviewPlan, ServiceYear

from ..cycle_helpers import advance
from .kit import D

HEADER = ["身份证号码", "姓名", "工作单位", "系列", "专业", "职称", "职称取得时间", "证书编号", "评委库", "担任评委年度", "可参加评审",
          "手机号", "回避亲属", "曾工作单位"]


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "pool.xlsx"
    return out


def row(id_number, name, unit="内蒙古大学", title="正高级工程师", **extra):
    values = {"专业": "土木工程", "职称取得时间": "2014-12-01", "评委库": "", "担任评委年度": "", "可参加评审": "是", "回避亲属": "",
              "曾工作单位": ""} | extra
    return [id_number, name, unit, "工程", values["专业"], title, values["职称取得时间"], "GC2014001", values["评委库"],
            values["担任评委年度"], values["可参加评审"], "13900000000", values["回避亲属"], values["曾工作单位"]]


IDS = ["150121197001011230", "150121197203041243"]  # valid 身份证 numbers (check digits computed)


@pytest.mark.django_db
def test_import_is_all_or_nothing_and_lists_every_bad_row(kit):
    ids = IDS
    bad = workbook([
        row(ids[0], "张三", 担任评委年度="2019、2020", 回避亲属=f"配偶:李四:{ids[1]}", 曾工作单位="包头钢铁（集团）有限责任公司:2010-01-01:2018-06-30"),
        row("150121197001011231", "王五"),
        row(ids[1], "李四", unit="不存在的单位", title="工程师"),
    ])
    report = pool.import_experts(bad, kit.office)
    assert not report.ok and report.created == 0
    assert any(e.startswith("第3行“身份证号码”") for e in report.errors)
    assert "第4行“工作单位”：系统中没有名称或统一社会信用代码为“不存在的单位”的用人单位" in report.errors
    assert "第4行“职称”：评委须具有副高级以上职称" in report.errors
    assert not Expert.objects.exists() and not Person.objects.filter(name="张三").exists()

    report = pool.import_experts(workbook([
        row(ids[0], "张三", 担任评委年度="2019、2020", 回避亲属=f"配偶:李四:{ids[1]}", 曾工作单位="包头钢铁（集团）有限责任公司:2010-01-01:2018-06-30"),
        row(ids[1], "李四", unit="土默特左旗人民医院", title="高级工程师", 可参加评审="否"),
    ]), kit.office)
    assert report.ok and (report.created, report.updated) == (2, 0)
    zhang = Expert.objects.get(person__name="张三")
    assert (zhang.title_level, zhang.title_name) == ("full_senior", "正高级工程师")
    assert TitleHeld.objects.filter(person=zhang.person, series="engineering", level="full_senior").exists()
    assert list(zhang.committees.all()) == [kit.committee]
    assert sorted(ServiceYear.objects.filter(expert=zhang).values_list("year", flat=True)) == [2019, 2020]
    assert {r.kind for r in zhang.relations.all()} == {"relative", "former_unit"}
    li = Expert.objects.get(person__name="李四")
    assert not li.available and pool.is_grassroots(li.unit)
    assert AuditEntry.objects.filter(action="expert.import").count() == 2
    assert AuditEntry.objects.filter(action="pool.import").exists()

    report = pool.import_experts(workbook([row(ids[0], "张三", unit="包头市中心医院")]), kit.office)
    assert (report.created, report.updated) == (0, 1)
    zhang.refresh_from_db()
    assert zhang.unit.name == "包头市中心医院"


@pytest.mark.django_db
def test_import_refuses_a_committee_the_user_does_not_keep(kit):
    report = pool.import_experts(workbook([row(IDS[0], "张三", 评委库="内蒙古自治区卫生系列高级职称评审委员会")]), kit.office)
    assert report.errors == ["第2行“评委库”：“内蒙古自治区卫生系列高级职称评审委员会”不是您可以维护的评委库"]


@pytest.mark.django_db
def test_the_title_comes_from_the_title_records(kit):
    expert = kit.expert(level="associate_senior")
    TitleHeld.objects.create(person=expert.person, series="engineering", level="full_senior", title_name="正高级工程师",
                             obtained_on=D(2020, 12, 1))
    expert = Expert.objects.get(pk=expert.pk)
    pool.update_expert(expert, kit.office, unit=expert.unit, specialty=None, available=True)
    assert expert.title_name == "正高级工程师"
    TitleHeld.objects.filter(person=expert.person).delete()
    expert = Expert.objects.get(pk=expert.pk)
    with pytest.raises(pool.PoolError, match="没有副高级以上职称记录"):
        pool.update_expert(expert, kit.office, unit=expert.unit, specialty=None, available=True)


@pytest.mark.django_db
def test_every_edit_is_audited(kit):
    expert = kit.expert()
    unit = Organisation.objects.get(name="包头市中心医院")
    with pytest.raises(pool.PoolError, match="说明不能参加评审的原因"):
        pool.update_expert(expert, kit.office, unit=unit, specialty=None, available=False)
    pool.update_expert(expert, kit.office, unit=unit, specialty=None, available=False, unavailable_reason="出国访学")
    entry = AuditEntry.objects.filter(action="expert.update").latest("seq")
    assert entry.before["unit"] != entry.after["unit"] and entry.after["available"] is False
    pool.add_relation(expert, kit.office, kind="relative", relative_name="李四", relative_id_number=IDS[1], relationship="子女")
    pool.add_sanction(expert, kit.office, reason="泄露评审信息", imposed_on=D(2021, 1, 1), until=None)
    pool.add_service_year(expert, kit.office, kit.committee, 2020)
    assert set(AuditEntry.objects.filter(object_id=str(expert.pk), object_type="review.expert").values_list("action", flat=True)) >= {
        "expert.update", "expert.relation_add", "expert.sanction", "expert.service_year"}
    with pytest.raises(pool.PoolError, match="只有评委会办事机构或自治区人社厅"):
        pool.update_expert(expert, kit.supervisor, unit=unit, specialty=None, available=True)


@pytest.mark.django_db
def test_the_pool_is_filed_with_the_region(kit):
    kit.experts(3)
    with pytest.raises(pool.PoolError, match="只有本评委会办事机构"):
        pool.file_pool(kit.committee, 2021, kit.regional)
    filing = pool.file_pool(kit.committee, 2021, kit.office)
    assert len(filing.snapshot) == 3 and len(filing.sha256) == 64
    with pytest.raises(pool.PoolError, match="自治区人社厅备案"):
        pool.acknowledge_filing(filing, kit.supervisor)
    pool.acknowledge_filing(filing, kit.regional)
    assert PoolFiling.objects.get(pk=filing.pk).acknowledged_by == kit.regional


@pytest.mark.django_db
def test_acknowledging_a_pool_filing_asks_once_and_counts_once(kit, client):
    from django.urls import reverse

    kit.experts(3)
    filing = pool.file_pool(kit.committee, 2021, kit.office)
    client.force_login(kit.regional)
    data = {"action": "acknowledge", "filing": filing.pk}
    asked = client.post(reverse("pool_filing_act"), data)
    page = asked.content.decode()
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in page
    assert kit.committee.name in page and "报送专家3人" in page and filing.sha256 in page and "不能撤回" in page
    assert PoolFiling.objects.get(pk=filing.pk).acknowledged_at is None, "asking changes nothing"
    client.post(reverse("pool_filing_act"), {**data, "confirm": "yes"})
    assert PoolFiling.objects.get(pk=filing.pk).acknowledged_by == kit.regional
    # A second acknowledgement of the same filing (another tab, the same moment) is refused after the lock.
    stale = PoolFiling.objects.get(pk=filing.pk)
    stale.acknowledged_at = None
    with pytest.raises(pool.PoolError, match="已备案"):
        pool.acknowledge_filing(stale, kit.regional)
    assert AuditEntry.objects.filter(action="pool.acknowledge", object_id=str(filing.pk)).count() == 1


# ---- the review plan --------------------------------------------------------------------------

def _new_plan(kit, starts):
    ReviewPlan.objects.filter(committee=kit.committee, year=2021).delete()
    return plans.create_plan(kit.committee, 2021, kit.office, place="呼和浩特市", review_starts_on=starts,
                             review_ends_on=starts.replace(day=starts.day + 2), declarations_summary="共受理12人",
                             composition="评委会25人，随机抽选", procedure="评议组评议、会议表决", measures="封闭评审，纪检监察全程监督")


@pytest.mark.django_db
def test_a_plan_is_filed_a_week_ahead_and_approved_by_the_region(kit, make_applicant):
    advance(make_applicant(P.regular_engineer()), State.ACCEPTED)  # the roster filed with the plan (七（三）)
    with clock.frozen(D(2021, 8, 3)):
        plan = _new_plan(kit, D(2021, 8, 9))
        with pytest.raises(plans.PlanError) as exc:
            plans.file_plan(plan, kit.office)
        assert "评审实施方案须在开评一周前报备：评审开始日期2021年08月09日距今不足7天（七（三））。" in exc.value.messages
        assert "请附上送审表等附件（七（三））。" in exc.value.messages
    with clock.frozen(D(2021, 8, 2)):
        plans.add_attachment(plan, kit.office, store_file("送审表.pdf", b"%PDF-1.4\n%%EOF\n"))
        plans.file_plan(plan, kit.office)
        assert plan.status == PlanStatus.FILED and plan.filed_on == D(2021, 8, 2) and len(plan.filed_sha256) == 64
        assert plan.filed_snapshot["measures"] == "封闭评审，纪检监察全程监督"
        with pytest.raises(plans.PlanError, match="已报备的评审实施方案不能修改"):
            plans.save_plan(plan, kit.office, place="包头市")
        with pytest.raises(plans.PlanError, match="自治区人社厅备案同意"):
            plans.approve_plan(plan, kit.office)
        plans.return_plan(plan, kit.regional, "请补充评委会组建情况")
        assert plan.status == PlanStatus.REJECTED
        plans.save_plan(plan, kit.office, composition="评委会25人，从评委库随机抽选，纪检监察监督")
        plans.file_plan(plan, kit.office)
        plans.approve_plan(plan, kit.regional)
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == kit.regional


@pytest.mark.django_db
def test_the_review_opens_only_under_an_approved_plan_in_its_window(kit, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.ACCEPTED)
    plan = kit.plan
    plan.status = PlanStatus.FILED
    plan.save()
    office = kit.office
    with clock.frozen(D(2021, 8, 9)), pytest.raises(GuardFailed, match="尚未经自治区人社厅备案同意"):
        transition(app, "open_review", office)
    ReviewPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED, filed_on=D(2021, 8, 3))
    with clock.frozen(D(2021, 8, 9)), pytest.raises(GuardFailed, match="须在开评一周前报备"):
        transition(app, "open_review", office)
    ReviewPlan.objects.filter(pk=plan.pk).update(filed_on=D(2021, 8, 2))
    with clock.frozen(D(2021, 8, 8)), pytest.raises(GuardFailed, match="评审日期为2021年08月09日"):
        transition(app, "open_review", office)
    with clock.frozen(D(2021, 8, 14)), pytest.raises(GuardFailed, match="评审已于2021年08月13日结束"):
        transition(app, "open_review", office)
    with clock.frozen(D(2021, 8, 9)):
        assert transition(app, "open_review", office).state == State.UNDER_REVIEW


@pytest.mark.django_db
def test_the_office_opens_the_review_of_its_accepted_declarations(kit, make_applicant):
    apps = [advance(make_applicant(P.regular_engineer()), State.ACCEPTED)[0] for _ in range(2)]
    with clock.frozen(D(2021, 8, 9)):
        opened, refused = plans.open_review(kit.plan, kit.office)
    assert sorted(opened) == sorted(a.pk for a in apps) and refused == {}
    assert {r["application"] for r in plans.roster(kit.plan)} == {a.pk for a in apps}
