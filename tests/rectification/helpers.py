"""Findings and orders for the rectification tests and the permission walk, made as the pages make them."""

from __future__ import annotations

import datetime as dt

from zhicheng.core import clock
from zhicheng.orgs.models import Organisation, OrgKind

from ..conftest import staff_of


def regional():
    return staff_of(Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))


def finding_on(*, application=None, certificate=None, text="核查发现申报材料中的业绩证明未经单位审核盖章，单位公示未满5个工作日。"):
    """A spot check's finding of a problem on one sampled declaration or certificate."""
    from zhicheng.supervision.models import Campaign, CheckKind, Conclusion, Finding, SampledItem

    actor = regional()
    kind = CheckKind.CERTIFICATES_ISSUED if certificate is not None else CheckKind.DECLARATIONS_ACCEPTED
    campaign = Campaign.objects.create(title="2021年度职称评审随机抽查", kind=kind, organisation=actor.organisation, year=2021,
                                       sample_count=1, parties=["supervisor", "regional_hr_department"], created_by=actor)
    key = f"C{certificate.pk}" if certificate is not None else f"A{application.pk}"
    item = SampledItem.objects.create(campaign=campaign, position=1, key=key, application=application, certificate=certificate)
    return Finding.objects.create(item=item, conclusion=Conclusion.PROBLEM, text=text, recorded_by=actor, recorded_at=clock.now())


def order_to(party, *, finding=None, day=dt.date(2021, 8, 2), deadline=dt.date(2021, 8, 20), matter="限期补正单位公示程序并重新审核业绩材料。"):
    from zhicheng.rectification.services import issue_order

    with clock.frozen(day):
        return issue_order(regional(), party=party, matter=matter, deadline=deadline, finding=finding)


def send_every_kind_of_message() -> None:
    """Every message of orders and suspensions, sent as in use (for tests/notifications/test_links.py)."""
    from zhicheng.orgs.models import Committee
    from zhicheng.rectification import services

    office = Committee.objects.get(name="呼和浩特市工程系列中级职称评审委员会").office
    first, second = order_to(office), order_to(office)  # rectification_ordered
    with clock.frozen(dt.date(2021, 8, 5)):
        services.answer_order(first, staff_of(office), text="已整改。")  # rectification_answered
    with clock.frozen(dt.date(2021, 8, 6)):
        services.decide_answer(first, regional(), accept=False, reason="未附证明材料。")  # rectification_decided
    services.mark_overdue(dt.date(2021, 8, 21))  # rectification_overdue
    with clock.frozen(dt.date(2021, 8, 22)):
        suspension = services.suspend_committee(first, regional(), reason="逾期未纠正。")  # committee_suspended
    with clock.frozen(dt.date(2021, 8, 23)):
        services.lift_suspension(suspension, regional(), reason="已整改。")  # committee_suspension_lifted
    with clock.frozen(dt.date(2021, 8, 24)):
        again = services.suspend_committee(second, regional(), reason="逾期未纠正。")
    with clock.frozen(dt.date(2021, 8, 25)):
        services.revoke_approval(again, regional(), reason="停止评审后仍未纠正。")  # committee_approval_revoked
