"""Who decides a rectification (八（一）): the regional department orders correction and accepts or rejects the report;
the ordered party reports; the supervisor (纪检监察, read-only) sees every order and decides none of them — the
services refuse it, the pages offer it no form and say why, and its POSTs change nothing. And the forms' bad input:
no 500, nothing typed lost, every message naming its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.core import clock
from zhicheng.files.models import StoredFile
from zhicheng.orgs.models import Organisation, OrgKind
from zhicheng.rectification import services
from zhicheng.rectification.models import Bulletin, CommitteeSuspension, OrderState, RectificationOrder

from ..conftest import staff_of
from ..web.helpers import pdf_bytes, upload
from .helpers import finding_on, order_to, regional

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2021, 9, 15)
SCHOOL = "内蒙古师范大学附属中学"
READ_ONLY = "监督账号只能查看，不能办理"


@pytest.fixture
def supervisor():
    region = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    return User.objects.create(username="jjjc-rectification", role=Role.SUPERVISOR, organisation=region)


@pytest.fixture
def school():
    return Organisation.objects.get(name=SCHOOL)


def errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def order_data(school, **changes) -> dict:
    return {"source": "inspection", "party": school.pk, "matter": "公示期不足，请重新公示5个工作日并报送整改情况。",
            "deadline": "2021-10-15", **changes}


def test_the_department_orders_and_the_supervisor_cannot(client, supervisor, school):
    url = reverse("rectification_order_new")
    # The supervisor: the service refuses, the page says why and offers no form, a POST (confirmed or not) does nothing.
    with clock.frozen(DAY):
        with pytest.raises(services.RectificationError, match=f"{READ_ONLY}：限期纠正由自治区人社厅或盟市、旗县人社局对本地区的单位下达"):
            services.issue_order(supervisor, party=school, matter="公示期不足", deadline=D(2021, 10, 15))
        client.force_login(supervisor)
        page = client.get(url).content.decode()
        assert 'name="matter"' not in page and 'name="deadline"' not in page and "<form method=\"post\">" not in page
        assert READ_ONLY in page and "限期纠正由自治区人社厅或盟市、旗县人社局对本地区的单位下达" in page
        for data in (order_data(school), {**order_data(school), "confirm": "yes"}):
            refused = client.post(url, data)
            assert refused.status_code == 302 and refused["Location"] == reverse("rectification_orders")
            assert any(READ_ONLY in e for e in errors(refused))
    assert not RectificationOrder.objects.exists()

    # The regional department: the form, the confirmation, the order.
    client.force_login(regional())
    with clock.frozen(DAY):
        assert 'name="matter"' in client.get(url).content.decode()
        asked = client.post(url, order_data(school))
        assert 'name="confirm"' in asked.content.decode() and not RectificationOrder.objects.exists()
        done = client.post(url, {**order_data(school), "confirm": "yes"})
    order = RectificationOrder.objects.get()
    assert done["Location"] == reverse("rectification_order_detail", args=[order.pk])
    assert (order.party, order.issued_by, order.state) == (school, regional(), OrderState.OPEN)

    # The supervisor still sees the order, in the list and on its page; the list offers it no link to order one.
    client.force_login(supervisor)
    with clock.frozen(DAY):
        listed = client.get(reverse("rectification_orders")).content.decode()
        detail = client.get(reverse("rectification_order_detail", args=[order.pk])).content.decode()
    assert order.reference in listed and reverse("rectification_order_new") not in listed and READ_ONLY in listed
    assert "公示期不足" in detail


def test_from_a_finding_the_supervisor_reads_it_and_orders_nothing(client, supervisor, make_applicant):
    from zhicheng.demo import applicants as P

    from ..cycle_helpers import advance

    b, _, _ = advance(make_applicant(P.regular_city_engineer_intermediate()), "committee_intake")
    finding = finding_on(application=b)
    url = reverse("rectification_order_new") + f"?finding={finding.pk}"
    client.force_login(supervisor)
    with clock.frozen(DAY):
        page = client.get(url).content.decode()
        assert finding.text in page and 'name="matter"' not in page and READ_ONLY in page
        client.post(url, {"party": b.unit.pk, "matter": "整改", "deadline": "2021-10-15", "confirm": "yes"})
        # The sampled item's page links the regional department to the order form, not the supervisor.
        item = client.get(reverse("spotcheck_item", args=[finding.item.pk])).content.decode()
    assert f"?finding={finding.pk}" not in item
    assert not finding.rectification_orders.exists()
    client.force_login(regional())
    with clock.frozen(DAY):
        assert f"?finding={finding.pk}" in client.get(reverse("spotcheck_item", args=[finding.item.pk])).content.decode()


def test_the_department_accepts_and_the_supervisor_cannot(client, supervisor, school):
    order = order_to(school, day=D(2021, 9, 1), deadline=D(2021, 9, 30))
    with clock.frozen(D(2021, 9, 10)):
        services.answer_order(order, staff_of(school), text="已重新公示5个工作日，未收到异议。")
    act = reverse("rectification_order_act", args=[order.pk])
    detail = reverse("rectification_order_detail", args=[order.pk])

    client.force_login(supervisor)
    with clock.frozen(DAY):
        with pytest.raises(services.RectificationError, match=f"{READ_ONLY}：整改情况由下达限期纠正的人社部门验收"):
            services.decide_answer(order, supervisor, accept=True)
        page = client.get(detail).content.decode()
        assert "已重新公示5个工作日" in page and 'name="decision"' not in page and 'value="decide"' not in page
        assert READ_ONLY in page and "整改情况由下达限期纠正的人社部门验收" in page
        for data in ({"action": "decide", "decision": "accept"}, {"action": "decide", "decision": "reject", "reason": "不行。"},
                     {"action": "decide"}):
            refused = client.post(act, data)
            assert refused.status_code == 302 and any("整改情况由下达限期纠正的人社部门验收" in e for e in errors(refused)), data
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED and order.answers.get().decision == ""

    client.force_login(regional())
    with clock.frozen(DAY):
        assert 'name="decision"' in client.get(detail).content.decode()
        done = client.post(act, {"action": "decide", "decision": "accept"})
    assert done["Location"] == detail and errors(done) == []
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and order.answers.get().decided_by == regional()


def test_only_the_ordered_party_reports_and_nothing_is_stored_for_others(client, supervisor, school):
    order = order_to(school, day=D(2021, 9, 1), deadline=D(2021, 9, 30))
    act = reverse("rectification_order_act", args=[order.pk])
    stored = StoredFile.objects.count()
    for user in (supervisor, regional()):
        client.force_login(user)
        with clock.frozen(DAY):
            assert 'value="answer"' not in client.get(reverse("rectification_order_detail", args=[order.pk])).content.decode()
            refused = client.post(act, {"action": "answer", "text": "已整改。", "files": upload("整改报告.pdf", pdf_bytes("整改报告"))})
        assert refused.status_code == 302 and any("只有被责令整改的单位" in e for e in errors(refused))
    assert StoredFile.objects.count() == stored, "a refused report stores no file"
    with pytest.raises(services.RectificationError, match=READ_ONLY):
        services.answer_order(order, supervisor, text="已整改。")
    order.refresh_from_db()
    assert order.state == OrderState.OPEN and not order.answers.exists()


def test_every_other_decision_refuses_the_supervisor(supervisor, school):
    """Stopping a committee, lifting, revoking its approval, revoking a title, drafting and publishing a bulletin."""
    office = Organisation.objects.get(committee__series__code="economics")
    overdue = order_to(office, deadline=D(2021, 8, 9))
    services.mark_overdue(D(2021, 8, 10))
    with clock.frozen(D(2021, 8, 11)):
        with pytest.raises(services.RectificationError, match=READ_ONLY):
            services.suspend_committee(overdue, supervisor, reason="逾期未纠正。")
        suspension = services.suspend_committee(overdue, regional(), reason="逾期未纠正。")
        for step in (lambda: services.lift_suspension(suspension, supervisor, reason="已整改。"),
                     lambda: services.revoke_approval(suspension, supervisor, reason="仍未纠正。"),
                     lambda: services.save_bulletin(supervisor, document_number="内人社函〔2021〕50号", title="通报", body="通报。",
                                                    orders=[overdue], suspensions=[])):
            with pytest.raises(services.RectificationError, match=READ_ONLY):
                step()
        draft = services.save_bulletin(regional(), document_number="内人社函〔2021〕50号", title="通报", body="通报。",
                                       orders=[overdue], suspensions=[])
        with pytest.raises(services.RectificationError, match=READ_ONLY):
            services.publish_bulletin(draft, supervisor)
        with pytest.raises(services.RectificationError, match=READ_ONLY):
            services.revoke_from_finding(None, supervisor, document_number="内人社函〔2021〕51号")
    suspension.refresh_from_db()
    assert suspension.in_force and suspension.approval_revoked_on is None
    assert Bulletin.objects.get().status == "draft" and CommitteeSuspension.objects.count() == 1


# ---- bad input --------------------------------------------------------------------------------------------

def test_the_order_form_keeps_what_was_typed_and_names_the_field(client, school):
    url = reverse("rectification_order_new")
    client.force_login(regional())
    matter = "公示期不足，请重新公示。"
    cases = {
        "empty": ({"source": "", "party": "", "matter": "", "deadline": ""}, ["发现方式", "责令整改单位", "需要纠正的问题和要求", "整改期限"]),
        "long matter": ({"matter": "字" * 5000}, ["需要纠正的问题和要求", "2000"]),
        "past deadline": ({"deadline": "2021-09-01"}, ["整改期限须在今天", matter]),
        "today": ({"deadline": "2021-09-15"}, ["整改期限须在今天", matter]),
        "years ahead": ({"deadline": "2031-09-15"}, ["整改期限最长为183天", matter]),
        "far future": ({"deadline": "9999-12-31"}, ["整改期限最长为183天", matter]),
        "not a date": ({"deadline": "2021-13-45"}, ["整改期限", matter]),
        "huge party": ({"party": "9" * 40}, ["责令整改单位", matter]),
        "no such party": ({"party": "999999"}, ["责令整改单位", matter]),
        "a party that cannot be ordered": ({"party": Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT).pk},
                                           ["责令整改单位", matter]),
        "unknown source": ({"source": "rumour"}, ["发现方式", matter]),
    }
    with clock.frozen(DAY):
        for name, (changes, shown) in cases.items():
            response = client.post(url, order_data(school, **{"matter": matter, **changes}))
            body = response.content.decode()
            assert response.status_code == 200 and 'name="confirm"' not in body, name
            assert 'class="errorlist' in body, name
            for text in shown:
                assert text in body, (name, text)
        assert client.get(url + "?finding=" + "9" * 40).status_code == 404
        assert client.get(url + "?finding=999999").status_code == 404
    assert not RectificationOrder.objects.exists()


def test_the_report_and_acceptance_forms_name_the_field(client, school):
    order = order_to(school, day=D(2021, 9, 1), deadline=D(2021, 9, 30))
    act = reverse("rectification_order_act", args=[order.pk])
    client.force_login(staff_of(school))
    with clock.frozen(D(2021, 9, 10)):
        long = client.post(act, {"action": "answer", "text": "措" * 5000})
        assert long.status_code == 200 and "措" * 5000 in long.content.decode(), "what was typed comes back"
        assert any(e.startswith("整改措施和结果：") for e in errors(long)), errors(long)
        empty = client.post(act, {"action": "answer", "text": "   "})
        assert any(e.startswith("整改措施和结果：") for e in errors(empty)), errors(empty)
        services.answer_order(order, staff_of(school), text="已重新公示。")
    client.force_login(regional())
    with clock.frozen(DAY):
        long = client.post(act, {"action": "decide", "decision": "reject", "reason": "意" * 5000})
        assert long.status_code == 200 and "意" * 5000 in long.content.decode()
        assert any(e.startswith("意见（不予验收时必填）：") for e in errors(long)) and "请选择验收结论。" not in errors(long)
        bogus = client.post(act, {"action": "decide", "decision": "maybe"})
        assert any(e.startswith("验收结论：") for e in errors(bogus)), errors(bogus)
        reasonless = client.post(act, {"action": "decide", "decision": "reject"})
        assert any("不予验收须写明理由" in e for e in errors(reasonless))
        unknown = client.post(act, {"action": "withdraw"})
        assert unknown.status_code == 302 and errors(unknown)
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED and order.answers.get().decision == ""


def test_the_suspension_and_bulletin_forms_keep_what_was_typed(client):
    office = Organisation.objects.get(committee__series__code="economics")
    overdue = order_to(office, deadline=D(2021, 8, 9))
    services.mark_overdue(D(2021, 8, 10))
    client.force_login(regional())
    with clock.frozen(D(2021, 8, 11)):
        long = client.post(reverse("committee_suspend", args=[overdue.pk]), {"reason": "由" * 5000})
        assert long.status_code == 200 and "由" * 5000 in long.content.decode() and "errorlist" in long.content.decode()
        suspension = services.suspend_committee(overdue, regional(), reason="逾期未纠正。")
        act = reverse("suspension_act", args=[suspension.pk])
        for data in ({"action": "lift", "reason": "理" * 5000}, {"action": "lift", "reason": ""}):
            response = client.post(act, data)
            assert response.status_code == 200 and any(e.startswith("理由：") for e in errors(response)), errors(response)
            assert data["reason"] in response.content.decode()
        suspension.refresh_from_db()
        assert suspension.in_force
        for changes, says in (({"title": "题" * 5000}, "标题"), ({"orders": ["9" * 40]}, "通报的限期纠正"),
                              ({"suspensions": ["x"]}, "通报的停止评审"), ({"document_number": "号" * 5000}, "文号")):
            data = {"document_number": "内人社函〔2021〕60号", "title": "通报", "body": "经巡查，现予通报。", "orders": [overdue.pk], **changes}
            response = client.post(reverse("bulletin_new"), data)
            assert response.status_code == 200 and says in response.content.decode() and "errorlist" in response.content.decode(), says
    assert not Bulletin.objects.exists()
