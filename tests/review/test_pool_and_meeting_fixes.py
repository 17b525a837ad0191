"""Defects new users found on the pool, the meeting and the minutes pages (demo date 2021-09-15):

1. saving an expert with no 所在评委库 ticked answered 404: it now asks once, then lands on the pool list and says so;
2. the pool's status said 可抽选 of experts the draw leaves out: both now use the draw's own rule;
3. the meeting's page and the minutes showed no non-voters, and the minutes no change of the committee (辞退并递补);
4. the expert import named the wrong row of a long cell, and called a year to come "not a year";
5. the expert's forms and the pool filing lost what was typed when refused;
6. nothing outside /admin/ made an expert's login: the office makes it on the expert's page (the expert enrols their own
   second factor), and the demo gives every drawn expert a login, so that its meeting can reach quorum and pass.
"""

from __future__ import annotations

import io
import re

import pyotp
import pytest
from django.urls import reverse
from openpyxl import Workbook

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.models import Application, ApplicationEvent
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.demo.loader import DEMO_TOTP_SECRET, DemoLoader
from zhicheng.draw.model import parse_pool, parse_spec, split_eligible
from zhicheng.files.services import read_verified
from zhicheng.review import drawing, meeting as meeting_service, minutes as minutes_service, panels, pool
from zhicheng.orgs.models import Committee, Organisation
from zhicheng.review.models import Expert, ExpertRelation, MeetingStatus, PoolFiling, Sanction, SecondFactor, ServiceYear

from ..cycle_helpers import advance
from .kit import REVIEW_DAY, D, totp_now
from .test_input_kept import page_of, value_of
from .test_minutes import pdf_text
from .test_pages import messages_of

DEMO_DAY = D(2021, 9, 15)
CONFIRM = {"confirm": "yes"}


def confirmation(response) -> str:
    body = response.content.decode()
    assert response.status_code == 200 and 'name="confirm" value="yes"' in body, (response.status_code, response.get("Location"))
    return body


def row_of(html: str, name: str) -> str:
    return next(row for row in html.split("<tr>") if name in row)


def update_data(expert, **extra) -> dict:
    return {"action": "update", "unit": expert.unit_id, "specialty": "", "available": "on", "unavailable_reason": "",
            "committees": [c.pk for c in expert.committees.all()]} | extra


# ---- 1. the last pool unticked ------------------------------------------------------------------

@pytest.mark.django_db
def test_unticking_the_only_pool_asks_once_then_lands_on_the_pool_list_with_a_message(kit, client):
    expert = kit.expert()
    client.force_login(kit.office)
    act = reverse("expert_act", args=[expert.pk])
    with clock.frozen(DEMO_DAY):
        body = confirmation(client.post(act, update_data(expert, committees=[])))
    assert "移出评委库" in body and kit.committee.name in body and "不在本机构的任何评委库中" in body
    assert list(Expert.objects.get(pk=expert.pk).committees.all()) == [kit.committee], "asking changes nothing"
    with clock.frozen(DEMO_DAY):
        response = client.post(act, update_data(expert, committees=[]) | CONFIRM)
    assert response.status_code == 302 and response["Location"] == reverse("expert_pool")
    with clock.frozen(DEMO_DAY):
        landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert f"已保存。{expert.person.name}已移出评委库：{kit.committee.name}。" in messages_of(landed)
    assert not Expert.objects.get(pk=expert.pk).committees.exists()
    assert AuditEntry.objects.filter(action="expert.update", object_id=str(expert.pk)).latest("seq").after["committees"] == []


