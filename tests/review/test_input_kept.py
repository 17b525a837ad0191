"""Nothing lost on bad input on the plan's and the meeting's pages: a form refused (invalid, or the service says no)
comes back on the page with what was typed in its boxes and why, not as a fresh form after a redirect; a form accepted
still goes back to the page (POST/redirect/GET)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.review import forms
from zhicheng.review.models import Assignment, ExpertDraw, Meeting, Panel, PlanStatus, ReviewPlan

from ..cycle_helpers import advance
from .kit import PUBLISH_DAY, REVIEW_DAY, D

TODAY = D(2021, 6, 1)


def page_of(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()


def shown(form, name: str) -> str:
    """The message the page says for a field of a refused form, as _form_errors words it."""
    return f"{form.fields[name].label}：{form.errors[name][0]}"


def value_of(html: str, name: str) -> str | None:
    """The value of the text/number/date input ``name`` as the page fills it."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    value = found and re.search(r'\bvalue="([^"]*)"', found.group(0))
    return value.group(1) if value else None


def ticked(html: str, name: str, value) -> bool:
    """Whether the checkbox ``name`` of ``value`` is ticked on the page."""
    found = re.search(rf'<input[^>]*\bname="{name}" value="{value}"[^>]*>', html)
    assert found, f"no checkbox {name}={value}"
    return re.search(r"\bchecked\b", found.group(0)) is not None


def seated(kit, count: int = 6):
    kit.experts(count, login=True)
    kit.seated(size=5)
    return kit.members()


# ---- the plan's page ------------------------------------------------------------------------------

def plan_data(**extra) -> dict:
    return {"action": "save", "place": "包头市青山区评审基地", "review_starts_on": "2021-08-09", "review_ends_on": "2021-08-13",
            "declarations_summary": "受理申报十二人", "composition": "", "procedure": "", "measures": "", "recusal_years": 3} | extra


@pytest.mark.django_db
def test_a_refused_plan_comes_back_with_what_was_typed(kit, client):
    ReviewPlan.objects.filter(pk=kit.plan.pk).update(status=PlanStatus.DRAFT)
    client.force_login(kit.office)
    act = reverse("review_plan_act", args=[kit.plan.pk])
    # The form refuses: years out of range and a date that is none.
    data = plan_data(recusal_years=11, review_ends_on="2021-13-40")
    form = forms.PlanForm(data, instance=kit.plan)
    assert not form.is_valid()
    with clock.frozen(TODAY):
        html = page_of(client.post(act, data))
    assert shown(form, "recusal_years") in html and shown(form, "review_ends_on") in html
    assert value_of(html, "place") == "包头市青山区评审基地" and value_of(html, "recusal_years") == "11"
    assert value_of(html, "review_ends_on") == "2021-13-40" and "受理申报十二人" in html
    # The service refuses a valid form: the end before the start.
    with clock.frozen(TODAY):
        html = page_of(client.post(act, plan_data(review_starts_on="2021-08-12", review_ends_on="2021-08-10")))
    assert "评审结束日期不能早于开始日期。" in html
    assert value_of(html, "review_starts_on") == "2021-08-12" and value_of(html, "review_ends_on") == "2021-08-10"
    assert value_of(html, "place") == "包头市青山区评审基地"
    plan = ReviewPlan.objects.get(pk=kit.plan.pk)
    assert plan.place == "呼和浩特市" and plan.recusal_years == 3, "nothing saved"
    # Accepted: saved, and back to the page.
    with clock.frozen(TODAY):
        response = client.post(act, plan_data(recusal_years=5))
    assert response.status_code == 302 and response["Location"] == reverse("review_plan_detail", args=[kit.plan.pk])
    plan.refresh_from_db()
    assert plan.place == "包头市青山区评审基地" and plan.recusal_years == 5


@pytest.mark.django_db
def test_a_refused_return_keeps_the_page_and_its_reason(kit, client):
    client.force_login(kit.regional)
    act = reverse("review_plan_act", args=[kit.plan.pk])
    html = page_of(client.post(act, {"action": "return", "note": "   "}))
    assert "请填写退回意见。" in html and 'name="note"' in html
    assert ReviewPlan.objects.get(pk=kit.plan.pk).status == PlanStatus.APPROVED
    response = client.post(act, {"action": "return", "note": "请补充评委会组建情况。", "confirm": "yes"})
    assert response.status_code == 302
    plan = ReviewPlan.objects.get(pk=kit.plan.pk)
    assert plan.status == PlanStatus.REJECTED and plan.return_note == "请补充评委会组建情况。"


@pytest.mark.django_db
def test_refused_draw_parameters_come_back_as_typed(city_kit, client):
    kit = city_kit
    kit.experts(8)
    client.force_login(kit.office)
    act = reverse("review_plan_act", args=[kit.plan.pk])
    data = {"action": "draw", "size": 5, "max_served_last_year": -1, "reserves_per_type": 2, "employer_cap": 2,
            "public_source": "体彩排列五第2021100期"}
    form = forms.SpecForm(data, plan=kit.plan)
    assert not form.is_valid()
    with clock.frozen(PUBLISH_DAY):
        html = page_of(client.post(act, data))
    assert shown(form, "max_served_last_year") in html
    assert value_of(html, "max_served_last_year") == "-1" and value_of(html, "employer_cap") == "2"
    assert value_of(html, "public_source") == "体彩排列五第2021100期"
    assert not ExpertDraw.objects.filter(plan=kit.plan).exists()
    with clock.frozen(PUBLISH_DAY):
        response = client.post(act, data | {"max_served_last_year": 3})
    draw = ExpertDraw.objects.get(plan=kit.plan)
    assert response.status_code == 302 and response["Location"] == reverse("draw_detail", args=[draw.pk])
    assert draw.spec["employer_cap"] == 2


@pytest.mark.django_db
def test_a_refused_panel_and_assignment_keep_the_name_and_the_ticks(city_kit, client, make_applicant):
    kit = city_kit
    app = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    members = seated(kit)
    client.force_login(kit.office)
    act = reverse("review_plan_act", args=[kit.plan.pk])
    # Two members: the service asks for three.
    two = {"action": "panel", "name": "市政工程评议组", "members": [members[0].pk, members[1].pk]}
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(act, two))
    assert f"评议组至少{Panel.MIN_MEMBERS}名评委。" in html
    assert value_of(html, "name") == "市政工程评议组"
    assert ticked(html, "members", members[0].pk) and ticked(html, "members", members[1].pk)
    assert not ticked(html, "members", members[2].pk)
    assert not Panel.objects.filter(plan=kit.plan).exists()
    # No member at all: the form says so.
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(act, {"action": "panel", "name": "市政工程评议组"}))
    assert "成员（至少3人）：" in html and value_of(html, "name") == "市政工程评议组"
    with clock.frozen(REVIEW_DAY):
        response = client.post(act, two | {"members": [m.pk for m in members[:3]]})
    assert response.status_code == 302
    panel = Panel.objects.get(plan=kit.plan, name="市政工程评议组")
    # The assignment without its panel: the declaration ticked stays ticked.
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(act, {"action": "assign", "panel": "", "applications": [app.pk]}))
    assert "评议组：" in html and ticked(html, "applications", app.pk)
    assert not Assignment.objects.filter(plan=kit.plan, application=app).exists()
    with clock.frozen(REVIEW_DAY):
        response = client.post(act, {"action": "assign", "panel": panel.pk, "applications": [app.pk]})
    assert response.status_code == 302
    assert Assignment.objects.filter(plan=kit.plan, application=app, panel=panel).exists()


