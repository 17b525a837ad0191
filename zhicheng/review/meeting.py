"""The review meeting (七（四）): quorum, the secret ballot, the two-thirds rule and pass rates.

* Quorum: at least two thirds of the committee (its drawn size) present: 25 sit with 17, not 16.
* Ballot: one paper per present expert, one choice (同意/不同意/弃权) per declaration they are not
  recused from; cast by the expert's own login only (no proxy), only while the ballot is open
  (no late votes). Who voted (VoteCast) and what was voted (Tally, counts only) are stored
  apart, so no stored row links a voter to a choice.
* A declaration reaches the threshold with yes votes of at least two thirds of the experts
  present and not recused from it (17 present: 12 pass, 11 fail; 18 present: 12 pass, 11 fail).
* Pass rate (七（四）6): the committee may put grassroots and private-sector applicants in
  their own groups. A group's pass rate caps the share of its declarations that may pass:
  at most ⌊rate × declarations in the group / 100⌋ pass, taken from those over the threshold
  by yes share; declarations tied at the cut that do not all fit do not pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.wording import long_date, month_day
from zhicheng.declarations.states import State

from . import recusal
from .drawing import current_draw, sitting_members
from .models import (
    Assignment, Attendance, Expert, ExpertDraw, GroupKind, Meeting, MeetingResult, MeetingStatus, Panel, Recusal, ReviewPlan,
    Tally, VoteCast, VotingGroup,
)
from .panels import counted_opinions, review_window_open
from .plans import declarations_of, is_office_of
from .pool import is_grassroots, is_private_sector

CHOICES = {"yes": "同意", "no": "不同意", "abstain": "弃权"}


class MeetingError(ValidationError):
    pass


# ---- the arithmetic, exact in integers -------------------------------------------------------

def quorum(size: int) -> int:
    """The fewest present members that make two thirds of the committee."""
    return (2 * size + 2) // 3


def has_quorum(present: int, size: int) -> bool:
    return 3 * present >= 2 * size


def yes_needed(eligible: int) -> int:
    return (2 * eligible + 2) // 3


def reaches_two_thirds(yes: int, eligible: int) -> bool:
    return eligible > 0 and 3 * yes >= 2 * eligible


@dataclass
class Row:
    application_id: int
    group: str
    eligible: int
    yes: int


def decide(rows: list[Row], rates: dict[str, int]) -> dict[int, tuple[bool, bool, str]]:
    """Per declaration: (reached two thirds, passed, note), applying each group's pass rate."""
    outcome = {}
    for group in {r.group for r in rows}:
        members = [r for r in rows if r.group == group]
        rate = rates.get(group, 100)
        cap = rate * len(members) // 100
        over = sorted((r for r in members if reaches_two_thirds(r.yes, r.eligible)),
                      key=lambda r: Fraction(r.yes, r.eligible), reverse=True)
        passing = set()
        if len(over) <= cap:
            passing = {r.application_id for r in over}
        elif cap > 0:
            cut = Fraction(over[cap - 1].yes, over[cap - 1].eligible)
            passing = {r.application_id for r in over if Fraction(r.yes, r.eligible) > cut}
            tied = [r for r in over if Fraction(r.yes, r.eligible) == cut]
            if len(passing) + len(tied) <= cap:
                passing |= {r.application_id for r in tied}
        for r in members:
            reached = reaches_two_thirds(r.yes, r.eligible)
            if r.eligible == 0:
                # Every expert present had to stand aside: nobody could vote, so it cannot have passed.
                note = "出席专家均须回避，无人可参加表决，按未通过记录"
            elif not reached:
                note = f"同意{r.yes}票，未达到应参加表决{r.eligible}人的三分之二（{yes_needed(r.eligible)}票）"
            elif r.application_id in passing:
                note = ""
            else:
                note = f"超出本组通过率{rate}%（本组{len(members)}份，至多通过{cap}份）"
            outcome[r.application_id] = (reached, r.application_id in passing, note)
    return outcome