@pytest.mark.django_db
def test_the_region_keeps_seeing_an_expert_out_of_every_pool(kit, client):
    expert = kit.expert()
    client.force_login(kit.regional)
    act = reverse("expert_act", args=[expert.pk])
    confirmation(client.post(act, update_data(expert, committees=[])))
    response = client.post(act, update_data(expert, committees=[]) | CONFIRM)
    assert response.status_code == 302 and response["Location"] == reverse("expert_detail", args=[expert.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "不在任何评委库中" in page.content.decode()
    # Saving without leaving a pool asks nothing, as before.
    expert = Expert.objects.get(pk=expert.pk)
    response = client.post(act, update_data(expert, committees=[kit.committee.pk]))
    assert response.status_code == 302 and list(Expert.objects.get(pk=expert.pk).committees.all()) == [kit.committee]


# ---- 2. the pool's status is the draw's -------------------------------------------------------------

@pytest.mark.django_db
def test_the_pool_says_what_the_draw_does(kit, client, make_applicant):
    rotated = kit.expert(served=(2018, 2019, 2020))  # 连续三年: the draw leaves them out (七（四）5)
    last_year = kit.expert(served=(2020,))  # served once: drawable
    gap = kit.expert(served=(2017, 2019, 2020))  # not three in a row
    away = kit.expert(available=False)
    sanctioned = kit.expert()
    pool.add_sanction(sanctioned, kit.office, reason="泄露评审信息", imposed_on=D(2021, 1, 1), until=None)
    with clock.frozen(DEMO_DAY):
        entries = pool.snapshot(kit.committee, 2021)
        _, excluded = split_eligible(parse_pool(entries), parse_spec(drawing.default_spec(kit.plan)))
    by_draw = {e.expert_id: e.reasons for e in excluded}
    assert set(by_draw) == {rotated.draw_id, away.draw_id, sanctioned.draw_id}
    client.force_login(kit.office)
    with clock.frozen(DEMO_DAY):
        listing = page_of(client.get(reverse("expert_pool")))
    for expert in (rotated, last_year, gap, away, sanctioned):
        row = row_of(listing, expert.person.name)
        if expert.draw_id in by_draw:
            assert "不参加抽选" in row and "可抽选" not in row, expert.person.name
            for reason in by_draw[expert.draw_id]:
                assert reason in row, reason
        else:
            assert "可抽选" in row and "不参加抽选" not in row, expert.person.name
    assert "已连续三年担任本评委会评委（七（四）5）" in row_of(listing, rotated.person.name)
    with clock.frozen(DEMO_DAY):
        detail = page_of(client.get(reverse("expert_detail", args=[rotated.pk])))
    assert "不参加抽选" in detail and "已连续三年担任本评委会评委（七（四）5）" in detail


@pytest.mark.django_db
def test_an_expert_declaring_this_year_is_out_of_the_draw_on_the_pool_page_too(kit, client, make_applicant):
    app = make_applicant(P.regular_engineer())  # a draft of 2021: the person declares this year
    expert = Expert.objects.create(person=app.person, unit=app.unit, series=kit.committee.series, title_level="associate_senior",
                                   title_name="高级工程师")
    expert.committees.add(kit.committee)
    with clock.frozen(DEMO_DAY):
        (entry,) = [e for e in pool.snapshot(kit.committee, 2021) if e["id"] == expert.draw_id]
    assert entry["declaring"]
    client.force_login(kit.office)
    with clock.frozen(DEMO_DAY):
        row = row_of(page_of(client.get(reverse("expert_pool"))), expert.person.name)
    assert "不参加抽选" in row and "本年度申报职称" in row


# ---- 3. non-voters and the committee's changes -------------------------------------------------------

@pytest.fixture
def closed_with_a_decline(city_kit, make_applicant):
    """Five drawn of seven; one declined and replaced before the meeting; four present, two of them vote."""
    kit = city_kit
    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit.experts(7, login=True)
    draw = kit.seated(size=5)
    before = kit.members()
    leaving = before[4]
    with clock.frozen(REVIEW_DAY):
        successor = drawing.decline(draw.members.get(expert=leaving, active=True), kit.office, "本人因病无法参加评审").expert
    members = kit.members()
    assert leaving not in members and successor in members
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], apps))
    m = kit.meeting(members[:4])
    with clock.frozen(REVIEW_DAY):
        meeting_service.open_ballot(m, kit.office)
        meeting_service.cast_ballot(m, members[0].user, {apps[0].pk: "yes", apps[1].pk: "yes"})
        meeting_service.cast_ballot(m, members[1].user, {apps[0].pk: "yes", apps[1].pk: "no"})
        meeting_service.close_ballot(m, kit.office)
    return kit, apps, members, m, leaving, successor