@pytest.mark.django_db
def test_a_refused_meeting_keeps_its_date_and_place(city_kit, client):
    kit = city_kit
    seated(kit)
    client.force_login(kit.office)
    act = reverse("review_plan_act", args=[kit.plan.pk])
    # Outside the plan's review period: the service refuses.
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(act, {"action": "meeting", "held_on": "2021-09-30", "place": "鄂尔多斯市东胜区会议中心"}))
    assert "会议日期须在评审实施方案确定的评审期内" in html
    assert value_of(html, "held_on") == "2021-09-30" and value_of(html, "place") == "鄂尔多斯市东胜区会议中心"
    # A date that is none: the form refuses.
    data = {"action": "meeting", "held_on": "2021-02-30", "place": "鄂尔多斯市东胜区会议中心"}
    form = forms.MeetingForm(data)
    assert not form.is_valid()
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(act, data))
    assert shown(form, "held_on") in html
    assert value_of(html, "held_on") == "2021-02-30" and value_of(html, "place") == "鄂尔多斯市东胜区会议中心"
    assert not Meeting.objects.filter(plan=kit.plan).exists()
    with clock.frozen(REVIEW_DAY):
        response = client.post(act, data | {"held_on": f"{REVIEW_DAY:%Y-%m-%d}"})
    meeting = Meeting.objects.get(plan=kit.plan)
    assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.place == "鄂尔多斯市东胜区会议中心"


