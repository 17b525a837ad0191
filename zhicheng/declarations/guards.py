"""Path conditions and guards named in the transition table.

A path condition picks which row applies (e.g. the private-sector channel goes to a
recommending body). A guard returns None when it holds, or a sentence in Chinese saying
why the step is refused; it is registered with its description for the rendered table
(registry.guard). The guards here are the declarations app's own; publicity, review and
certificates register theirs from their AppConfig.
"""

from __future__ import annotations

import math

from zhicheng.catalogue.models import SENIOR_LEVELS
from zhicheng.core import clock

from .registry import guard
from .states import Channel, State, is_recognition


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


def recognition_route(app) -> bool:
    return is_recognition(app.route)


def review_route(app) -> bool:
    return not is_recognition(app.route)


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
    "recognition_route": (recognition_route, "考核认定（五（十二）：高校毕业生、博士后）"),
    "review_route": (review_route, "评审（考核认定以外的申报途径）"),
}


# ---- guards ----------------------------------------------------------------------------
# Guards that read the database load what they need for the whole batch in their prepare
# function (one query per batch), into ctx.cache under their own name.

@guard("declaration_window_open", "在年度申报期内")
def declaration_window_open(app, ctx):
    plan, now = app.plan, clock.now()
    if now.date() < plan.declaration_opens:
        return f"{plan.year}年度申报尚未开始（{plan.declaration_opens:%Y年%m月%d日}开始）。"
    if now > clock.end_of_day(plan.declaration_deadline):
        return f"{plan.year}年度申报已于{plan.declaration_deadline:%Y年%m月%d日}截止（三（二））。"
    return None


@guard("screened_eligible", "资格审查结论为符合条件", reads=("decision",))
def screened_eligible(app, ctx):
    if not app.decision:
        return "尚未进行申报资格审查。"
    if not app.decision.get("eligible"):
        blocks = "；".join(b["text"] for b in app.decision.get("blocks", [])) or "没有符合条件的申报途径"
        return f"不符合申报条件：{blocks}"
    return None


def _approved_committees(apps, ctx):
    from zhicheng.orgs.models import CommitteeApproval

    today = clock.today()
    ids = {app.committee_id for app in apps if app.committee_id}
    ctx.cache["committee_approved"] = set(CommitteeApproval.objects.filter(
        committee_id__in=ids, valid_from__lte=today, valid_until__gte=today, revoked_on__isnull=True,
    ).values_list("committee_id", flat=True))


@guard("committee_approved", "评委会经核准备案且在有效期内", prepare=_approved_committees)
def committee_approved(app, ctx):
    if app.committee is None:
        return "没有可受理该系列、层级的评委会，请联系人社部门（四（六））。"
    if app.committee_id not in ctx.cache["committee_approved"]:
        return f"{app.committee.name}未经核准备案或备案已过期，不得开展评审（七（一））。"
    return None


@guard("pledge_signed", "已签署诚信承诺书")
def pledge_signed(app, ctx):
    return None if app.pledge_signed_at else "请先签署《职称申报诚信承诺书》（八（三））。"


def post_quota_ceiling(unit) -> int:
    """五（五）2（2）: the vacancies, plus at most 5% of the senior posts set when exceeding them."""
    return unit.senior_vacancies + math.floor(unit.senior_posts_set * 0.05)


QUOTA_FREE = ("exempt", "not_applicable")


def senior_quota_counts(app) -> bool:
    if not app.unit.post_management or app.unit.sector != "public_institution":
        return False
    if app.series.code != "school_teacher" and app.level not in SENIOR_LEVELS:
        return False
    conditions = (app.decision or {}).get("conditions", {})
    # The engine's word on 五（五）2: exempt, or not applicable to this person — a freelancer whose file a
    # post-managed service keeps holds none of its posts (facts: post_management false).
    return conditions.get("post_quota") not in QUOTA_FREE


QUOTA_USING_STATES = tuple(s for s in State.values if s not in (
    State.DRAFT, State.SUBMITTED, State.EMPLOYER_PUBLICITY, State.WITHDRAWN, State.DEEMED_WITHDRAWN, State.RETURNED,
))


def _quota_counted():
    from django.db.models import Q

    from .models import Application

    return (Application.objects.filter(state__in=QUOTA_USING_STATES)
            .filter(Q(series__code="school_teacher") | Q(level__in=SENIOR_LEVELS))
            .exclude(decision__conditions__post_quota__in=QUOTA_FREE))


def quota_used(unit, plan) -> int:
    """Declarations of the unit already sent up this year that count against its senior posts (one COUNT)."""
    return _quota_counted().filter(unit=unit, plan=plan).count()


def _quota_used_for_batch(apps, ctx):
    from django.db.models import Count

    counting = [app for app in apps if senior_quota_counts(app)]
    units, plans = {app.unit_id for app in counting}, {app.plan_id for app in counting}
    used = {} if not counting else {
        (row["unit_id"], row["plan_id"]): row["n"]
        for row in _quota_counted().filter(unit_id__in=units, plan_id__in=plans).order_by()
        .values("unit_id", "plan_id").annotate(n=Count("pk"))
    }
    ctx.cache["within_post_quota"] = used


