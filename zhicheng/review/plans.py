"""The review plan (评审实施方案, 七（三））: written and filed by the committee office, approved by
the regional HR department at least a week before the review opens."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.canonical import jsonable, sha256_hex
from zhicheng.core.wording import long_date
from zhicheng.declarations.states import REVIEW_STATES, State

from .drawing import current_draw
from .models import Meeting, PlanStatus, ReviewPlan
from .pool import is_office_of_committee, office_scope

FILING_LEAD_DAYS = 7  # 七（三）: 在开评一周前向自治区人力资源社会保障厅备案
CONTENT_FIELDS = ("declarations_summary", "composition", "procedure", "measures", "place")
# The declarations a plan covers: those the committee has accepted or is reviewing.
PLAN_STATES = (State.ACCEPTED, State.UNDER_REVIEW)


class PlanError(ValidationError):
    pass


def plans_for(user):
    """An office sees its committees' plans; the region and the supervisor see all; experts none."""
    return office_scope(ReviewPlan.objects.all(), user, "committee__office_id")


def is_office_of(user, plan: ReviewPlan) -> bool:
    return is_office_of_committee(user, plan.committee)


def declarations_of(plan: ReviewPlan):
    """The declarations the plan's committee reviews that year (a recognition is assessed, not reviewed: 五（十二））."""
    from zhicheng.declarations.models import Application

    return Application.objects.filter(committee_id=plan.committee_id, plan__year=plan.year).reviewed()


def roster(plan: ReviewPlan) -> list[dict]:
    """申报人员花名册: the declarations the plan covers."""
    apps = declarations_of(plan).filter(state__in=PLAN_STATES).select_related("person", "unit", "series", "specialty").order_by("pk")
    return [{"application": a.pk, "name": a.person.name, "unit": a.unit.name, "title": a.title_label,
             "specialty": a.specialty.name if a.specialty_id else ""} for a in apps]


def _state(plan: ReviewPlan) -> dict:
    return {name: getattr(plan, name) for name in (*CONTENT_FIELDS, "status", "review_starts_on", "review_ends_on",
                                                    "quantitative_review", "recusal_years")}


def year_problem(year: int, today: dt.date) -> str:
    """A plan is made for this year's review or a coming one, never for a year gone by."""
    if year < today.year:
        return _("评审实施方案的年度（%(year)d年）不能早于今年（%(this)d年）。") % {"year": year, "this": today.year}
    return ""


def date_problems(plan: ReviewPlan, fields: dict, today: dt.date) -> dict[str, str]:
    """Review dates set now (new, or changed) must not lie in the past; a date the plan already had is the filing's
    to judge (filing_problems), so that its text can still be edited."""
    labels = {"review_starts_on": _("评审开始日期"), "review_ends_on": _("评审结束日期")}
    problems = {}
    for name, label in labels.items():
        value = fields.get(name)
        if value is not None and value < today and not (plan.pk and value == getattr(plan, name)):
            problems[name] = _("%(label)s%(date)s已过，请填写今天（%(today)s）以后的日期。") % {
                "label": label, "date": long_date(value), "today": long_date(today)}
    return problems


def create_plan(committee, year: int, actor, **fields) -> ReviewPlan:
    if not is_office_of_committee(actor, committee):
        raise PlanError(_("只有本评委会办事机构可以制定评审实施方案。"))
    if problem := year_problem(year, clock.today()):
        raise PlanError(problem)
    if ReviewPlan.objects.filter(committee=committee, year=year).exists():
        raise PlanError(_("%(committee)s%(year)d年已有评审实施方案。") % {"committee": committee.name, "year": year})
    plan = ReviewPlan(committee=committee, year=year, quantitative_review=committee.series.code == "school_teacher")
    return save_plan(plan, actor, **fields)


def _lock(plan: ReviewPlan) -> None:
    """Lock the plan's row and read it again: each step re-checks the status it acts on in its own
    transaction, so an edit cannot slip in after the filing's snapshot, nor a return after an approval."""
    plan.refresh_from_db(from_queryset=ReviewPlan.objects.select_for_update())


