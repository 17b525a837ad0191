"""The random draw of a committee inside the application (七（二）、七（四）5), on zhicheng.draw.

1. The office starts a draw for an approved or filed plan with its parameters (the spec).
2. The office and the supervisor (纪检监察) each commit to a secret: they publish its SHA-256.
3. The office publishes (公示): the pool is frozen from the records, the fair lottery computed,
   and the hashes of pool, parameters, code version and lottery published with both
   commitments; objections to the pool may be raised until ``objections_until``.
4. After the objection period both reveal their secrets (checked against the commitments),
   the office enters the named public lottery result if one was announced, and draws: the
   committee and reserves are seated and the full record is stored; it re-verifies from
   itself alone (``zhicheng draw verify-stored ID`` or ``zhicheng draw verify`` on the export).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.catalogue.models import SENIOR_LEVELS
from zhicheng.core import clock
from zhicheng.core.wording import enumeration, long_date
from zhicheng.draw import draw as drawlib
from zhicheng.draw.model import KIND_MINIMUM_SIZE, DrawInputError, parse_spec
from zhicheng.draw.randomness import COMMITMENT_PATTERN, PARTIES, check_secret, commitment, digest, seed_from_key, seed_key
from zhicheng.draw.record import build_record, verify
from zhicheng.publicity.workdays import CalendarNotConfigured, publicity_end

from . import pool as pool_service
from .models import (
    Assignment, Attendance, CommitteeMember, DrawObjection, DrawStatus, Expert, ExpertDraw, Meeting, Panel, PlanStatus, ReviewPlan,
)

# Committees outside the senior rule have no national minimum; seven is the default we offer.
DEFAULT_SIZE = {"senior_by_series": 25, "senior_by_specialty": 11, "other": 7}
DEFAULT_OBJECTION_DAYS = 5
# The objection period in working days: at least three; at most thirty, as a results publicity (publicity.forms), so that
# it ends within the year after it starts (publicity_end reads the calendars of those two years) and before any review.
MIN_OBJECTION_DAYS, MAX_OBJECTION_DAYS = 3, 30


class DrawError(ValidationError):
    """A refused step of the draw; ``messages`` are sentences in the reader's language; nothing was changed."""


def committee_kind(committee) -> str:
    if set(committee.levels) & SENIOR_LEVELS:
        return "senior_by_specialty" if committee.specialties.exists() else "senior_by_series"
    return "other"


def default_spec(plan: ReviewPlan) -> dict:
    kind = committee_kind(plan.committee)
    size = DEFAULT_SIZE[kind]
    return {
        "committee": pool_service.committee_code(plan.committee_id), "year": plan.year, "kind": kind, "size": size,
        "quotas": {}, "max_served_last_year": 2 * size // 3, "employer_cap": None, "reserves_per_type": 2,
    }


def draws_for(user):
    return pool_service.office_scope(ExpertDraw.objects.all(), user, "plan__committee__office_id")


def party_of(user, draw: ExpertDraw) -> str | None:
    """Which commit-reveal party this user speaks for, if any."""
    if pool_service.is_office_of_committee(user, draw.plan.committee):
        return "office"
    if user.role == Role.SUPERVISOR:
        return "supervisor"
    return None


def _by_party(draw: ExpertDraw, what: str) -> dict[str, str]:
    """Each party's ``commitment`` or ``reveal``, as stored on the draw."""
    return {p: getattr(draw, f"{p}_{what}") for p in PARTIES}


def _lock(draw: ExpertDraw) -> None:
    """Lock the draw's row and read it again: every step re-checks the status it acts on inside its
    own transaction, so of two steps taken at the same moment the second sees what the first did."""
    draw.refresh_from_db(from_queryset=ExpertDraw.objects.select_for_update())


def _check_spec(spec: dict) -> None:
    try:
        parse_spec(spec)
    except DrawInputError as exc:
        raise DrawError(exc.problems) from exc
    if spec["size"] < KIND_MINIMUM_SIZE.get(spec["kind"], 1):
        raise DrawError(_("评委会人数不少于%(n)d人。") % {"n": KIND_MINIMUM_SIZE[spec["kind"]]})


