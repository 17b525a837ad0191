"""Plan progress (三（二）): each committee's review against the annual plan's deadline for review and publicity.

Read, never stored: where each committee stands (plan filed, experts drawn, meeting held, results publicised,
results filed) and whether it is late or will be — its planned dates after the deadline, or the deadline
passed with the review and its publicity not finished. A late committee owes a written explanation (八（二）4).
A year's progress costs the same few queries however many committees there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.catalogue.models import AnnualPlan
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.states import State
from zhicheng.orgs.models import Committee
from zhicheng.review.models import DrawStatus, ExpertDraw, Meeting, MeetingStatus, PlanStatus, ReviewPlan

from .models import ExplanationDecision, PlanExplanation

# The plan must be filed a week before the review opens (七（三）).
PLAN_NOTICE_DAYS = 7

# Declarations still on their way through the review: the committee's work is not finished while any remain.
REVIEW_PENDING_STATES = (State.COMMITTEE_INTAKE, State.ACCEPTED, State.UNDER_REVIEW, State.PASSED, State.RESULT_PUBLICITY)

STAGES = (
    ("none", _("未报备评审实施方案")),
    ("plan_filed", _("评审实施方案已报备")),
    ("drawn", _("评委已抽选")),
    ("meeting_held", _("评审会议已召开")),
    ("publicised", _("评审结果已公示")),
    ("finished", _("评审及公示已完成")),
    ("filed", _("评审结果已报送核准备案")),
)
STAGE_LABELS = dict(STAGES)


@dataclass
class CommitteeProgress:
    committee: Committee
    year: int
    deadline: dt.date
    plan: ReviewPlan | None = None
    drawn_on: dt.date | None = None
    meeting_on: dt.date | None = None
    meeting_held: bool = False
    publicity_from: dt.date | None = None
    publicity_until: dt.date | None = None
    publicity_open: bool = False
    finished_on: dt.date | None = None
    filed_on: dt.date | None = None
    arrived: int = 0  # declarations of the year that reached the committee
    pending: int = 0  # of which still on their way through the review (REVIEW_PENDING_STATES)
    late_reasons: list[str] = field(default_factory=list)
    explanations: list[PlanExplanation] = field(default_factory=list)

    @property
    def stage(self) -> str:
        if self.filed_on:
            return "filed"
        if self.finished_on:
            return "finished"
        if self.publicity_from:
            return "publicised"
        if self.meeting_held:
            return "meeting_held"
        if self.drawn_on:
            return "drawn"
        if self.plan is not None and self.plan.status in (PlanStatus.FILED, PlanStatus.APPROVED):
            return "plan_filed"
        return "none"

    @property
    def stage_label(self):
        return STAGE_LABELS[self.stage]

    @property
    def late(self) -> bool:
        return bool(self.late_reasons)

    @property
    def live_explanation(self) -> PlanExplanation | None:
        """The explanation waiting or accepted (a returned one asks for another)."""
        return next((e for e in self.explanations if e.decision != ExplanationDecision.RETURNED), None)

    @property
    def explanation_due(self) -> bool:
        return self.late and self.live_explanation is None


def _late_reasons(p: CommitteeProgress, today: dt.date) -> list[str]:
    d = p.deadline
    if p.finished_on:
        return [gettext("评审结果公示于%(on)s结束，晚于评审及公示截止日%(deadline)s（三（二））。") % {"on": p.finished_on, "deadline": d}] if p.finished_on > d else []
    has_work = p.arrived or p.meeting_on
    if today > d and has_work:
        return [gettext("评审及公示截止日%(deadline)s已过，评审及结果公示尚未完成（三（二））。") % {"deadline": d}]
    if p.plan is None:
        if has_work and today + dt.timedelta(days=PLAN_NOTICE_DAYS) > d:
            return [gettext("尚未制定评审实施方案；方案须在评审前一周报备（七（三）），已无法在%(deadline)s前完成评审及公示（三（二））。") % {"deadline": d}]
        return []
    # Planned dates after the deadline: late before it comes, whether or not declarations have arrived yet.
    if p.publicity_until and p.publicity_until > d:
        return [gettext("评审结果公示至%(on)s，晚于评审及公示截止日%(deadline)s（三（二））。") % {"on": p.publicity_until, "deadline": d}]
    if p.meeting_on and p.meeting_on > d:
        return [gettext("评审会议定于%(on)s，晚于评审及公示截止日%(deadline)s（三（二））。") % {"on": p.meeting_on, "deadline": d}]
    if p.plan.review_ends_on > d:
        return [gettext("评审实施方案的评审结束日期%(on)s晚于评审及公示截止日%(deadline)s（三（二））。") % {"on": p.plan.review_ends_on, "deadline": d}]
    return []


def year_progress(year: int, committees=None, *, today: dt.date | None = None) -> list[CommitteeProgress]:
    """Every committee with a review plan or declarations arrived for the year (or those of ``committees``, a
    queryset already scoped to the reader), in name order."""
    from zhicheng.certificates.models import Filing
    from zhicheng.publicity.models import PublicityEntry, PublicityKind, PublicityOutcome

    today = today or clock.today()
    annual = AnnualPlan.objects.filter(year=year).first()
    if annual is None:
        return []
    committees = committees if committees is not None else Committee.objects.all()
    plans = {p.committee_id: p for p in ReviewPlan.objects.filter(year=year, committee__in=committees)}
    arrived = {committee_id: (n, pending) for committee_id, n, pending in (
        Application.objects.filter(plan=annual, committee__in=committees, reached_committee_at__isnull=False)
        .values("committee_id").annotate(n=Count("pk"), pending=Count("pk", filter=Q(state__in=REVIEW_PENDING_STATES)))
        .values_list("committee_id", "n", "pending"))}
    wanted = set(plans) | set(arrived)
    rows = {c.pk: CommitteeProgress(committee=c, year=year, deadline=annual.review_deadline, plan=plans.get(c.pk),
                                    arrived=arrived.get(c.pk, (0, 0))[0], pending=arrived.get(c.pk, (0, 0))[1])
            for c in committees.filter(pk__in=wanted).select_related("office", "series").order_by("name")}
    for committee_id, drawn_at in (ExpertDraw.objects.filter(plan__year=year, plan__committee_id__in=rows, status=DrawStatus.DRAWN)
                                   .values_list("plan__committee_id", "drawn_at")):
        rows[committee_id].drawn_on = drawn_at.astimezone(clock.CHINA).date()
    for committee_id, held_on, status in Meeting.objects.filter(plan__year=year, plan__committee_id__in=rows).values_list(
            "plan__committee_id", "held_on", "status"):
        rows[committee_id].meeting_on = held_on
        rows[committee_id].meeting_held = status in (MeetingStatus.CLOSED, MeetingStatus.SIGNED)
    publicised = (PublicityEntry.objects.filter(publicity__kind=PublicityKind.RESULT, publicity__year=year,
                                                application__committee_id__in=rows)
                  .values("application__committee_id")
                  .annotate(first=Min("publicity__starts_on"), last=Max("publicity__ends_on"),
                            open=Count("pk", filter=Q(publicity__outcome=PublicityOutcome.OPEN))))
    for row in publicised:
        p = rows[row["application__committee_id"]]
        p.publicity_from, p.publicity_until, p.publicity_open = row["first"], row["last"], row["open"] > 0
    for committee_id, first in (Filing.objects.filter(year=year, committee_id__in=rows).values("committee_id")
                                .annotate(first=Min("submitted_on")).values_list("committee_id", "first")):
        rows[committee_id].filed_on = first
    for explanation in PlanExplanation.objects.filter(year=year, committee_id__in=rows).select_related("filed_by", "decided_by"):
        rows[explanation.committee_id].explanations.append(explanation)
    for p in rows.values():
        # The review is held at the meeting (or, where results were recorded without one, by the results publicised).
        if (p.meeting_held or p.publicity_from) and not p.publicity_open and not p.pending:
            p.finished_on = max(d for d in (p.meeting_on, p.publicity_until) if d)
        p.late_reasons = _late_reasons(p, today)
    return list(rows.values())


def committee_progress(committee: Committee, year: int) -> CommitteeProgress | None:
    found = year_progress(year, Committee.objects.filter(pk=committee.pk))
    return found[0] if found else None


def late_committees(year: int) -> list[CommitteeProgress]:
    """The committees late with the year's review and publicity, or bound to be (for the dashboards): each with
    its stage, its ``late_reasons`` and its explanation (``live_explanation``, ``explanation_due``)."""
    return [p for p in year_progress(year) if p.late]


def dashboard_card(user, year: int | None = None) -> dict | None:
    """What the plan-progress card of a dashboard shows (monitoring/_dashboard.html, context name ``plan_progress``):
    the late committees the user may see, for the region, the supervisor and committee offices; None for others."""
    from zhicheng.accounts.roles import Role
    from zhicheng.review.pool import committees_for

    if user.role not in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR, Role.COMMITTEE_OFFICE):
        return None
    year = year or clock.today().year
    late = [p for p in year_progress(year, committees_for(user)) if p.late]
    return {"year": year, "late": late, "unexplained": sum(1 for p in late if p.explanation_due)}
