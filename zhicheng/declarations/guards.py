"""Path conditions and guards named in the transition table.

A path condition picks which row applies (e.g. the private-sector channel goes to a
recommending body). A guard returns None when it holds, or a sentence in Chinese saying
why the step is refused. Each is described for the rendered table in DESCRIPTIONS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from zhicheng.catalogue.models import SENIOR_LEVELS
from zhicheng.core import clock

from .states import Channel, State


@dataclass
class Context:
    actor: object
    payload: dict = field(default_factory=dict)
    note: str = ""


def _in_county(app) -> bool:
    """A county or township unit goes through the county bureau first; a city unit sitting in a
    city district (区) is a city unit all the same."""
    return app.unit.level in ("county", "township")


# ---- path conditions -------------------------------------------------------------------

def via_competent_department(app) -> bool:
    return app.channel in (Channel.LOCAL, Channel.REGION) and app.unit.competent_department_id is not None


def local_county_without_department(app) -> bool:
    return app.channel == Channel.LOCAL and app.unit.competent_department_id is None and _in_county(app)


def local_city_without_department(app) -> bool:
    return app.channel == Channel.LOCAL and app.unit.competent_department_id is None and not _in_county(app)


def private_channel(app) -> bool:
    return app.channel == Channel.PRIVATE


def checked_by_department(app) -> bool:
    return app.channel != Channel.PRIVATE


def entrusted_channel(app) -> bool:
    return app.channel == Channel.ENTRUSTED


def region_channel(app) -> bool:
    return app.channel == Channel.REGION


def unit_in_county(app) -> bool:
    return _in_county(app)


def unit_in_city(app) -> bool:
    return not _in_county(app)


def local_unit_in_county(app) -> bool:
    return app.channel == Channel.LOCAL and _in_county(app)


def local_unit_in_city(app) -> bool:
    return app.channel == Channel.LOCAL and not _in_county(app)


def via_talent_centre(app) -> bool:
    return app.via_talent_centre


def direct_to_committee(app) -> bool:
    return not app.via_talent_centre


PATHS = {
    "via_competent_department": (via_competent_department, "经主管部门（单位有主管部门）"),
    "local_county_without_department": (local_county_without_department, "盟市及以下、无主管部门、单位在旗县"),
    "local_city_without_department": (local_city_without_department, "盟市及以下、无主管部门、单位在盟市"),
    "private_channel": (private_channel, "非公有制领域"),
    "checked_by_department": (checked_by_department, "非公有制领域以外（由主管部门审核）"),
    "entrusted_channel": (entrusted_channel, "中央或外省区驻区单位"),
    "region_channel": (region_channel, "自治区本级"),
    "unit_in_county": (unit_in_county, "单位在旗县及以下"),
    "unit_in_city": (unit_in_city, "单位在盟市本级"),
    "local_unit_in_county": (local_unit_in_county, "盟市及以下、单位在旗县"),
    "local_unit_in_city": (local_unit_in_city, "盟市及以下、单位在盟市本级"),
    "via_talent_centre": (via_talent_centre, "高级职称且评委会设在自治区"),
    "direct_to_committee": (direct_to_committee, "其他情形"),
}


# ---- guards ----------------------------------------------------------------------------

def declaration_window_open(app, ctx):
    plan, now = app.plan, clock.now()
    if now.date() < plan.declaration_opens:
        return f"{plan.year}年度申报尚未开始（{plan.declaration_opens:%Y年%m月%d日}开始）。"
    if now > clock.end_of_day(plan.declaration_deadline):
        return f"{plan.year}年度申报已于{plan.declaration_deadline:%Y年%m月%d日}截止（三（二））。"
    return None


def screened_eligible(app, ctx):
    if not app.decision:
        return "尚未进行申报资格审查。"
    if not app.decision.get("eligible"):
        blocks = "；".join(b["text"] for b in app.decision.get("blocks", [])) or "没有符合条件的申报途径"
        return f"不符合申报条件：{blocks}"
    return None


def committee_approved(app, ctx):
    if app.committee is None:
        return "没有可受理该系列、层级的评委会，请联系人社部门（四（六））。"
    if not app.committee.accepts_declarations_on(clock.today()):
        return f"{app.committee.name}未经核准备案或备案已过期，不得开展评审（七（一））。"
    return None


def pledge_signed(app, ctx):
    return None if app.pledge_signed_at else "请先签署《职称申报诚信承诺书》（八（三））。"


def in_open_publicity(app, ctx):
    publicity = ctx.payload.get("publicity")
    if publicity is None or not publicity.is_open:
        return "须通过公示功能发起公示。"
    return None


PUBLICITY_KIND_BY_STATE = {
    State.EMPLOYER_PUBLICITY: "employer",
    State.ROSTER_PUBLICITY: "roster",
    State.RESULT_PUBLICITY: "result",
}


def current_publicity(app):
    from zhicheng.publicity.models import Publicity

    kind = PUBLICITY_KIND_BY_STATE.get(app.state)
    return Publicity.objects.filter(kind=kind, entries__application=app).order_by("-starts_on", "-pk").first()


def publicity_cleared(app, ctx):
    from zhicheng.publicity.models import ObjectionStatus

    publicity = current_publicity(app)
    if publicity is None:
        return "没有找到该申报的公示记录。"
    if clock.today() <= publicity.ends_on:
        return f"公示期至{publicity.ends_on:%Y年%m月%d日}，期满后方可进行下一步（不少于5个工作日）。"
    statuses = set(publicity.objections.filter(application=app).values_list("status", flat=True))
    if ObjectionStatus.OPEN in statuses:
        return "公示期间收到的异议尚未核实处理完毕（八（二）3）。"
    if ObjectionStatus.SUBSTANTIATED in statuses:
        return "公示期间的异议经核实属实，不能按无异议上报。"
    return None


def post_quota_ceiling(unit) -> int:
    """五（五）2（2）: the vacancies, plus at most 5% of the senior posts set when exceeding them."""
    return unit.senior_vacancies + math.floor(unit.senior_posts_set * 0.05)


def senior_quota_counts(app) -> bool:
    if not app.unit.post_management or app.unit.sector != "public_institution":
        return False
    if app.series.code != "school_teacher" and app.level not in SENIOR_LEVELS:
        return False
    conditions = (app.decision or {}).get("conditions", {})
    return conditions.get("post_quota") != "exempt"


QUOTA_USING_STATES = tuple(s for s in State.values if s not in (
    State.DRAFT, State.SUBMITTED, State.EMPLOYER_PUBLICITY, State.WITHDRAWN, State.DEEMED_WITHDRAWN, State.RETURNED,
))


def quota_used(unit, plan) -> int:
    """Declarations of the unit already sent up this year that count against its senior posts (one COUNT)."""
    from django.db.models import Q

    from .models import Application

    return (
        Application.objects.filter(unit=unit, plan=plan, state__in=QUOTA_USING_STATES)
        .filter(Q(series__code="school_teacher") | Q(level__in=SENIOR_LEVELS))
        .exclude(decision__conditions__post_quota="exempt")
        .count()
    )


def within_post_quota(app, ctx):
    if not senior_quota_counts(app):
        return None
    ceiling, used = post_quota_ceiling(app.unit), quota_used(app.unit, app.plan)
    if used + 1 > ceiling:
        return (f"{app.unit.name}高级岗位设{app.unit.senior_posts_set}个、已聘{app.unit.senior_posts_filled}个，"
                f"本年度最多推荐{ceiling}人（空岗数加已设岗位数的5%，五（五）2），已推荐{used}人。")
    return None


def fee_paid(app, ctx):
    if app.fee_amount and not app.fee_paid_at:
        return f"评审费{app.fee_amount}元尚未缴纳，须在报送材料前缴纳（八（五））。"
    return None


def entrustment_letter_on_file(app, ctx):
    return None if app.entrustment_letter_id else "缺少中央单位人力资源部门或外省区人社部门出具的委托函（四（四））。"


def no_earlier_correction(app, ctx):
    if app.correction_notices.exists():
        return "补正告知只能一次性发出，该申报已告知过（六（二））。"
    return None


def correction_items_given(app, ctx):
    items, deadline = ctx.payload.get("items") or [], ctx.payload.get("deadline")
    if not items:
        return "请列出需要补正的全部事项。"
    if deadline is None or deadline <= clock.today():
        return "请给出今天以后的补正截止日期。"
    return None


def _open_notice(app):
    return app.correction_notices.filter(resolved_at__isnull=True).first()


def correction_deadline_not_passed(app, ctx):
    notice = _open_notice(app)
    if notice and clock.today() > notice.deadline:
        return f"补正截止日期{notice.deadline:%Y年%m月%d日}已过，视为放弃申报（六（二））。"
    return None


def correction_deadline_passed(app, ctx):
    notice = _open_notice(app)
    if notice is None or clock.today() <= notice.deadline:
        return "补正期限尚未届满。"
    return None


def within_committee_scope(app, ctx):
    problems = app.committee.scope_problems(
        series_code=app.series.code, level=app.level, unit=app.unit, specialty_id=app.specialty_id
    )
    return "；".join(problems) or None


def exam_result_confirmed(app, ctx):
    conditions = (app.decision or {}).get("conditions", {})
    if conditions.get("exam") == "required" and not app.exam_confirmed_at:
        return "该系列实行考评结合，考试成绩尚未核验（五（二）1）。"
    return None


def review_in_plan_year(app, ctx):
    if clock.today().year != app.plan.year:
        return f"职称评审不得跨年度进行：本申报属{app.plan.year}年度（三（二））。"
    return None


def review_plan_approved(app, ctx):
    from zhicheng.review.models import PlanStatus, ReviewPlan

    plan = ReviewPlan.objects.filter(committee_id=app.committee_id, year=app.plan.year).first()
    if plan is None or plan.status != PlanStatus.APPROVED or plan.filed_on is None:
        return "评审实施方案尚未经自治区人社厅备案同意（七（三））。"
    if (plan.review_starts_on - plan.filed_on).days < 7:
        return "评审实施方案须在开评一周前报备（七（三））。"
    if clock.today() < plan.review_starts_on:
        return f"评审实施方案确定的评审日期为{plan.review_starts_on:%Y年%m月%d日}。"
    if clock.today() > plan.review_ends_on:
        return f"评审实施方案确定的评审已于{plan.review_ends_on:%Y年%m月%d日}结束，须调整方案重新报备（七（三））。"
    return None


def ballot_passed(app, ctx):
    """Where the committee met in the system, the result is the ballot's, pushed after the chair signs."""
    from zhicheng.review.meeting import ballot_refusal

    return ballot_refusal(app, passed=True)


