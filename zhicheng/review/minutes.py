"""The minutes (评审会议纪要): attendance, panels' opinions, tallies and results as a PDF; signed by
the chair with their second factor; the results then go into the workflow through transition()."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from zhicheng.audit.models import AuditEntry
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.documents.pdf import DocumentMeta, flowing_pdf, key_values, table, text
from zhicheng.files.services import FileIntegrityError, read_verified, store_file

from . import otp
from .drawing import current_draw, sitting_members
from .meeting import CHOICES, not_voted, present_experts, quorum, yes_needed
from .models import CommitteeMember, GroupKind, Meeting, MeetingStatus, Minutes, Recusal
from .panels import counted_opinions

RECOMMENDATION_SHORT = {"support": "同意", "oppose": "不同意"}


class MinutesError(ValidationError):
    pass


def render(meeting: Meeting) -> bytes:
    plan = meeting.plan
    draw = current_draw(plan)
    sitting = list(sitting_members(plan))
    present = {e.pk for e in present_experts(meeting)}
    chair = next((m.expert for m in sitting if m.is_chair), None)
    results = list(meeting.results.select_related("application__person", "application__unit", "application__series"))
    groups = dict(meeting.groups.values_list("kind", "pass_rate"))
    story = [
        text(f"{plan.committee.name}", "title"),
        text(f"{plan.year}年度职称评审会议纪要", "subtitle"),
        key_values([
            ("会议日期", f"{meeting.held_on:%Y年%m月%d日}"),
            ("会议地点", meeting.place),
            ("评审实施方案", (f"{plan.filed_on:%Y年%m月%d日}报备，{plan.approved_on:%Y年%m月%d日}备案同意"
                        + (f"（报备内容摘要 {plan.filed_sha256}）" if plan.filed_sha256 else "")) if plan.filed_on and plan.approved_on else "—"),
            ("评委抽选", f"抽选记录摘要 {draw.record_sha256}" if draw else "—"),
            ("评委会人数", f"{meeting.committee_size}人；出席{len(present)}人（法定人数{quorum(meeting.committee_size)}人）"),
            ("主任委员", chair.person.name if chair else "—"),
            ("表决方式", "无记名投票；同意票达到出席且无须回避评委的三分之二为通过"),
            ("分组及通过率", "；".join(f"{GroupKind(k).label}{v}%" for k, v in sorted(groups.items()))),
        ]),
        text("一、出席情况", "heading"),
        table(["评委", "工作单位", "职称", "出席"],
              [[m.expert.person.name, m.expert.unit.name, m.expert.title_name, "出席" if m.expert_id in present else "缺席"] for m in sitting],
              col_widths=[30 * mm, 80 * mm, 40 * mm, 20 * mm]),
        text("二、评委会变动", "heading"),
    ]
    changes = committee_changes(draw)
    story.append(table(["日期", "辞退评委", "辞退原因", "递补评委"], changes, col_widths=[22 * mm, 48 * mm, 52 * mm, 48 * mm])
                 if changes else text("抽选产生的评委会成员未发生变动。", "body"))
    recusals = defaultdict(list)
    for r in Recusal.objects.filter(plan=plan).select_related("expert__person"):
        recusals[r.application_id].append(f"{r.expert.person.name}（{r.get_source_display()}：{'；'.join(r.reasons)}）")
    opinions = defaultdict(list)
    for o in (counted_opinions(plan).select_related("assignment__expert__person", "assignment__panel")
              .order_by("assignment__panel_id", "assignment__expert__person__name")):
        a = o.assignment
        scores = "" if o.record_score is None else f"（讲课说课{o.lesson_score}、面试答辩{o.interview_score}、量化评审{o.record_score}）"
        opinions[a.application_id].append(f"{a.panel.name if a.panel else ''} {a.expert.person.name}：{RECOMMENDATION_SHORT[o.recommendation]}{scores}。{o.text}")
    story.append(text("三、评议组意见", "heading"))
    for r in results:
        app = r.application
        story.append(text(f"{app.person.name}（{app.unit.name}，申报{app.title_label}）", "body"))
        for line in opinions.get(app.pk, []) or ["—"]:
            story.append(text(line, "small"))
        if recusals.get(app.pk):
            story.append(text("回避：" + "；".join(recusals[app.pk]), "small"))
    story += [
        text("四、表决结果", "heading"),
        table(["申报人", "申报职称", "分组", "应表决", "需同意", f"{CHOICES['yes']}", f"{CHOICES['no']}", f"{CHOICES['abstain']}", "未投票",
               "结果", "说明"],
              [[r.application.person.name, r.application.title_label, GroupKind(r.group).label, r.eligible, yes_needed(r.eligible),
                r.yes, r.no, r.abstain, not_voted(r), "通过" if r.passed else "未通过", r.note] for r in results],
              col_widths=[18 * mm, 22 * mm, 14 * mm, 12 * mm, 12 * mm, 11 * mm, 12 * mm, 11 * mm, 12 * mm, 14 * mm, 36 * mm]),
        text("应表决为出席且无须回避的评委人数；未投票 = 应表决 − 同意 − 不同意 − 弃权，未投票的评委与不同意、弃权一样不算同意票。", "small"),
        text(f"表决于{meeting.ballot_opened_at.astimezone(clock.CHINA):%H:%M}开始、"
             f"{meeting.ballot_closed_at.astimezone(clock.CHINA):%H:%M}结束；投票记录与票面分开保存，无法对应到个人。", "small")
        if meeting.ballot_opened_at and meeting.ballot_closed_at else text("", "small"),
        text("主任委员签署：在系统中以动态口令确认，签署人、时间及本纪要SHA-256摘要记录在案。", "small"),
    ]
    meta = DocumentMeta(title=f"{plan.committee.name}{plan.year}年度职称评审会议纪要", subject="评审会议纪要")
    return flowing_pdf(meta, story, footer=f"{plan.committee.name} {plan.year}年度评审会议纪要")


def committee_changes(draw) -> list[list[str]]:
    """This year's committee as it changed after the draw (辞退并递补), in the order of the declines: the date, who left
    (and their unit), why, and who took the seat, or that no reserve could. The pairing is the decline's audit entry
    (drawing.decline records the successor it seated); a decline without one still shows who left and why."""
    if draw is None:
        return []
    declined = {m.pk: m for m in draw.members.filter(active=False).exclude(declined_reason="").select_related("expert__person", "expert__unit")}
    seated = {m.expert.draw_id: m for m in draw.members.filter(via_substitution=True).select_related("expert__person", "expert__unit")}

    def who(member) -> str:
        return f"{member.expert.person.name}（{member.expert.unit.name}）"

    rows, listed = [], set()
    for entry in AuditEntry.objects.filter(action="draw.decline", object_type=CommitteeMember._meta.label_lower,
                                           object_id__in=[str(pk) for pk in declined]).order_by("seq"):
        member = declined.get(int(entry.object_id))
        if member is None or member.pk in listed:
            continue
        listed.add(member.pk)
        code = (entry.after or {}).get("successor")
        successor = seated.get(code) if code else None
        rows.append([f"{entry.at.astimezone(clock.CHINA):%Y-%m-%d}", who(member), member.declined_reason,
                     f"{who(successor)}（按候补顺序递补）" if successor else "无符合条件的候补，座位空缺"])
    for pk, member in sorted(declined.items()):
        if pk not in listed:
            rows.append(["—", who(member), member.declined_reason, "—"])
    return rows


def _lock_closed(meeting: Meeting, refusal: str) -> None:
    meeting.refresh_from_db(from_queryset=Meeting.objects.select_for_update(), fields=["status"])
    if meeting.status != MeetingStatus.CLOSED:
        raise MinutesError(refusal)


def generate(meeting: Meeting, actor) -> Minutes:
    from .plans import is_office_of

    if not is_office_of(actor, meeting.plan):
        raise MinutesError(_("会议纪要由本评委会办事机构生成。"))
    meeting.refresh_from_db(fields=["status"])
    if meeting.status != MeetingStatus.CLOSED:
        raise MinutesError(_("表决结束后方可生成会议纪要；签署后不能重新生成。"))
    data = render(meeting)
    with transaction.atomic():
        # Checked again under the meeting's lock, which sign() takes too: minutes are never replaced
        # while, or after, the chair signs them.
        _lock_closed(meeting, _("表决结束后方可生成会议纪要；签署后不能重新生成。"))
        stored = store_file(f"评审会议纪要-{meeting.plan.committee_id}-{meeting.plan.year}.pdf", data, uploaded_by=actor)
        minutes = Minutes.objects.update_or_create(meeting=meeting, defaults={
            "file": stored, "sha256": stored.sha256, "generated_at": clock.now(),
        })[0]
        audit("meeting.minutes", minutes, actor=actor, after={"sha256": stored.sha256, "size": stored.size},
              summary=f"生成评审会议纪要（SHA-256 {stored.sha256[:16]}…）")
    return minutes


def sign(minutes: Minutes, user, code: str) -> list[tuple[int, str]]:
    """The chair confirms the minutes with a fresh TOTP code; then every result is recorded by transition()."""
    from zhicheng.declarations.services import TransitionError, transition_many

    meeting = minutes.meeting
    meeting.refresh_from_db(fields=["status"])
    chair = sitting_members(meeting.plan).filter(is_chair=True).first()
    if chair is None or chair.expert.user_id != user.pk:
        raise MinutesError(_("会议纪要由主任委员本人签署。"))
    if meeting.status != MeetingStatus.CLOSED:
        raise MinutesError(_("会议纪要已签署，或表决尚未结束。"))
    try:
        read_verified(minutes.file)
    except FileIntegrityError as exc:
        raise MinutesError(_("会议纪要文件与登记的摘要不符，不能签署。")) from exc
    if not otp.check(user, code):
        raise MinutesError(_("动态口令不正确或已使用过，请输入认证器上新的6位口令。"))
    pushed = []
    try:
        with transaction.atomic():
            # Under the meeting's lock: a second signature, or minutes regenerated since the chair's
            # check of the file, are refused instead of recorded.
            _lock_closed(meeting, _("会议纪要已签署，或表决尚未结束。"))
            if Minutes.objects.filter(pk=minutes.pk).values_list("sha256", flat=True).get() != minutes.sha256:
                raise MinutesError(_("会议纪要在签署前已重新生成，请查看新的纪要后再签署。"))
            minutes.signed_by, minutes.signed_at = user, clock.now()
            minutes.save(update_fields=["signed_by", "signed_at"])
            meeting.status = MeetingStatus.SIGNED
            meeting.save(update_fields=["status"])
            audit("meeting.minutes_sign", minutes, actor=user, after={"sha256": minutes.sha256, "signed_at": minutes.signed_at},
                  summary=f"主任委员{chair.expert.person.name}签署评审会议纪要（SHA-256 {minutes.sha256[:16]}…）")
            # Results with the same count share one set-based step (the note states the count).
            steps: dict[tuple[str, str], list[int]] = {}
            for result in meeting.results.order_by("pk"):
                action = "record_pass" if result.passed else "record_fail"
                note = (f"评审会议{meeting.held_on:%Y年%m月%d日}无记名投票：应表决{result.eligible}人，同意{result.yes}票、"
                        f"不同意{result.no}票、弃权{result.abstain}票、未投票{not_voted(result)}人；会议纪要SHA-256 {minutes.sha256[:16]}…")
                steps.setdefault((action, note), []).append(result.application_id)
                pushed.append((result.application_id, action))
            for (action, note), ids in steps.items():
                outcome = transition_many(ids, action, None, note=note)
                if outcome.refused:
                    raise next(iter(outcome.refused.values()))
    except TransitionError as exc:
        raise MinutesError([_("评审结果未能全部登记，签署未生效："), *exc.reasons]) from exc
    return pushed