def group_of(application, kinds: set[str]) -> str:
    """Grassroots first (七（四）6 names it first), then private sector, from the unit's record."""
    if GroupKind.GRASSROOTS in kinds and is_grassroots(application.unit):
        return GroupKind.GRASSROOTS
    if GroupKind.PRIVATE_SECTOR in kinds and is_private_sector(application.unit):
        return GroupKind.PRIVATE_SECTOR
    return GroupKind.GENERAL


# ---- the meeting ---------------------------------------------------------------------------

def _office(actor, plan: ReviewPlan) -> None:
    if not is_office_of(actor, plan):
        raise MeetingError(_("评审会议由本评委会办事机构组织。"))


def _lock(meeting: Meeting) -> None:
    """Lock the meeting's row and read it again, so the status a step checks is the one it acts on."""
    meeting.refresh_from_db(from_queryset=Meeting.objects.select_for_update())


# Refusals other apps add to a committee's meetings from their AppConfig.ready(), as they register the workflow's
# guards: each ``check(committee)`` returns its refusal or None (rectification: a committee ordered to stop
# reviewing holds no meeting, 八（一）).
COMMITTEE_CHECKS: list[Callable] = []


def committee_check(check: Callable) -> Callable:
    """Register ``check(committee) -> str | None`` with the meetings (once, however often the app is readied)."""
    if check not in COMMITTEE_CHECKS:
        COMMITTEE_CHECKS.append(check)
    return check


def _not_suspended(committee) -> str | None:
    return next((refusal for check in COMMITTEE_CHECKS if (refusal := check(committee))), None)


def schedule(plan: ReviewPlan, actor, *, held_on, place: str) -> Meeting:
    _office(actor, plan)
    if refusal := _not_suspended(plan.committee):
        raise MeetingError(refusal)
    if current_draw(plan) is None:
        raise MeetingError(_("请先完成评委抽选。"))
    if not plan.review_starts_on <= held_on <= plan.review_ends_on:
        raise MeetingError(_("会议日期须在评审实施方案确定的评审期内（%(start)s至%(end)s）。")
                           % {"start": month_day(plan.review_starts_on), "end": month_day(plan.review_ends_on)})
    with transaction.atomic():
        # Under the plan's lock, so that of two schedulings at once the second is told, not failed by the database.
        ReviewPlan.objects.select_for_update().filter(pk=plan.pk).first()
        if Meeting.objects.filter(plan=plan).exists():
            raise MeetingError(_("本评审实施方案已安排评审会议。"))
        meeting = Meeting.objects.create(plan=plan, held_on=held_on, place=place.strip() or plan.place)
        VotingGroup.objects.create(meeting=meeting, kind=GroupKind.GENERAL, pass_rate=100)
        audit("meeting.schedule", meeting, actor=actor, after={"held_on": held_on, "place": meeting.place},
              summary=f"安排{plan.committee.name}{plan.year}年评审会议")
    return meeting


def configure_groups(meeting: Meeting, actor, rates: dict[str, int | None]) -> None:
    """rates: kind → pass rate in percent, or None to not form that group (general always exists)."""
    _office(actor, meeting.plan)
    for kind, rate in rates.items():
        if rate is not None and not 1 <= rate <= 100:
            raise MeetingError(_("通过率应为1至100之间的整数（%）。"))
    if rates.get(GroupKind.GENERAL) is None:
        raise MeetingError(_("综合组必须设立。"))
    with transaction.atomic():
        _lock(meeting)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise MeetingError(_("表决开始后不能调整分组和通过率。"))
        before = dict(meeting.groups.values_list("kind", "pass_rate"))
        for kind, rate in rates.items():
            if rate is None:
                meeting.groups.filter(kind=kind).delete()
            else:
                VotingGroup.objects.update_or_create(meeting=meeting, kind=kind, defaults={"pass_rate": rate})
        audit("meeting.groups", meeting, actor=actor, before=before, after=dict(meeting.groups.values_list("kind", "pass_rate")),
              summary="设置评审分组与通过率（七（四）6）")