def start_draw(plan: ReviewPlan, actor, spec: dict, public_source: str = "") -> ExpertDraw:
    if not pool_service.is_office_of_committee(actor, plan.committee):
        raise DrawError(_("只有本评委会办事机构可以组织抽选。"))
    if spec.get("committee") != pool_service.committee_code(plan.committee_id) or spec.get("year") != plan.year:
        raise DrawError(_("抽选参数与评审实施方案的评委会或年度不符。"))
    _check_spec(spec)
    with transaction.atomic():
        # Under the plan's lock, so that two draws started at once do not both run, nor one on a plan being returned.
        plan.refresh_from_db(from_queryset=ReviewPlan.objects.select_for_update())
        if plan.status not in (PlanStatus.FILED, PlanStatus.APPROVED):
            raise DrawError(_("评审实施方案报备后方可抽选评委。"))
        if plan.draws.exclude(status=DrawStatus.CANCELLED).exists():
            raise DrawError(_("本年度已有进行中或已完成的抽选；如需重抽，请先作废原抽选并说明原因。"))
        draw = ExpertDraw.objects.create(plan=plan, spec=spec, public_source=public_source.strip(), created_by=actor)
        audit("draw.start", draw, actor=actor, after={"spec": spec, "public_source": draw.public_source},
              summary=f"{plan.committee.name}{plan.year}年评委抽选：确定抽选参数")
    return draw


def rehearse(draw: ExpertDraw) -> dict:
    """A dry run on the pool as it stands now: the summary, or the conflicting constraints."""
    pool = pool_service.snapshot(draw.plan.committee, draw.plan.year)
    try:
        prepared = drawlib.prepare(pool, draw.spec)
    except DrawInputError as exc:
        return {"conflict": exc.problems}
    except drawlib.NoFeasibleCommittee as exc:
        return {"conflict": exc.messages}
    return {"summary": drawlib.summary(prepared), "pool_size": len(pool)}


def commit(draw: ExpertDraw, actor, value: str) -> ExpertDraw:
    party = party_of(actor, draw)
    if party is None:
        raise DrawError(_("只有评委会办事机构和纪检监察机构提交承诺值。"))
    value = value.strip().lower()
    if not COMMITMENT_PATTERN.match(value):
        raise DrawError(_("承诺值应为秘密值的SHA-256摘要（64位十六进制数）。"))
    field = f"{party}_commitment"
    with transaction.atomic():
        _lock(draw)
        if draw.status != DrawStatus.COMMITTING:
            raise DrawError(_("公示后不能再提交或更改承诺值。"))
        before = getattr(draw, field)
        setattr(draw, field, value)
        draw.save(update_fields=[field])
        audit("draw.commit", draw, actor=actor, before={field: before}, after={field: value},
              summary=f"{PARTIES[party]}提交承诺值 {value[:16]}…")
    return draw


def missing_commitments(draw: ExpertDraw) -> list[str]:
    """The parties whose commitment publishing waits for, in the reader's language."""
    return [_(PARTIES[p]) for p, value in _by_party(draw, "commitment").items() if not value]


def objections_end(start, objection_days: int):
    """The last day of an objection period of ``objection_days`` working days from ``start``, or why there is none."""
    if objection_days < MIN_OBJECTION_DAYS:
        raise DrawError(_("异议期不少于%(n)d个工作日。") % {"n": MIN_OBJECTION_DAYS})
    if objection_days > MAX_OBJECTION_DAYS:
        raise DrawError(_("异议期不超过%(n)d个工作日。") % {"n": MAX_OBJECTION_DAYS})
    try:
        return publicity_end(start, objection_days)
    except CalendarNotConfigured as exc:
        raise DrawError(str(exc)) from exc