def _quota_taken(app, ctx):
    # A declaration the same batch lets through counts against the quota of the ones after it.
    if senior_quota_counts(app):
        used = ctx.cache["within_post_quota"]
        used[(app.unit_id, app.plan_id)] = used.get((app.unit_id, app.plan_id), 0) + 1


@guard("within_post_quota", "未超过高级岗位推荐限额", prepare=_quota_used_for_batch, accept=_quota_taken, reads=("decision",))
def within_post_quota(app, ctx):
    if not senior_quota_counts(app):
        return None
    ceiling, used = post_quota_ceiling(app.unit), ctx.cache["within_post_quota"].get((app.unit_id, app.plan_id), 0)
    if used + 1 > ceiling:
        return (f"{app.unit.name}高级岗位设{app.unit.senior_posts_set}个、已聘{app.unit.senior_posts_filled}个，"
                f"本年度最多推荐{ceiling}人（空岗数加已设岗位数的5%，五（五）2），已推荐{used}人。")
    return None


@guard("fee_paid", "已缴纳评审费")
def fee_paid(app, ctx):
    if app.fee_amount and not app.fee_paid_at:
        return f"评审费{app.fee_amount}元尚未缴纳，须在报送材料前缴纳（八（五））。"
    return None


@guard("entrustment_letter_on_file", "已上传委托函")
def entrustment_letter_on_file(app, ctx):
    return None if app.entrustment_letter_id else "缺少中央单位人力资源部门或外省区人社部门出具的委托函（四（四））。"


def _corrected_before(apps, ctx):
    from .models import CorrectionNotice

    ctx.cache["no_earlier_correction"] = set(
        CorrectionNotice.objects.filter(application_id__in=[a.pk for a in apps]).values_list("application_id", flat=True))


@guard("no_earlier_correction", "此前未发出过补正告知", prepare=_corrected_before)
def no_earlier_correction(app, ctx):
    if app.pk in ctx.cache["no_earlier_correction"]:
        return "补正告知只能一次性发出，该申报已告知过（六（二））。"
    return None


@guard("correction_items_given", "列明全部补正事项和截止日期")
def correction_items_given(app, ctx):
    items, deadline = ctx.payload.get("items") or [], ctx.payload.get("deadline")
    if not items:
        return "请列出需要补正的全部事项。"
    if deadline is None or deadline <= clock.today():
        return "请给出今天以后的补正截止日期。"
    # The applicant corrects within the year's cycle: after the review deadline there is no review to reach.
    if deadline > app.plan.review_deadline:
        return (f"补正截止日期不得晚于{app.plan.year}年度评审及公示截止日（{app.plan.review_deadline:%Y年%m月%d日}，三（二））；"
                f"所填{deadline:%Y年%m月%d日}距今{(deadline - clock.today()).days}天。")
    return None


def _open_notices(apps, ctx):
    from .models import CorrectionNotice

    notices = {}
    for notice in CorrectionNotice.objects.filter(application_id__in=[a.pk for a in apps], resolved_at__isnull=True).order_by("-pk"):
        notices[notice.application_id] = notice  # the earliest open one wins, as .first() did
    ctx.cache["open_correction_notice"] = notices


@guard("correction_deadline_not_passed", "在补正截止日期内", prepare=_open_notices)
def correction_deadline_not_passed(app, ctx):
    notice = ctx.cache["open_correction_notice"].get(app.pk)
    if notice and clock.today() > notice.deadline:
        return f"补正截止日期{notice.deadline:%Y年%m月%d日}已过，视为放弃申报（六（二））。"
    return None


@guard("correction_deadline_passed", "补正截止日期已过", prepare=_open_notices)
def correction_deadline_passed(app, ctx):
    notice = ctx.cache["open_correction_notice"].get(app.pk)
    if notice is None or clock.today() <= notice.deadline:
        return "补正期限尚未届满。"
    return None


def _committee_specialties(apps, ctx):
    from zhicheng.orgs.models import Committee

    ids = {app.committee_id for app in apps if app.committee_id}
    through = Committee.specialties.through.objects.filter(committee_id__in=ids).values_list("committee_id", "specialty_id")
    specialties: dict[int, set[int]] = {}
    for committee_id, specialty_id in through:
        specialties.setdefault(committee_id, set()).add(specialty_id)
    ctx.cache["within_committee_scope"] = specialties


@guard("within_committee_scope", "在评委会受理范围内", prepare=_committee_specialties)
def within_committee_scope(app, ctx):
    problems = app.committee.scope_problems(
        series_code=app.series.code, level=app.level, unit=app.unit, specialty_id=app.specialty_id,
        specialty_ids=ctx.cache["within_committee_scope"].get(app.committee_id, set()),
    )
    return "；".join(problems) or None


@guard("exam_result_confirmed", "考评结合系列已核验考试成绩", reads=("decision",))
def exam_result_confirmed(app, ctx):
    conditions = (app.decision or {}).get("conditions", {})
    if conditions.get("exam") == "required" and not app.exam_confirmed_at:
        return "该系列实行考评结合，考试成绩尚未核验（五（二）1）。"
    return None


@guard("review_in_plan_year", "在申报年度内（不跨年度）")
def review_in_plan_year(app, ctx):
    if clock.today().year != app.plan.year:
        return f"职称评审不得跨年度进行：本申报属{app.plan.year}年度（三（二））。"
    return None