@pytest.mark.django_db
def test_the_meeting_page_shows_who_did_not_vote(closed_with_a_decline, client):
    kit, apps, members, m, _, _ = closed_with_a_decline
    client.force_login(kit.office)
    html = page_of(client.get(reverse("meeting_detail", args=[m.pk])))
    assert "未投票" in html
    # 应表决 4, 需同意 3, then 同意, 不同意, 弃权, 未投票: they add up to 应表决.
    assert "<td>4</td><td>3</td><td>2</td><td>0</td><td>0</td><td>2</td>" in row_of(html, apps[0].person.name)
    assert "<td>4</td><td>3</td><td>1</td><td>1</td><td>0</td><td>2</td>" in row_of(html, apps[1].person.name)
    result = m.results.get(application=apps[0])
    assert meeting_service.not_voted(result) == result.eligible - result.yes - result.no - result.abstain == 2


@pytest.mark.django_db
def test_the_minutes_show_non_voters_and_who_left_and_who_was_seated(closed_with_a_decline):
    kit, apps, members, m, leaving, successor = closed_with_a_decline
    with clock.frozen(REVIEW_DAY):
        record = minutes_service.generate(m, kit.office)
    text = pdf_text(read_verified(record.file))
    assert "未投票" in text and "未投票 = 应表决 − 同意 − 不同意 − 弃权" in text
    assert "评委会变动" in text and "辞退评委" in text and "递补评委" in text
    assert leaving.person.name in text and "本人因病无法参加评审" in text and successor.person.name in text
    changes = minutes_service.committee_changes(drawing.current_draw(kit.plan))
    assert len(changes) == 1
    date, who, reason, seated = changes[0]
    assert date == f"{REVIEW_DAY:%Y-%m-%d}" and who.startswith(leaving.person.name) and reason == "本人因病无法参加评审"
    assert seated.startswith(successor.person.name)
    # The results recorded on signing say the non-voters too.
    with clock.frozen(REVIEW_DAY):
        minutes_service.sign(record, members[0].user, totp_now(members[0].user))
    event = ApplicationEvent.objects.filter(application=apps[0]).latest("at")
    assert "应表决4人，同意2票、不同意0票、弃权0票、未投票2人" in event.note


@pytest.mark.django_db
def test_minutes_without_changes_say_so(city_kit, make_applicant):
    kit = city_kit
    app = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], [app]))
    m = kit.meeting(members)
    with clock.frozen(REVIEW_DAY):
        meeting_service.open_ballot(m, kit.office)
        for expert in members:
            meeting_service.cast_ballot(m, expert.user, {app.pk: "yes"})
        meeting_service.close_ballot(m, kit.office)
        record = minutes_service.generate(m, kit.office)
    assert "抽选产生的评委会成员未发生变动。" in pdf_text(read_verified(record.file))


# ---- 4. the import's rows and reasons ---------------------------------------------------------------

HEADER = ["身份证号码", "姓名", "工作单位", "系列", "专业", "职称", "职称取得时间", "证书编号", "评委库", "担任评委年度", "可参加评审",
          "手机号", "回避亲属", "曾工作单位"]
IDS = ["150121197001011230", "150121197203041243"]


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "pool.xlsx"
    return out


def row(id_number, name, *, served="", certificate="GC2014001"):
    return [id_number, name, "内蒙古大学", "工程", "土木工程", "正高级工程师", "2014-12-01", certificate, "", served, "是",
            "13900000000", "", ""]


