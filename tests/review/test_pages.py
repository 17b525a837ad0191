"""The committee pages through the test client: list pages at a constant number of queries, the
plan and draw pages in order, the expert's pages behind the second factor."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhicheng.accounts.permissions import SECOND_FACTOR_SESSION_KEY
from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.review import drawing, meeting, pool
from zhicheng.review.models import DrawStatus, ExpertDraw, Opinion, PlanStatus, ReviewPlan

from ..cycle_helpers import advance
from .kit import DRAW_DAY, OFFICE_SECRET, PUBLISH_DAY, REVIEW_DAY, SUPERVISOR_SECRET, D, commitment, totp_now


def pass_second_factor(client, user):
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = user.pk
    session.save()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- list pages do not grow with their rows ---------------------------------------------------

@pytest.mark.django_db
def test_pool_list_is_constant_in_queries(kit, client, django_assert_num_queries):
    kit.experts(2)
    client.force_login(kit.office)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("expert_pool")).status_code == 200
    experts = kit.experts(12, served=(2019,))
    pool.add_relation(experts[0], kit.office, kind="relative", relative_name="李四", relative_id_number="150121197203041243",
                      relationship="子女")
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(reverse("expert_pool")).content.decode()
    assert experts[-1].person.name in body and "共14人" in body


@pytest.mark.django_db
@pytest.mark.parametrize("url_name, who", [("review_plans", "regional"), ("pool_filings", "regional"), ("public_draws", None)])
def test_other_lists_are_constant_in_queries(kit, client, django_assert_num_queries, url_name, who):
    kit.experts(7)
    pool.file_pool(kit.committee, 2021, kit.office)
    draw = kit.start()
    if who:
        client.force_login(getattr(kit, who))
    url = reverse(url_name)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    pool.file_pool(kit.committee, 2021, kit.office)
    pool.file_pool(kit.committee, 2021, kit.office)
    ExpertDraw.objects.filter(pk=draw.pk).update(status=DrawStatus.CANCELLED)
    for _ in range(3):
        other = kit.start(size=25)
        ExpertDraw.objects.filter(pk=other.pk).update(status=DrawStatus.CANCELLED, published_at=clock.now(), objections_until=D(2021, 7, 28))
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# ---- the plan and the draw through their pages ------------------------------------------------

@pytest.mark.django_db
def test_plan_and_draw_through_the_pages(city_kit, client, make_applicant):
    kit = city_kit
    kit.experts(8)
    advance(make_applicant(P.regular_city_engineer_intermediate()), State.ACCEPTED)  # the roster filed with the plan
    ReviewPlan.objects.filter(pk=kit.plan.pk).delete()
    client.force_login(kit.office)
    with clock.frozen(D(2021, 7, 20)):
        response = client.post(reverse("review_plans"), {
            "committee": kit.committee.pk, "year": 2021, "place": "呼和浩特市", "review_starts_on": "2021-08-09",
            "review_ends_on": "2021-08-13", "declarations_summary": "受理12人", "composition": "随机抽选5人",
            "procedure": "评议组评议，会议无记名投票", "measures": "封闭评审", "recusal_years": 3,
        })
        plan = ReviewPlan.objects.get(committee=kit.committee, year=2021)
        assert response.status_code == 302 and response["Location"] == reverse("review_plan_detail", args=[plan.pk])
        act = reverse("review_plan_act", args=[plan.pk])
        response = client.post(act, {"action": "file"}, follow=True)
        assert "请附上送审表等附件（七（三））。" in messages_of(response)
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.post(act, {"action": "attach", "file": SimpleUploadedFile("送审表.pdf", b"%PDF-1.4\n%%EOF\n")})
        response = client.post(act, {"action": "file", "confirm": "yes"}, follow=True)
        assert "评审实施方案已报备自治区人社厅。" in messages_of(response)
        client.force_login(kit.supervisor)
        assert client.post(act, {"action": "approve"}).status_code == 403
        client.force_login(kit.regional)
        client.post(act, {"action": "approve", "confirm": "yes"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    kit.plan = plan

    client.force_login(kit.office)
    with clock.frozen(PUBLISH_DAY):
        response = client.post(reverse("review_plan_act", args=[plan.pk]), {
            "action": "draw", "size": 5, "max_served_last_year": 3, "reserves_per_type": 2, "grassroots_min": "", "public_source": "",
        })
        draw = ExpertDraw.objects.get(plan=plan)
        assert response["Location"] == reverse("draw_detail", args=[draw.pk])
        act = reverse("draw_act", args=[draw.pk])
        page = client.get(reverse("draw_detail", args=[draw.pk]) + "?rehearse=1").content.decode()
        assert "入选概率最小" in page
        client.post(act, {"action": "commit", "value": commitment(OFFICE_SECRET)})
        response = client.post(act, {"action": "publish", "objection_days": 3}, follow=True)
        assert "公示前须收到纪检监察机构的承诺值。" in messages_of(response)
        client.force_login(kit.supervisor)
        client.post(act, {"action": "commit", "value": commitment(SUPERVISOR_SECRET)})
        client.force_login(kit.office)
        client.post(act, {"action": "publish", "objection_days": 3, "confirm": "yes"})
        draw.refresh_from_db()
        assert draw.status == DrawStatus.PUBLISHED
        client.logout()
        public = client.get(reverse("public_draw_detail", args=[draw.pk])).content.decode()
        assert draw.publication_sha256 in public and draw.publication["lottery_sha256"] in public and "实名" in public
        client.post(reverse("public_draw_detail", args=[draw.pk]), {"name": "赵六", "phone": "13900000001", "content": "某专家已退休，不应在库中"})
        assert draw.objections.count() == 1
    with clock.frozen(DRAW_DAY):
        client.force_login(kit.office)
        client.post(act, {"action": "reveal", "secret": OFFICE_SECRET})
        response = client.post(act, {"action": "perform", "confirm": "yes"}, follow=True)
        assert "专家库公示期间的异议尚未处理完毕。" in messages_of(response)
        assert "尚未收到纪检监察机构的揭示值。" in messages_of(response)
        client.post(act, {"action": "objection", "objection": draw.objections.get().pk, "upheld": "0", "finding": "该专家尚未退休"})
        client.force_login(kit.supervisor)
        response = client.post(act, {"action": "perform", "confirm": "yes"}, follow=True)
        assert "只有本评委会办事机构可以执行抽选。" in messages_of(response)
        client.post(act, {"action": "reveal", "secret": SUPERVISOR_SECRET})
        client.force_login(kit.office)
        client.post(act, {"action": "perform", "confirm": "yes"})
        draw.refresh_from_db()
        assert draw.status == DrawStatus.DRAWN
        page = client.get(reverse("draw_detail", args=[draw.pk]) + "?verify=1").content.decode()
        assert "复核通过" in page
        record = json.loads(client.get(reverse("draw_record", args=[draw.pk])).content)
        assert record == draw.record
        member = draw.members.first()
        client.post(act, {"action": "chair", "member": member.pk, "confirm": "yes"})
        member.refresh_from_db()
        assert member.is_chair
    other_office = kit.__class__("内蒙古自治区卫生系列高级职称评审委员会").office
    client.force_login(other_office)
    assert client.get(reverse("draw_detail", args=[draw.pk])).status_code == 404
    assert client.get(reverse("review_plan_detail", args=[plan.pk])).status_code == 404


@pytest.mark.django_db
def test_pool_pages_edit_and_import(kit, client):
    expert = kit.expert()
    client.force_login(kit.office)
    assert "按记录认定" in client.get(reverse("expert_detail", args=[expert.pk])).content.decode()
    client.post(reverse("expert_act", args=[expert.pk]), {"action": "update", "unit": expert.unit_id, "specialty": "",
                                                          "committees": [kit.committee.pk], "unavailable_reason": "出差"})
    expert.refresh_from_db()
    assert not expert.available and expert.unavailable_reason == "出差"
    template = client.get(reverse("expert_import") + "?template=1")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    upload = BytesIO(template.content)
    upload.name = "template.xlsx"
    response = client.post(reverse("expert_import"), {"workbook": upload}, follow=True)
    assert "导入完成：新增1人，更新0人。" in messages_of(response)
    client.force_login(kit.supervisor)
    assert client.get(reverse("expert_detail", args=[expert.pk])).status_code == 200
    assert client.post(reverse("expert_act", args=[expert.pk]), {"action": "update"}).status_code == 403


# ---- the expert's pages --------------------------------------------------------------------------

@pytest.mark.django_db
def test_experts_pass_the_second_factor_before_any_page(city_kit, client):
    expert = city_kit.expert(login=True)
    user = expert.user
    user.second_factor.delete()
    client.force_login(user)
    response = client.get(reverse("expert_tasks"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor"))
    assert client.get(reverse("dashboard")).status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "绑定认证器" in page
    response = client.post(reverse("second_factor") + "?next=/review/tasks/", {"code": "123456", "next": "/review/tasks/"})
    assert "动态口令不正确" in response.content.decode()
    user = type(user).objects.get(pk=user.pk)  # the enrolment page made a new secret
    response = client.post(reverse("second_factor"), {"code": totp_now(user), "next": "/review/tasks/"})
    assert response["Location"] == "/review/tasks/"
    assert client.get(reverse("expert_tasks")).status_code == 200
    assert "绑定认证器" not in client.get(reverse("second_factor")).content.decode()


@pytest.mark.django_db
def test_opinion_ballot_and_signature_pages(city_kit, client, make_applicant):
    kit = city_kit
    app = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    panel = kit.panel("市政组", members[:3], [app])
    with clock.frozen(REVIEW_DAY):
        for expert in members[:3]:
            pass_second_factor(client, expert.user)
            tasks = client.get(reverse("expert_tasks")).content.decode()
            assert app.person.name in tasks
            assignment = panel.assignments.get(expert=expert)
            client.post(reverse("expert_opinion", args=[assignment.pk]), {"action": "opinion", "recommendation": "support",
                                                                          "text": "工作业绩突出"})
        assert Opinion.objects.filter(assignment__panel=panel).count() == 3
    m = kit.meeting(members[:4])
    with clock.frozen(REVIEW_DAY):
        meeting.open_ballot(m, kit.office)
        for i, expert in enumerate(members[:4]):
            pass_second_factor(client, expert.user)
            page = client.get(reverse("ballot", args=[m.pk])).content.decode()
            assert "同意推荐 3" in page
            response = client.post(reverse("ballot", args=[m.pk]), {f"app_{app.pk}": "yes" if i < 3 else "no"}, follow=True)
            assert "投票成功。票面不记名，任何人无法查到您的选择。" in messages_of(response)
        pass_second_factor(client, members[4].user)
        assert "您未登记出席本次会议，不能投票。" in client.get(reverse("ballot", args=[m.pk])).content.decode()
        client.force_login(kit.office)
        client.post(reverse("meeting_act", args=[m.pk]), {"action": "close", "confirm": "yes"})
        client.post(reverse("meeting_act", args=[m.pk]), {"action": "minutes"})
        assert client.get(reverse("minutes_pdf", args=[m.pk])).content.startswith(b"%PDF")
        pass_second_factor(client, members[0].user)
        client.post(reverse("minutes_sign", args=[m.pk]), {"code": totp_now(members[0].user)})
    app.refresh_from_db()
    assert app.state == State.PASSED


@pytest.mark.django_db
def test_a_cancelled_draw_takes_its_meeting_off_the_experts_pages(city_kit, client):
    kit = city_kit
    kit.experts(5, login=True)
    draw = kit.seated(size=5)
    members = kit.members()
    m = kit.meeting(members)
    with clock.frozen(REVIEW_DAY):
        pass_second_factor(client, members[0].user)
        line = f"{kit.plan.committee.name} {m.held_on:%Y-%m-%d}"
        assert line in client.get(reverse("expert_tasks")).content.decode()
        drawing.cancel(draw, kit.office, "抽选参数有误，重新抽选")
        response = client.get(reverse("expert_tasks"))
    assert response.status_code == 200
    assert line not in response.content.decode()
    assert not meeting.meetings_for(members[0].user).exists()