def save_plan(plan: ReviewPlan, actor, **fields) -> ReviewPlan:
    if not is_office_of(actor, plan):
        raise PlanError(_("只有本评委会办事机构可以修改评审实施方案。"))
    with transaction.atomic():
        if plan.pk:
            _lock(plan)
        if plan.pk and plan.status not in (PlanStatus.DRAFT, PlanStatus.REJECTED):
            raise PlanError(_("已报备的评审实施方案不能修改；如需调整请联系自治区人社厅退回。"))
        starts, ends = fields.get("review_starts_on", plan.review_starts_on), fields.get("review_ends_on", plan.review_ends_on)
        if problems := date_problems(plan, fields, clock.today()):
            raise PlanError(list(problems.values()))
        if starts and ends and ends < starts:
            raise PlanError(_("评审结束日期不能早于开始日期。"))
        if (starts and starts.year != plan.year) or (ends and ends.year != plan.year):
            raise PlanError(_("职称评审不得跨年度进行：评审须在%(year)d年内（三（二））。") % {"year": plan.year})
        before = _state(plan) if plan.pk else None
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.save()
        audit("review_plan.save", plan, actor=actor, before=before, after=_state(plan), summary=f"编辑{plan}")
    return plan


def add_attachment(plan: ReviewPlan, actor, stored_file) -> None:
    with transaction.atomic():
        _lock(plan)
        if not is_office_of(actor, plan) or plan.status not in (PlanStatus.DRAFT, PlanStatus.REJECTED):
            raise PlanError(_("只能在报备前由本评委会办事机构添加附件。"))
        plan.attachments.add(stored_file)
        audit("review_plan.attach", plan, actor=actor, after={"file": stored_file.sha256, "name": stored_file.original_name},
              summary=f"{plan}添加附件{stored_file.original_name}")


def delete_problem(actor, plan: ReviewPlan) -> str:
    """Why ``actor`` may not delete ``plan`` (empty when it may): only its office, and only a draft never filed; a filed
    plan (even one returned) is part of the record the department saw (七（三））."""
    if not is_office_of(actor, plan):
        return _("只有本评委会办事机构可以删除本评委会的评审实施方案草稿。")
    if plan.status != PlanStatus.DRAFT:
        return _("评审实施方案已报备过（当前：%(status)s），是报备记录的一部分，不能删除。") % {"status": _(plan.get_status_display())}
    return ""


def delete_plan(plan: ReviewPlan, actor) -> dict:
    """Delete a draft plan with its attachments' links (the stored files stay, as every stored file does); returns
    what was deleted, as audited."""
    with transaction.atomic():
        _lock(plan)
        if problem := delete_problem(actor, plan):
            raise PlanError(problem)
        deleted = {"committee": plan.committee_id, "year": plan.year, **_state(plan),
                   "attachments": sorted((f.original_name, f.sha256) for f in plan.attachments.all())}
        audit("review_plan.delete", plan, actor=actor, before=deleted, after=None,
              summary=f"删除{plan}草稿（附件{len(deleted['attachments'])}个）")
        plan.delete()  # with its attachments' links
    return deleted


def review_deadline(year: int) -> dt.date:
    """The year's deadline for the review and its publicity (三（二）: 9月30日前), as the annual plan sets it: the date the
    plan-progress page (zhicheng.monitoring.progress) holds a plan's review end against."""
    from zhicheng.catalogue.models import AnnualPlan

    annual = AnnualPlan.objects.filter(year=year).first()
    return annual.review_deadline if annual else AnnualPlan.defaults_for(year)["review_deadline"]


def late_explanation(plan: ReviewPlan):
    """The committee's written explanation for the year (八（二）4; 七（四）3: 确有困难不能按期评审的，要提前提交书面延期申请),
    waiting or accepted; None when there is none (or only returned ones)."""
    from zhicheng.monitoring.models import ExplanationDecision, PlanExplanation

    return (PlanExplanation.objects.filter(committee_id=plan.committee_id, year=plan.year)
            .exclude(decision=ExplanationDecision.RETURNED).order_by("-filed_at").first())