def publish(draw: ExpertDraw, actor, objection_days: int = DEFAULT_OBJECTION_DAYS) -> ExpertDraw:
    """Freeze the pool, compute the lottery, publish its hashes with both commitments."""
    if party_of(actor, draw) != "office":
        raise DrawError(_("只有本评委会办事机构可以公示抽选方案。"))
    if draw.status != DrawStatus.COMMITTING:
        raise DrawError(_("该抽选已公示。"))
    commitments = _by_party(draw, "commitment")
    missing = missing_commitments(draw)
    if missing:
        raise DrawError(_("公示前须收到%(parties)s的承诺值。") % {"parties": enumeration(missing)})
    today = clock.today()
    objections_until = objections_end(today, objection_days)
    pool = pool_service.snapshot(draw.plan.committee, draw.plan.year)
    try:
        prepared = drawlib.prepare(pool, draw.spec)
    except DrawInputError as exc:
        raise DrawError(exc.problems) from exc
    except drawlib.NoFeasibleCommittee as exc:
        raise DrawError([_("没有任何评委会组合能满足全部条件，未进行抽选：")] + exc.messages) from exc
    notice = drawlib.publication(prepared, commitments, draw.public_source or None)
    with transaction.atomic():
        _lock(draw)
        # The lottery was computed outside the lock; it stands only if nothing it rests on moved meanwhile.
        if draw.status != DrawStatus.COMMITTING:
            raise DrawError(_("该抽选已公示。"))
        if _by_party(draw, "commitment") != commitments:
            raise DrawError(_("承诺值在公示时被更改，请核对后重新公示。"))
        draw.pool, draw.publication, draw.publication_sha256 = pool, notice, digest(notice)
        draw.status, draw.published_at = DrawStatus.PUBLISHED, clock.now()
        draw.objections_until = objections_until
        draw.save()
        audit("draw.publish", draw, actor=actor, after={
            "publication_sha256": draw.publication_sha256, "pool_sha256": notice["pool"]["sha256"],
            "spec_sha256": notice["spec"]["sha256"], "lottery_sha256": notice["lottery_sha256"], "objections_until": draw.objections_until,
        }, summary=f"公示{draw.plan.committee.name}{draw.plan.year}年评委抽选方案（摘要 {draw.publication_sha256[:16]}…）")
    return draw


def objections_open(draw: ExpertDraw, today) -> bool:
    """Whether the public may object to the published pool today."""
    return draw.status == DrawStatus.PUBLISHED and today <= draw.objections_until


def object_to(draw: ExpertDraw, *, name: str, phone: str, content: str) -> DrawObjection:
    """A real-name objection to the published pool, checked as one to a results publicity is (by field)."""
    from zhicheng.publicity.services import objector_problems

    if not objections_open(draw, clock.today()):
        raise DrawError(_("不在专家库公示异议期内。"))
    if problems := objector_problems(name=name, phone=phone, content=content):
        raise DrawError(problems)
    with transaction.atomic():
        _lock(draw)  # against a draw performed or cancelled at this moment
        if not objections_open(draw, clock.today()):
            raise DrawError(_("不在专家库公示异议期内。"))
        objection = DrawObjection.objects.create(draw=draw, name=name.strip(), phone=phone.strip(), content=content.strip(),
                                                 submitted_at=clock.now())
        audit("draw.objection", objection, actor=None, after={"draw": draw.pk, "name": objection.name},
              summary=f"{objection.name}对{draw.plan.committee.name}专家库公示提出异议")
    return objection


def handle_objection(objection: DrawObjection, actor, *, upheld: bool, finding: str) -> DrawObjection:
    draw = objection.draw
    if party_of(actor, draw) != "office":
        raise DrawError(_("异议由本评委会办事机构核实处理。"))
    if not finding.strip():
        raise DrawError(_("请填写核实情况。"))
    with transaction.atomic():
        # The draw first, then the objection, in the order perform() and cancel() lock the draw:
        # of two findings on one objection only the first is recorded.
        _lock(draw)
        objection.refresh_from_db(from_queryset=DrawObjection.objects.select_for_update())
        if objection.handled_at:
            raise DrawError(_("该异议已处理。"))
        objection.upheld, objection.finding, objection.handled_by, objection.handled_at = upheld, finding.strip(), actor, clock.now()
        objection.save()
        audit("draw.objection_handle", objection, actor=actor, after={"upheld": upheld, "finding": objection.finding},
              summary=f"处理专家库异议：{'属实' if upheld else '不属实'}")
        if upheld and draw.status != DrawStatus.CANCELLED:
            _cancel(draw, actor, f"专家库异议经核实属实：{objection.finding}")
    return objection


