"""The committee's rules the declaration workflow checks (registered from ReviewConfig.ready)."""

from __future__ import annotations

from zhicheng.core import clock
from zhicheng.declarations.registry import guard

from .models import Meeting, MeetingResult, MeetingStatus, PlanStatus, ReviewPlan


def _plans(apps, ctx):
    committees, years = {app.committee_id for app in apps}, {app.plan.year for app in apps}
    ctx.cache["review_plan_approved"] = {
        (plan.committee_id, plan.year): plan for plan in ReviewPlan.objects.filter(committee_id__in=committees, year__in=years)
    }


@guard("review_plan_approved", "评审实施方案已备案同意、开评前一周报备，且在方案确定的评审期内", prepare=_plans)
def review_plan_approved(app, ctx):
    plan = ctx.cache["review_plan_approved"].get((app.committee_id, app.plan.year))
    if plan is None or plan.status != PlanStatus.APPROVED or plan.filed_on is None:
        return "评审实施方案尚未经自治区人社厅备案同意（七（三））。"
    if (plan.review_starts_on - plan.filed_on).days < 7:
        return "评审实施方案须在开评一周前报备（七（三））。"
    if clock.today() < plan.review_starts_on:
        return f"评审实施方案确定的评审日期为{plan.review_starts_on:%Y年%m月%d日}。"
    if clock.today() > plan.review_ends_on:
        return f"评审实施方案确定的评审已于{plan.review_ends_on:%Y年%m月%d日}结束，须调整方案重新报备（七（三））。"
    return None


def _meetings_and_results(apps, ctx):
    committees, years = {app.committee_id for app in apps}, {app.plan.year for app in apps}
    meetings = {(m.plan.committee_id, m.plan.year): m
                for m in Meeting.objects.filter(plan__committee_id__in=committees, plan__year__in=years).select_related("plan")}
    results = {r.application_id: r for r in MeetingResult.objects.filter(
        meeting__in=list(meetings.values()), application_id__in=[app.pk for app in apps])}
    ctx.cache["ballot"] = (meetings, results)


def ballot_refusal(app, ctx, *, passed: bool) -> str | None:
    """Where the committee met in the system, only the signed ballot decides (七（四））."""
    meetings, results = ctx.cache["ballot"]
    meeting = meetings.get((app.committee_id, app.plan.year))
    if meeting is None:
        return None
    if meeting.status != MeetingStatus.SIGNED:
        return "评审会议已安排，评审结果以无记名投票表决结果为准，须待主任委员签署会议纪要后由系统登记（七（四））。"
    result = results.get(app.pk)
    if result is None or result.meeting_id != meeting.pk:
        return "该申报未经评审会议表决，不能登记评审结果。"
    if result.passed != passed:
        return f"评审会议表决结果为“{'通过' if result.passed else '未通过'}”，不能登记为“{'通过' if passed else '未通过'}”。"
    return None


@guard("ballot_passed", "在系统中召开评审会议的：表决通过且会议纪要已签署", prepare=_meetings_and_results)
def ballot_passed(app, ctx):
    return ballot_refusal(app, ctx, passed=True)


@guard("ballot_failed", "在系统中召开评审会议的：表决未通过且会议纪要已签署", prepare=_meetings_and_results)
def ballot_failed(app, ctx):
    return ballot_refusal(app, ctx, passed=False)
