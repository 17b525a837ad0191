"""A small review in a real browser: the office sets the draw's parameters; office and supervisor
commit (secrets made in the browser), the lottery is published, both reveal, the committee is drawn
and re-verified; a panel reads two dossiers and writes opinions behind the experts' second factor;
the meeting sits with four of five, votes by secret ballot, closes; the chair signs the minutes with
a TOTP code and the results enter the workflow. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
import time

import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
PASSWORD = "zhicheng2021"  # the demo loader's password for staff accounts
EXPERT_PASSWORD = "Pingwei-2021!"
CITY = "呼和浩特市工程系列中级职称评审委员会"


def login(page, base, username, password=PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def fresh_code(user) -> str:
    """A code the server has not seen yet: codes are single-use, the test logs in faster than 30 s."""
    from zhicheng.review.models import SecondFactor

    factor = SecondFactor.objects.get(user=user)
    while True:
        now = int(time.time()) // 30
        step = max(now, factor.last_counter + 1)
        if step <= now + 1:
            return pyotp.TOTP(factor.secret).at(step * 30)
        time.sleep(1)


def expert_login(page, base, user):
    login(page, base, user.username, EXPERT_PASSWORD)
    assert "/review/second-factor/" in page.url
    page.fill("#id_code", fresh_code(user))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def messages(page) -> str:
    return page.inner_text("main")


def test_small_review_draw_panel_meeting_ballot_results(page, region, today, shot, make_applicant):
    from tests.cycle_helpers import advance
    from tests.review.kit import Kit
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P
    from zhicheng.review.models import CommitteeMember, ExpertDraw, Meeting, MeetingResult, Minutes, VoteCast

    base = region.url
    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit = Kit(CITY)
    kit.supervisor.set_password(PASSWORD)
    kit.supervisor.save()
    kit.experts(5, login=True)
    kit.expert("土默特左旗人民医院", login=True)
    kit.expert("宁城县农牧技术推广中心", login=True)
    from zhicheng.accounts.models import User

    for user in User.objects.filter(role="expert"):
        user.set_password(EXPERT_PASSWORD)
        user.save()

    # —— 26 July: the office sets the parameters; office and supervisor commit; the lottery is published ——
    today(D(2021, 7, 26))
    login(page, base, kit.office.username)
    page.goto(f"{base}/review/plans/{kit.plan.pk}/")
    shot("plan")
    page.fill("#id_size", "5")
    page.fill("#id_max_served_last_year", "3")
    page.fill("#id_grassroots_min", "1")
    page.click("form:has(input[value=draw]) button[type=submit]")
    page.wait_for_url(re.compile(r"/review/draws/\d+/$"))
    draw_url = page.url
    secrets = {}
    for who in ("office", "supervisor"):
        if who == "supervisor":
            login(page, base, kit.supervisor.username)
            page.goto(draw_url)
        page.click("#make-secret")
        page.wait_for_function("document.getElementById('secret-out').textContent.length === 64")
        secrets[who] = page.inner_text("#secret-out")
        shot(f"commit-{who}")
        page.click("#commit-form button[type=submit]")
        assert "承诺值已提交" in messages(page)
    login(page, base, kit.office.username)
    page.goto(draw_url + "?rehearse=1")
    assert "入选概率最小" in messages(page)
    page.fill("#id_objection_days", "3")  # working days: objections until Wednesday 28 July
    page.click("form:has(input[value=publish]) button[type=submit]")
    assert "异议期3个工作日" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    assert "抽选方案已公示" in messages(page)
    draw = ExpertDraw.objects.get()
    page.context.clear_cookies()
    page.goto(f"{base}/public/draws/{draw.pk}/")
    assert draw.publication_sha256 in messages(page)
    shot("public-notice")

    # —— 30 July: after the objection period both reveal; the office draws and re-verifies ——
    today(D(2021, 7, 30))
    for who, username in (("supervisor", kit.supervisor.username), ("office", kit.office.username)):
        login(page, base, username)
        page.goto(draw_url)
        page.fill("#id_secret", secrets[who])
        page.click("form:has(input[value=reveal]) button[type=submit]")
        assert "秘密值已揭示并与承诺值核对一致" in messages(page)
    page.click("form:has(input[value=perform]) button[type=submit]")
    assert "从已公示的专家库" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    assert "抽选完成" in messages(page)
    page.click("text=复核")
    assert "复核通过" in messages(page)
    shot("drawn-and-verified")
    members = [m.expert for m in CommitteeMember.objects.filter(active=True).select_related("expert__user").order_by("pk")]
    assert len(members) == 5
    chair = members[0]
    page.locator("tr", has_text=chair.person.name).locator("form:has(input[value=chair]) button").click()
    assert f"主任委员：{chair.person.name}" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    assert "已确定主任委员" in messages(page)

    # —— the plan page: a panel of three reads both dossiers; the meeting is set for 10 August ——
    page.goto(f"{base}/review/plans/{kit.plan.pk}/")
    page.fill("#id_name", "市政组")
    for expert in members[:3]:
        page.check(f"input[name=members][value='{expert.pk}']")
    page.click("form:has(input[value=panel]) button[type=submit]")
    assert "评议组已组建" in messages(page)
    page.select_option("#id_panel", label="市政组")
    for app in apps:
        page.check(f"input[name=applications][value='{app.pk}']")
    page.click("form:has(input[value=assign]) button[type=submit]")
    assert "评审材料已分配" in messages(page)
    page.fill("#id_held_on", "2021-08-10")
    page.click("form:has(input[value=meeting]) button[type=submit]")
    page.wait_for_url(re.compile(r"/review/meetings/\d+/$"))
    meeting_url = page.url
    shot("meeting-scheduled")

    # —— 10 August: the panel's opinions, behind the second factor ——
    today(D(2021, 8, 10))
    for i, expert in enumerate(members[:3]):
        expert_login(page, base, expert.user)
        page.goto(f"{base}/review/tasks/")
        for app in apps:
            page.click(f"text={app.person.name}")
            page.check("input[name=recommendation][value=support]")
            page.fill("#id_text", f"{app.person.name}的工程业绩材料完整，符合中级职称评审条件。")
            page.click("form:has(input[value=opinion]) button[type=submit]")
            assert "评议意见已提交" in messages(page)
        if i == 0:
            shot("expert-tasks")

    # —— the meeting sits with four of five and votes by secret ballot ——
    login(page, base, kit.office.username)
    page.goto(meeting_url)
    for expert in members[:4]:
        page.check(f"input[name=present][value='{expert.pk}']")
    page.click("form:has(input[value=attendance]) button[type=submit]")
    assert "达到法定人数" in messages(page)
    page.click("form:has(input[value=open]) button[type=submit]")
    assert "登记出席4人" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    assert "无记名投票开始" in messages(page)
    shot("ballot-open")
    for i, expert in enumerate(members[:4]):
        expert_login(page, base, expert.user)
        page.goto(f"{base}/review/tasks/")
        page.click("a.button:has-text('投票')")
        page.check(f"input[name=app_{apps[0].pk}][value=yes]")
        page.check(f"input[name=app_{apps[1].pk}][value={'yes' if i < 2 else 'no'}]")
        if i == 0:
            shot("ballot-paper")
        page.click("main form button[type=submit]")
        assert "投票成功" in messages(page)
    login(page, base, kit.office.username)
    page.goto(meeting_url)
    assert "已投票4人" in messages(page)
    page.click("form:has(input[value=close]) button[type=submit]")
    assert "出席评委4人，已投票4人，0人尚未投票" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    assert "表决结束，已计票" in messages(page)
    page.click("form:has(input[value=minutes]) button[type=submit]")
    assert "会议纪要已生成" in messages(page)
    shot("results")

    # —— the chair signs the minutes with the second factor; the results enter the workflow ——
    expert_login(page, base, chair.user)
    page.goto(f"{base}/review/tasks/")
    page.click("text=签署会议纪要")
    assert "本次表决的2份申报将登记评审结果，其中通过1份、未通过1份" in messages(page)
    page.fill("#id_code", fresh_code(chair.user))
    page.click("main form button[type=submit]")
    assert "会议纪要已签署，2份申报的评审结果已登记" in messages(page)
    shot("signed")
    login(page, base, kit.office.username)
    page.goto(meeting_url)
    shot("meeting-record")

    meeting = Meeting.objects.get()
    assert meeting.status == "signed" and Minutes.objects.get(meeting=meeting).signed_by == chair.user
    assert VoteCast.objects.filter(meeting=meeting).count() == 8
    assert {r.application_id: r.passed for r in MeetingResult.objects.all()} == {apps[0].pk: True, apps[1].pk: False}
    for app, state in ((apps[0], State.PASSED), (apps[1], State.FAILED)):
        app.refresh_from_db()
        assert app.state == state