def record_attendance(meeting: Meeting, actor, present_ids) -> None:
    _office(actor, meeting.plan)
    now = clock.now()
    with transaction.atomic():
        _lock(meeting)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise MeetingError(_("表决开始后出席名单不能更改。"))
        sitting = [m.expert for m in sitting_members(meeting.plan)]
        present_ids = set(present_ids)
        unknown = present_ids - {e.pk for e in sitting}
        if unknown:
            raise MeetingError(_("出席名单中有非本年度评委会在任评委。"))
        for expert in sitting:
            Attendance.objects.update_or_create(meeting=meeting, expert=expert,
                                                defaults={"present": expert.pk in present_ids, "recorded_at": now})
        audit("meeting.attendance", meeting, actor=actor, after={"present": sorted(present_ids), "sitting": len(sitting)},
              summary=f"登记出席评委{len(present_ids)}人（在任{len(sitting)}人）")


def present_experts(meeting: Meeting) -> list[Expert]:
    return [a.expert for a in meeting.attendance.filter(present=True).select_related("expert__person").order_by("expert__person__name")]


def present_count(to_meeting: str = "") -> Count:
    """How many experts were present (those present_experts lists), as an annotation of a query reaching the meeting by
    ``to_meeting`` (e.g. "meeting__" from its results): what the minutes and the forms printed from them count."""
    return Count(f"{to_meeting}attendance", filter=Q(**{f"{to_meeting}attendance__present": True}))


def ballot_applications(meeting: Meeting):
    return declarations_of(meeting.plan).filter(state=State.UNDER_REVIEW).select_related("person", "unit", "series").order_by("pk")


def opening_problems(meeting: Meeting) -> list[str]:
    plan = meeting.plan
    if refusal := _not_suspended(plan.committee):
        return [refusal]
    draw = current_draw(plan)
    if draw is None:
        return [_("评委会专家尚未抽选，不能开会表决。")]
    size = draw.spec["size"]
    present = present_experts(meeting)
    problems = []
    if not has_quorum(len(present), size):
        problems.append(_("出席评委%(present)d人，不足评委会%(size)d人的三分之二（至少%(quorum)d人），不能开会表决（七（四））。")
                        % {"present": len(present), "size": size, "quorum": quorum(size)})
    chair = draw.members.filter(active=True, is_chair=True).first()
    if chair is None or chair.expert_id not in {e.pk for e in present}:
        problems.append(_("主任委员须出席并主持会议：请确定出席的主任委员。"))
    if not review_window_open(plan) or clock.today() != meeting.held_on:
        problems.append(_("表决须在会议当日（%(date)s）、评审期内进行。") % {"date": long_date(meeting.held_on)})
    apps = list(ballot_applications(meeting))
    if not apps:
        problems.append(_("没有处于评审中的申报。"))
    assigned = dict(Assignment.objects.filter(plan=plan, application__in=apps, panel__isnull=False)
                    .values_list("application_id", "panel__name").distinct())
    opinions = dict(counted_opinions(plan).filter(assignment__application__in=apps)
                    .values_list("assignment__application_id").annotate(n=Count("pk")))
    for app in apps:
        if app.pk not in assigned:
            problems.append(_("%(name)s的申报尚未分配评议组。") % {"name": app.person.name})
        elif opinions.get(app.pk, 0) < Panel.MIN_MEMBERS:
            n = opinions.get(app.pk, 0)
            problems.append(ngettext("%(name)s的申报只有%(n)d份评议意见，评议组至少%(min)d人提出意见后方可表决。",
                                     "%(name)s的申报只有%(n)d份评议意见，评议组至少%(min)d人提出意见后方可表决。", n)
                            % {"name": app.person.name, "n": n, "min": Panel.MIN_MEMBERS})
    return problems


