"""Defects new users found in the review plan (七（三）) and the draw of its committee (七（四）), each through the
service and the page as the browser uses it (demo date 2021-09-15).

1. an approved plan could be returned after its review had opened;
2. 报备, 备案同意 and 退回修改 took one click;
3. a plan ending after the year's deadline (what the plan-progress page calls 逾期) and one with an empty roster were filed;
4. a plan for a past year, or with review dates gone by, was saved;
5. a draw objection could not be handled through its form (two hidden ``objection`` inputs, the second empty);
6. 异议期 99999999999 asked its question and then failed with a server error;
7. draw objections took a phone "abc" and a content "x"; the office did not see the objector's phone;
8. the draw page offered 抽选 during the objection period and 确定抽选参数 on a draft plan;
9. the plan page dated a draw by its creation, and said 附件 无 of a plan filed without the attachments filing requires;
10. a refused draw form came back empty after a redirect.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.files.services import store_file
from zhicheng.monitoring.models import PlanExplanation
from zhicheng.monitoring.progress import committee_progress
from zhicheng.review import drawing, meeting as meeting_service, plans, pool
from zhicheng.review.drawing import DrawError
from zhicheng.review.forms import NewPlanForm, PublishForm
from zhicheng.review.models import DrawObjection, DrawStatus, ExpertDraw, PlanStatus, ReviewPlan

from ..cycle_helpers import advance
from .kit import DRAW_DAY, OFFICE_SECRET, PUBLISH_DAY, REVIEW_DAY, SUPERVISOR_SECRET, D, commitment

DEMO_DAY = D(2021, 9, 15)
FILING_DAY = D(2021, 7, 20)  # the city plan reviews 9–13 August
CONFIRM = {"confirm": "yes"}


def text(response) -> str:
    return response.content.decode()


def page_of(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return text(response)


def confirmation(response) -> str:
    body = page_of(response)
    assert 'id="confirm"' in body and 'name="confirm" value="yes"' in body, "a confirmation page"
    return body


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def value_of(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    value = found and re.search(r'\bvalue="([^"]*)"', found.group(0))
    return value.group(1) if value else None


class _Forms(HTMLParser):
    """The forms of a page and what each would post, as a browser sends it (every named control, in order)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form = None
        self._select = self._textarea = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = []
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._form.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self._form.append((self._select, chosen[0] if chosen else ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def form_posting(html: str, action: str) -> list[list[tuple[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if ("action", action) in f]


def as_post(fields: list[tuple[str, str]], **typed) -> dict:
    """The POST body of a form's fields, the typed values in place of what the page filled: repeated names stay repeated."""
    body: dict[str, list[str]] = {}
    for name, value in fields:
        body.setdefault(name, []).append(value)
    for name, value in typed.items():
        body[name] = [value] * len(body.get(name, [value]))
    return body


def accepted(make_applicant, profile=P.regular_city_engineer_intermediate):
    return advance(make_applicant(profile()), State.ACCEPTED)[0]


def draft(kit, **fields) -> ReviewPlan:
    """The kit's plan back to a draft, without the attachment the demo's plans were filed with."""
    ReviewPlan.objects.filter(pk=kit.plan.pk).update(status=PlanStatus.DRAFT, filed_on=None, approved_on=None, **fields)
    kit.plan.refresh_from_db()
    kit.plan.attachments.clear()
    return kit.plan


def attach(kit, name="送审表.pdf"):
    with clock.frozen(FILING_DAY):
        plans.add_attachment(kit.plan, kit.office, store_file(name, f"%PDF-1.4\n% {name}\n%%EOF\n".encode()))


# ---- 1. no return once the review has opened --------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("reached", [State.UNDER_REVIEW, State.CERTIFIED])
def test_a_plan_whose_review_has_opened_cannot_be_returned(kit, client, make_applicant, reached):
    advance(make_applicant(P.regular_engineer()), reached)
    plan = kit.plan
    assert plan.status == PlanStatus.APPROVED
    with clock.frozen(DEMO_DAY), pytest.raises(plans.PlanError, match="不能再退回修改"):
        plans.return_plan(plan, kit.regional, "请补充评委会组建情况。")
    client.force_login(kit.regional)
    url, act = reverse("review_plan_detail", args=[plan.pk]), reverse("review_plan_act", args=[plan.pk])
    with clock.frozen(DEMO_DAY):
        html = page_of(client.get(url))
        assert 'value="return"' not in html and "不能再退回修改（七（三））" in html, "not offered, and the page says why"
        response = client.post(act, {"action": "return", "note": "请补充评委会组建情况。"}, follow=True)
    assert 'id="confirm"' not in text(response), "nothing to ask about"
    assert any("不能再退回修改" in m for m in messages_of(response))
    with clock.frozen(DEMO_DAY):
        client.post(act, {"action": "return", "note": "请补充评委会组建情况。", **CONFIRM})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_on and plan.return_note == ""


@pytest.mark.django_db
def test_a_plan_whose_review_has_not_opened_may_still_be_returned(kit, client, make_applicant):
    advance(make_applicant(P.regular_engineer()), State.ACCEPTED)
    client.force_login(kit.regional)
    with clock.frozen(FILING_DAY):
        assert 'value="return"' in page_of(client.get(reverse("review_plan_detail", args=[kit.plan.pk])))
    assert plans.return_problem(kit.plan) == ""


# ---- 2. 报备, 备案同意 and 退回 ask once ------------------------------------------------------------------

@pytest.mark.django_db
def test_filing_approving_and_returning_ask_first_with_what_they_do(city_kit, client, make_applicant):
    kit = city_kit
    apps = [accepted(make_applicant) for _ in range(2)]
    plan = draft(kit)
    attach(kit, "送审表.pdf")
    attach(kit, "评委推荐名单.pdf")
    act = reverse("review_plan_act", args=[plan.pk])
    client.force_login(kit.office)
    with clock.frozen(FILING_DAY):
        body = confirmation(client.post(act, {"action": "file"}))
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DRAFT and not plan.filed_sha256, "asking files nothing"
        assert "报备评审实施方案" in body and "评审时间：2021-08-09至2021-08-13；评审地点：呼和浩特市。" in body
        assert "申报人员花名册2人。" in body and "附件2份：" in body and "送审表.pdf" in body and "评委推荐名单.pdf" in body
        assert '<input type="hidden" name="action" value="file">' in body
        client.post(act, {"action": "file", **CONFIRM})
        plan.refresh_from_db()
        assert plan.status == PlanStatus.FILED and len(plan.filed_snapshot["roster"]) == len(apps)

        client.force_login(kit.regional)
        body = confirmation(client.post(act, {"action": "approve"}))
        plan.refresh_from_db()
        assert plan.status == PlanStatus.FILED, "asking approves nothing"
        assert "评审实施方案备案同意" in body and plan.filed_sha256 in body
        assert "申报人员花名册2人。" in body and "附件2份：" in body and "评审时间：2021-08-09至2021-08-13" in body
        client.post(act, {"action": "approve", **CONFIRM})
        plan.refresh_from_db()
        assert plan.status == PlanStatus.APPROVED

        body = confirmation(client.post(act, {"action": "return", "note": "请补充评委推荐名单。"}))
        plan.refresh_from_db()
        assert plan.status == PlanStatus.APPROVED, "asking returns nothing"
        assert "退回意见：请补充评委推荐名单。" in body and "退回后备案同意失效" in body
        assert '<input type="hidden" name="note" value="请补充评委推荐名单。">' in body
        client.post(act, {"action": "return", "note": "请补充评委推荐名单。", **CONFIRM})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REJECTED and plan.return_note == "请补充评委推荐名单。"


@pytest.mark.django_db
def test_no_question_for_a_filing_that_would_be_refused(city_kit, client):
    plan = draft(city_kit)  # no roster, no attachment
    client.force_login(city_kit.office)
    with clock.frozen(FILING_DAY):
        response = client.post(reverse("review_plan_act", args=[plan.pk]), {"action": "file"}, follow=True)
    assert 'id="confirm"' not in text(response) and "请附上送审表等附件（七（三））。" in messages_of(response)


# ---- 3. overdue and empty plans are not filed -----------------------------------------------------------

@pytest.mark.django_db
def test_a_plan_with_an_empty_roster_ending_after_the_deadline_is_refused(city_kit, client):
    kit = city_kit
    with clock.frozen(DEMO_DAY):
        plan = plans.create_plan(kit.committee, 2022, kit.office, place="呼和浩特市", review_starts_on=D(2022, 10, 10),
                                 review_ends_on=D(2022, 10, 20), declarations_summary="受理申报见花名册", composition="随机抽选",
                                 procedure="评议组评议，会议表决", measures="封闭评审")
        plans.add_attachment(plan, kit.office, store_file("送审表.pdf", b"%PDF-1.4\n%%EOF\n"))
        with pytest.raises(plans.PlanError) as refused:
            plans.file_plan(plan, kit.office)
    said = " ".join(refused.value.messages)
    assert "评审结束日期2022年10月20日晚于2022年评审及公示截止日2022年09月30日（三（二））" in said
    assert "申报人员花名册为空" in said
    client.force_login(kit.office)
    with clock.frozen(DEMO_DAY):
        html = page_of(client.get(reverse("review_plan_detail", args=[plan.pk])))
    assert "申报人员花名册为空" in html and "晚于2022年评审及公示截止日" in html
    assert "报备自治区人社厅（须在开评" not in html, "no filing button while the plan cannot be filed"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


@pytest.mark.django_db
def test_a_late_plan_is_filed_only_after_the_written_explanation_and_the_question_says_so(city_kit, client, make_applicant):
    kit = city_kit
    accepted(make_applicant)
    plan = draft(kit, review_starts_on=D(2021, 10, 11), review_ends_on=D(2021, 10, 15))
    attach(kit)
    with clock.frozen(DEMO_DAY):
        # The rule is the plan-progress page's: what it calls overdue is what filing refuses.
        assert any("评审结束日期" in reason for reason in committee_progress(kit.committee, 2021).late_reasons)
        with pytest.raises(plans.PlanError, match="须先在“计划进度”中报送书面说明"):
            plans.file_plan(plan, kit.office)
        PlanExplanation.objects.create(committee=kit.committee, year=2021, text="评委库专家不足，商请补充后改期。",
                                       filed_by=kit.office, filed_at=clock.now())
        client.force_login(kit.office)
        act = reverse("review_plan_act", args=[plan.pk])
        body = confirmation(client.post(act, {"action": "file"}))
        assert "晚于2021年评审及公示截止日2021年09月30日" in body and "报送书面说明（待审阅）" in body
        client.post(act, {"action": "file", **CONFIRM})
        plan.refresh_from_db()
        assert plan.status == PlanStatus.FILED
        client.force_login(kit.regional)
        body = confirmation(client.post(act, {"action": "approve"}))
        assert "晚于2021年评审及公示截止日2021年09月30日" in body, "the department is told too"


@pytest.mark.django_db
def test_a_plan_ending_on_the_deadline_is_not_late(city_kit):
    plan = city_kit.plan
    plan.review_ends_on = D(2021, 9, 30)
    assert plans.late_warning(plan) == ""
    plan.review_ends_on = D(2021, 10, 1)
    assert plans.late_warning(plan)


# ---- 4. no plan for a past year, no review dates gone by ------------------------------------------------

@pytest.mark.django_db
def test_a_plan_for_a_past_year_or_past_dates_is_refused(city_kit, client):
    kit = city_kit
    client.force_login(kit.office)
    data = {"committee": kit.committee.pk, "year": 2020, "place": "呼和浩特市", "review_starts_on": "2020-03-01",
            "review_ends_on": "2020-03-05", "declarations_summary": "", "composition": "", "procedure": "", "measures": "",
            "recusal_years": 3}
    with clock.frozen(DEMO_DAY):
        html = page_of(client.post(reverse("review_plans"), data))
        assert "评审实施方案的年度（2020年）不能早于今年（2021年）。" in html
        assert "评审开始日期2020年03月01日已过" in html
        assert not ReviewPlan.objects.filter(committee=kit.committee, year=2020).exists()
        # This year, but a review that has already happened.
        ReviewPlan.objects.filter(pk=kit.plan.pk).delete()
        html = page_of(client.post(reverse("review_plans"), data | {"year": 2021, "review_starts_on": "2021-03-01",
                                                                    "review_ends_on": "2021-03-05"}))
        assert "评审开始日期2021年03月01日已过" in html and "评审结束日期2021年03月05日已过" in html
        assert not ReviewPlan.objects.filter(committee=kit.committee, year=2021).exists()
        # The services refuse the same, whoever calls them.
        with pytest.raises(plans.PlanError, match="不能早于今年"):
            plans.create_plan(kit.committee, 2020, kit.office, review_starts_on=D(2020, 12, 1), review_ends_on=D(2020, 12, 5))
        with pytest.raises(plans.PlanError, match="已过"):
            plans.create_plan(kit.committee, 2021, kit.office, review_starts_on=D(2021, 3, 1), review_ends_on=D(2021, 3, 5))
        plan = plans.create_plan(kit.committee, 2021, kit.office, review_starts_on=D(2021, 9, 27), review_ends_on=D(2021, 9, 29))
        form = NewPlanForm(data, committees=pool.committees_for(kit.office))
        assert not form.is_valid() and form.errors["year"] == ["评审实施方案的年度（2020年）不能早于今年（2021年）。"]
    # A date the plan already had does not stop its text being edited; a new date in the past does.
    with clock.frozen(D(2021, 9, 28)):
        plans.save_plan(plan, kit.office, place="包头市", review_starts_on=D(2021, 9, 27))
        with pytest.raises(plans.PlanError, match="评审开始日期2021年09月26日已过"):
            plans.save_plan(plan, kit.office, review_starts_on=D(2021, 9, 26))


# ---- 5. a draw objection is handled through its form ---------------------------------------------------

def published_with_objection(kit):
    kit.experts(7)
    draw = kit.start(size=5)
    kit.publish(draw)
    with clock.frozen(PUBLISH_DAY):
        objection = drawing.object_to(draw, name="赵六", phone="13900000001", content="专家某某已调离本单位，不应在库中。")
    return draw, objection


@pytest.mark.django_db
def test_the_objection_form_posts_its_own_objection(city_kit, client):
    kit = city_kit
    draw, objection = published_with_objection(kit)
    client.force_login(kit.office)
    with clock.frozen(DRAW_DAY):
        html = page_of(client.get(reverse("draw_detail", args=[draw.pk])))
        [fields] = form_posting(html, "objection")
        assert [value for name, value in fields if name == "objection"] == [str(objection.pk)], "one hidden input, filled"
        response = client.post(reverse("draw_act", args=[draw.pk]), as_post(fields, upheld="0", finding="经核实该专家仍在原单位工作。"),
                               follow=True)
    assert "异议已处理。" in messages_of(response)
    objection.refresh_from_db()
    assert objection.handled_at and objection.upheld is False and objection.finding == "经核实该专家仍在原单位工作。"


@pytest.mark.django_db
def test_each_objection_has_its_own_form(city_kit, client):
    kit = city_kit
    draw, first = published_with_objection(kit)
    with clock.frozen(PUBLISH_DAY):
        second = drawing.object_to(draw, name="钱七", phone="13900000002", content="专家某某与申报人是近亲属关系。")
    client.force_login(kit.office)
    with clock.frozen(DRAW_DAY):
        html = page_of(client.get(reverse("draw_detail", args=[draw.pk])))
        forms_ = form_posting(html, "objection")
        assert [dict(f)["objection"] for f in forms_] == [str(first.pk), str(second.pk)]
        assert len(set(re.findall(r'id="(id_[^"]*finding)"', html))) == 2, "ids of their own"
        client.post(reverse("draw_act", args=[draw.pk]), as_post(forms_[1], upheld="0", finding="经核实不存在亲属关系。"))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.handled_at is None and second.finding == "经核实不存在亲属关系。"


# ---- 6. the objection period is bounded -----------------------------------------------------------------

@pytest.mark.django_db
def test_an_objection_period_out_of_range_is_refused_without_a_question_or_an_error(city_kit, client):
    kit = city_kit
    kit.experts(7)
    draw = kit.start(size=5)
    act = reverse("draw_act", args=[draw.pk])
    client.force_login(kit.office)
    with clock.frozen(PUBLISH_DAY):
        for days in ("99999999999", "31", "2"):
            html = page_of(client.post(act, {"action": "publish", "objection_days": days}))
            assert 'id="confirm"' not in html
            assert "异议期（工作日）：异议期不" in html and value_of(html, "objection_days") == days
        assert not PublishForm({"objection_days": 31}).is_valid() and PublishForm({"objection_days": 30}).is_valid()
        with pytest.raises(DrawError, match="异议期不超过30个工作日"):
            drawing.publish(draw, kit.office, 99999999999)
        body = confirmation(client.post(act, {"action": "publish", "objection_days": "30"}))
        assert "异议期30个工作日，自今天起。" in body and "异议截止2021年09月" in body
    draw.refresh_from_db()
    assert draw.status == DrawStatus.COMMITTING


@pytest.mark.django_db
def test_a_year_without_a_calendar_is_refused_in_words(city_kit, client):
    kit = city_kit
    kit.experts(7)
    draw = kit.start(size=5)
    client.force_login(kit.office)
    with clock.frozen(D(2099, 6, 1)):
        with pytest.raises(DrawError, match="2099年的法定节假日安排尚未配置"):
            drawing.publish(draw, kit.office, 5)
        html = page_of(client.post(reverse("draw_act", args=[draw.pk]), {"action": "publish", "objection_days": "5"}))
    assert 'id="confirm"' not in html and "2099年的法定节假日安排尚未配置" in html
    draw.refresh_from_db()
    assert draw.status == DrawStatus.COMMITTING


# ---- 7. draw objections are checked as a results publicity's are ------------------------------------------

@pytest.mark.django_db
def test_a_draw_objection_needs_a_phone_and_a_real_content(city_kit, client):
    kit = city_kit
    kit.experts(7)
    draw = kit.start(size=5)
    kit.publish(draw)
    url = reverse("public_draw_detail", args=[draw.pk])
    with clock.frozen(PUBLISH_DAY):
        html = page_of(client.post(url, {"name": "赵六", "phone": "abc", "content": "x"}))
        assert "请填写有效的联系电话，以便核实。" in html and "请具体说明异议事项（不少于10个字）。" in html
        assert "异议已收到" not in html and value_of(html, "name") == "赵六"
        assert not DrawObjection.objects.filter(draw=draw).exists()
        with pytest.raises(ValidationError):
            drawing.object_to(draw, name="赵六", phone="abc", content="x")
        response = client.post(url, {"name": "赵六", "phone": "13900000001", "content": "专家某某已调离本单位，不应在库中。"}, follow=True)
        assert "异议已收到，办事机构将核实处理。" in messages_of(response)
    assert DrawObjection.objects.get(draw=draw).phone == "13900000001"
    with clock.frozen(PUBLISH_DAY):
        client.force_login(kit.office)
        assert "13900000001" in page_of(client.get(reverse("draw_detail", args=[draw.pk]))), "the office calls back"
        client.force_login(kit.supervisor)
        assert "13900000001" not in page_of(client.get(reverse("draw_detail", args=[draw.pk])))
        client.logout()
        assert "13900000001" not in page_of(client.get(url))


# ---- 8. steps offered only when they can be taken ----------------------------------------------------------

@pytest.mark.django_db
def test_the_draw_is_offered_only_once_nothing_is_waiting(city_kit, client):
    kit = city_kit
    kit.experts(7)
    draw = kit.start(size=5)
    kit.publish(draw)
    url, act = reverse("draw_detail", args=[draw.pk]), reverse("draw_act", args=[draw.pk])
    client.force_login(kit.office)
    with clock.frozen(PUBLISH_DAY):
        html = page_of(client.get(url))
        assert 'value="perform"' not in html and "专家库公示异议期至2021年07月28日。" in html
        response = client.post(act, {"action": "perform"}, follow=True)
        assert 'id="confirm"' not in text(response), "no question for a draw that would be refused"
    with clock.frozen(DRAW_DAY):
        html = page_of(client.get(url))
        assert 'value="perform"' not in html and "尚未收到评委会办事机构的揭示值。" in html and "尚未收到纪检监察机构的揭示值。" in html
        assert 'value="reveal"' in html
        drawing.reveal(draw, kit.office, OFFICE_SECRET)
        drawing.reveal(draw, kit.supervisor, SUPERVISOR_SECRET)
        html = page_of(client.get(url))
        assert 'value="perform"' in html and "尚未收到" not in html
        confirmation(client.post(act, {"action": "perform"}))


@pytest.mark.django_db
def test_publishing_is_offered_once_both_have_committed(city_kit, client):
    kit = city_kit
    kit.experts(7)
    with clock.frozen(PUBLISH_DAY):
        draw = drawing.start_draw(kit.plan, kit.office, kit.spec(size=5))
        drawing.commit(draw, kit.office, commitment(OFFICE_SECRET))
        client.force_login(kit.office)
        html = page_of(client.get(reverse("draw_detail", args=[draw.pk])))
        assert 'value="publish"' not in html and "公示前须收到纪检监察机构的承诺值。" in html
        drawing.commit(draw, kit.supervisor, commitment(SUPERVISOR_SECRET))
        assert 'value="publish"' in page_of(client.get(reverse("draw_detail", args=[draw.pk])))


@pytest.mark.django_db
def test_draw_parameters_are_offered_only_on_a_filed_plan(city_kit, client):
    kit = city_kit
    kit.experts(7)
    plan = draft(kit)
    client.force_login(kit.office)
    with clock.frozen(FILING_DAY):
        html = page_of(client.get(reverse("review_plan_detail", args=[plan.pk])))
        assert 'value="draw"' not in html and "评审实施方案报备后方可抽选评委。" in html
        ReviewPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.FILED)
        html = page_of(client.get(reverse("review_plan_detail", args=[plan.pk])))
        assert 'value="draw"' in html and "评审实施方案报备后方可抽选评委。" not in html


# ---- 9. the draw's date and the attachments on the plan's page -----------------------------------------------

@pytest.mark.django_db
def test_the_plan_page_dates_the_draw_by_when_it_was_drawn(city_kit, client):
    kit = city_kit
    kit.experts(7)
    kit.seated(size=5)  # parameters and publication on 26 July, drawn on 30 July
    client.force_login(kit.office)
    with clock.frozen(DRAW_DAY):
        html = page_of(client.get(reverse("review_plan_detail", args=[kit.plan.pk])))
    assert f"{DRAW_DAY:%Y-%m-%d} 抽选 · 已抽选" in html
    assert f"{PUBLISH_DAY:%Y-%m-%d} 抽选" not in html and f"{PUBLISH_DAY:%Y-%m-%d} 已抽选" not in html


@pytest.mark.django_db
def test_a_filed_plan_without_attachments_says_so(city_kit, client):
    kit = city_kit
    kit.plan.attachments.clear()  # as an approved plan of before 七（三）'s attachments were asked for
    assert kit.plan.status == PlanStatus.APPROVED
    client.force_login(kit.regional)
    with clock.frozen(FILING_DAY):
        html = page_of(client.get(reverse("review_plan_detail", args=[kit.plan.pk])))
    assert "报备时未附送审表等附件（七（三））。" in html
    attach_to = ReviewPlan.objects.get(pk=kit.plan.pk)
    attach_to.attachments.add(store_file("送审表.pdf", b"%PDF-1.4\n%%EOF\n"))
    with clock.frozen(FILING_DAY):
        html = page_of(client.get(reverse("review_plan_detail", args=[kit.plan.pk])))
    assert "报备时未附送审表等附件" not in html and "送审表.pdf" in html


# ---- 10. a refused draw form keeps what was typed ------------------------------------------------------------

@pytest.mark.django_db
def test_refused_draw_forms_come_back_as_typed(city_kit, client):
    kit = city_kit
    kit.experts(7)
    with clock.frozen(PUBLISH_DAY):
        draw = drawing.start_draw(kit.plan, kit.office, kit.spec(size=5, reserves_per_type=2), public_source="体彩排列五第2021200期")
    act = reverse("draw_act", args=[draw.pk])
    client.force_login(kit.office)
    with clock.frozen(PUBLISH_DAY):
        # A commitment that is no SHA-256: the form's own check, then the service's.
        html = page_of(client.post(act, {"action": "commit", "value": "x" * 64}))
        assert "承诺值应为秘密值的SHA-256摘要" in html and value_of(html, "value") == "x" * 64
        html = page_of(client.post(act, {"action": "commit", "value": "abc"}))
        assert value_of(html, "value") == "abc"
        client.post(act, {"action": "commit", "value": commitment(OFFICE_SECRET)})
        drawing.commit(draw, kit.supervisor, commitment(SUPERVISOR_SECRET))
        drawing.publish(draw, kit.office, 3)
        draw.refresh_from_db()
        # A cancellation reason too long for the record.
        html = page_of(client.post(act, {"action": "cancel", "reason": "原" * 201}))
        assert value_of(html, "reason") == "原" * 201 and "作废原因：" in html
    with clock.frozen(DRAW_DAY):
        # The wrong secret: refused by the service against the commitment.
        html = page_of(client.post(act, {"action": "reveal", "secret": SUPERVISOR_SECRET}))
        assert "揭示值与其事先公布的承诺值不符" in html and value_of(html, "secret") == SUPERVISOR_SECRET
        html = page_of(client.post(act, {"action": "public_result", "values": "3，5，x"}))
        assert value_of(html, "values") == "3，5，x"
    draw.refresh_from_db()
    assert draw.status == DrawStatus.PUBLISHED and not draw.office_reveal and draw.public_values is None


@pytest.mark.django_db
def test_a_refused_objection_finding_comes_back_as_chosen(city_kit, client):
    kit = city_kit
    draw, objection = published_with_objection(kit)
    client.force_login(kit.office)
    with clock.frozen(DRAW_DAY):
        [fields] = form_posting(page_of(client.get(reverse("draw_detail", args=[draw.pk]))), "objection")
        html = page_of(client.post(reverse("draw_act", args=[draw.pk]), as_post(fields, upheld="1", finding="")))
    [again] = form_posting(html, "objection")
    assert dict(again)["upheld"] == "1" and dict(again)["objection"] == str(objection.pk)
    assert "核实情况：" in html
    objection.refresh_from_db()
    assert objection.handled_at is None


@pytest.mark.django_db
def test_a_refused_decline_keeps_the_page(city_kit, client):
    kit = city_kit
    kit.experts(6)
    draw = kit.seated(size=5)
    member = draw.members.filter(active=True).first()
    client.force_login(kit.office)
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(reverse("draw_act", args=[draw.pk]), {"action": "decline", "member": member.pk, "reason": "   "}))
    assert "请填写辞退原因。" in html
    assert re.search(rf'name="member" value="{member.pk}"><input type="hidden" name="action" value="decline">'
                     rf'<input type="text" name="reason"[^>]*value="   "', html)
    member.refresh_from_db()
    assert member.active


@pytest.mark.django_db
def test_no_decline_nor_cancellation_is_offered_once_the_vote_has_opened(city_kit, client, make_applicant):
    kit = city_kit
    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], apps))
    m = kit.meeting(members)
    with clock.frozen(REVIEW_DAY):
        meeting_service.open_ballot(m, kit.office)
    draw = drawing.current_draw(kit.plan)
    member = draw.members.get(expert=members[1], active=True)
    act = reverse("draw_act", args=[draw.pk])
    client.force_login(kit.office)
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.get(reverse("draw_detail", args=[draw.pk])))
        assert 'value="decline"' not in html and 'value="cancel"' not in html
        assert "评审会议已开始表决，不能再更换评委。" in html and "评审会议已开始表决，不能作废抽选。" in html
        response = client.post(act, {"action": "cancel", "reason": "抽选参数有误"}, follow=True)
        assert 'id="confirm"' not in text(response) and "评审会议已开始表决，不能作废抽选。" in messages_of(response)
        response = client.post(act, {"action": "decline", "member": member.pk, "reason": "突发疾病住院"}, follow=True)
        assert 'id="confirm"' not in text(response) and "评审会议已开始表决，不能再更换评委。" in messages_of(response)
    member.refresh_from_db()
    assert member.active and ExpertDraw.objects.get(pk=draw.pk).status == DrawStatus.DRAWN
