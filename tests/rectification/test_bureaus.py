"""八（一）: every level of HR department orders correction in its own area. A city or county bureau orders the units,
competent departments and committee offices located in its area (a city also its county bureaus), judges the answers to
its own orders and sees those and the orders to parties of its area; stopping a committee stays the regional department's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.notifications.models import Notification
from zhicheng.orgs.models import Organisation
from zhicheng.rectification import services
from zhicheng.rectification.models import OrderState, RectificationOrder

from ..conftest import staff_of
from .helpers import regional

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2021, 9, 15)
CITY = "鄂尔多斯市人力资源和社会保障局"
COUNTY = "鄂尔多斯市准格尔旗人力资源和社会保障局"
OTHER_CITY = "呼和浩特市人力资源和社会保障局"
HOSPITAL = "准格尔旗人民医院"  # a unit in 准格尔旗, 鄂尔多斯市
SCHOOL = "内蒙古师范大学附属中学"  # a unit in 呼和浩特市
OFFICE = "鄂尔多斯市工程系列中级职称评审委员会办公室"
MATTER = "单位公示未满5个工作日，请重新公示并报送整改情况。"


def org(name):
    return Organisation.objects.get(name=name)


def _order(client, party, **changes):
    url = reverse("rectification_order_new")
    data = {"source": "inspection", "party": party.pk, "matter": MATTER, "deadline": "2021-10-15", **changes}
    with clock.frozen(DAY):
        asked = client.post(url, data)
        assert 'name="confirm"' in asked.content.decode(), asked.content.decode()[:2000]
        return client.post(url, {**data, "confirm": "yes"})


def test_a_city_bureau_orders_a_unit_of_its_area_and_accepts_the_answer(client):
    city, hospital = staff_of(org(CITY)), org(HOSPITAL)
    client.force_login(city)
    with clock.frozen(DAY):
        form = client.get(reverse("rectification_order_new")).content.decode()
    # Its area's parties are offered (the county bureau under it too), none outside it and not itself.
    assert HOSPITAL in form and OFFICE in form and COUNTY in form
    assert SCHOOL not in form and f">{CITY}<" not in form
    done = _order(client, hospital)
    order = RectificationOrder.objects.get()
    assert done["Location"] == reverse("rectification_order_detail", args=[order.pk])
    assert (order.party, order.issuer, order.issued_by, order.state) == (hospital, org(CITY), city, OrderState.OPEN)
    page = client.get(reverse("rectification_order_detail", args=[order.pk])).content.decode()
    assert MATTER in page and CITY in page
    assert order.reference in client.get(reverse("rectification_orders")).content.decode()
    entry = AuditEntry.objects.get(action="rectification.order")
    assert entry.actor_id == city.pk and entry.after["issuer"] == org(CITY).pk
    party_staff = staff_of(hospital)
    assert Notification.objects.filter(recipient=party_staff, key="rectification_ordered").exists()

    # The party answers; the bureau is told and accepts on the order's page.
    with clock.frozen(D(2021, 9, 20)):
        services.answer_order(order, party_staff, text="已重新公示5个工作日。")
    assert Notification.objects.filter(recipient=city, key="rectification_answered").exists()
    page = client.get(reverse("rectification_order_detail", args=[order.pk])).content.decode()
    assert 'name="decision"' in page
    with clock.frozen(D(2021, 9, 21)):
        client.post(reverse("rectification_order_act", args=[order.pk]), {"action": "decide", "decision": "accept"})
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED
    assert AuditEntry.objects.get(action="rectification.accept").actor_id == city.pk


def test_who_else_sees_the_bureaus_order_and_who_judges_it(client):
    hospital = org(HOSPITAL)
    with clock.frozen(DAY):
        order = services.issue_order(staff_of(org(CITY)), party=hospital, matter=MATTER, deadline=D(2021, 10, 15))
        services.answer_order(order, staff_of(hospital), text="已整改。")
    detail = reverse("rectification_order_detail", args=[order.pk])
    # Another city's bureau sees nothing of it.
    other = staff_of(org(OTHER_CITY))
    assert not services.orders_for(other).filter(pk=order.pk).exists()
    client.force_login(other)
    assert client.get(detail).status_code == 404
    assert order.reference not in client.get(reverse("rectification_orders")).content.decode()
    # The county bureau sees it (the hospital is in its area) but judges only its own orders.
    county = staff_of(org(COUNTY))
    client.force_login(county)
    page = client.get(detail).content.decode()
    assert MATTER in page and 'name="decision"' not in page and "整改情况由下达限期纠正的人社部门验收" in page
    with pytest.raises(services.RectificationError, match="整改情况由下达限期纠正的人社部门验收"):
        services.decide_answer(order, county, accept=True)
    # The regional department may act on every order.
    with clock.frozen(D(2021, 9, 21)):
        services.decide_answer(order, regional(), accept=False, reason="未附公示材料。")
    order.refresh_from_db()
    assert order.state == OrderState.OPEN


def test_a_bureau_is_refused_outside_its_area(client):
    county, city = staff_of(org(COUNTY)), staff_of(org(CITY))
    with clock.frozen(DAY):
        with pytest.raises(services.RectificationError, match=f"{SCHOOL}不在本地区：{COUNTY}只能对本地区（准格尔旗）"):
            services.issue_order(county, party=org(SCHOOL), matter=MATTER, deadline=D(2021, 10, 15))
        with pytest.raises(services.RectificationError, match="不在本地区"):  # a county bureau does not order its city's
            services.issue_order(county, party=org(CITY), matter=MATTER, deadline=D(2021, 10, 15))
        with pytest.raises(services.RectificationError, match="不在本地区"):  # nor itself
            services.issue_order(city, party=org(CITY), matter=MATTER, deadline=D(2021, 10, 15))
        assert services.issue_order(city, party=org(COUNTY), matter=MATTER, deadline=D(2021, 10, 15)).issuer == org(CITY)
    # The page: the reason by the field, what was typed kept, nothing ordered.
    client.force_login(county)
    with clock.frozen(DAY):
        response = client.post(reverse("rectification_order_new"),
                               {"source": "inspection", "party": org(SCHOOL).pk, "matter": MATTER, "deadline": "2021-10-15"})
    body = response.content.decode()
    assert response.status_code == 200 and "只能对本地区（准格尔旗）" in body and MATTER in body
    assert not RectificationOrder.objects.filter(issuer=org(COUNTY)).exists()


def test_a_bureau_cannot_stop_a_committee(client):
    city, office = staff_of(org(CITY)), org(OFFICE)
    with clock.frozen(D(2021, 8, 2)):
        order = services.issue_order(city, party=office, matter=MATTER, deadline=D(2021, 8, 20))
    services.mark_overdue(D(2021, 8, 21))
    with clock.frozen(D(2021, 8, 22)):
        with pytest.raises(services.RectificationError, match="涉及全区的评审工作，由自治区人社厅决定"):
            services.suspend_committee(order, city, reason="逾期未纠正。")
        client.force_login(city)
        assert client.get(reverse("committee_suspend", args=[order.pk])).status_code == 403
        page = client.get(reverse("rectification_order_detail", args=[order.pk])).content.decode()
        assert "停止评审、取消评审资格和全区通报涉及全区的评审工作，由自治区人社厅决定" in page
        assert reverse("committee_suspend", args=[order.pk]) not in page
        # The regional department stops the committee on the bureau's order.
        suspension = services.suspend_committee(order, regional(), reason="逾期未纠正。")
    assert suspension.committee == office.committee
