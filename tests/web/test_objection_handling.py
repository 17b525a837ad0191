"""Recording the finding on a publicity objection cannot be undone: the page asks once, saying what follows
(a substantiated objection takes the declaration out when the publicity closes), and a finding that is
too long or missing is refused with the field named and what was typed kept (tester's finding A)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P
from zhicheng.publicity.models import Objection, ObjectionStatus
from zhicheng.publicity.services import raise_objection

from ..conftest import staff_of
from ..cycle_helpers import advance


@pytest.fixture
def scene(make_applicant):
    app, _, day = advance(make_applicant(P.regular_county_doctor()), "employer_publicity")
    publicity = app.publicities.get()
    with clock.frozen(day):
        objection = raise_objection(publicity=publicity, application=app, name="王芳", phone="13900001234",
                                    content="该申报人的援鄂经历与事实不符，请核实。")
    return app, publicity, objection, day


@pytest.mark.django_db
def test_a_substantiated_finding_asks_once_saying_the_declaration_is_returned_at_closing(client, scene):
    app, publicity, objection, day = scene
    client.force_login(staff_of(app.unit))
    url = reverse("objection_handle", args=[objection.pk])
    data = {"substantiated": "yes", "finding": "经调取派遣文件核实，援鄂经历不实，情况属实。"}
    with clock.frozen(day):
        asked = client.post(url, data)
    page = asked.content.decode()
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in page
    for words in ("王芳", app.person.name, app.unit.name, "援鄂经历与事实不符", "核实结果：经核实属实", data["finding"],
                  "记录后不能更改", "公示结束时", "“公示发现问题，退回”"):
        assert words in page, words
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.OPEN, "asking changes nothing"

    with clock.frozen(day):
        done = client.post(url, {**data, "confirm": "yes"}, follow=True)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.SUBSTANTIATED and objection.finding == data["finding"]
    assert "已记录异议核实结果。" in [str(m) for m in done.context["messages"]]
    with clock.frozen(day):
        again = client.post(url, {**data, "substantiated": "no"}, follow=True)
    assert "不能再次处理" in " ".join(str(m) for m in again.context["messages"]), "a handled objection is refused, not asked about"
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.SUBSTANTIATED


@pytest.mark.django_db
def test_an_unsubstantiated_finding_says_the_declaration_continues(client, scene):
    app, publicity, objection, day = scene
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        page = client.post(reverse("objection_handle", args=[objection.pk]),
                           {"substantiated": "no", "finding": "经核查派遣文件，援鄂经历属实，异议不属实。"}).content.decode()
    assert "核实结果：经核实不属实" in page and "照常进入下一环节" in page and "公示发现问题，退回" not in page
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("data, message", [
    ({"substantiated": "yes", "finding": "查" * 1001}, "核实情况与处理意见不能超过1000个字（现在1001个字），请精简。"),
    ({"finding": "经核实，援鄂经历与派遣文件一致。"}, "请选择核实结果（经核实属实或不属实）。"),
    ({"substantiated": "no", "finding": "不属实"}, "核实情况与处理意见至少填写5个字（现在3个字）。"),
])
def test_a_bad_finding_is_refused_with_the_field_named_and_kept(client, scene, data, message):
    app, publicity, objection, day = scene
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        response = client.post(reverse("objection_handle", args=[objection.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert 'name="confirm"' not in page
    assert f">\n{data['finding']}</textarea>" in page, "what was typed comes back"
    assert 'maxlength="1000"' in page
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.OPEN


@pytest.mark.django_db
def test_the_close_button_appears_once_the_period_is_over(client, scene):
    """Before its last day has passed the page says until when it runs, instead of a 公示期满 button that can only
    be refused; the day after, the button is there."""
    from datetime import timedelta

    app, publicity, _objection, day = scene
    client.force_login(staff_of(app.unit))
    url = reverse("publicity_detail", args=[publicity.pk])
    with clock.frozen(day):
        running = client.get(url).content.decode()
    assert "公示期满，结束公示并办理下一环节" not in running and f"公示期至 {publicity.ends_on:%Y-%m-%d}" in running
    with clock.frozen(publicity.ends_on + timedelta(days=1)):
        over = client.get(url).content.decode()
    assert "公示期满，结束公示并办理下一环节" in over


def test_each_objections_form_has_its_own_element_ids(rf):
    """Two objections on one page: each label points at its own objection's inputs."""
    from zhicheng.web.views.publicity import _handle_form

    first, second = _handle_form(1).as_div(), _handle_form(2).as_div()
    assert 'id="objection1_finding"' in first and 'for="objection1_finding"' in first
    assert 'id="objection2_finding"' in second and "objection1_" not in second
