"""限期纠正 → 逾期 → 停止评审 → 恢复评审 / 取消评审资格 (八（一）、七（一）), the re-check's revocation (八（三）) and the
bulletins (全区通报), through the services and the pages."""

from __future__ import annotations

import datetime as dt
import html
import re

import pypdfium2
import pytest
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.certificates.models import Certificate, CertificateStatus
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import GuardFailed, transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.notifications.models import Notification
from zhicheng.orgs.models import Organisation
from zhicheng.rectification import services
from zhicheng.rectification.daily import overdue_orders
from zhicheng.rectification.models import Bulletin, CommitteeSuspension, OrderState
from zhicheng.review import meeting as meeting_service
from zhicheng.review.models import Meeting, ReviewPlan

from ..conftest import staff_of
from ..cycle_helpers import advance
from ..web.helpers import pdf_bytes, upload
from .helpers import finding_on, order_to, regional

D = dt.date
CLAUSE = "八（一）"


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def _confirmed(client, url, data):
    """POST once (the confirmation page, nothing done), then again with confirm=yes."""
    asked = client.post(url, data)
    assert asked.status_code == 200 and 'name="confirm"' in asked.content.decode()
    return asked, client.post(url, {**data, "confirm": "yes"})


@pytest.fixture
def at_intake(make_applicant):
    """b: a city engineering declaration at its committee's intake (呼和浩特市), and the committee's office."""
    b, _, _ = advance(make_applicant(P.regular_city_engineer_intermediate()), State.COMMITTEE_INTAKE)
    return b, b.committee.office, staff_of(b.committee.office)


@pytest.mark.django_db
def test_finding_order_answer_rejection_overdue_suspension_and_the_refused_intake(client, at_intake):
    b, office, office_staff = at_intake
    finding = finding_on(application=b)
    order = order_to(office, finding=finding)
    assert order.committee == b.committee and order.source == "spot_check" and order.state == OrderState.OPEN
    ordered = Notification.objects.get(recipient=office_staff, key="rectification_ordered")
    assert ordered.link.endswith(reverse("rectification_order_detail", args=[order.pk]))

    # The office sees it in its queue and on its dashboard, and answers with evidence.
    client.force_login(office_staff)
    with clock.frozen(D(2021, 8, 5)):
        assert order.reference in client.get(reverse("rectification_orders")).content.decode()
        assert "待整改：1 件" in client.get(reverse("dashboard")).content.decode()
        response = client.post(reverse("rectification_order_act", args=[order.pk]), {
            "action": "answer", "text": "已重新组织公示并补充审核。", "files": upload("整改报告.pdf", pdf_bytes("整改报告"))}, follow=True)
    assert "整改情况已报送" in response.content.decode()
    order.refresh_from_db()
    answer = order.answers.get()
    assert order.state == OrderState.ANSWERED and answer.files.get().original_name == "整改报告.pdf"
    assert Notification.objects.filter(recipient=order.issued_by, key="rectification_answered").exists()
    with clock.frozen(D(2021, 8, 5)):
        evidence = client.get(reverse("rectification_evidence", args=[order.pk, answer.files.get().sha256]))
    assert evidence.status_code == 200 and evidence.content.startswith(b"%PDF")

    # The regional department rejects it back: a reason is required.
    client.force_login(regional())
    with clock.frozen(D(2021, 8, 6)):
        refused = client.post(reverse("rectification_order_act", args=[order.pk]), {"action": "decide", "decision": "reject"}, follow=True)
        assert "不予验收须写明理由" in refused.content.decode()
        client.post(reverse("rectification_order_act", args=[order.pk]),
                    {"action": "decide", "decision": "reject", "reason": "未附公示结果，请补充。"})
    order.refresh_from_db()
    assert order.state == OrderState.OPEN and order.answers.get().decision == "rejected"
    assert Notification.objects.get(recipient=office_staff, key="rectification_decided").context["reason"] == "未附公示结果，请补充。"

    # The daily run after the deadline: overdue, exactly once, both sides told.
    assert overdue_orders.call(day="2021-08-20") == {"overdue": []}  # on the deadline itself it is not overdue yet
    assert overdue_orders.call(day="2021-08-21") == {"overdue": [order.pk]}
    assert overdue_orders.call(day="2021-08-21") == {"overdue": []}
    assert overdue_orders.call(day="2021-08-22") == {"overdue": []}
    order.refresh_from_db()
    assert order.state == OrderState.OVERDUE and order.overdue_on == D(2021, 8, 21)
    assert Notification.objects.filter(key="rectification_overdue", recipient=office_staff).count() == 1
    assert AuditEntry.objects.filter(action="rectification.overdue", object_id=str(order.pk)).count() == 1

    # Suspension, with the confirmation page stating the declarations it holds.
    with clock.frozen(D(2021, 8, 22)):
        url = reverse("committee_suspend", args=[order.pk])
        asked, done = _confirmed(client, url, {"reason": "逾期未纠正公示程序问题。"})
    assert "在其受理环节的申报：1件" in asked.content.decode()
    suspension = CommitteeSuspension.objects.get(committee=b.committee)
    assert done["Location"] == reverse("suspension_detail", args=[suspension.pk])
    assert suspension.affected == {"committee_intake": 1, "accepted": 0, "under_review": 0}
    order.refresh_from_db()
    assert order.state == OrderState.ESCALATED
    assert Notification.objects.filter(recipient=office_staff, key="committee_suspended").exists()

    # The suspended committee's intake is refused, with the clause: through transition() ...
    with clock.frozen(D(2021, 8, 23)):
        with pytest.raises(GuardFailed) as refused:
            transition(b, "accept", office_staff)
    assert any(CLAUSE in reason and "停止评审" in reason for reason in refused.value.reasons)
    # ... and through the office's queue page.
    client.force_login(office_staff)
    with clock.frozen(D(2021, 8, 23)):
        page = client.post(reverse("application_act", args=[b.pk]), {"action": "accept"}, follow=True).content.decode()
        bulk = client.post(reverse("application_bulk"), {"action": "accept", "ids": [b.pk]}, follow=True).content.decode()
    assert CLAUSE in page and "停止评审" in page and CLAUSE in bulk
    assert Application.objects.get(pk=b.pk).state == State.COMMITTEE_INTAKE

    # No meeting either: scheduling one is refused, and so is opening the ballot of one already scheduled.
    plan = ReviewPlan.objects.get(committee=b.committee, year=2021)
    with clock.frozen(plan.review_starts_on):
        with pytest.raises(meeting_service.MeetingError) as no_meeting:
            meeting_service.schedule(plan, office_staff, held_on=plan.review_starts_on, place="评审中心")
        assert CLAUSE in str(no_meeting.value)
        held = Meeting.objects.create(plan=plan, held_on=plan.review_starts_on, place="评审中心")
        assert CLAUSE in meeting_service.opening_problems(held)[0]

    # Lifted: the office accepts again.
    client.force_login(regional())
    with clock.frozen(D(2021, 8, 24)):
        client.post(reverse("suspension_act", args=[suspension.pk]), {"action": "lift", "reason": "已整改到位。"})
        suspension.refresh_from_db()
        assert suspension.lifted_on == D(2021, 8, 24)
        assert Notification.objects.filter(recipient=office_staff, key="committee_suspension_lifted").exists()
        transition(b, "accept", office_staff)
    assert Application.objects.get(pk=b.pk).state == State.ACCEPTED
    order.refresh_from_db()
    assert order.state == OrderState.OVERDUE  # still to be answered, no longer escalated