def late_warning(plan: ReviewPlan) -> str:
    """Said wherever such a plan is filed or approved: its review ends after the year's deadline (what the plan-progress
    page calls 逾期); empty when it does not."""
    deadline = review_deadline(plan.year)
    if plan.review_ends_on <= deadline:
        return ""
    return _("评审结束日期%(on)s晚于%(year)d年评审及公示截止日%(deadline)s（三（二）），计划进度将显示为逾期。") % {
        "on": long_date(plan.review_ends_on), "year": plan.year, "deadline": long_date(deadline)}


def filing_problems(plan: ReviewPlan, today: dt.date) -> list[str]:
    problems = [_("请填写“%(field)s”。") % {"field": _(ReviewPlan._meta.get_field(name).verbose_name)}
                for name in CONTENT_FIELDS if not getattr(plan, name).strip()]
    if (plan.review_starts_on - today).days < FILING_LEAD_DAYS:
        problems.append(_("评审实施方案须在开评一周前报备：评审开始日期%(date)s距今不足%(n)d天（七（三））。")
                        % {"date": long_date(plan.review_starts_on), "n": FILING_LEAD_DAYS})
    if (late := late_warning(plan)) and late_explanation(plan) is None:
        # Late is allowed only on a written request made in advance (七（四）3), which the region reads (八（二）4).
        problems.append(late + _("确有困难不能按期评审的，须先在“计划进度”中报送书面说明（七（四）3），或调整评审时间。"))
    if not declarations_of(plan).filter(state__in=PLAN_STATES).exists():
        problems.append(_("申报人员花名册为空：本评委会%(year)d年没有已受理待评审的申报，评审实施方案须另附申报人员花名册（七（三））。")
                        % {"year": plan.year})
    if not plan.attachments.exists():
        problems.append(_("请附上送审表等附件（七（三））。"))
    return problems


def filed_content(plan: ReviewPlan) -> dict:
    """What is filed: the text, the roster, the attachments and the committee's composition."""
    draw = current_draw(plan)
    members = [] if draw is None else [
        {"expert": m.expert.draw_id, "name": m.expert.person.name, "unit": m.expert.unit.name, "title": m.expert.title_name}
        for m in draw.members.filter(active=True).select_related("expert__person", "expert__unit")
    ]
    return {
        "committee": plan.committee.name, "year": plan.year, "place": plan.place,
        "review_starts_on": plan.review_starts_on, "review_ends_on": plan.review_ends_on,
        **{name: getattr(plan, name) for name in CONTENT_FIELDS if name != "place"},
        "roster": roster(plan),
        "attachments": sorted((f.original_name, f.sha256) for f in plan.attachments.all()),
        "experts": members,
        "draw": None if draw is None else {"id": draw.pk, "publication_sha256": draw.publication_sha256, "record_sha256": draw.record_sha256},
    }


def content_to_file(plan: ReviewPlan) -> dict:
    """What filing the plan now would store (filed_content, as JSON): what the office is asked to confirm."""
    return jsonable(filed_content(plan))


def file_plan(plan: ReviewPlan, actor) -> ReviewPlan:
    if not is_office_of(actor, plan):
        raise PlanError(_("只有本评委会办事机构可以报备评审实施方案。"))
    today = clock.today()
    with transaction.atomic():
        _lock(plan)
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.REJECTED):
            raise PlanError(_("该评审实施方案已报备。"))
        problems = filing_problems(plan, today)
        if problems:
            raise PlanError(problems)
        before = _state(plan)
        content = content_to_file(plan)
        plan.filed_snapshot, plan.filed_sha256 = content, sha256_hex(content)
        plan.status, plan.filed_on, plan.filed_by, plan.return_note = PlanStatus.FILED, today, actor, ""
        plan.save()
        audit("review_plan.file", plan, actor=actor, before=before, after={"status": plan.status, "sha256": plan.filed_sha256},
              summary=f"报备{plan}（{len(content['roster'])}人）")
    return plan