def _cancel(draw: ExpertDraw, actor, reason: str) -> None:
    draw.status, draw.cancel_reason = DrawStatus.CANCELLED, reason[:200]
    draw.save(update_fields=["status", "cancel_reason"])
    draw.members.update(active=False)
    audit("draw.cancel", draw, actor=actor, after={"reason": draw.cancel_reason}, summary=f"作废评委抽选：{draw.cancel_reason}")


def cancel(draw: ExpertDraw, actor, reason: str) -> ExpertDraw:
    if party_of(actor, draw) != "office":
        raise DrawError(_("只有本评委会办事机构可以作废抽选。"))
    if not reason.strip():
        raise DrawError(_("请说明作废原因。"))
    with transaction.atomic():
        _lock(draw)
        if draw.status == DrawStatus.CANCELLED:
            raise DrawError(_("该抽选已作废。"))
        if Meeting.ballot_opened_for(draw.plan_id):  # current: open_ballot locks the draw too
            raise DrawError(_("评审会议已开始表决，不能作废抽选。"))
        _cancel(draw, actor, reason.strip())
    return draw


def reveal(draw: ExpertDraw, actor, secret: str) -> ExpertDraw:
    party = party_of(actor, draw)
    if party is None:
        raise DrawError(_("只有评委会办事机构和纪检监察机构揭示秘密值。"))
    if draw.status != DrawStatus.PUBLISHED:
        raise DrawError(_("只能在公示之后、抽选之前揭示秘密值。"))
    if clock.today() <= draw.objections_until:
        raise DrawError(_("专家库公示异议期至%(date)s，期满后方可揭示。") % {"date": long_date(draw.objections_until)})
    secret = secret.strip()
    complaint = check_secret(party, secret)
    if complaint:
        raise DrawError(complaint)
    if commitment(secret) != getattr(draw, f"{party}_commitment"):
        raise DrawError(_("%(party)s的揭示值与其事先公布的承诺值不符。") % {"party": _(PARTIES[party])})
    field = f"{party}_reveal"
    with transaction.atomic():
        _lock(draw)
        if draw.status != DrawStatus.PUBLISHED:
            raise DrawError(_("只能在公示之后、抽选之前揭示秘密值。"))
        setattr(draw, field, secret)
        draw.save(update_fields=[field])
        audit("draw.reveal", draw, actor=actor, after={field: secret}, summary=f"{PARTIES[party]}揭示秘密值")
    return draw


def enter_public_result(draw: ExpertDraw, actor, values: list[int]) -> ExpertDraw:
    if party_of(actor, draw) != "office":
        raise DrawError(_("公开开奖结果由办事机构录入，纪检监察机构核对。"))
    if not draw.public_source:
        raise DrawError(_("本次抽选未事先公布使用公开开奖结果。"))
    if draw.status != DrawStatus.PUBLISHED or clock.today() <= draw.objections_until:
        raise DrawError(_("公开开奖结果须在异议期满后、抽选前录入。"))
    if not values or any(v < 0 for v in values):
        raise DrawError(_("请按开出顺序填写开奖号码（非负整数）。"))
    with transaction.atomic():
        _lock(draw)
        if draw.status != DrawStatus.PUBLISHED:
            raise DrawError(_("公开开奖结果须在异议期满后、抽选前录入。"))
        draw.public_values = list(values)
        draw.save(update_fields=["public_values"])
        audit("draw.public_result", draw, actor=actor, after={"name": draw.public_source, "values": values},
              summary=f"录入公开开奖结果 {draw.public_source}：{'.'.join(map(str, values))}")
    return draw


def _prepared_from_publication(draw: ExpertDraw) -> drawlib.Prepared:
    """The lottery as published, with the algorithm version it was published under."""
    return drawlib.from_publication(draw.pool, draw.spec, draw.publication)


def seed_of(draw: ExpertDraw) -> bytes:
    return seed_from_key(seed_key(_by_party(draw, "reveal"), draw.public_values))


def perform_problems(draw: ExpertDraw, today) -> list[str]:
    """What the draw of a published lottery still waits for (empty when it can be performed today)."""
    problems = []
    if today <= draw.objections_until:
        problems.append(_("专家库公示异议期至%(date)s。") % {"date": long_date(draw.objections_until)})
    problems += [_("尚未收到%(party)s的揭示值。") % {"party": _(PARTIES[p])} for p, value in _by_party(draw, "reveal").items() if not value]
    if draw.public_source and draw.public_values is None:
        problems.append(_("尚未录入公开开奖结果（%(source)s）。") % {"source": draw.public_source})
    if draw.objections.filter(handled_at__isnull=True).exists():
        problems.append(_("专家库公示期间的异议尚未处理完毕。"))
    return problems


