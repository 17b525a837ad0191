"""Two tabs on one draft: a save from a page loaded before another tab's save is refused and shown, with
what was typed; the workspace is never cached, and a submitted declaration's workspace is its dossier."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P

from ..cycle_helpers import advance

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}
TODAY = D(2021, 6, 1)


def token_of(body: str) -> str:
    match = re.search(r'name="base" id="draft-base" value="([0-9a-f]+)"', body)
    assert match, "the workspace's form carries the token of the values it was loaded with"
    return match[1]


def open_tab(client, app) -> str:
    with clock.frozen(TODAY):
        response = client.get(reverse("declaration_edit", args=[app.pk]))
    assert response.status_code == 200
    return token_of(response.content.decode())


def autosave(client, app, base: str, htmx=True, **fields):
    data = {"specialty": app.specialty_id or "", "exam_score": app.exam_score, "base": base, **fields}
    with clock.frozen(TODAY):
        return client.post(reverse("declaration_autosave", args=[app.pk]), data, **(HX if htmx else {}))


@pytest.fixture
def draft(client, make_applicant):
    app = make_applicant(P.regular_county_doctor())
    client.force_login(app.person.account)
    return app


@pytest.mark.django_db
def test_the_second_tab_does_not_silently_overwrite_the_first(client, draft):
    first, second = open_tab(client, draft), open_tab(client, draft)
    assert first == second
    saved = autosave(client, draft, second, exam_score="合格（第二个窗口）")
    assert saved.status_code == 200 and "已自动保存" in saved.content.decode()
    assert Application.objects.get(pk=draft.pk).exam_score == "合格（第二个窗口）"

    stale = autosave(client, draft, first, exam_score="合格（第一个窗口，未保存）")
    body = stale.content.decode()
    assert stale.status_code == 200
    assert "未保存：此申报已在另一个窗口或设备上修改并保存。" in body
    assert "合格（第一个窗口，未保存）" in body, "what this tab typed is shown, not lost"
    assert "合格（第二个窗口）" in body, "beside what was saved elsewhere"
    assert "重新载入" in body and reverse("declaration_edit", args=[draft.pk]) in body
    assert Application.objects.get(pk=draft.pk).exam_score == "合格（第二个窗口）", "the other tab's save stands"

    # The applicant chooses to keep this tab's text: the box's form carries it with the token of the saved values.
    keep = re.search(r'<form method="post" action="[^"]+">(.*?)</form>', body[body.index("draft-conflict"):], re.S)[1]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', keep))
    assert data["exam_score"] == "合格（第一个窗口，未保存）"
    with clock.frozen(TODAY):
        response = client.post(reverse("declaration_autosave", args=[draft.pk]), data)
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).exam_score == "合格（第一个窗口，未保存）"


@pytest.mark.django_db
def test_one_tab_saving_again_and_again_is_no_conflict(client, draft):
    token = open_tab(client, draft)
    for score in ("合格", "合格（2021年）", "合格（2021年卫生高级）"):
        body = autosave(client, draft, token, exam_score=score).content.decode()
        assert "已自动保存" in body, body
        token = re.search(r'name="base" id="draft-base" value="([0-9a-f]+)" hx-swap-oob="true"', body)[1]
    assert Application.objects.get(pk=draft.pk).exam_score == "合格（2021年卫生高级）"


@pytest.mark.django_db
def test_without_script_the_conflict_page_keeps_what_was_typed(client, draft):
    first = open_tab(client, draft)
    autosave(client, draft, open_tab(client, draft), exam_score="另一处")
    response = autosave(client, draft, first, htmx=False, exam_score="本页填写")
    body = response.content.decode()
    assert response.status_code == 409 and "no-store" in response["Cache-Control"]
    assert 'value="本页填写"' in body, "the form shows what was typed"
    assert token_of(body) != first, "saving this form again saves over the other tab, knowingly"
    assert Application.objects.get(pk=draft.pk).exam_score == "另一处"


@pytest.mark.django_db
def test_the_workspace_is_not_cached_and_after_submitting_shows_the_dossier(client, draft):
    with clock.frozen(TODAY):
        response = client.get(reverse("declaration_edit", args=[draft.pk]))
    assert "no-store" in response["Cache-Control"], "the back button asks the server again"
    app, _, _ = advance(draft, State.SUBMITTED)
    with clock.frozen(TODAY):
        again = client.get(reverse("declaration_edit", args=[app.pk]))
        assert again.status_code == 302 and again["Location"] == reverse("application_detail", args=[app.pk])
        assert "no-store" in again["Cache-Control"]
        late = autosave(client, app, token_of(response.content.decode()), exam_score="提交后再改")
    assert "已提交的申报不能修改。" in late.content.decode()
    assert Application.objects.get(pk=app.pk).exam_score != "提交后再改"


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_two_saves_from_one_loaded_form_at_once_keep_one(make_applicant):
    """Two tabs saving at the same moment from the same loaded values: the row lock lets one save and the
    other see the changed values and refuse (PostgreSQL tests the lock; SQLite's write lock queues them)."""
    from django.db import connection

    from zhicheng.audit.models import AuditEntry
    from zhicheng.declarations import drafting
    from zhicheng.demo.loader import DemoLoader

    from ..test_decision_races import race

    loader = DemoLoader(out=lambda *a: None)
    _, _, committees = loader.load_region()
    loader.review_plans(committees)
    app = make_applicant(P.regular_county_doctor())
    account = app.person.account

    def save(score, base):
        with clock.frozen(TODAY):  # within the declaration period: a draft of a closed year is read only (race's day is later)
            return drafting.update_draft(Application.objects.get(pk=app.pk), account, {"exam_score": score}, base=base)

    for n in range(20 if connection.vendor == "postgresql" else 5):
        base = drafting.draft_token(Application.objects.get(pk=app.pk))
        before = AuditEntry.objects.filter(action="application.update_draft", object_id=str(app.pk)).count()
        scores = [f"合格（第{n}轮，甲）", f"合格（第{n}轮，乙）"]
        outcomes = race(*(lambda score=score: save(score, base) for score in scores))
        assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
        loser = next(value for kind, value in outcomes if kind == "refused")
        assert isinstance(loser, drafting.DraftConflict), repr(loser)
        winner = next(i for i, (kind, _) in enumerate(outcomes) if kind == "ok")
        assert Application.objects.get(pk=app.pk).exam_score == scores[winner]
        assert AuditEntry.objects.filter(action="application.update_draft", object_id=str(app.pk)).count() == before + 1
