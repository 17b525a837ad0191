"""The public list of running publicities is searched by publisher or title and kind, a page at a time:
a province runs thousands of employer publicities at once, and the list stopped at 200 before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.core import clock
from zhicheng.orgs.models import Organisation, OrgKind
from zhicheng.publicity.models import Publicity, PublicityKind, PublicityOutcome

DAY = dt.date(2021, 7, 5)


def running(publisher, title, kind=PublicityKind.EMPLOYER, **fields):
    return Publicity.objects.create(kind=kind, publisher=publisher, title=title, year=2021, starts_on=DAY, ends_on=DAY + dt.timedelta(days=7),
                                    created_by=User.objects.order_by("pk").first(), **fields)


@pytest.fixture
def publicities(db):
    units = list(Organisation.objects.filter(kind=OrgKind.UNIT).order_by("pk")[:2])
    bureau = Organisation.objects.filter(kind=OrgKind.HR_BUREAU).order_by("pk").first()
    for i in range(55):
        running(units[0], f"{units[0].name}2021年度职称申报公示（第{i + 1}批）")
    running(units[1], f"{units[1].name}2021年度职称申报公示")
    running(bureau, "2021年度申报人员花名册公示", kind=PublicityKind.ROSTER)
    running(units[1], "已结束的公示", outcome=PublicityOutcome.NO_OBJECTION)
    return units, bureau


@pytest.mark.django_db
def test_the_public_list_finds_a_publisher_and_pages_the_rest(client, publicities):
    units, bureau = publicities
    url = reverse("public_publicity_list")
    with clock.frozen(DAY):
        first = client.get(url).content.decode()
        assert "正在公示57项。" in first and "第 1 / 2 页" in first and "已结束的公示" not in first
        second = client.get(url, {"page": 2}).content.decode()
        assert "第 2 / 2 页" in second and "显示全部" not in second

        found = client.get(url, {"q": units[1].name[2:8]}).content.decode()
        assert "正在公示1项。" in found and f"{units[1].name}2021年度职称申报公示" in found and "第1批" not in found
        assert "显示全部" in found

        rosters = client.get(url, {"kind": PublicityKind.ROSTER}).content.decode()
        assert "正在公示1项。" in rosters and "花名册公示" in rosters

        nothing = client.get(url, {"q": "没有这个单位"}).content.decode()
        assert "没有符合条件的正在公示的名单。" in nothing

        # A kind not in the list is said so, and the list is not narrowed by it.
        odd = client.get(url, {"kind": "nonsense", "q": "x" * 60})
        assert odd.status_code == 200
        body = odd.content.decode()
        assert "正在公示57项。" in body and "errorlist" in body


@pytest.mark.django_db
def test_the_public_list_costs_the_same_queries_whatever_its_rows(client, publicities, django_assert_num_queries):
    url = reverse("public_publicity_list")
    with clock.frozen(DAY), django_assert_num_queries(2):  # the count and the page
        assert client.get(url).status_code == 200