def open_ballot(meeting: Meeting, actor) -> Meeting:
    _office(actor, meeting.plan)
    with transaction.atomic():
        # The meeting against a second opening and late attendance changes; the draw against a member
        # declining or the draw being cancelled at this moment (drawing.py checks the ballot under the draw's lock).
        _lock(meeting)
        plan = meeting.plan
        draw = current_draw(plan)
        if draw is not None:
            ExpertDraw.objects.select_for_update().filter(pk=draw.pk).first()
        if meeting.status != MeetingStatus.SCHEDULED:
            raise MeetingError(_("表决已经开始或已结束。"))
        problems = opening_problems(meeting)
        if problems:
            raise MeetingError(problems)
        apps = list(ballot_applications(meeting))
        recusal.detect(plan, [m.expert for m in sitting_members(plan)], apps, actor)
        Tally.objects.bulk_create([Tally(meeting=meeting, application=a) for a in apps])
        meeting.committee_size = current_draw(plan).spec["size"]
        meeting.status, meeting.ballot_opened_at = MeetingStatus.VOTING, clock.now()
        meeting.save(update_fields=["committee_size", "status", "ballot_opened_at"])
        present = [e.pk for e in present_experts(meeting)]
        audit("meeting.open_ballot", meeting, actor=actor, after={
            "present": present, "size": meeting.committee_size, "applications": [a.pk for a in apps],
        }, summary=f"开始无记名投票：出席{len(present)}人，表决{len(apps)}份申报")
    return meeting


def _paper(meeting: Meeting, expert: Expert):
    recused = Recusal.objects.filter(plan_id=meeting.plan_id, expert=expert).values("application_id")
    return ballot_applications(meeting).exclude(pk__in=recused)


def ballot_paper(meeting: Meeting, expert: Expert) -> list:
    """The declarations this expert votes on: all on the ballot except those they are recused from."""
    return list(_paper(meeting, expert))


def has_voted(meeting: Meeting, expert: Expert) -> bool:
    return VoteCast.objects.filter(meeting=meeting, expert=expert).exists()


def cast_ballot(meeting: Meeting, user, choices: dict[int, str]) -> int:
    """Cast the expert's whole ballot paper at once; returns the number of votes cast."""
    expert = getattr(user, "expert", None) if user.role == Role.EXPERT else None
    if expert is None:
        raise MeetingError(_("只有评委本人可以投票，不得委托他人代为投票。"))
    with transaction.atomic():
        # one ballot at a time against a close
        meeting.status = Meeting.objects.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
        if meeting.status == MeetingStatus.SCHEDULED:
            raise MeetingError(_("表决尚未开始。"))
        if meeting.status != MeetingStatus.VOTING:
            raise MeetingError(_("表决已经结束，不再接受投票。"))
        if not Attendance.objects.filter(meeting=meeting, expert=expert, present=True).exists():
            raise MeetingError(_("您未登记出席本次会议，不能投票。"))
        if has_voted(meeting, expert):
            raise MeetingError(_("您已经投过票，每人每份申报只能投一票。"))
        paper = set(_paper(meeting, expert).values_list("pk", flat=True))
        if set(choices) - paper:
            raise MeetingError(_("选票中有您须回避或不在本次表决范围内的申报。"))
        if set(choices) != paper:
            raise MeetingError(_("请对选票上的每一份申报都作出选择（同意、不同意或弃权）。"))
        if any(choice not in CHOICES for choice in choices.values()):
            raise MeetingError(_("选择只能是同意、不同意或弃权。"))
        VoteCast.objects.bulk_create([VoteCast(meeting=meeting, expert=expert, application_id=pk) for pk in sorted(paper)])
        for choice in CHOICES:
            chosen = [pk for pk, c in choices.items() if c == choice]
            if chosen:
                Tally.objects.filter(meeting=meeting, application_id__in=chosen).update(**{choice: F(choice) + 1})
        audit("meeting.ballot_cast", meeting, actor=user, after={"expert": expert.pk, "applications": sorted(paper)},
              summary=f"{expert.person.name}投票（{len(paper)}份申报，票面不记名）")
    return len(paper)


def not_voted(result: MeetingResult) -> int:
    """应表决 − 同意 − 不同意 − 弃权: the experts who should have voted on the declaration (present, not recused)
    and cast no ballot. They count in 应表决 and, like 不同意 and 弃权, are not yes votes."""
    return result.eligible - result.yes - result.no - result.abstain