@pytest.mark.django_db
def test_revoked_approval_is_refused_by_the_existing_guard(client, at_intake):
    b, office, office_staff = at_intake
    order = order_to(office)  # an inspection's order (巡查), no campaign
    assert order.source == "inspection" and order.finding is None
    services.mark_overdue(D(2021, 8, 21))
    with clock.frozen(D(2021, 8, 22)):
        suspension = services.suspend_committee(order, regional(), reason="逾期未纠正。")
    client.force_login(regional())
    url = reverse("suspension_act", args=[suspension.pk])
    with clock.frozen(D(2021, 8, 30)):
        asked, done = _confirmed(client, url, {"action": "revoke", "reason": "停止评审后仍未纠正。"})
    assert "在其受理环节的申报：1件" in asked.content.decode() and done.status_code == 302
    approval = b.committee.approvals.get()
    assert approval.revoked_on == D(2021, 8, 30) and "七（一）" in approval.revocation_reason
    assert Notification.objects.filter(recipient=office_staff, key="committee_approval_revoked").exists()
    with clock.frozen(D(2021, 8, 31)):
        with pytest.raises(services.RectificationError, match="重新核准备案"):
            services.lift_suspension(suspension, regional(), reason="试图恢复")
        with pytest.raises(GuardFailed) as refused:
            transition(b, "accept", office_staff)
    assert any("未经核准备案或备案已过期" in r and "七（一）" in r for r in refused.value.reasons)