def perform(draw: ExpertDraw, actor) -> ExpertDraw:
    """Draw from exactly the published lottery with the revealed seed; seat committee and reserves."""
    if party_of(actor, draw) != "office":
        raise DrawError(_("只有本评委会办事机构可以执行抽选。"))
    if draw.status != DrawStatus.PUBLISHED:
        raise DrawError(_("只能对已公示的抽选方案执行抽选。"))
    problems = perform_problems(draw, clock.today())
    if problems:
        raise DrawError(problems)
    reveals = _by_party(draw, "reveal")
    prepared = _prepared_from_publication(draw)
    commitments = _by_party(draw, "commitment")
    fresh = drawlib.publication(prepared, commitments, draw.public_source or None)
    fresh["code"] = draw.publication["code"]
    if digest(fresh) != digest(draw.publication):
        raise DrawError(_("冻结的专家库或参数与公示内容不一致，不能抽选。"))
    seed, public_values = seed_of(draw), draw.public_values
    record = build_record(prepared, seed, commitments=commitments, reveals=reveals, public_source=draw.public_source or None,
                          public_values=public_values, published=draw.publication)
    by_code = {e.draw_id: e for e in Expert.objects.filter(pk__in=[int(code[1:]) for code in record["result"]["committee"]])}
    with transaction.atomic():
        _lock(draw)
        # The record was built outside the lock from what was read then; it stands only if nothing moved.
        if draw.status != DrawStatus.PUBLISHED:
            raise DrawError(_("该抽选已执行或已作废，不能再次抽选；请刷新页面查看。"))
        if draw.objections.filter(handled_at__isnull=True).exists():
            raise DrawError(_("专家库公示期间的异议尚未处理完毕。"))
        if _by_party(draw, "reveal") != reveals or draw.public_values != public_values:
            raise DrawError(_("揭示值或公开开奖结果在抽选时被更改，请重新执行抽选。"))
        draw.record, draw.record_sha256 = record, digest(record)
        draw.status, draw.drawn_at = DrawStatus.DRAWN, clock.now()
        draw.save()
        CommitteeMember.objects.bulk_create([CommitteeMember(draw=draw, expert=by_code[code]) for code in record["result"]["committee"]])
        audit("draw.perform", draw, actor=actor, after={
            "record_sha256": draw.record_sha256, "ticket": record["result"]["ticket"], "seed_sha256": record["seed"]["sha256"],
            "committee": record["result"]["committee"],
        }, summary=f"{draw.plan.committee.name}{draw.plan.year}年抽选评委{len(by_code)}人（记录摘要 {draw.record_sha256[:16]}…）")
    return draw


def _substitution(draw: ExpertDraw, member: CommitteeMember) -> tuple[str | None, list]:
    """The reserve who takes ``member``'s seat if they decline now (its draw id, or None), and the problems noted."""
    prepared = _prepared_from_publication(draw)
    seed = seed_of(draw)
    result = drawlib.draw(prepared, seed)
    declined = list(draw.members.filter(active=False, declined_reason__gt="").order_by("pk").values_list("expert_id", flat=True))
    codes = [Expert(pk=pk).draw_id for pk in declined] + [member.expert.draw_id]
    outcome = drawlib.substitute(prepared, seed, result, codes)
    return outcome["replacements"].get(member.expert.draw_id), outcome["problems"]


def _expert_of(code: str) -> Expert:
    return Expert.objects.select_related("person").get(pk=int(code[1:]))


def successor_of(member: CommitteeMember) -> Expert | None:
    """Who would be seated if this member declined now (for the question asked before the decline)."""
    code, _problems = _substitution(member.draw, member)
    return None if code is None else _expert_of(code)


