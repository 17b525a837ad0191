"""限期纠正, 停止评审, 取消评审资格 and 全区通报 (八（一）、七（一）), and the re-check's revocation (八（三）).

Every decision locks its row and checks the state again inside its transaction, writes its audit entry
in the same transaction, and tells the other side by a message that links to the page it is about.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _, gettext_lazy

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.site import page_url
from zhicheng.notifications.services import queue
from zhicheng.orgs.models import AreaLevel, Committee, CommitteeApproval, Organisation, OrgKind

from .models import (
    WAITING_FOR_PARTY, Bulletin, BulletinStatus, CommitteeSuspension, Decision, OrderAnswer, OrderState, RectificationOrder, Source,
)

# Who oversees (八（一）): the regional department and its supervisor (纪检监察) see every order. The HR departments of
# every level order correction of the parties in their own area and judge the answers to their own orders; stopping a
# committee, taking its approval away, revoking titles and publishing bulletins concern the whole region and stay the
# regional department's. The supervisor reads all of it and decides none (``User.read_only``).
OVERSEERS = frozenset({Role.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT})
DEPARTMENT = frozenset({Role.REGIONAL_HR_DEPARTMENT})
ORDERERS = DEPARTMENT | {Role.HR_BUREAU}
# Why a page offers its reader no form, and why a service refuses: said to a read-only account before the reason.
READ_ONLY = gettext_lazy("监督账号只能查看，不能办理：%(why)s")
ORDERED_BY = gettext_lazy("限期纠正由自治区人社厅或盟市、旗县人社局对本地区的单位下达（八（一））。")
ACCEPTED_BY = gettext_lazy("整改情况由下达限期纠正的人社部门验收（八（一））。")
# Said to a bureau on an order's page where the department's next step (停止评审) would be offered.
REGION_WIDE = gettext_lazy("停止评审、取消评审资格和全区通报涉及全区的评审工作，由自治区人社厅决定（八（一））。")
# Who can be ordered to correct: units, competent departments, HR bureaus and committee offices, by their staff.
PARTY_KINDS = (OrgKind.UNIT, OrgKind.COMPETENT_DEPARTMENT, OrgKind.HR_BUREAU, OrgKind.COMMITTEE_OFFICE)
PARTY_ROLES = frozenset({Role.EMPLOYER_HR, Role.COMPETENT_DEPARTMENT, Role.HR_BUREAU, Role.COMMITTEE_OFFICE})
# The parties located in a bureau's area that it may order (other bureaus only when they are below it).
LOCAL_PARTY_KINDS = (OrgKind.UNIT, OrgKind.COMPETENT_DEPARTMENT, OrgKind.COMMITTEE_OFFICE)
# A deadline is for correcting, not for forgetting: at most half a year ahead.
MAX_DEADLINE_DAYS = 183
# The declarations a suspended committee holds: at its intake, accepted, under review.
HELD_BY_COMMITTEE = ("committee_intake", "accepted", "under_review")


class RectificationError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def may_decide(actor) -> bool:
    """Whether ``actor`` takes the region-wide decisions of 八（一）: stop, revoke, publish (and any order's acceptance)."""
    return actor is not None and not actor.read_only and actor.role in DEPARTMENT


def may_order(actor) -> bool:
    """Whether ``actor`` orders correction: the regional department anywhere, a city or county bureau in its own area."""
    return (actor is not None and not actor.read_only and actor.role in ORDERERS
            and (actor.role in DEPARTMENT or bool(actor.organisation_id)))


def may_accept(actor, order: RectificationOrder) -> bool:
    """Whether ``actor`` judges ``order``'s answers: the bureau that gave it, or the regional department (any order)."""
    return may_decide(actor) or (may_order(actor) and actor.organisation_id == order.issuer_id)


def refusal(actor, message) -> str:
    """``message`` (why the step is not the actor's), said to a read-only account as such."""
    return str(READ_ONLY % {"why": message}) if actor is not None and actor.read_only else str(message)


def _require(actor, roles, message="您的角色不能办理此事项。") -> None:
    """Only ``roles`` take this step, and never a read-only account (the supervisor oversees, it does not decide)."""
    if actor is None or actor.read_only or actor.role not in roles:
        raise RectificationError(refusal(actor, message))


def _staff(organisation_id) -> list[User]:
    return list(User.objects.filter(organisation_id=organisation_id, is_active=True, role__in=PARTY_ROLES).order_by("pk"))


def _day(value: dt.date) -> str:
    return f"{value:%Y年%m月%d日}"


# ---- scope -----------------------------------------------------------------------------------

def _area_path(user) -> str:
    return user.organisation.area.path


def parties_in_area(actor):
    """The bodies a bureau may order to correct (八（一）: 本地区): units, competent departments and committee offices
    located in its area, and the bureaus of the areas below it (a city's county bureaus); the regional department any."""
    parties = Organisation.objects.filter(kind__in=PARTY_KINDS)
    if actor.role in DEPARTMENT:
        return parties
    own = actor.organisation.area
    in_area = parties.filter(area__path__startswith=own.path)
    return in_area.filter(Q(kind__in=LOCAL_PARTY_KINDS) | (Q(kind=OrgKind.HR_BUREAU) & ~Q(area_id=own.pk)))


def party_problem(actor, party: Organisation) -> str | None:
    """Why ``actor`` may not order ``party`` to correct, or None."""
    if party.kind not in PARTY_KINDS:
        return "限期纠正的对象应为用人单位、主管部门、人社部门或评委会办事机构（八（一））。"
    if actor.role in DEPARTMENT or parties_in_area(actor).filter(pk=party.pk).exists():
        return None
    return _("%(party)s不在本地区：%(rule)s") % {"party": party.name, "rule": outside_area(actor)}


def outside_area(actor) -> str:
    """What a bureau is told when the party it chose is not in its area."""
    own = actor.organisation
    if own.area.level == AreaLevel.LEAGUE_CITY:
        rule = _("%(bureau)s只能对本地区（%(area)s）的用人单位、主管部门、评委会办事机构和所辖旗县人社局下达限期纠正（八（一）："
                 "各级人社部门负责本地区的监督检查），其他单位请报自治区人社厅。")
    else:
        rule = _("%(bureau)s只能对本地区（%(area)s）的用人单位、主管部门和评委会办事机构下达限期纠正（八（一）："
                 "各级人社部门负责本地区的监督检查），其他单位请报上级人社部门或自治区人社厅。")
    return rule % {"bureau": own.name, "area": own.area.name}


def orders_for(user):
    """The orders a user sees: the overseers all of them; a bureau the orders it gave, the ones addressed to parties in
    its area and its own; an ordered party its own; nobody else any."""
    orders = RectificationOrder.objects.select_related("party", "committee", "issued_by", "issuer")
    if user.role in OVERSEERS:
        return orders
    if user.role == Role.HR_BUREAU and user.organisation_id:
        return orders.filter(Q(issuer_id=user.organisation_id) | Q(party__area__path__startswith=_area_path(user)))
    if user.role in PARTY_ROLES and user.organisation_id:
        return orders.filter(party_id=user.organisation_id)
    return orders.none()


def _to_accept(user) -> Q:
    """The answered orders this user judges (the department: all; a bureau: its own orders')."""
    answered = Q(state=OrderState.ANSWERED)
    return answered if user.role in OVERSEERS else answered & Q(issuer_id=user.organisation_id)


def _to_correct(user) -> Q:
    return Q(party_id=user.organisation_id, state__in=WAITING_FOR_PARTY)


def judges(user) -> bool:
    """Whether the user's pages count answers to judge (the overseers and the bureaus) rather than only orders to answer."""
    return user.role in OVERSEERS or user.role == Role.HR_BUREAU


def dashboard_counts(user) -> dict | None:
    """The dashboard's block: one query."""
    if user.role not in OVERSEERS | PARTY_ROLES:
        return None
    counted = {"open": Count("pk"), "overdue": Count("pk", filter=Q(state__in=(OrderState.OVERDUE, OrderState.ESCALATED)))}
    if judges(user):
        counted["to_accept"] = Count("pk", filter=_to_accept(user))
    if user.role in PARTY_ROLES:
        counted["to_correct"] = Count("pk", filter=_to_correct(user))
    counts = orders_for(user).exclude(state=OrderState.ACCEPTED).aggregate(**counted)
    return {"to_accept": 0, "to_correct": 0, **counts, "overseer": judges(user)}


def suspensions_for(user):
    suspensions = CommitteeSuspension.objects.select_related("committee", "order")
    if user.role in OVERSEERS:
        return suspensions
    if user.role == Role.COMMITTEE_OFFICE and user.organisation_id:
        return suspensions.filter(committee__office_id=user.organisation_id)
    return suspensions.none()


# ---- orders ----------------------------------------------------------------------------------

def deadline_problem(deadline: dt.date | None) -> str | None:
    today = clock.today()
    if deadline is None:
        return "请填写整改期限。"
    if deadline <= today:
        return f"整改期限须在今天（{_day(today)}）之后。"
    if (deadline - today).days > MAX_DEADLINE_DAYS:
        return (f"整改期限最长为{MAX_DEADLINE_DAYS}天（至{_day(today + dt.timedelta(days=MAX_DEADLINE_DAYS))}），"
                f"所填{_day(deadline)}距今{(deadline - today).days}天。")
    return None


def parties_of_finding(finding) -> list[Organisation]:
    """The bodies a finding may order to correct: those that handled the item it is about."""
    item = finding.item
    application = item.application or (item.certificate.application if item.certificate_id else None)
    found: list[Organisation] = []
    if application is not None:
        found += [application.unit, application.unit.competent_department]
        if application.committee_id:
            found.append(application.committee.office)
    committee = item.committee or (item.expert_draw.plan.committee if item.expert_draw_id else None)
    if committee is not None:
        found.append(committee.office)
    if application is not None:
        # The bureaus of the unit's area (county and city), which checked and reported it (四（二）): their holders.
        from zhicheng.declarations.holders import NoHolder, bureau_of

        for level in (AreaLevel.COUNTY, AreaLevel.LEAGUE_CITY):
            try:
                found.append(bureau_of(application.unit.area, level))
            except NoHolder:
                pass
    seen, parties = set(), []
    for org in found:
        if org is not None and org.kind in PARTY_KINDS and org.pk not in seen:
            seen.add(org.pk)
            parties.append(org)
    return parties


def issue_order(actor, *, party: Organisation, matter: str, deadline: dt.date, finding=None,
                source: str = Source.INSPECTION) -> RectificationOrder:
    """八（一）: order ``party`` to correct ``matter`` by ``deadline`` (from a spot check's finding, or an inspection's)."""
    if not may_order(actor):
        raise RectificationError(refusal(actor, ORDERED_BY))
    matter = (matter or "").strip()
    if not matter:
        raise RectificationError("请写明需要纠正的问题和要求。")
    if problem := party_problem(actor, party):
        raise RectificationError(problem)
    if problem := deadline_problem(deadline):
        raise RectificationError(problem)
    if finding is not None:
        from zhicheng.supervision.models import Conclusion

        if finding.conclusion != Conclusion.PROBLEM:
            raise RectificationError("该抽查结论为“未发现问题”，不能据此下达限期纠正。")
        if party.pk not in {p.pk for p in parties_of_finding(finding)}:
            raise RectificationError("整改单位应为办理被抽查事项的单位或部门。")
        if actor.role == Role.HR_BUREAU and finding.item.campaign.organisation_id != actor.organisation_id:
            raise RectificationError(_("盟市、旗县人社局依据本局组织的随机抽查下达限期纠正；该抽查由其他人社部门组织。"))
        source = Source.SPOT_CHECK
    elif source not in (Source.INSPECTION, Source.RECHECK):
        raise RectificationError("请选择发现问题的方式（巡查或复查）。")
    committee = Committee.objects.filter(office=party).first() if party.kind == OrgKind.COMMITTEE_OFFICE else None
    with transaction.atomic():
        issuer = actor.organisation_id if actor.role == Role.HR_BUREAU else _region_id(actor)
        order = RectificationOrder.objects.create(finding=finding, source=source, party=party, committee=committee, matter=matter,
                                                  deadline=deadline, issuer_id=issuer, issued_by=actor, issued_at=clock.now())
        audit("rectification.order", order, actor=actor, after={
            "issuer": issuer, "party": party.pk, "committee": getattr(committee, "pk", None), "deadline": deadline, "source": source,
            "finding": getattr(finding, "pk", None), "matter": matter,
        }, summary=f"责令{party.name}于{_day(deadline)}前整改（{order.reference}，八（一））")
        queue(_staff(party.pk), "rectification_ordered", {
            "party": party.name, "reference": order.reference, "matter": matter, "deadline": _day(deadline),
        }, link=page_url("rectification_order_detail", order.pk))
    return order


def _region_id(actor) -> int:
    """The regional department's organisation, for its staff's orders (its account's organisation as a rule)."""
    if actor.organisation_id:
        return actor.organisation_id
    return Organisation.objects.filter(kind=OrgKind.REGIONAL_HR_DEPARTMENT).values_list("pk", flat=True).order_by("pk").first()


def _locked(order: RectificationOrder) -> RectificationOrder:
    return RectificationOrder.objects.select_for_update(of=("self",)).select_related("party", "committee").get(pk=order.pk)


def may_answer(actor, order: RectificationOrder) -> bool:
    """Whether ``actor`` reports for the ordered party: its staff, in a role that can be ordered."""
    return not actor.read_only and actor.role in PARTY_ROLES and actor.organisation_id == order.party_id


def answer_order(order: RectificationOrder, actor, *, text: str, files=()) -> OrderAnswer:
    """The ordered party reports what it did, with evidence files (stored by the caller through store_upload)."""
    if not may_answer(actor, order):
        raise RectificationError(refusal(actor, "只有被责令整改的单位可以报送整改情况。"))
    text = (text or "").strip()
    if not text:
        raise RectificationError("请写明整改措施和结果。")
    with transaction.atomic():
        order = _locked(order)
        if order.state not in WAITING_FOR_PARTY:
            raise RectificationError(f"该限期纠正当前为“{order.get_state_display()}”，不能报送整改情况。")
        now = clock.now()
        answer = OrderAnswer.objects.create(order=order, text=text, answered_by=actor, answered_at=now)
        answer.files.set(files)
        before = order.state
        order.state = OrderState.ANSWERED
        order.save(update_fields=["state"])
        audit("rectification.answer", order, actor=actor, before={"state": before}, after={
            "state": order.state, "answer": answer.pk, "files": [f.sha256 for f in files], "late": now.date() > order.deadline,
        }, summary=f"{order.party.name}报送整改情况（{order.reference}）")
        overseers = [order.issued_by] if order.issued_by.is_active else []
        queue(overseers, "rectification_answered", {"party": order.party.name, "reference": order.reference},
              link=page_url("rectification_order_detail", order.pk))
    return answer


def _state_after_rejection(order: RectificationOrder) -> str:
    if CommitteeSuspension.objects.in_force().filter(order=order).exists():
        return OrderState.ESCALATED
    return OrderState.OVERDUE if clock.today() > order.deadline else OrderState.OPEN


def decide_answer(order: RectificationOrder, actor, *, accept: bool, reason: str = "") -> RectificationOrder:
    """The department that gave the order (or the regional department) accepts the correction, or rejects it back to the
    party with the reason."""
    if not may_accept(actor, order):
        raise RectificationError(refusal(actor, ACCEPTED_BY))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise RectificationError("不予验收须写明理由，整改单位据此继续整改。")
    with transaction.atomic():
        order = _locked(order)
        answer = order.answers.filter(decision="").order_by("-answered_at", "-pk").first()
        if order.state != OrderState.ANSWERED or answer is None:
            raise RectificationError(f"该限期纠正当前为“{order.get_state_display()}”，没有待验收的整改情况。")
        now, before = clock.now(), order.state
        answer.decision = Decision.ACCEPTED if accept else Decision.REJECTED
        answer.reason, answer.decided_by, answer.decided_at = reason, actor, now
        answer.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
        if accept:
            order.state, order.accepted_at = OrderState.ACCEPTED, now
        else:
            order.state = _state_after_rejection(order)
            if order.state != OrderState.OPEN and order.overdue_on is None:
                order.overdue_on = clock.today()
        order.save(update_fields=["state", "accepted_at", "overdue_on"])
        audit("rectification.accept" if accept else "rectification.reject", order, actor=actor, before={"state": before},
              after={"state": order.state, "answer": answer.pk, "reason": reason},
              summary=f"{'验收通过' if accept else '不予验收，退回整改'}：{order.party.name}（{order.reference}）")
        queue(_staff(order.party_id), "rectification_decided", {
            "reference": order.reference, "decision": answer.get_decision_display(), "reason": reason, "deadline": _day(order.deadline),
        }, link=page_url("rectification_order_detail", order.pk))
    return order


def mark_overdue(day: dt.date) -> list[int]:
    """The daily run: open orders whose deadline passed before ``day`` become overdue, once; both sides are told."""
    marked = []
    with transaction.atomic():
        orders = list(RectificationOrder.objects.select_for_update(of=("self",)).select_related("party", "issued_by")
                      .filter(state=OrderState.OPEN, deadline__lt=day).order_by("pk"))
        for order in orders:
            order.state, order.overdue_on = OrderState.OVERDUE, day
            order.save(update_fields=["state", "overdue_on"])
            audit("rectification.overdue", order, actor=None, before={"state": OrderState.OPEN},
                  after={"state": order.state, "deadline": order.deadline},
                  summary=f"{order.party.name}逾期未整改（{order.reference}，期限{_day(order.deadline)}）")
            recipients = _staff(order.party_id) + ([order.issued_by] if order.issued_by.is_active else [])
            queue(recipients, "rectification_overdue", {
                "party": order.party.name, "reference": order.reference, "deadline": _day(order.deadline),
            }, link=page_url("rectification_order_detail", order.pk))
            marked.append(order.pk)
    return marked


# ---- 停止评审 and 取消评审资格 ---------------------------------------------------------------------

def affected_declarations(committee: Committee) -> dict[str, int]:
    """The declarations the committee holds (at its intake, accepted, under review), by state: one query."""
    from zhicheng.declarations.models import Application

    counts = dict(Application.objects.filter(committee=committee, state__in=HELD_BY_COMMITTEE).order_by()
                  .values_list("state").annotate(n=Count("pk")))
    return {state: counts.get(state, 0) for state in HELD_BY_COMMITTEE}


def suspension_in_force(committee_id) -> CommitteeSuspension | None:
    return CommitteeSuspension.objects.in_force().filter(committee_id=committee_id).first()


def suspension_message(committee_name: str, started_on: dt.date) -> str:
    return (f"{committee_name}已于{_day(started_on)}被自治区人社厅责令停止评审工作（逾期未纠正，八（一）），"
            f"停止期间不得受理申报、不得召开评审会议。")


def suspension_refusal(committee) -> str | None:
    """The refusal a suspended committee's office gets, or None (registered with review.meeting's committee checks in workflow.py)."""
    suspension = suspension_in_force(committee.pk)
    return None if suspension is None else suspension_message(committee.name, suspension.started_on)


def suspend_committee(order: RectificationOrder, actor, *, reason: str) -> CommitteeSuspension:
    """八（一）: a committee office that did not correct in time; its committee stops reviewing."""
    _require(actor, DEPARTMENT, "责令停止评审涉及全区的评审工作，由自治区人社厅决定（八（一））。")
    reason = (reason or "").strip()
    if not reason:
        raise RectificationError("请写明停止评审的理由。")
    try:
        with transaction.atomic():
            order = _locked(order)
            if order.committee_id is None:
                raise RectificationError("只有对评委会办事机构下达的限期纠正，逾期后才能责令评委会停止评审。")
            if order.state != OrderState.OVERDUE:
                raise RectificationError(f"该限期纠正当前为“{order.get_state_display()}”；只有逾期未整改的，才能责令停止评审（八（一））。")
            if suspension_in_force(order.committee_id):
                raise RectificationError(f"{order.committee.name}已在停止评审中。")
            affected = affected_declarations(order.committee)
            suspension = CommitteeSuspension.objects.create(
                committee=order.committee, order=order, reason=reason, started_on=clock.today(), decided_by=actor,
                decided_at=clock.now(), affected=affected)
            order.state = OrderState.ESCALATED
            order.save(update_fields=["state"])
            audit("rectification.suspend", suspension, actor=actor, after={
                "committee": order.committee_id, "order": order.pk, "affected": affected, "reason": reason,
            }, summary=f"责令{order.committee.name}停止评审（逾期未纠正，{order.reference}，八（一））")
            queue(_staff(order.party_id), "committee_suspended", {
                "committee": order.committee.name, "reference": order.reference, "reason": reason, "started_on": _day(suspension.started_on),
            }, link=page_url("suspension_detail", suspension.pk))
    except IntegrityError as exc:  # a second decision at the same moment: the unique constraint keeps one in force
        raise RectificationError(f"{order.committee.name}已在停止评审中。") from exc
    return suspension


def _locked_suspension(suspension: CommitteeSuspension) -> CommitteeSuspension:
    return CommitteeSuspension.objects.select_for_update(of=("self",)).select_related("committee", "order").get(pk=suspension.pk)


def lift_suspension(suspension: CommitteeSuspension, actor, *, reason: str) -> CommitteeSuspension:
    _require(actor, DEPARTMENT, "恢复评审涉及全区的评审工作，由自治区人社厅决定（八（一））。")
    reason = (reason or "").strip()
    if not reason:
        raise RectificationError("请写明恢复评审的理由（如整改已验收）。")
    with transaction.atomic():
        suspension = _locked_suspension(suspension)
        if not suspension.in_force:
            raise RectificationError("该停止评审决定已解除。")
        if suspension.approval_revoked_on:
            raise RectificationError("该评委会评审资格已被取消；恢复评审须重新核准备案（七（一））。")
        suspension.lifted_on, suspension.lifted_by, suspension.lift_reason = clock.today(), actor, reason
        suspension.save(update_fields=["lifted_on", "lifted_by", "lift_reason"])
        # An order still waiting for the party is overdue again, no longer escalated.
        RectificationOrder.objects.filter(pk=suspension.order_id, state=OrderState.ESCALATED).update(state=OrderState.OVERDUE)
        audit("rectification.lift", suspension, actor=actor, after={"lifted_on": suspension.lifted_on, "reason": reason},
              summary=f"{suspension.committee.name}恢复评审")
        queue(_staff(suspension.committee.office_id), "committee_suspension_lifted", {
            "committee": suspension.committee.name, "reason": reason,
        }, link=page_url("suspension_detail", suspension.pk))
    return suspension


def approvals_to_revoke(committee: Committee):
    today = clock.today()
    return CommitteeApproval.objects.filter(committee=committee, revoked_on__isnull=True, valid_until__gte=today)


def revoke_approval(suspension: CommitteeSuspension, actor, *, reason: str) -> list[int]:
    """七（一）、八（一）: a suspended committee that still does not correct loses its review approval; the
    declarations workflow's committee_approved guard then refuses it everything an approval allows."""
    _require(actor, DEPARTMENT, "取消评审资格涉及全区的评审工作，由自治区人社厅决定（七（一）、八（一））。")
    reason = (reason or "").strip()
    if not reason:
        raise RectificationError("请写明取消评审资格的理由。")
    with transaction.atomic():
        suspension = _locked_suspension(suspension)
        if not suspension.in_force:
            raise RectificationError("停止评审已解除，不能据此取消评审资格；须重新下达限期纠正。")
        if suspension.approval_revoked_on:
            raise RectificationError("该评委会评审资格已被取消。")
        approvals = list(approvals_to_revoke(suspension.committee).select_for_update())
        if not approvals:
            raise RectificationError("该评委会没有有效的核准备案可以取消。")
        today = clock.today()
        text = f"停止评审后仍未纠正，取消评审资格（八（一）、七（一））：{reason}"[:200]
        for approval in approvals:
            approval.revoked_on, approval.revocation_reason = today, text
            approval.save(update_fields=["revoked_on", "revocation_reason"])
        suspension.approval_revoked_on = today
        suspension.save(update_fields=["approval_revoked_on"])
        audit("rectification.revoke_approval", suspension, actor=actor, after={
            "approvals": [a.pk for a in approvals], "document_numbers": [a.document_number for a in approvals], "reason": reason,
        }, summary=f"取消{suspension.committee.name}评审资格（七（一）、八（一））")
        queue(_staff(suspension.committee.office_id), "committee_approval_revoked", {
            "committee": suspension.committee.name, "reason": reason,
        }, link=page_url("suspension_detail", suspension.pk))
    return [a.pk for a in approvals]


# ---- 复查 → 撤销职称 (八（三）) -------------------------------------------------------------------

def certificate_of_finding(finding):
    """The certificate a re-check's finding is about (its sampled item's), or None."""
    item = finding.item
    return item.certificate


def revocation_reason(finding) -> str:
    return f"复查发现问题（{finding.item.campaign.reference}）：{finding.text.strip()}"[:200]


def revoke_from_finding(finding, actor, *, document_number: str):
    """The existing revocation path (certificates.services.revoke_certificate), with the finding as its reason."""
    from zhicheng.certificates.services import revoke_certificate
    from zhicheng.supervision.models import Conclusion

    _require(actor, DEPARTMENT, "撤销职称由自治区人社厅决定（八（三））。")
    cert = certificate_of_finding(finding)
    if cert is None:
        raise RectificationError("该抽查发现不涉及已发放的职称证书。")
    if finding.conclusion != Conclusion.PROBLEM:
        raise RectificationError("该复查结论为“未发现问题”，不能据此撤销职称。")
    with transaction.atomic():
        cert = revoke_certificate(cert, actor, reason=revocation_reason(finding), document_number=document_number)
        audit("rectification.recheck_revocation", finding, actor=actor, after={"certificate": cert.number, "document_number": document_number},
              summary=f"复查发现问题，撤销证书{cert.number}（八（三））")
    return cert


# ---- 全区通报 ----------------------------------------------------------------------------------

DOCUMENT_NUMBER = re.compile(r"^(?P<agency>[\u4e00-\u9fff]{2,12})〔(?P<year>\d{4})〕(?P<n>[1-9]\d{0,3})号$")
ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9])")