@pytest.mark.django_db
def test_a_long_cell_is_named_by_its_own_row(kit):
    report = pool.import_experts(workbook([row(IDS[0], "张" * 5000), row(IDS[1], "李四"), row(IDS[1], "王五")]), kit.office)
    assert len(report.errors) == 1 and "第2行" in report.errors[0] and "第4行" not in report.errors[0], report.errors
    # Far into the sheet, past the first chunk read: still the row itself.
    rows = [row(IDS[1], f"专家{n}") for n in range(2, 400)]
    rows[298] = row(IDS[0], "张" * 5000)  # sheet row 300
    report = pool.import_experts(workbook(rows), kit.office)
    assert len(report.errors) == 1 and "第300行" in report.errors[0], report.errors


@pytest.mark.django_db
def test_the_import_gives_the_real_reason_with_the_row(kit):
    with clock.frozen(DEMO_DAY):
        report = pool.import_experts(workbook([
            row(IDS[0], "张三", served="2020、2022"),
            row(IDS[1], "李" * 100, served="1975、二〇一九"),
        ]), kit.office)
    assert "第2行“担任评委年度”：2022年晚于今年（2021年），担任评委的年度不能是将来的年度，请核对" in report.errors
    assert not any("“2022”不是年份" in e for e in report.errors)
    assert "第3行“姓名”：有100个字符，超过了40个字符的上限" in report.errors
    assert "第3行“担任评委年度”：1975年早于1980年，请核对" in report.errors
    assert "第3行“担任评委年度”：“二〇一九”不是年份" in report.errors
    assert report.created == 0 and not Expert.objects.exists()
    with clock.frozen(DEMO_DAY):
        report = pool.import_experts(workbook([row(IDS[0], "张三", served="2020、2021", certificate="C" * 41)]), kit.office)
    assert report.errors == ["第2行“证书编号”：有41个字符，超过了40个字符的上限"]


# ---- 5. what was typed comes back -----------------------------------------------------------------

def selected(html: str, name: str, value) -> bool:
    found = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {name}"
    return re.search(rf'<option value="{value}"[^>]*\bselected\b', found.group(1)) is not None


@pytest.mark.django_db
def test_refused_expert_forms_come_back_as_typed(kit, client):
    expert = kit.expert()
    other_unit = Organisation.objects.get(name="包头市中心医院")
    client.force_login(kit.office)
    act = reverse("expert_act", args=[expert.pk])
    with clock.frozen(DEMO_DAY):
        # Not available, without the reason: the service refuses; the unit chosen and the box unticked stay.
        html = page_of(client.post(act, update_data(expert, unit=other_unit.pk, available="")))
        assert "请说明不能参加评审的原因。" in html and selected(html, "unit", other_unit.pk)
        assert not re.search(r'<input[^>]*name="available"[^>]*checked', html)
        assert Expert.objects.get(pk=expert.pk).unit_id == expert.unit_id, "nothing saved"
        assert f"{expert.unit.name}（" in html, "the page shows the expert as recorded, not as typed"
        # A relative without their number.
        html = page_of(client.post(act, {"action": "relation_add", "kind": "relative", "relationship": "配偶", "relative_name": "李四",
                                         "relative_id_number": ""}))
        assert "请填写亲属的姓名和身份证号码。" in html
        assert value_of(html, "relative_name") == "李四" and value_of(html, "relationship") == "配偶"
        assert not ExpertRelation.objects.filter(expert=expert).exists()
        # A sanction dated ahead.
        html = page_of(client.post(act, {"action": "sanction", "reason": "泄露评审信息", "document_number": "内人社〔2021〕9号",
                                         "imposed_on": "2099-01-01", "until": ""}))
        assert value_of(html, "reason") == "泄露评审信息" and value_of(html, "imposed_on") == "2099-01-01"
        assert value_of(html, "document_number") == "内人社〔2021〕9号"
        assert not Sanction.objects.filter(expert=expert).exists()
        # A service year ahead.
        html = page_of(client.post(act, {"action": "service_year", "committee": kit.committee.pk, "year": 2099}))
        assert "担任评委年度（2099年）不能晚于今年（2021年），请核对。" in html
        assert value_of(html, "year") == "2099" and selected(html, "committee", kit.committee.pk)
        assert not ServiceYear.objects.filter(expert=expert).exists()
        # Accepted: saved, and back to the page.
        response = client.post(act, {"action": "service_year", "committee": kit.committee.pk, "year": 2020})
    assert response.status_code == 302 and response["Location"] == reverse("expert_detail", args=[expert.pk])
    assert ServiceYear.objects.filter(expert=expert, year=2020).exists()