@pytest.mark.django_db
def test_orders_are_checked_before_anything_is_written(client, at_intake):
    b, office, _ = at_intake
    unit = b.unit
    with clock.frozen(D(2021, 8, 2)):
        for deadline, says in ((D(2021, 8, 1), "须在今天"), (D(2021, 8, 2), "须在今天"), (D(2023, 8, 2), "最长为183天")):
            with pytest.raises(services.RectificationError, match=says):
                services.issue_order(regional(), party=unit, matter="整改", deadline=deadline)
        with pytest.raises(services.RectificationError, match="八（一）"):
            services.issue_order(staff_of(unit), party=unit, matter="整改", deadline=D(2021, 8, 20))
        other = Organisation.objects.get(name="包头钢铁（集团）有限责任公司")
        with pytest.raises(services.RectificationError, match="办理被抽查事项"):
            services.issue_order(regional(), party=other, matter="整改", deadline=D(2021, 8, 20), finding=finding_on(application=b))
    order = order_to(unit)
    with pytest.raises(services.RectificationError, match="只有被责令整改的单位"):
        services.answer_order(order, staff_of(office), text="已整改")
    with pytest.raises(services.RectificationError, match="没有待验收"):
        services.decide_answer(order, regional(), accept=True)
    with pytest.raises(services.RectificationError, match="逾期未整改的"):
        services.suspend_committee(order_to(office), regional(), reason="x")
    assert not CommitteeSuspension.objects.exists()

    # From a finding's page: the parties offered are the bodies that handled the sampled declaration.
    finding = finding_on(application=b)
    client.force_login(regional())
    url = reverse("rectification_order_new") + f"?finding={finding.pk}"
    with clock.frozen(D(2021, 8, 3)):
        form = client.get(url).content.decode()
        assert unit.name in form and office.name in form and "包头钢铁（集团）有限责任公司" not in form
        assert client.get(reverse("rectification_order_new") + "?finding=²").status_code == 404
        asked = client.post(url, {"party": office.pk, "matter": "完善受理审核程序。", "deadline": "2021-08-31"})
        question = asked.content.decode()
        assert f"责令整改单位：{office.name}" in question and "整改期限：2021-08-31（28天后）" in question
        assert "完善受理审核程序。" in question and finding.item.campaign.reference in question and "不能撤回" in question
        assert not finding.rectification_orders.exists(), "asking changes nothing"
        done = _answer(client, asked)  # as the browser does: the confirmation page's own form, to its own address
    made = finding.rectification_orders.get()
    assert done["Location"] == reverse("rectification_order_detail", args=[made.pk])
    assert (made.party, made.committee, made.source) == (office, b.committee, "spot_check")


def _answer(client, asked):
    """Submit the confirmation page's form as it stands: its action, its hidden fields, its button."""
    page = asked.content.decode()
    form = page[page.index('<section class="card" id="confirm"'):]
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', form).group(1))
    fields = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form):
        if name != "csrfmiddlewaretoken":
            fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return client.post(action, {**fields, "confirm": "yes"})


@pytest.mark.django_db
def test_an_inspection_order_is_issued_after_confirming(client, at_intake):
    b, _office, _ = at_intake
    unit = b.unit
    client.force_login(regional())
    url = reverse("rectification_order_new")
    data = {"source": "recheck", "party": unit.pk, "matter": "重新审核业绩材料并报送整改情况。", "deadline": "2021-08-12"}
    with clock.frozen(D(2021, 8, 2)):
        refused = client.post(url, {**data, "deadline": "2021-08-02"}).content.decode()
        assert "须在今天" in refused and 'name="confirm"' not in refused, "a refusal is not asked about"
        asked = client.post(url, data)
        question = asked.content.decode()
        assert asked.status_code == 200 and 'name="confirm" value="yes"' in question
        assert f"责令整改单位：{unit.name}" in question and "整改期限：2021-08-12（10天后）" in question
        assert "重新审核业绩材料并报送整改情况。" in question and "发现方式：复查" in question
        assert not services.orders_for(regional()).exists(), "asking changes nothing"
        done = _answer(client, asked)
    order = services.orders_for(regional()).get()
    assert done["Location"] == reverse("rectification_order_detail", args=[order.pk])
    assert (order.party, order.source, order.deadline, order.finding) == (unit, "recheck", D(2021, 8, 12), None)


@pytest.mark.django_db
def test_a_recheck_finding_revokes_the_title_through_the_existing_revocation(client, make_applicant):
    d, _, _ = advance(make_applicant(P.regular_county_doctor()), State.CERTIFIED)
    cert = Certificate.objects.get(application=d)
    finding = finding_on(certificate=cert, text="复查发现其论文系他人代写，属学术造假。")
    client.force_login(regional())
    url = reverse("finding_revoke", args=[finding.pk])
    with clock.frozen(D(2021, 12, 1)):
        assert cert.number in client.get(url).content.decode()
        asked, done = _confirmed(client, url, {"document_number": "内人社函〔2021〕88号"})
    assert "学术造假" in asked.content.decode() and done["Location"] == reverse("certificate_list")
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.REVOKED and cert.revocation_document_number == "内人社函〔2021〕88号"
    assert finding.item.campaign.reference in cert.revocation_reason and "学术造假" in cert.revocation_reason
    assert Application.objects.get(pk=d.pk).state == State.REVOKED
    assert d.person.blacklist_entries.exists()


