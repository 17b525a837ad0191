"""A late committee's written explanation (八（二）4): filed by its office, accepted or returned by the region."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.site import page_url
from zhicheng.notifications.services import queue
from zhicheng.orgs.models import Committee

from .models import ExplanationDecision, PlanExplanation
from .progress import committee_progress

MAX_TEXT = 5000


def explanation_link(explanation: PlanExplanation) -> str:
    return page_url("plan_explanation_detail", explanation.pk)


def file_explanation(committee: Committee, year: int, actor, *, text: str, files=()) -> PlanExplanation:
    """The committee's office files its explanation; refused when the committee is not late, or when one is
    already waiting or accepted. The committee's row is locked so that two offices' clicks file one."""
    if actor.role != Role.COMMITTEE_OFFICE or committee.office_id != actor.organisation_id:
        raise ValidationError("只有本评委会办事机构可以报送书面说明（八（二）4）。")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写未按计划完成评审工作的原因和补救措施。")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"书面说明不超过{MAX_TEXT}字。")
    with transaction.atomic():
        Committee.objects.select_for_update().filter(pk=committee.pk).first()
        progress = committee_progress(committee, year)
        if progress is None or not progress.late:
            raise ValidationError(f"{committee.name}{year}年度评审未逾期，无需报送书面说明（八（二）4）。")
        if progress.live_explanation is not None:
            raise ValidationError(f"{committee.name}{year}年度的书面说明已报送（{progress.live_explanation.get_decision_display()}），不能重复报送。")
        try:
            with transaction.atomic():
                explanation = PlanExplanation.objects.create(
                    committee=committee, year=year, text=text, late_reasons=progress.late_reasons,
                    filed_by=actor, filed_at=clock.now())
        except IntegrityError:
            raise ValidationError(f"{committee.name}{year}年度的书面说明已报送，不能重复报送。") from None
        explanation.evidence.set(files)
        audit("monitoring.file_explanation", explanation, actor=actor,
              after={"committee": committee.pk, "year": year, "late_reasons": progress.late_reasons,
                     "evidence": [f.sha256 for f in files]},
              summary=f"报送未按计划完成评审的书面说明：{committee.name}{year}年度")
        regional = _regional_staff()
        queue(regional, "plan_explanation_filed", {"committee": committee.name, "year": year},
              link=explanation_link(explanation))
    return explanation


def decide_explanation(explanation: PlanExplanation, actor, *, accept: bool, reason: str = "") -> PlanExplanation:
    """The regional department accepts the explanation or returns it with its reason; the office is told."""
    if actor.role != Role.REGIONAL_HR_DEPARTMENT:
        raise ValidationError("书面说明由自治区人社厅审阅（八（二）4）。")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError("退回书面说明须写明理由。")
    with transaction.atomic():
        locked = PlanExplanation.objects.select_for_update().select_related("committee__office").get(pk=explanation.pk)
        if locked.decision != ExplanationDecision.PENDING:
            raise ValidationError(f"该书面说明已{locked.get_decision_display()}，不能再次审阅。")
        locked.decision = ExplanationDecision.ACCEPTED if accept else ExplanationDecision.RETURNED
        locked.return_reason = "" if accept else reason
        locked.decided_by, locked.decided_at = actor, clock.now()
        locked.save(update_fields=["decision", "return_reason", "decided_by", "decided_at"])
        audit("monitoring.decide_explanation", locked, actor=actor,
              before={"decision": ExplanationDecision.PENDING},
              after={"decision": locked.decision, "reason": locked.return_reason},
              summary=f"{'接受' if accept else '退回'}书面说明：{locked.committee.name}{locked.year}年度")
        from zhicheng.accounts.models import User

        office_staff = User.objects.filter(organisation_id=locked.committee.office_id, is_active=True)
        queue(office_staff, "plan_explanation_decided",
              {"committee": locked.committee.name, "year": locked.year, "decision": locked.get_decision_display(),
               "reason": locked.return_reason}, link=explanation_link(locked))
    return locked


def _regional_staff():
    from zhicheng.accounts.models import User

    return User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True)