@pytest.mark.django_db
def test_a_form_the_page_does_not_offer_goes_back_to_the_page(kit, client):
    """The regional department is not offered the panel form: its post is refused with the reason, as before."""
    client.force_login(kit.regional)
    response = client.post(reverse("review_plan_act", args=[kit.plan.pk]), {"action": "panel", "name": "某组"})
    assert response.status_code == 302 and response["Location"] == reverse("review_plan_detail", args=[kit.plan.pk])


# ---- the meeting's page ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_refused_attendance_and_groups_come_back_as_typed(city_kit, client):
    kit = city_kit
    members = seated(kit)
    meeting = kit.meeting(members[:4])
    outsider = kit.expert()  # in the pool, not on this year's committee
    client.force_login(kit.office)
    act = reverse("meeting_act", args=[meeting.pk])
    # Attendance naming someone not sitting: the members ticked stay ticked.
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(act, {"action": "attendance", "present": [members[0].pk, members[4].pk, outsider.pk]}))
    assert "出席评委：" in html
    assert ticked(html, "present", members[0].pk) and ticked(html, "present", members[4].pk)
    assert not ticked(html, "present", members[1].pk), "the box as typed, not as recorded"
    assert meeting.attendance.filter(present=True).count() == 4
    # A pass rate out of range.
    data = {"action": "groups", "general": 150, "grassroots": 35, "private_sector": ""}
    form = forms.GroupsForm(data)
    assert not form.is_valid()
    with clock.frozen(REVIEW_DAY):
        html = page_of(client.post(act, data))
    assert shown(form, "general") in html
    assert value_of(html, "general") == "150" and value_of(html, "grassroots") == "35"
    assert dict(meeting.groups.values_list("kind", "pass_rate")) == {"general": 100}
    # Accepted: saved, and back to the page.
    with clock.frozen(REVIEW_DAY):
        response = client.post(act, data | {"general": 90})
        assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
        response = client.post(act, {"action": "attendance", "present": [m.pk for m in members]})
        assert response.status_code == 302
    assert dict(meeting.groups.values_list("kind", "pass_rate")) == {"general": 90, "grassroots": 35}
    assert meeting.attendance.filter(present=True).count() == 5


@pytest.mark.django_db
def test_switching_language_on_a_page_shown_again_goes_back_to_the_form_not_its_post_address(kit, client):
    """The page of a refused form is the answer to a POST: the language switch named that address, which GET cannot open."""
    ReviewPlan.objects.filter(pk=kit.plan.pk).update(status=PlanStatus.DRAFT)
    client.force_login(kit.office)
    act = reverse("review_plan_act", args=[kit.plan.pk])
    detail = "http://testserver" + reverse("review_plan_detail", args=[kit.plan.pk])
    with clock.frozen(TODAY):
        html = page_of(client.post(act, plan_data(recusal_years=11), HTTP_REFERER=detail))
    switch = re.search(r'<form class="lang".*?name="next" value="([^"]*)"', html, re.S).group(1)
    assert switch == detail and act not in switch
    response = client.post(reverse("set_language"), {"language": "en", "next": switch})
    assert response.status_code == 302 and response["Location"] == detail