@pytest.mark.django_db
def test_bulletin_names_bodies_only_and_publishing_is_final(client, at_intake):
    b, office, _ = at_intake
    person, unit = b.person, b.unit
    order = order_to(unit, finding=finding_on(application=b, text=f"{person.name}（{person.id_number}）的业绩证明未经审核。"))
    office_order = order_to(office)
    services.mark_overdue(D(2021, 8, 21))
    with clock.frozen(D(2021, 8, 22)):
        suspension = services.suspend_committee(office_order, regional(), reason="逾期未纠正。")
    client.force_login(regional())
    data = {"document_number": "内人社函〔2021〕12号", "title": "关于2021年度职称评审随机抽查情况的通报",
            "body": f"经随机抽查，{unit.name}等单位存在审核把关不严问题，现予通报。", "orders": [order.pk], "suspensions": [suspension.pk]}
    with clock.frozen(D(2021, 9, 1)):
        for bad, says in (({"document_number": "内人社函[2021]12号"}, "六角括号"), ({"document_number": "内人社函〔2019〕12号"}, "年份2019"),
                          ({"body": f"{person.name}的材料有误。"}, "申报人姓名"), ({"body": f"身份证号{person.id_number}。"}, "身份证号码")):
            page = client.post(reverse("bulletin_new"), {**data, **bad}).content.decode()
            assert says in page, says
        assert not Bulletin.objects.exists()
        client.post(reverse("bulletin_new"), data)
        bulletin = Bulletin.objects.get()
        asked, done = _confirmed(client, reverse("bulletin_publish", args=[bulletin.pk]), {})
    assert "通报限期纠正事项：1项" in asked.content.decode() and "不能撤回" in asked.content.decode()
    assert done["Location"] == reverse("public_bulletin_detail", args=[bulletin.pk])
    bulletin.refresh_from_db()
    assert bulletin.status == "published" and bulletin.published_on == D(2021, 9, 1)
    with clock.frozen(D(2021, 9, 2)):
        assert "已发布" in client.post(reverse("bulletin_publish", args=[bulletin.pk]), {"confirm": "yes"}, follow=True).content.decode()
        assert client.get(reverse("bulletin_edit", args=[bulletin.pk])).status_code == 404
    client.logout()
    page = client.get(reverse("public_bulletin_detail", args=[bulletin.pk])).content.decode()
    text = "".join(pdf_text(client.get(reverse("public_bulletin_pdf", args=[bulletin.pk])).content).split())  # lines wrap in cells
    for shown in (page, text):
        assert unit.name in shown and b.committee.name in shown and "内人社函〔2021〕12号" in shown
        assert person.name not in shown and person.id_number not in shown
    assert bulletin.title in client.get(reverse("public_bulletins")).content.decode()


@pytest.mark.django_db
def test_the_order_list_costs_the_same_queries_whatever_its_rows(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    units = list(Organisation.objects.filter(kind="unit").order_by("pk")[:4])
    order_to(units[0])
    client.force_login(regional())
    with clock.frozen(D(2021, 8, 3)):
        with CaptureQueriesContext(connection) as one:
            assert client.get(reverse("rectification_orders")).status_code == 200
    for unit in units[1:]:
        order_to(unit)
    with clock.frozen(D(2021, 8, 3)):
        with django_assert_num_queries(len(one.captured_queries)):
            body = client.get(reverse("rectification_orders")).content.decode()
    assert all(unit.name in body for unit in units)


@pytest.mark.django_db
def test_a_refused_report_keeps_what_was_typed(client, at_intake):
    """A report with a file that is not a PDF or image is refused: the page comes back with the text as typed (the
    file has to be chosen again), not emptied by a redirect; nothing is reported."""
    b, _office, _ = at_intake
    order = order_to(b.unit)
    client.force_login(staff_of(b.unit))
    text = "已重新组织单位公示，公示期间未收到异议，附公示截图。"
    with clock.frozen(D(2021, 8, 5)):
        page = client.post(reverse("rectification_order_act", args=[order.pk]),
                           {"action": "answer", "text": text, "files": upload("截图.pdf", b"not a pdf at all")})
    body = page.content.decode()
    assert page.status_code == 200 and text in body and "文件" in body
    order.refresh_from_db()
    assert order.state != OrderState.ANSWERED and not order.answers.exists()