def document_number_problem(value: str) -> str | None:
    value = (value or "").strip()
    match = DOCUMENT_NUMBER.match(value)
    if match is None:
        return f"文号格式应为“机关代字〔年份〕序号号”，例如“内人社函〔{clock.today().year}〕12号”（六角括号“〔〕”）。"
    year = int(match["year"])
    if not clock.today().year - 1 <= year <= clock.today().year:
        return f"文号中的年份{year}不对：通报应为今年或上一年的文号。"
    return None


def _applicant_names(orders) -> set[str]:
    """The names of people the reported findings are about, and of everyone who declared: none may be published."""
    from zhicheng.declarations.models import Application

    names = set(Application.objects.values_list("person__name", flat=True).distinct())
    for order in orders:
        item = order.finding.item if order.finding_id else None
        if item is not None and item.certificate_id:
            names.add(item.certificate.holder_name)
    return {n for n in names if n and len(n) >= 2}


def bulletin_items(orders, suspensions) -> list[dict]:
    """What a bulletin reports, as it will be published: bodies' names, what they were told and what happened, no person's."""
    items = []
    for order in orders:
        items.append({
            "kind": "order", "reference": order.reference, "party": order.party.name,
            "committee": order.committee.name if order.committee_id else "", "source": order.get_source_display(),
            "matter": order.matter, "deadline": order.deadline.isoformat(), "outcome": order.get_state_display(),
        })
    for s in suspensions:
        outcome = "取消评审资格" if s.approval_revoked_on else ("已恢复评审" if s.lifted_on else "停止评审")
        items.append({
            "kind": "suspension", "reference": s.order.reference, "party": s.committee.office.name, "committee": s.committee.name,
            "source": "停止评审", "matter": s.reason, "deadline": s.started_on.isoformat(), "outcome": outcome,
        })
    return items


