"""Steps that end a declaration against the applicant (returned, failed, withdrawn, revoked) cannot be
undone: from the dossier and from the queue they say what will happen and ask once (core.confirm)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.declarations.workflow import ends_declaration
from zhicheng.demo import applicants as P

from ..conftest import staff_of
from ..cycle_helpers import advance


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_which_steps_end_a_declaration():
    assert ends_declaration("employer_return") == State.RETURNED
    assert ends_declaration("veto") == State.FAILED
    assert ends_declaration("withdraw") == State.WITHDRAWN
    assert ends_declaration("revoke") == State.REVOKED
    assert ends_declaration("report") is None and ends_declaration("certify") is None


@pytest.mark.django_db
def test_returning_from_the_dossier_asks_once_with_the_reason(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.SUBMITTED)
    client.force_login(staff_of(app.unit))
    act = reverse("application_act", args=[app.pk])
    with clock.frozen(day):
        asked = client.post(act, {"action": "employer_return", "note": "聘任证明缺页"})
        page = asked.content.decode()
        assert asked.status_code == 200
        assert "单位退回" in page and app.person.name in page and "理由：聘任证明缺页" in page
        assert "“已退回”" in page and "不可恢复" in page and "申报人会收到通知和理由" in page
        assert 'name="confirm" value="yes"' in page and 'value="聘任证明缺页"' in page, "the reason goes back with the answer"
        assert reverse("application_detail", args=[app.pk]) in page, "cancelling leads back to the dossier"
        app.refresh_from_db()
        assert app.state == State.SUBMITTED, "asking changes nothing"

        done = client.post(act, {"action": "employer_return", "note": "聘任证明缺页", "confirm": "yes"})
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.state == State.RETURNED and app.events.last().note == "聘任证明缺页"


@pytest.mark.django_db
def test_a_return_without_its_reason_is_refused_as_before_without_asking(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.SUBMITTED)
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        response = client.post(reverse("application_act", args=[app.pk]), {"action": "employer_return", "note": " "})
    assert response.status_code == 302 and _messages(response)
    app.refresh_from_db()
    assert app.state == State.SUBMITTED


@pytest.mark.django_db
def test_the_applicant_withdrawing_is_asked_too(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.SUBMITTED)
    client.force_login(app.person.account)
    act = reverse("application_act", args=[app.pk])
    with clock.frozen(day):
        page = client.post(act, {"action": "withdraw"}).content.decode()
        assert "撤回申报" in page and "“本人已撤回”" in page and "申报人会收到通知" not in page
        assert "办理就此结束，不可恢复。" in page and "不能再申报" not in page  # still within the period
        app.refresh_from_db()
        assert app.state == State.SUBMITTED
    with clock.frozen(dt.date(2021, 7, 5)):
        late = client.post(act, {"action": "withdraw"}).content.decode()
        assert "2021年度的申报已于2021-06-30截止，撤回后本年度不能再申报。" in late
        client.post(act, {"action": "withdraw", "confirm": "yes"})
    app.refresh_from_db()
    assert app.state == State.WITHDRAWN


@pytest.mark.django_db
def test_a_bulk_step_that_ends_declarations_names_them_and_asks(client, make_applicant):
    apps = [advance(make_applicant(P.regular_engineer()), State.UNDER_REVIEW)[0] for _ in range(2)]
    client.force_login(staff_of(apps[0].holder))
    asked = client.post(reverse("application_bulk"), {"action": "record_fail", "ids": [a.pk for a in apps], "next": "/"})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "选择2份申报" in page and all(a.person.name in page for a in apps)
    assert "“评审未通过”" in page and "不可恢复" in page
    for a in apps:
        a.refresh_from_db()
        assert a.state == State.UNDER_REVIEW