@pytest.mark.django_db
def test_a_refused_pool_filing_keeps_its_year(kit, client):
    client.force_login(kit.office)
    act = reverse("pool_filing_act")
    with clock.frozen(DEMO_DAY):
        # The form refuses a year before any pool; the service an empty pool.
        html = page_of(client.post(act, {"action": "file", "committee": kit.committee.pk, "year": 1970}))
        assert value_of(html, "year") == "1970" and selected(html, "committee", kit.committee.pk)
        html = page_of(client.post(act, {"action": "file", "committee": kit.committee.pk, "year": 2022}))
        assert "评委库中还没有专家。" in html and value_of(html, "year") == "2022"
        assert not PoolFiling.objects.filter(committee=kit.committee).exists()
        kit.expert()
        response = client.post(act, {"action": "file", "committee": kit.committee.pk, "year": 2022})
    assert response.status_code == 302 and PoolFiling.objects.filter(committee=kit.committee, year=2022).exists()
    # A committee that is not the office's own is nothing it chose on the page: back to the list, as before.
    other = Committee.objects.exclude(office=kit.committee.office).first()
    response = client.post(act, {"action": "file", "committee": other.pk, "year": 2021})
    assert response.status_code == 302 and response["Location"] == reverse("pool_filings")


# ---- 6. the expert's own login -------------------------------------------------------------------

