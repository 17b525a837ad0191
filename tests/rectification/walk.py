"""The objects the permission walk (tests/test_permissions.py) needs for the rectification pages, made through the services.

An order waiting for the scene's employer (准格尔旗人民医院), one it answered with a file, two overdue orders to a
committee that no other page of the walk uses (the economics committee's office) and a suspension from one of them,
a re-check's finding on the certified d's certificate, a draft bulletin and a published one."""

from __future__ import annotations

import datetime as dt

from zhicheng.core import clock
from zhicheng.files.services import store_file
from zhicheng.orgs.models import Organisation
from zhicheng.rectification import services

from .helpers import finding_on, order_to, regional

D = dt.date


def objects(scene, pdf_bytes) -> dict:
    employer = scene["roles"].employer
    unit = employer.organisation
    office = Organisation.objects.get(committee__series__code="economics")
    waiting = order_to(unit, deadline=D(2021, 8, 31), matter="限期整改单位公示程序（巡查发现）。")
    answered = order_to(unit, deadline=D(2021, 8, 31))
    evidence = store_file("整改报告.pdf", pdf_bytes("整改报告"))
    with clock.frozen(D(2021, 8, 5)):
        services.answer_order(answered, employer, text="已重新公示。", files=[evidence])
    overdue = order_to(office, deadline=D(2021, 8, 9))
    escalated = order_to(office, deadline=D(2021, 8, 9))
    services.mark_overdue(D(2021, 8, 10))
    with clock.frozen(D(2021, 8, 10)):
        suspension = services.suspend_committee(escalated, regional(), reason="逾期未报送评审实施方案整改情况。")
        draft = services.save_bulletin(regional(), document_number="内人社函〔2021〕30号", title="关于部分单位职称申报审核问题的通报（草稿）",
                                       body="经巡查，部分单位审核把关不严。", orders=[waiting], suspensions=[])
        published = services.save_bulletin(regional(), document_number="内人社函〔2021〕31号", title="关于经济系列评委会停止评审的通报",
                                           body="经济系列评委会逾期未纠正，现予通报。", orders=[escalated], suspensions=[suspension])
        services.publish_bulletin(published, regional())
    return {"rectification": {
        "waiting": waiting, "answered": answered, "evidence": evidence, "overdue": overdue, "suspension": suspension,
        "committee": office.committee.name, "finding": finding_on(certificate=scene["certificate"]), "draft": draft, "published": published,
    }}
