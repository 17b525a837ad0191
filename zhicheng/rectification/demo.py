"""The demo's rectification (an oversight part of DemoLoader, after the spot checks): an open order to the unit the
demo's employer login works for (from a spot check's finding where the demo has one, else an inspection's), an
order the busiest committee office answered and the region rejected back, and a published bulletin. No committee is
stopped: the demo's other flows need every committee."""

from __future__ import annotations

import datetime as dt

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.orgs.models import Organisation, OrgKind

from . import services
from .models import Source

D = dt.date


def _busiest(kind):
    """As DemoLoader.friendly_logins picks the organisation of each demo login."""
    return max(Organisation.objects.filter(kind=kind), key=lambda o: (Application.objects.filter(holder=o).count(), -o.pk))


def _staff(org, role):
    return User.objects.filter(organisation=org, role=role, is_active=True).order_by("pk").first()


def _a_finding(party_kinds=(OrgKind.UNIT, OrgKind.COMMITTEE_OFFICE)):
    from zhicheng.supervision.models import Conclusion, Finding

    for finding in Finding.objects.filter(conclusion=Conclusion.PROBLEM).select_related("item").order_by("pk"):
        parties = [p for p in services.parties_of_finding(finding) if p.kind in party_kinds]
        if parties:
            return finding, parties[0]
    return None, None


def demo(loader) -> None:
    region = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    chief = _staff(region, Role.REGIONAL_HR_DEPARTMENT) or loader._account(
        "regional_hr", Role.REGIONAL_HR_DEPARTMENT, organisation=region, first_name=f"{region.name[:20]}（演示）")
    finding, party = _a_finding()
    with clock.frozen(D(2021, 9, 6)):
        if finding is not None:
            services.issue_order(chief, party=party, finding=finding, deadline=D(2021, 9, 30),
                                 matter="抽查发现的问题请逐项核实，完善单位审核和公示程序，并报送整改情况和证明材料。")
        else:
            services.issue_order(chief, party=_busiest(OrgKind.UNIT), source=Source.INSPECTION, deadline=D(2021, 9, 30),
                                 matter="巡查发现单位公示未满5个工作日即上报，且未留存公示结果。请完善单位公示程序，并报送整改情况。")
    office = _busiest(OrgKind.COMMITTEE_OFFICE)
    with clock.frozen(D(2021, 8, 20)):
        rejected = services.issue_order(chief, party=office, source=Source.INSPECTION, deadline=D(2021, 9, 24),
                                        matter="巡查发现评审实施方案未附评委推荐名单（七（三））。请补齐并重新报备。")
    clerk = _staff(office, Role.COMMITTEE_OFFICE) or loader._account(
        "committee_office", Role.COMMITTEE_OFFICE, organisation=office, first_name=f"{office.name[:20]}（演示）")
    with clock.frozen(D(2021, 9, 1)):
        services.answer_order(rejected, clerk, text="已补充评委推荐名单。")
    with clock.frozen(D(2021, 9, 3)):
        services.decide_answer(rejected, chief, accept=False, reason="补充的名单未经组建单位盖章，请重新报送。")
    with clock.frozen(D(2021, 9, 10)):
        bulletin = services.save_bulletin(
            chief, document_number="内人社函〔2021〕45号", title="关于2021年度职称评审巡查发现问题的通报",
            body=(f"2021年8月，自治区人力资源和社会保障厅对全区职称评审工作开展巡查。{office.name}评审实施方案材料不全，"
                  "已责令限期纠正。请各盟市、各评委会对照检查，严格执行评审实施方案报备制度（七（三））。"),
            orders=[rejected], suspensions=[])
        services.publish_bulletin(bulletin, chief)
    loader.out(f"  限期纠正：2件（{rejected.reference}已退回整改），全区通报：{bulletin.document_number}")