def decline(member: CommitteeMember, actor, reason: str) -> CommitteeMember | None:
    """A drawn member declines: the next reserve of the same type takes the seat (zhicheng.draw.substitute).

    The member leaves everything of this year's committee at once: their access to dossiers rests on
    the seat (``declarations.querysets.live_assignments``), and in the same transaction they leave
    the plan's panels and the meeting's attendance. Their assignments and any opinion already
    written stay on record, out of their reach and out of the count (``panels.counted_opinions``). The reserve takes the committee seat only: panels
    are the office's to form."""
    draw = member.draw
    if party_of(actor, draw) != "office":
        raise DrawError(_("只有本评委会办事机构可以登记评委辞退。"))
    if not reason.strip():
        raise DrawError(_("请填写辞退原因。"))
    with transaction.atomic():
        # The successor depends on who declined before: two declines at once are taken one after the other.
        _lock(draw)
        member.refresh_from_db(from_queryset=CommitteeMember.objects.select_for_update())
        if draw.status != DrawStatus.DRAWN or not member.active:
            raise DrawError(_("该评委不在本年度评委会中。"))
        if Meeting.ballot_opened_for(draw.plan_id):  # current: open_ballot locks the draw too
            raise DrawError(_("评审会议已开始表决，不能再更换评委。"))
        successor_code, problems = _substitution(draw, member)
        member.active, member.declined_reason, member.is_chair = False, reason.strip(), False
        member.save(update_fields=["active", "declined_reason", "is_chair"])
        expert = member.expert
        panels = list(Panel.objects.filter(plan_id=draw.plan_id, members=expert).order_by("pk"))
        for panel in panels:
            panel.members.remove(expert)
        withdrawn = Attendance.objects.filter(meeting__plan_id=draw.plan_id, expert=expert, present=True).update(
            present=False, recorded_at=clock.now())
        assignments = list(Assignment.objects.filter(plan_id=draw.plan_id, expert=expert).order_by("pk").values_list("pk", flat=True))
        successor = None
        if successor_code is not None:
            successor = CommitteeMember.objects.create(draw=draw, expert=_expert_of(successor_code), via_substitution=True)
        audit("draw.decline", member, actor=actor, after={
            "declined": expert.draw_id, "reason": member.declined_reason, "successor": successor_code,
            "problems": problems, "panels_left": [p.pk for p in panels], "assignments_withdrawn": assignments,
            "attendance_withdrawn": bool(withdrawn),
        }, summary=f"{expert.person.name}辞退，" + (f"由候补{successor.expert.person.name}递补" if successor else "无符合条件的候补，需重新抽选")
           + (f"；退出评议组{'、'.join(p.name for p in panels)}" if panels else "")
           + (f"；其评审材料{len(assignments)}份不再向其开放" if assignments else ""))
    return successor


def set_chair(member: CommitteeMember, actor) -> None:
    with transaction.atomic():
        # Under the draw's lock, as decline() takes it: the chair is never a member declining at this moment.
        _lock(member.draw)
        member.refresh_from_db(from_queryset=CommitteeMember.objects.select_for_update())
        if party_of(actor, member.draw) != "office" or not member.active:
            raise DrawError(_("只能由办事机构从在任评委中确定主任委员。"))
        if member.is_chair:
            raise DrawError(_("%(name)s已是主任委员。") % {"name": member.expert.person.name})
        member.draw.members.update(is_chair=False)
        member.is_chair = True
        member.save(update_fields=["is_chair"])
        audit("draw.chair", member, actor=actor, after={"chair": member.expert.draw_id}, summary=f"确定{member.expert.person.name}为主任委员")


def current_draw(plan: ReviewPlan) -> ExpertDraw | None:
    return plan.draws.filter(status=DrawStatus.DRAWN).first()


def sitting_members(plan: ReviewPlan):
    draw = current_draw(plan)
    if draw is None:
        return CommitteeMember.objects.none()
    return draw.members.filter(active=True).select_related("expert__person", "expert__unit", "expert__specialty")


def verify_stored(draw: ExpertDraw):
    """Re-run the stored record from itself alone, against the publication digest announced."""
    if draw.record is None:
        raise DrawError(_("该抽选尚未完成，没有抽选记录。"))
    check = verify(draw.record, draw.publication_sha256)
    if draw.record_sha256 and digest(draw.record) != draw.record_sha256:
        check.problems.append(_("抽选记录与抽选时登记的记录摘要不符（记录被改动）"))
    return check