def ballot_failed(app, ctx):
    from zhicheng.review.meeting import ballot_refusal

    return ballot_refusal(app, passed=False)


def result_was_published(app, ctx):
    from zhicheng.publicity.models import Publicity

    if not Publicity.objects.filter(kind="result", entries__application=app).exclude(outcome="open").exists():
        return "评审结果未履行公示程序，不予核准备案（八（二）2）。"
    return None


GUARDS = {
    "declaration_window_open": (declaration_window_open, "在年度申报期内"),
    "screened_eligible": (screened_eligible, "资格审查结论为符合条件"),
    "committee_approved": (committee_approved, "评委会经核准备案且在有效期内"),
    "pledge_signed": (pledge_signed, "已签署诚信承诺书"),
    "in_open_publicity": (in_open_publicity, "通过公示功能发起"),
    "publicity_cleared": (publicity_cleared, "公示满5个工作日且异议均已处理"),
    "within_post_quota": (within_post_quota, "未超过高级岗位推荐限额"),
    "fee_paid": (fee_paid, "已缴纳评审费"),
    "entrustment_letter_on_file": (entrustment_letter_on_file, "已上传委托函"),
    "no_earlier_correction": (no_earlier_correction, "此前未发出过补正告知"),
    "correction_items_given": (correction_items_given, "列明全部补正事项和截止日期"),
    "correction_deadline_not_passed": (correction_deadline_not_passed, "在补正截止日期内"),
    "correction_deadline_passed": (correction_deadline_passed, "补正截止日期已过"),
    "within_committee_scope": (within_committee_scope, "在评委会受理范围内"),
    "exam_result_confirmed": (exam_result_confirmed, "考评结合系列已核验考试成绩"),
    "review_in_plan_year": (review_in_plan_year, "在申报年度内（不跨年度）"),
    "review_plan_approved": (review_plan_approved, "评审实施方案已备案同意、开评前一周报备，且在方案确定的评审期内"),
    "ballot_passed": (ballot_passed, "在系统中召开评审会议的：表决通过且会议纪要已签署"),
    "ballot_failed": (ballot_failed, "在系统中召开评审会议的：表决未通过且会议纪要已签署"),
    "result_was_published": (result_was_published, "评审结果已公示"),
}