def approve_plan(plan: ReviewPlan, actor) -> ReviewPlan:
    if actor.role != Role.REGIONAL_HR_DEPARTMENT:
        raise PlanError(_("评审实施方案由自治区人社厅备案同意（七（三））。"))
    today = clock.today()
    with transaction.atomic():
        _lock(plan)
        if problem := approval_problem(plan, today):
            raise PlanError(problem)
        plan.status, plan.approved_on, plan.approved_by = PlanStatus.APPROVED, today, actor
        plan.save(update_fields=["status", "approved_on", "approved_by"])
        audit("review_plan.approve", plan, actor=actor, after={"status": plan.status, "sha256": plan.filed_sha256},
              summary=f"{plan}备案同意")
    return plan


def approval_problem(plan: ReviewPlan, today: dt.date) -> str:
    """Why a filed plan cannot be approved today (empty when it can)."""
    if plan.status != PlanStatus.FILED:
        return _("只能对已报备的评审实施方案备案同意。")
    if today > plan.review_starts_on:
        return _("评审开始日期已过，请退回办事机构调整评审时间后重新报备。")
    return ""


def review_opened(plan: ReviewPlan) -> str:
    """Why the plan's review has opened (empty when it has not): declarations of the plan in the review or past it,
    or its meeting's vote opened. From then on the plan is the one the review was held under (七（三）)."""
    opened = declarations_of(plan).filter(state__in=REVIEW_STATES).count()
    if opened:
        return ngettext("本方案的%(n)d份申报已进入评审或评审已结束。", "本方案的%(n)d份申报已进入评审或评审已结束。", opened) % {"n": opened}
    if Meeting.objects.filter(plan=plan, ballot_opened_at__isnull=False).exists():
        return _("本方案的评审会议已开始表决。")
    return ""


def return_problem(plan: ReviewPlan) -> str:
    """Why the plan cannot be returned (empty when it can): only a filed or approved plan whose review has not opened."""
    if plan.status not in (PlanStatus.FILED, PlanStatus.APPROVED):
        return _("只能退回已报备的评审实施方案。")
    if opened := review_opened(plan):
        return opened + _("评审已按本方案开展，不能再退回修改（七（三））。")
    return ""


def return_plan(plan: ReviewPlan, actor, note: str) -> ReviewPlan:
    if actor.role != Role.REGIONAL_HR_DEPARTMENT:
        raise PlanError(_("评审实施方案由自治区人社厅审核。"))
    if not note.strip():
        raise PlanError(_("请填写退回意见。"))
    with transaction.atomic():
        _lock(plan)
        if problem := return_problem(plan):
            raise PlanError(problem)
        plan.status, plan.return_note, plan.approved_on, plan.approved_by = PlanStatus.REJECTED, note.strip(), None, None
        plan.save(update_fields=["status", "return_note", "approved_on", "approved_by"])
        audit("review_plan.return", plan, actor=actor, after={"status": plan.status, "note": plan.return_note},
              summary=f"{plan}退回修改：{plan.return_note}")
    return plan


NONE_ACCEPTED = gettext_lazy("本方案没有已受理待评审的申报，无需开始评审。")


def open_review(plan: ReviewPlan, actor) -> tuple[list[int], dict[int, str]]:
    """Open the review of every accepted declaration of the plan, through the workflow's set-based step."""
    from zhicheng.declarations.services import transition_many

    if not is_office_of(actor, plan):
        raise PlanError(_("只有本评委会办事机构可以开始评审。"))
    if not declarations_of(plan).filter(state=State.ACCEPTED).exists():
        raise PlanError(NONE_ACCEPTED)
    outcome = transition_many(declarations_of(plan).filter(state=State.ACCEPTED).values_list("pk", flat=True), "open_review", actor)
    return [app.pk for app in outcome.moved], {pk: str(exc) for pk, exc in outcome.refused.items()}