@pytest.mark.django_db
def test_the_office_opens_an_expert_login_and_the_expert_enrols_their_own_second_factor(kit, client):
    expert = kit.expert()
    client.force_login(kit.office)
    detail = reverse("expert_detail", args=[expert.pk])
    act = reverse("expert_act", args=[expert.pk])
    assert 'value="login"' in page_of(client.get(detail))
    body = confirmation(client.post(act, {"action": "login"}))
    assert pool.login_username(expert) in body and "只在下一页显示一次" in body
    assert Expert.objects.get(pk=expert.pk).user_id is None, "asking makes nothing"
    response = client.post(act, {"action": "login", **CONFIRM})
    html = page_of(response)
    assert response["Cache-Control"] == "no-store"
    expert = Expert.objects.get(pk=expert.pk)
    account = expert.user
    assert account.username == pool.login_username(expert) and account.role == Role.EXPERT and account.is_active
    shown = re.search(r"初始密码：<code>([^<]+)</code>", html).group(1)
    assert len(shown) == pool.LOGIN_PASSWORD_LENGTH and account.check_password(shown)
    assert not SecondFactor.objects.filter(user=account).exists(), "the expert enrols their own"
    entry = AuditEntry.objects.get(action="expert.login_create", object_id=str(expert.pk))
    assert entry.actor_id == kit.office.pk and entry.after["username"] == account.username
    assert shown not in str(entry.after) + entry.summary, "the password is not logged"
    # Once only; the page then says who the account is and that the factor is still to be enrolled.
    client.post(act, {"action": "login", **CONFIRM})
    assert User.objects.filter(role=Role.EXPERT, username=account.username).count() == 1
    again = page_of(client.get(detail))
    assert account.username in again and "待专家本人首次登录时绑定" in again and shown not in again
    # The expert: nothing before the second factor, which they enrol with their own authenticator.
    client.force_login(account)
    response = client.get(reverse("expert_tasks"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor"))
    assert "<svg" in page_of(client.get(reverse("second_factor")))
    factor = SecondFactor.objects.get(user=account)
    response = client.post(reverse("second_factor"), {"code": pyotp.TOTP(factor.secret).now()})
    assert response.status_code == 302 and response["Location"] == reverse("expert_tasks")
    assert client.get(reverse("expert_tasks")).status_code == 200
    factor.refresh_from_db()
    assert factor.confirmed_at is not None
    client.force_login(kit.office)
    assert "已绑定" in page_of(client.get(detail))


@pytest.mark.django_db
def test_only_a_keeper_of_the_experts_pool_opens_their_login(kit, client):
    expert = kit.expert()
    other_office = kit.__class__("内蒙古自治区卫生系列高级职称评审委员会").office
    with pytest.raises(pool.PoolError, match="开通登录账号"):
        pool.create_login(expert, other_office)
    with pytest.raises(pool.PoolError, match="开通登录账号"):
        pool.create_login(expert, kit.supervisor)
    client.force_login(other_office)
    assert client.post(reverse("expert_act", args=[expert.pk]), {"action": "login", **CONFIRM}).status_code == 404
    account, _password = pool.create_login(expert, kit.regional)
    assert Expert.objects.get(pk=expert.pk).user == account
    with pytest.raises(pool.PoolError, match="已有登录账号"):
        pool.create_login(expert, kit.office)


# ---- 6. the demo's meeting can pass -------------------------------------------------------------

@pytest.mark.django_db
def test_every_drawn_demo_expert_logs_in_and_the_demo_meeting_reaches_quorum_and_passes(make_applicant):
    apps = [advance(make_applicant(P.regular_economist(unit="鄂尔多斯市中心医院")), State.UNDER_REVIEW)[0] for _ in range(2)]
    loader = DemoLoader(out=lambda *a: None)
    loader.review_demo()
    committee = Committee.objects.get(series__code="economics")
    plan = committee.review_plans.get(year=2021)
    members = [m.expert for m in drawing.sitting_members(plan).select_related("expert__user").order_by("expert__pk")]
    assert len(members) == 25
    assert all(e.user_id for e in members), "every drawn member has a login"
    assert members[0].user.username == "expert"
    assert {e.user.username for e in members} == {"expert"} | {f"expert{i}" for i in range(2, 26)}
    line = next(where for username, _role, where in loader.friendly_logins() if username == "expert")
    assert "expert2 至 expert25" in line and DEMO_TOTP_SECRET in line
    # The panel finishes its opinions; on 16 September all 25 attend and vote yes: two thirds reached, passed.
    office = User.objects.filter(organisation=committee.office).order_by("pk").first()
    with clock.frozen(D(2021, 9, 14)):
        for assignment in panels_assignments(plan):
            panels.submit_opinion(assignment, assignment.expert.user, recommendation="support", text="符合高级经济师评审条件。")
    m = plan.meeting
    with clock.frozen(D(2021, 9, 16)):
        meeting_service.record_attendance(m, office, [e.pk for e in members])
        meeting_service.open_ballot(m, office)
        for expert in members:
            paper = meeting_service.ballot_paper(m, expert)
            meeting_service.cast_ballot(m, expert.user, {a.pk: "yes" for a in paper})
        results = meeting_service.close_ballot(m, office)
        record = minutes_service.generate(m, office)
        minutes_service.sign(record, members[0].user, pyotp.TOTP(DEMO_TOTP_SECRET).now())
    assert results and all(r.passed for r in results)
    m.refresh_from_db()
    assert m.status == MeetingStatus.SIGNED
    for app in apps:
        assert Application.objects.get(pk=app.pk).state == State.PASSED


def panels_assignments(plan):
    return plan.assignments.filter(recused=False, panel__isnull=False, opinion__isnull=True).select_related("expert__user", "application")
