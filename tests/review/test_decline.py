"""A drawn member declined on the draw page (辞退并递补) loses every access of this year's review at
once — the task list, the task page, the dossier, the opinion, the panel, the attendance — while the
members still sitting keep theirs; the decline and the choice of chair ask once before they act; the
reserve seated is no longer listed as a reserve."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.review import drawing, meeting as meeting_service, panels
from zhicheng.review.models import Assignment, Opinion

from ..cycle_helpers import advance
from .kit import REVIEW_DAY
from .test_pages import messages_of, pass_second_factor

CONFIRM = {"confirm": "yes"}


@pytest.fixture
def seated(city_kit, make_applicant):
    """A committee of five drawn from seven (two reserves); a panel of three reads one declaration."""
    kit = city_kit
    app = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    kit.experts(7, login=True)
    draw = kit.seated(size=5)
    members = kit.members()
    panel = kit.panel("市政组", members[:3], [app])
    return kit, draw, app, members, panel


def reserve_codes(draw) -> list[str]:
    return [code for group in draw.record["result"]["reserves"] for code in group["reserves"]]


def decline_data(draw, expert, reason="违反评审纪律"):
    return {"action": "decline", "member": draw.members.get(expert=expert, active=True).pk, "reason": reason}


def row_of(page: str, name: str) -> str:
    return next(row for row in page.split("<tr>") if name in row)


def opinion_data(text="工作业绩突出"):
    return {"action": "opinion", "recommendation": "support", "text": text}


def expert_pages(client, expert, app) -> dict:
    """What the expert reaches of the declaration: its line on the task list, the task page, the dossier."""
    pass_second_factor(client, expert.user)
    assignment = Assignment.objects.get(expert=expert, application=app)
    return {
        "listed": app.person.name in client.get(reverse("expert_tasks")).content.decode(),
        "task": client.get(reverse("expert_opinion", args=[assignment.pk])).status_code,
        "dossier": client.get(reverse("application_detail", args=[app.pk])).status_code,
    }


@pytest.mark.django_db
def test_a_declined_member_loses_the_task_the_dossier_and_the_opinion_and_the_others_keep_them(seated, client):
    kit, draw, app, members, panel = seated
    dismissed, staying = members[0], members[1]
    with clock.frozen(REVIEW_DAY):
        # Before: both reach the declaration.
        assert expert_pages(client, dismissed, app) == {"listed": True, "task": 200, "dossier": 200}
        assert expert_pages(client, staying, app) == {"listed": True, "task": 200, "dossier": 200}

        client.force_login(kit.office)
        client.post(reverse("draw_act", args=[draw.pk]), {**decline_data(draw, dismissed), **CONFIRM})
        assert not draw.members.get(expert=dismissed).active

        # The dismissed member: nothing listed, the task page and the dossier are 404, the opinion is refused.
        assert expert_pages(client, dismissed, app) == {"listed": False, "task": 404, "dossier": 404}
        assignment = Assignment.objects.get(expert=dismissed, application=app)
        response = client.post(reverse("expert_opinion", args=[assignment.pk]), opinion_data())
        assert response.status_code == 404
        with pytest.raises(panels.PanelError, match="不在您当前可评议的范围内"):
            panels.submit_opinion(assignment, dismissed.user, recommendation="support", text="工作业绩突出")
        assert not Opinion.objects.filter(assignment__expert=dismissed).exists()
        assert not Application.objects.for_user(dismissed.user).exists()
        assert not panels.assignments_for(dismissed.user).exists()

        # The member still sitting: the same pages work and the opinion is saved.
        assert expert_pages(client, staying, app) == {"listed": True, "task": 200, "dossier": 200}
        assignment = Assignment.objects.get(expert=staying, application=app)
        response = client.post(reverse("expert_opinion", args=[assignment.pk]), opinion_data())
        assert response.status_code == 302 and response["Location"] == reverse("expert_tasks")
        assert Opinion.objects.get(assignment__expert=staying).text == "工作业绩突出"


@pytest.mark.django_db
def test_an_opinion_written_before_the_decline_cannot_be_changed_after_it(seated, client):
    kit, draw, app, members, panel = seated
    dismissed = members[0]
    assignment = Assignment.objects.get(expert=dismissed, application=app)
    with clock.frozen(REVIEW_DAY):
        panels.submit_opinion(assignment, dismissed.user, recommendation="support", text="第一稿")
        drawing.decline(draw.members.get(expert=dismissed), kit.office, "违反评审纪律")
        pass_second_factor(client, dismissed.user)
        assert client.post(reverse("expert_opinion", args=[assignment.pk]), opinion_data("改过的意见")).status_code == 404
    assert Opinion.objects.get(assignment=assignment).text == "第一稿"  # kept on record, unchanged


@pytest.mark.django_db
def test_the_decline_asks_first_then_seats_the_reserve_and_lists_it_no_longer(seated, client):
    kit, draw, app, members, panel = seated
    dismissed = members[0]
    first_reserve = reserve_codes(draw)[0]
    names = {entry["id"]: entry["name"] for entry in draw.pool}
    url = reverse("draw_act", args=[draw.pk])
    client.force_login(kit.office)
    page = client.get(reverse("draw_detail", args=[draw.pk])).content.decode()
    reserves_before = page.split("候补顺序")[1]
    assert names[first_reserve] in reserves_before

    with clock.frozen(REVIEW_DAY):
        asked = client.post(url, decline_data(draw, dismissed))
    question = asked.content.decode()
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in question and 'value="decline"' in question
    assert f"辞退评委：{dismissed.person.name}（{dismissed.unit.name}）" in question
    assert "辞退原因：违反评审纪律" in question
    assert f"递补：{names[first_reserve]}（按候补顺序）" in question
    assert "退出评议组“市政组”，该组余下2人。" in question and "评议组“市政组”将不足3人。" in question
    assert "评审材料1份（已提交评议意见0份）" in question and "辞退不能撤销" in question
    assert f'href="{reverse("draw_detail", args=[draw.pk])}"' in question
    # Nothing changed yet.
    assert draw.members.get(expert=dismissed).active and draw.members.count() == 5
    assert not AuditEntry.objects.filter(action="draw.decline").exists()

    with clock.frozen(REVIEW_DAY):
        done = client.post(url, {**decline_data(draw, dismissed), **CONFIRM}, follow=True)
    assert f"已辞退{dismissed.person.name}，由{names[first_reserve]}递补。" in messages_of(done)
    reserve = draw.members.get(active=True, via_substitution=True)
    assert reserve.expert.draw_id == first_reserve
    assert dismissed not in panel.members.all() and panel.members.count() == 2
    entry = AuditEntry.objects.get(action="draw.decline")
    assert entry.after["successor"] == first_reserve and entry.after["panels_left"] == [panel.pk]
    assert entry.after["assignments_withdrawn"] == [Assignment.objects.get(expert=dismissed, application=app).pk]

    # The seated reserve is a member now, no longer a reserve; the other reserve still waits.
    page = client.get(reverse("draw_detail", args=[draw.pk])).content.decode()
    results, reserves_after = page.split("候补顺序")
    assert names[first_reserve] not in reserves_after and names[first_reserve] in results
    assert names[reserve_codes(draw)[1]] in reserves_after
    # The plan page no longer shows the dismissed member in the panel.
    plan_page = client.get(reverse("review_plan_detail", args=[kit.plan.pk])).content.decode()
    panel_line = plan_page.split("<b>市政组</b>", 1)[1].split("</li>", 1)[0]
    assert dismissed.person.name not in panel_line and members[1].person.name in panel_line


@pytest.mark.django_db
def test_with_no_reserve_left_the_question_and_the_message_say_so(city_kit, client):
    kit = city_kit
    kit.experts(5, login=True)
    draw = kit.seated(size=5)
    dismissed = kit.members()[0]
    client.force_login(kit.office)
    url = reverse("draw_act", args=[draw.pk])
    question = client.post(url, decline_data(draw, dismissed, "身体原因")).content.decode()
    assert "递补：候补已用尽，没有符合条件的候补，座位将空缺，需重新抽选。" in question
    assert draw.members.get(expert=dismissed).active
    done = client.post(url, {**decline_data(draw, dismissed, "身体原因"), **CONFIRM}, follow=True)
    assert f"已辞退{dismissed.person.name}；没有符合条件的候补，座位空缺，需重新抽选。" in messages_of(done)
    assert draw.members.filter(active=True).count() == 4


@pytest.mark.django_db
def test_a_decline_without_a_reason_is_refused_without_asking(seated, client):
    kit, draw, app, members, panel = seated
    client.force_login(kit.office)
    response = client.post(reverse("draw_act", args=[draw.pk]), decline_data(draw, members[0], "  "), follow=True)
    assert "请填写辞退原因。" in messages_of(response)
    assert draw.members.get(expert=members[0]).active


@pytest.mark.django_db
def test_a_declined_member_leaves_the_attendance_and_the_meeting(seated, client):
    kit, draw, app, members, panel = seated
    m = kit.meeting(members)
    assert members[0] in meeting_service.present_experts(m)
    pass_second_factor(client, members[0].user)
    with clock.frozen(REVIEW_DAY):
        assert client.get(reverse("ballot", args=[m.pk])).status_code == 200
        drawing.decline(draw.members.get(expert=members[0]), kit.office, "违反评审纪律")
        assert members[0] not in meeting_service.present_experts(m)
        assert client.get(reverse("ballot", args=[m.pk])).status_code == 404
        pass_second_factor(client, members[1].user)
        assert client.get(reverse("ballot", args=[m.pk])).status_code == 200


@pytest.mark.django_db
def test_the_chair_is_asked_once_and_not_offered_on_the_chair(seated, client):
    kit, draw, app, members, panel = seated
    url = reverse("draw_act", args=[draw.pk])
    client.force_login(kit.office)
    first = draw.members.get(expert=members[0])
    asked = client.post(url, {"action": "chair", "member": first.pk})
    question = asked.content.decode()
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in question
    assert f"主任委员：{members[0].person.name}" in question and "本年度评委会尚未确定主任委员。" in question
    first.refresh_from_db()
    assert not first.is_chair
    done = client.post(url, {"action": "chair", "member": first.pk, **CONFIRM}, follow=True)
    assert "已确定主任委员。" in messages_of(done)
    first.refresh_from_db()
    assert first.is_chair
    # The chair's row offers no 设为主任委员; the others' rows do, and the question names the chair replaced.
    page = client.get(reverse("draw_detail", args=[draw.pk])).content.decode()
    assert 'value="chair"' not in row_of(page, members[0].person.name)
    assert 'value="chair"' in row_of(page, members[1].person.name)
    second = draw.members.get(expert=members[1])
    question = client.post(url, {"action": "chair", "member": second.pk}).content.decode()
    assert f"现任主任委员{members[0].person.name}将不再担任。" in question


@pytest.mark.django_db
def test_a_declined_members_opinion_stays_on_record_but_no_longer_counts(seated, client):
    """A panel of three each wrote an opinion; one is dismissed: two remain, one short of the vote's three."""
    kit, draw, app, members, panel = seated
    kit.opinions(panel)
    m = kit.meeting(members)
    short = f"{app.person.name}的申报只有2份评议意见"
    with clock.frozen(REVIEW_DAY):
        assert not any(short in p for p in meeting_service.opening_problems(m))
        assert panels.counted_opinions(kit.plan).filter(assignment__application=app).count() == 3
        drawing.decline(draw.members.get(expert=members[0]), kit.office, "违反评审纪律")
        assert any(short in p for p in meeting_service.opening_problems(m))
        assert panels.counted_opinions(kit.plan).filter(assignment__application=app).count() == 2
        # The opinion itself is kept, out of the count.
        assert Opinion.objects.filter(assignment__expert=members[0], assignment__application=app).exists()
        # The ballot paper's summary beside the declaration reads the same count.
        from zhicheng.review.views import _panel_summaries

        assert _panel_summaries(m, [app.pk]) == {app.pk: {"support": 2}}
