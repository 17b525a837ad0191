"""Starting a declaration: another level of a series already declared this year is said plainly, with the
choice (issue 14, defect 6), and the wizard's preview keeps the CSRF token out of its GET address (defect 9)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from zhicheng.catalogue.models import FeeStandard, Series
from zhicheng.core import clock
from zhicheng.audit.models import AuditEntry
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import find_committee
from zhicheng.demo import applicants as P

from ..cycle_helpers import advance

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}


class _HtmxGets(HTMLParser):
    """Each element that makes an htmx GET, with the names of the inputs inside it and its hx-params."""

    def __init__(self):
        super().__init__()
        self.open: list[dict] = []
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "hx-get" in attrs:
            element = {"tag": tag, "url": attrs["hx-get"], "params": attrs.get("hx-params", "*"), "inputs": set()}
            self.open.append(element)
            self.found.append(element)
        elif tag in ("input", "select", "textarea") and attrs.get("name"):
            for element in self.open:
                element["inputs"].add(attrs["name"])

    def handle_endtag(self, tag):
        if self.open and self.open[-1]["tag"] == tag:
            self.open.pop()


def _sent(element) -> set[str]:
    """The inputs htmx puts into the GET address (hx-params: *, none, not a,b or a,b)."""
    params = element["params"].strip()
    if params == "*":
        return element["inputs"]
    if params == "none":
        return set()
    if params.startswith("not "):
        return element["inputs"] - {p.strip() for p in params[4:].split(",")}
    return element["inputs"] & {p.strip() for p in params.split(",")}


@pytest.mark.django_db
def test_no_htmx_get_of_the_wizard_puts_the_csrf_token_in_its_address(client, make_applicant):
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)
    with clock.frozen(D(2021, 6, 1)):
        page = client.get(reverse("declare_start")).content.decode()
        parser = _HtmxGets()
        parser.feed(page)
        previews = [e for e in parser.found if e["url"] == reverse("declare_preview")]
        assert previews and all("csrfmiddlewaretoken" in e["inputs"] for e in previews), "the form still posts with its token"
        assert all("csrfmiddlewaretoken" not in _sent(e) for e in parser.found), parser.found
        assert {"series", "level"} <= _sent(previews[0]), "the choice itself still goes to the preview"
        health = Series.objects.get(code="health")
        answer = client.get(reverse("declare_preview"), {"series": health.pk, "level": "intermediate"}, **HX)
    assert answer.status_code == 200 and "符合申报条件" in answer.content.decode(), "the preview needs no token"


@pytest.fixture
def doctor(make_applicant):
    """A 卫生 副高级 draft, no fee recorded yet."""
    return make_applicant(P.regular_county_doctor(), fee_paid=False)


def _choose(client, series: Series, level: str, **extra):
    with clock.frozen(D(2021, 6, 1)):
        return client.post(reverse("declare_start"), {"series": series.pk, "level": level, **extra})


@pytest.mark.django_db
def test_another_level_of_a_declared_series_is_said_plainly_with_the_choice(client, doctor):
    client.force_login(doctor.person.account)
    health = Series.objects.get(code="health")
    with clock.frozen(D(2021, 6, 1)):
        preview = client.get(reverse("declare_preview"), {"series": health.pk, "level": "full_senior"}, **HX).content.decode()
    assert "您本年度已有卫生副高级申报" in preview, "the wizard says it while choosing"
    response = _choose(client, health, "full_senior")
    page = response.content.decode()
    assert response.status_code == 200, "not silently redirected to the 副高级 draft"
    assert "您本年度已有卫生副高级申报" in page and "同一系列每年只能申报一次" in page
    assert reverse("declaration_edit", args=[doctor.pk]) in page and "打开已有的卫生副高级申报" in page
    assert re.search(r'name="change_level" value="associate_senior"', page) and "改为申报卫生正高级" in page
    assert list(Application.objects.filter(person=doctor.person).values_list("level", flat=True)) == ["associate_senior"]

    assert doctor.eligible, "副高级: the county doctor qualifies"
    changed = _choose(client, health, "full_senior", change_level="associate_senior")
    assert changed["Location"] == reverse("declaration_edit", args=[doctor.pk])
    doctor.refresh_from_db()
    assert doctor.level == "full_senior" and Application.objects.filter(person=doctor.person).count() == 1
    assert doctor.fee_amount == FeeStandard.objects.get(level="full_senior").amount
    with clock.frozen(D(2021, 6, 1)):
        assert doctor.committee == find_committee(health, "full_senior", doctor.unit)
    assert doctor.eligible is False, "screened again for 正高级: an intermediate title is not enough"
    assert AuditEntry.objects.filter(action="application.change_level", object_id=str(doctor.pk)).exists()
    again = _choose(client, health, "full_senior")
    assert again["Location"] == reverse("declaration_edit", args=[doctor.pk]), "the same level opens it"


@pytest.mark.django_db
def test_a_stale_change_request_and_a_paid_fee_do_not_change_the_level(client, make_applicant):
    paid = make_applicant(P.regular_county_doctor(), fee_paid=True)
    client.force_login(paid.person.account)
    health = Series.objects.get(code="health")
    stale = _choose(client, health, "full_senior", change_level="intermediate")
    assert stale.status_code == 200 and "改为申报卫生正高级" in stale.content.decode(), "asked again, nothing changed"
    refused = _choose(client, health, "full_senior", change_level="associate_senior")
    assert refused.status_code == 200 and "已按副高级登记缴纳评审费" in refused.content.decode()
    paid.refresh_from_db()
    assert paid.level == "associate_senior"


@pytest.mark.django_db
def test_a_submitted_declaration_of_the_series_is_opened_not_changed(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_county_doctor()), "submitted")
    client.force_login(app.person.account)
    health = Series.objects.get(code="health")
    page = _choose(client, health, "full_senior").content.decode()
    assert "这份申报已经提交，不能再改变层级" in page and reverse("application_detail", args=[app.pk]) in page
    assert 'name="change_level"' not in page
    forced = _choose(client, health, "full_senior", change_level="associate_senior")
    assert forced.status_code == 200 and "已提交的申报不能改变申报层级" in forced.content.decode()
    app.refresh_from_db()
    assert app.level == "associate_senior"


@pytest.mark.django_db
def test_no_draft_is_opened_after_the_years_deadline(client, make_applicant):
    """A draft opened after 30 June could never be submitted this year (三（二））: the start says so and makes none."""
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)
    agriculture = Series.objects.get(code="agriculture")
    with clock.frozen(D(2021, 7, 1)):
        dashboard = client.get(reverse("dashboard")).content.decode()
        assert "2021年度申报已于 2021-06-30 截止" in dashboard and "开始新的申报</a>" not in dashboard
        page = client.get(reverse("declare_start")).content.decode()
        assert "不能再开始新的申报；资格预审仍可查看" in page and "开始填写申报</button>" not in page
        late = client.post(reverse("declare_start"), {"series": agriculture.pk, "level": "intermediate"})
    assert late.status_code == 200 and "2021年度申报已于2021年06月30日截止（三（二）），不能再开始新的申报" in late.content.decode()
    assert list(Application.objects.filter(person=app.person).values_list("series__code", flat=True)) == ["engineering"]
    with clock.frozen(D(2021, 6, 30)):
        assert "开始新的申报</a>" in client.get(reverse("dashboard")).content.decode()
        last_day = client.post(reverse("declare_start"), {"series": agriculture.pk, "level": "intermediate"})
    assert last_day.status_code == 302, "the last day still opens one"