def eligible_voters(present: set[int], recused: set[tuple[int, int]], application_id: int) -> int:
    """The experts who should vote on a declaration: those present and not recused from it."""
    return len([e for e in present if (e, application_id) not in recused])


@dataclass
class Expected:
    """One declaration's ballots before the close: expected (present, not recused) and cast."""

    application: object
    eligible: int
    cast: int

    @property
    def missing(self) -> int:
        return self.eligible - self.cast

    @property
    def needed(self) -> int:
        return yes_needed(self.eligible)


def ballots_so_far(meeting: Meeting) -> tuple[int, int, list[Expected]]:
    """What closing now would count: experts present, experts who voted, and per declaration the
    ballots expected and cast. The close's confirmation states them; the close counts them again under its lock."""
    present = {e.pk for e in present_experts(meeting)}
    recused = recusal.recused_pairs(meeting.plan)
    voters = VoteCast.objects.filter(meeting=meeting).values("expert").distinct().count()
    cast = dict(VoteCast.objects.filter(meeting=meeting).values_list("application_id").annotate(n=Count("pk")))
    rows = [Expected(t.application, eligible_voters(present, recused, t.application_id), cast.get(t.application_id, 0))
            for t in meeting.tallies.select_related("application__person").order_by("application_id")]
    return len(present), voters, rows


def close_ballot(meeting: Meeting, actor) -> list[MeetingResult]:
    _office(actor, meeting.plan)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        meeting.refresh_from_db(fields=["status", "ballot_opened_at", "committee_size"])
        if meeting.status != MeetingStatus.VOTING:
            raise MeetingError(_("没有正在进行的表决。"))
        plan = meeting.plan
        present = {e.pk for e in present_experts(meeting)}
        recused = recusal.recused_pairs(plan)
        tallies = {t.application_id: t for t in meeting.tallies.select_related("application__unit")}
        cast = dict(VoteCast.objects.filter(meeting=meeting).values_list("application_id").annotate(n=Count("pk")))
        broken = [pk for pk, t in tallies.items() if t.yes + t.no + t.abstain != cast.get(pk, 0)]
        if broken:
            raise MeetingError(_("计票与投票记录不一致（申报%(ids)s），请核查。") % {"ids": broken})
        rates = dict(meeting.groups.values_list("kind", "pass_rate"))
        kinds = set(rates)
        rows = []
        for pk, tally in tallies.items():
            eligible = eligible_voters(present, recused, pk)
            rows.append(Row(pk, group_of(tally.application, kinds), eligible, tally.yes))
        decided = decide(rows, rates)
        results = [MeetingResult(
            meeting=meeting, application_id=r.application_id, group=r.group, eligible=r.eligible, yes=r.yes,
            no=tallies[r.application_id].no, abstain=tallies[r.application_id].abstain,
            reached_two_thirds=decided[r.application_id][0], passed=decided[r.application_id][1], note=decided[r.application_id][2],
        ) for r in rows]
        MeetingResult.objects.bulk_create(results)
        meeting.status, meeting.ballot_closed_at = MeetingStatus.CLOSED, clock.now()
        meeting.save(update_fields=["status", "ballot_closed_at"])
        audit("meeting.close_ballot", meeting, actor=actor, after={
            "results": {r.application_id: {"group": r.group, "eligible": r.eligible, "yes": r.yes, "no": r.no, "abstain": r.abstain,
                                           "passed": r.passed} for r in results},
        }, summary=f"表决结束：{sum(r.passed for r in results)}份通过，{sum(not r.passed for r in results)}份未通过")
    return results


def meetings_for(user):
    if user.role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return Meeting.objects.all()
    if user.role == Role.COMMITTEE_OFFICE and user.organisation_id:
        return Meeting.objects.filter(plan__committee__office_id=user.organisation_id)
    if user.role == Role.EXPERT:
        return Meeting.objects.filter(plan__draws__members__expert__user=user, plan__draws__members__active=True).distinct()
    return Meeting.objects.none()