def personal_data_problems(texts: list[str], orders) -> list[str]:
    """八（一） names the units and committees; a person's name or ID number has no place in a public bulletin."""
    problems = []
    joined = "\n".join(texts)
    if ID_NUMBER.search(joined):
        problems.append("通报中含有身份证号码，请删除（通报只公布单位和评委会名称）。")
    names = sorted(n for n in _applicant_names(orders) if n in joined)
    if names:
        problems.append(f"通报中含有申报人姓名“{'、'.join(names[:5])}”，请删除（通报只公布单位和评委会名称）。")
    return problems


def save_bulletin(actor, *, document_number: str, title: str, body: str, orders, suspensions, bulletin: Bulletin | None = None) -> Bulletin:
    _require(actor, DEPARTMENT, "全区通报面向全区，由自治区人社厅起草发布（八（一））。")
    document_number, title, body = document_number.strip(), title.strip(), body.strip()
    if problem := document_number_problem(document_number):
        raise RectificationError(problem)
    if not title or not body:
        raise RectificationError("请填写通报标题和正文。")
    orders, suspensions = list(orders), list(suspensions)
    if not orders and not suspensions:
        raise RectificationError("请选择通报的限期纠正或停止评审事项。")
    items = bulletin_items(orders, suspensions)
    problems = personal_data_problems([title, body] + [i["matter"] for i in items], orders)
    if problems:
        raise RectificationError("；".join(problems))
    with transaction.atomic():
        if bulletin is not None:
            bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
            if bulletin.status != BulletinStatus.DRAFT:
                raise RectificationError("通报已发布，不能修改。")
        if Bulletin.objects.filter(document_number=document_number).exclude(pk=getattr(bulletin, "pk", None)).exists():
            raise RectificationError(f"文号{document_number}已被另一份通报使用。")
        if bulletin is None:
            bulletin = Bulletin(drafted_by=actor, drafted_at=clock.now())
        bulletin.document_number, bulletin.title, bulletin.body = document_number, title, body
        bulletin.save()
        bulletin.orders.set(orders)
        bulletin.suspensions.set(suspensions)
        audit("rectification.bulletin_draft", bulletin, actor=actor, after={
            "document_number": document_number, "title": title, "orders": [o.pk for o in orders], "suspensions": [s.pk for s in suspensions],
        }, summary=f"起草全区通报{document_number}")
    return bulletin


def publish_bulletin(bulletin: Bulletin, actor) -> Bulletin:
    """Irreversible: the bulletin is public from now on, as it is now (its items are frozen)."""
    _require(actor, DEPARTMENT, "全区通报面向全区，由自治区人社厅发布（八（一））。")
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.status != BulletinStatus.DRAFT:
            raise RectificationError("该通报已发布。")
        orders = list(bulletin.orders.select_related("party", "committee", "finding__item__certificate"))
        suspensions = list(bulletin.suspensions.select_related("committee__office", "order"))
        items = bulletin_items(orders, suspensions)
        problems = personal_data_problems([bulletin.title, bulletin.body] + [i["matter"] for i in items], orders)
        if problems:
            raise RectificationError("；".join(problems))
        bulletin.items, bulletin.status = items, BulletinStatus.PUBLISHED
        bulletin.published_on, bulletin.published_by = clock.today(), actor
        bulletin.save(update_fields=["items", "status", "published_on", "published_by"])
        audit("rectification.bulletin_publish", bulletin, actor=actor, after={"document_number": bulletin.document_number, "items": items},
              summary=f"发布全区通报{bulletin.document_number}")
    return bulletin
