"""Panels (评议组) and their written opinions: each declaration goes to one panel of at least three
experts; a panel member with a conflict is left out for that declaration."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.wording import enumeration

from . import recusal
from .drawing import sitting_members
from .models import Assignment, Meeting, Opinion, Panel, Recommendation, ReviewPlan
from .plans import is_office_of

SCORE_FIELDS = ("lesson_score", "interview_score", "record_score")


class PanelError(ValidationError):
    pass


def review_window_open(plan: ReviewPlan) -> bool:
    """Experts work only inside the review window of the approved plan (封闭评审)."""
    return plan.review_starts_on <= clock.today() <= plan.review_ends_on


def create_panel(plan: ReviewPlan, actor, name: str, experts) -> Panel:
    if not is_office_of(actor, plan):
        raise PanelError(_("只有本评委会办事机构可以组建评议组。"))
    experts = list(experts)
    sitting = {m.expert_id for m in sitting_members(plan)}
    if not sitting:
        raise PanelError(_("请先完成评委抽选。"))
    outsiders = [e.person.name for e in experts if e.pk not in sitting]
    if outsiders:
        raise PanelError(_("%(names)s不是本年度评委会在任评委。") % {"names": enumeration(outsiders)})
    if len(experts) < Panel.MIN_MEMBERS:
        raise PanelError(_("评议组至少%(n)d名评委。") % {"n": Panel.MIN_MEMBERS})
    if not name.strip():
        raise PanelError(_("请填写评议组名称。"))
    if plan.panels.filter(name=name.strip()).exists():
        raise PanelError(_("已有名为“%(name)s”的评议组。") % {"name": name.strip()})
    with transaction.atomic():
        panel = Panel.objects.create(plan=plan, name=name.strip())
        panel.members.set(experts)
        audit("review.panel", panel, actor=actor, after={"name": panel.name, "members": sorted(e.pk for e in experts)},
              summary=f"组建评议组“{panel.name}”（{len(experts)}人）")
    return panel


def _refuse_once_voting(plan: ReviewPlan, refusal: str) -> None:
    """Inside the caller's transaction, under the meeting's lock that open_ballot takes: the panels and
    opinions it reads are the ones the ballot is opened on, and nothing changes them afterwards."""
    if Meeting.ballot_opened_for(plan.pk, lock=True):
        raise PanelError(refusal)


def assign(panel: Panel, actor, applications) -> list[Assignment]:
    """Give declarations to a panel: all of them or, when any cannot be read by three unconflicted members, none."""
    plan = panel.plan
    if not is_office_of(actor, plan):
        raise PanelError(_("只有本评委会办事机构可以分配评审材料。"))
    in_plan = {a.pk: a for a in recusal.plan_applications(plan)}
    applications = list(applications)
    problems = [_("%(name)s的申报不在本评审实施方案范围内。") % {"name": a.person.name} for a in applications if a.pk not in in_plan]
    taken = dict(Assignment.objects.filter(plan=plan, application__in=applications, panel__isnull=False)
                 .exclude(panel=panel).values_list("application_id", "panel__name"))
    problems += [_("%(name)s的申报已分配给评议组“%(panel)s”。") % {"name": a.person.name, "panel": taken[a.pk]}
                 for a in applications if a.pk in taken]
    if problems:
        raise PanelError(problems)
    members = list(panel.members.select_related("person"))
    with transaction.atomic():
        _refuse_once_voting(plan, _("评审会议已开始表决，不能再分配评审材料。"))
        recusal.detect(plan, list(e.expert for e in sitting_members(plan)), [in_plan[a.pk] for a in applications], actor)
        recused = recusal.recused_pairs(plan)
        for app in applications:
            readers = [e for e in members if (e.pk, app.pk) not in recused]
            if len(readers) < Panel.MIN_MEMBERS:
                problems.append(_("评议组“%(panel)s”的评委回避%(name)s的申报后不足%(n)d人，请调整评议组。")
                                    % {"panel": panel.name, "name": in_plan[app.pk].person.name, "n": Panel.MIN_MEMBERS})
        if problems:
            raise PanelError(problems)  # leaving the block rolls back the recusals just found too
        created = []
        for app in applications:
            for expert in members:
                assignment = Assignment.objects.update_or_create(
                    expert=expert, application=app,
                    defaults={"plan": plan, "panel": panel, "recused": (expert.pk, app.pk) in recused},
                )[0]
                created.append(assignment)
        audit("review.assign", panel, actor=actor, after={"applications": sorted(a.pk for a in applications)},
              summary=f"向评议组“{panel.name}”分配{len(applications)}份评审材料")
    return created


def assignments_for(user):
    """The expert's own, unrecused assignments whose declarations they may see now: only while they sit
    on the plan's committee (``live_assignments``), so a member who declined loses the task list, the
    task page, the dossier and the opinion form at once."""
    from zhicheng.declarations.models import Application
    from zhicheng.declarations.querysets import live_assignments

    if user.role != Role.EXPERT:
        return Assignment.objects.none()
    visible = Application.objects.for_user(user).values("pk")
    return live_assignments(Assignment.objects.filter(expert__user=user, application__in=visible))


def counted_opinions(plan: ReviewPlan):
    """The opinions the review rests on (七（三）): of unrecused assignments whose expert still sits on the
    committee. A member dismissed after writing one (辞退并递补) keeps it on record, but it no longer counts
    towards the panel's opinions before the vote, on the ballot paper or in the minutes."""
    from zhicheng.declarations.querysets import seated

    return Opinion.objects.filter(assignment__in=seated(Assignment.objects.filter(plan=plan, recused=False)))


def submit_opinion(assignment: Assignment, user, *, recommendation: str, text: str, scores: dict | None = None) -> Opinion:
    plan = assignment.plan
    if not assignments_for(user).filter(pk=assignment.pk).exists():
        raise PanelError(_("该申报不在您当前可评议的范围内（评审期外、已回避或未分配）。"))
    if recommendation not in Recommendation.values:
        raise PanelError(_("请选择评议结论。"))
    if not text.strip():
        raise PanelError(_("请填写评议意见。"))
    scores = scores or {}
    values = {}
    if plan.quantitative_review:
        for name in SCORE_FIELDS:
            value = scores.get(name)
            if value is None or not 0 <= value <= 100:
                raise PanelError(_("本系列实行量化评审（五（二）3），请填写讲课说课、面试答辩、量化评审三项得分（0—100）。"))
            values[name] = value
    with transaction.atomic():
        _refuse_once_voting(plan, _("评审会议已开始表决，评议意见不能再修改。"))
        opinion = Opinion.objects.filter(assignment=assignment).first()
        before = None if opinion is None else {"recommendation": opinion.recommendation, "text": opinion.text}
        opinion = opinion or Opinion(assignment=assignment)
        opinion.recommendation, opinion.text, opinion.submitted_at = recommendation, text.strip(), clock.now()
        for name, value in values.items():
            setattr(opinion, name, value)
        opinion.save()
        audit("review.opinion", opinion, actor=user, before=before,
              after={"recommendation": recommendation, "text": opinion.text, **values},
              summary=f"{assignment.expert.person.name}提交对{assignment.application.person.name}申报的评议意见")
    return opinion
