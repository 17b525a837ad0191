"""/api/v1/declarations: scope, filters, cursor pages, detail, timeline, actions, and refusals equal to the pages'.

The scene (tests/conftest.py): a is a county doctor's declaration under review at its committee, b a city
engineer's at another committee's intake, c a draft only its owner sees.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from zhicheng.core.identifiers import mask_id_number
from zhicheng.declarations.models import Application

from .v1_support import Caller, make_key, module_scene_fixture, queries_of_authentication

module_scene = module_scene_fixture()


@pytest.fixture
def scene(module_scene, db):
    for name in ("a", "b", "c"):
        module_scene[name] = Application.objects.get(pk=module_scene[name].pk)
    return module_scene


@pytest.fixture
def call(client):
    return lambda user, scopes=None: Caller(client, make_key(user, scopes) if scopes else make_key(user))


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


# ---- scope -------------------------------------------------------------------------------------

def test_a_units_key_sees_its_own_declarations_and_none_of_another_units(scene, call):
    r, a, b = scene["roles"], scene["a"], scene["b"]
    employer = call(r.employer)
    assert ids(employer.get("/declarations")) == [a.pk]
    assert employer.get(f"/declarations/{b.pk}").status_code == 404
    assert employer.get(f"/declarations/{b.pk}/timeline").json()["code"] == "not_found"
    other = call(r.other_employer)
    assert ids(other.get("/declarations")) == []
    for path in (f"/declarations/{a.pk}", f"/declarations/{a.pk}/timeline", f"/declarations/{a.pk}/actions"):
        assert other.get(path).status_code == 404
    assert other.post(f"/declarations/{a.pk}/actions", {"action": "withdraw"}).status_code == 404
    # Each committee office sees what reached its own committee; a draft is nobody's but its owner's.
    assert ids(call(r.committee_office).get("/declarations")) == [a.pk]
    assert ids(call(r.other_committee_office).get("/declarations")) == [b.pk]
    regional = call(r.regional_hr)
    assert ids(regional.get("/declarations")) == sorted([a.pk, b.pk])
    assert regional.get(f"/declarations/{scene['c'].pk}").status_code == 404


def test_a_read_only_key_cannot_act_and_an_acting_key_needs_no_read_scope_to_be_refused_for_it(scene, call):
    r, a = scene["roles"], scene["a"]
    reader = call(r.committee_office, ["read_declarations"])
    assert reader.get(f"/declarations/{a.pk}").status_code == 200
    response = reader.post(f"/declarations/{a.pk}/actions", {"action": "record_pass"})
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    assert reader.post("/declarations/actions", {"action": "record_pass", "ids": [a.pk]}).status_code == 403
    Application.objects.get(pk=a.pk, state="under_review")
    actor_only = call(r.committee_office, ["act_declarations"])
    assert actor_only.get("/declarations").status_code == 403


# ---- list, filters, cursor -----------------------------------------------------------------------

def test_filters_and_the_queue(scene, call):
    r, a, b = scene["roles"], scene["a"], scene["b"]
    regional = call(r.regional_hr)
    assert ids(regional.get("/declarations", state="under_review")) == [a.pk]
    assert ids(regional.get("/declarations", series=b.series.code)) == [b.pk]
    assert ids(regional.get("/declarations", level=a.level, year=2021)) == [a.pk]
    assert ids(regional.get("/declarations", unit=b.unit_id)) == [b.pk]
    assert ids(regional.get("/declarations", year=2020)) == []
    assert ids(regional.get("/declarations", queue="true")) == []  # nothing waits for the region
    office = call(r.other_committee_office)
    assert ids(office.get("/declarations", queue="true")) == [b.pk]
    row = office.get("/declarations").json()["items"][0]
    assert row["state"] == {"code": "committee_intake", "label": "评委会办事机构受理中"}
    assert row["holder"]["id"] == b.committee.office_id and row["name"] == b.person.name


def test_cursor_pages_walk_every_declaration_once_in_order_and_a_made_up_cursor_is_400(scene, call):
    from tests.cycle_helpers import advance
    from zhicheng.demo import applicants as P

    more = [advance(scene["make"](P.regular_county_doctor()), "submitted")[0].pk for _ in range(3)]
    regional = call(scene["roles"].regional_hr)
    everything = ids(regional.get("/declarations", limit=200))
    assert everything == sorted([scene["a"].pk, scene["b"].pk, *more])
    seen, cursor = [], None
    while True:
        body = regional.get("/declarations", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    # A declaration that moves between pages does not move in the order: the cursor is over its id.
    first = regional.get("/declarations", limit=2).json()
    Application.objects.filter(pk=first["items"][0]["id"]).update(state="withdrawn")
    assert [row["id"] for row in regional.get("/declarations", limit=200, cursor=first["next_cursor"]).json()["items"]] == everything[2:]
    for bad in ("x", first["next_cursor"][:-2] + "zz", "e30"):
        response = regional.get("/declarations", cursor=bad)
        assert response.status_code == 400 and response.json()["code"] == "invalid_cursor", bad
    assert regional.get("/declarations", limit=201).status_code == 422
    assert regional.get("/declarations", limit=0).status_code == 422


def test_the_list_costs_the_same_queries_for_one_row_and_for_many(scene, call, client, django_assert_num_queries):
    from tests.cycle_helpers import advance
    from zhicheng.demo import applicants as P

    for _ in range(4):
        advance(scene["make"](P.regular_county_doctor()), "submitted")
    user = scene["roles"].regional_hr
    frame = queries_of_authentication(user, "/declarations", client)
    regional = call(user)
    regional.get("/declarations", limit=1)  # the key's first call notes its last use (one write a minute)
    # Besides the frame's: the page (the account's organisation came with the key).
    with django_assert_num_queries(frame + 1):
        assert len(ids(regional.get("/declarations", limit=1))) == 1
    with django_assert_num_queries(frame + 1):
        assert len(ids(regional.get("/declarations", limit=200))) == 6
    with django_assert_num_queries(frame + 1):
        assert len(ids(regional.get("/declarations", limit=200, state="submitted", queue="false"))) == 4


# ---- detail, timeline, actions --------------------------------------------------------------------

def test_detail_shows_the_dossiers_facts_with_the_id_number_masked(scene, call):
    r, a = scene["roles"], scene["a"]
    body = call(r.committee_office).get(f"/declarations/{a.pk}").json()
    assert body["person"]["name"] == a.person.name
    assert body["person"]["id_number"] == mask_id_number(a.person.id_number) != a.person.id_number
    assert a.person.id_number not in str(body)
    assert body["state"]["code"] == "under_review" and body["committee"]["id"] == a.committee_id
    assert body["unit"]["name"] == "准格尔旗人民医院" and body["year"] == 2021 and body["version"] == 1
    assert [p["kind"] for p in body["publicities"]] == ["employer", "roster"]
    assert {t["action"] for t in body["actions"]} == {"record_pass", "record_fail", "veto"}
    assert next(t for t in body["actions"] if t["action"] == "veto")["needs_note"] is True
    assert call(r.employer).get(f"/declarations/{a.pk}").json()["actions"] == []


def test_timeline_lists_every_step_with_its_actor_and_holder(scene, call):
    r, a = scene["roles"], scene["a"]
    events = call(r.employer).get(f"/declarations/{a.pk}/timeline").json()
    assert [e["action"] for e in events] == list(a.events.order_by("at", "pk").values_list("action", flat=True))
    assert events[0]["action"] == "submit" and events[0]["from_state"]["code"] == "draft"
    report = next(e for e in events if e["action"] == "report")
    assert report["actor_organisation"]["name"] == "准格尔旗人民医院" and report["holder"]["name"] == "鄂尔多斯市卫生健康委员会"
    assert events[-1]["to_state"]["code"] == "under_review"


def test_actions_are_the_tables_rows_for_the_keys_account(scene, call):
    r, a, b = scene["roles"], scene["a"], scene["b"]
    office = call(r.other_committee_office)
    assert [t["action"] for t in office.get(f"/declarations/{b.pk}/actions").json()] == ["accept", "return_out_of_scope"]
    assert call(r.department).get(f"/declarations/{a.pk}/actions").json() == []


# ---- acting, and refusals equal to the pages' ------------------------------------------------------

def page_refusal(client, user, app, **post) -> list[str]:
    """What the dossier page says when ``user`` takes the step (its error messages)."""
    client.force_login(user)
    response = client.post(reverse("application_act", args=[app.pk]), post)
    reasons = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    client.logout()
    return reasons


def api_refusal(caller, app, body) -> dict:
    response = caller.post(f"/declarations/{app.pk}/actions", body)
    assert response.status_code == 409, response.content
    return response.json()


def test_refusals_are_the_pages_refusals_in_the_same_words(scene, call, client):
    r, a, b = scene["roles"], scene["a"], scene["b"]
    cases = [
        # not this role's step
        (r.employer, a, {"action": "department_approve"}, "illegal_transition"),
        # this role's step, but the declaration is not in this body's hands
        (r.other_committee_office, b, {"action": "open_review"}, "illegal_transition"),
        # a step that needs a reason
        (r.committee_office, a, {"action": "veto"}, "guard_failed"),
        # no such step from this state
        (r.committee_office, a, {"action": "accept"}, "illegal_transition"),
    ]
    for user, app, body, code in cases:
        with_key = call(user)
        refused = api_refusal(with_key, app, body)
        assert refused["code"] == code
        assert refused["details"]["reasons"] == page_refusal(client, user, app, **body), body
        assert refused["message"] == "；".join(refused["details"]["reasons"])
    # b is at another committee: the office of a does not even see it, on the page or through the API.
    assert call(r.committee_office).post(f"/declarations/{b.pk}/actions", {"action": "accept"}).status_code == 404
    assert Application.objects.get(pk=a.pk).state == "under_review" and Application.objects.get(pk=b.pk).state == "committee_intake"


def test_a_meeting_held_in_the_system_decides_and_the_office_is_told_so_as_on_the_page(scene, call, client):
    from zhicheng.review.models import Meeting, ReviewPlan

    r, a = scene["roles"], scene["a"]
    plan = ReviewPlan.objects.get(committee=a.committee, year=2021)
    Meeting.objects.create(plan=plan, held_on=plan.review_starts_on, place="呼和浩特")
    refused = api_refusal(call(r.committee_office), a, {"action": "record_pass"})
    assert refused["code"] == "guard_failed"
    assert refused["details"]["reasons"] == page_refusal(client, r.committee_office, a, action="record_pass")
    assert "无记名投票" in refused["message"]


def test_a_step_moves_the_declaration_as_the_page_does_with_its_event_and_audit_entry(scene, call):
    from zhicheng.audit.models import AuditEntry

    r, b = scene["roles"], scene["b"]
    office = call(r.other_committee_office)
    response = office.post(f"/declarations/{b.pk}/actions", {"action": "return_out_of_scope", "note": "超出本评委会受理范围（六（三））"})
    assert response.status_code == 200, response.content
    assert response.json()["state"]["code"] == "returned"
    event = b.events.latest("pk")
    assert (event.action, event.actor_id, event.note) == ("return_out_of_scope", r.other_committee_office.pk, "超出本评委会受理范围（六（三））")
    assert AuditEntry.objects.filter(action="application.return_out_of_scope", object_id=str(b.pk)).exists()


def test_the_bulk_form_moves_what_it_may_and_names_each_refusal(scene, call):
    from tests.cycle_helpers import advance
    from zhicheng.demo import applicants as P

    r = scene["roles"]
    waiting = [advance(scene["make"](P.regular_county_doctor()), "department_review")[0] for _ in range(2)]
    department = call(r.department)
    response = department.post("/declarations/actions", {
        "action": "department_approve", "ids": [w.pk for w in waiting] + [scene["a"].pk, scene["b"].pk, 10**12],
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["moved"] == [w.pk for w in waiting]
    refused = {row["id"]: row for row in body["refused"]}
    assert refused[scene["a"].pk]["code"] == "illegal_transition"  # seen (its unit's department), not in its hands
    assert refused[scene["b"].pk]["code"] == refused[10**12]["code"] == "not_found"
    assert {a.state for a in Application.objects.filter(pk__in=[w.pk for w in waiting])} == {"county_bureau_review"}
    # Steps the queue never takes in bulk are refused in bulk here too.
    refused_bulk = department.post("/declarations/actions", {"action": "department_return", "ids": [waiting[0].pk], "note": "x"})
    assert refused_bulk.status_code == 409 and refused_bulk.json()["message"] == "您不能批量办理该步骤。"


def test_a_correction_notice_through_the_api_is_the_correction_pages(scene, call):
    import datetime as dt

    from tests.cycle_helpers import advance
    from zhicheng.catalogue.models import CorrectionItem
    from zhicheng.core import clock
    from zhicheng.demo import applicants as P

    r = scene["roles"]
    app, _passed, day = advance(scene["make"](P.regular_county_doctor()), "department_review")
    department = call(r.department)
    item = CorrectionItem.objects.filter(active=True).first()
    with clock.frozen(day):
        late = department.post(f"/declarations/{app.pk}/actions", {"action": "request_correction", "payload": {
            "standard_ids": [item.pk], "deadline": (day - dt.timedelta(days=1)).isoformat()}})
        assert late.status_code == 409 and late.json()["message"] == "请给出今天以后的补正截止日期。"
        missing = department.post(f"/declarations/{app.pk}/actions", {"action": "request_correction", "payload": {"standard_ids": [item.pk]}})
        assert missing.status_code == 422 and "deadline" in missing.json()["details"]["fields"]
        done = department.post(f"/declarations/{app.pk}/actions", {"action": "request_correction", "payload": {
            "standard_ids": [item.pk], "extra": "近三年年度考核表缺2019年度", "deadline": (day + dt.timedelta(days=9)).isoformat()}})
    assert done.status_code == 200, done.content
    notice = Application.objects.get(pk=app.pk).correction_notices.get()
    assert notice.items == [item.display_text, "近三年年度考核表缺2019年度"] and notice.deadline == day + dt.timedelta(days=9)


@pytest.mark.parametrize("path, body", [
    ("/declarations/1/actions", {"action": "no_such_step"}),
    ("/declarations/1/actions", {"action": "veto", "note": 5}),
    ("/declarations/1/actions", {"action": "veto", "note": "学术造假\x00"}),  # PostgreSQL refuses NUL in text
    ("/declarations/1/actions", {"action": "employer_publish", "payload": {"working_days": "many"}}),
    ("/declarations/1/actions", {"action": "employer_publish", "payload": {"surprise": 1}}),
    ("/declarations/1/actions", {"action": "request_correction", "payload": {"standard_ids": [2**70]}}),
    ("/declarations/actions", {"action": "report", "ids": []}),
    ("/declarations/actions", {"action": "report", "ids": ["x"]}),
])
def test_wrong_input_is_422_json_never_a_fault(scene, call, path, body):
    response = call(scene["roles"].employer).post(path, body)
    assert response.status_code in (404, 422), response.content
    assert response.json()["code"] in ("invalid", "not_found")


def test_ids_out_of_range_are_refused_before_the_database(scene, call):
    employer = call(scene["roles"].employer)
    for path in ("/declarations/0", f"/declarations/{2**63}", f"/declarations/{10**30}/timeline"):
        assert employer.get(path).status_code == 422, path
    assert employer.get(f"/declarations/{2**63 - 1}").status_code == 404


def test_every_action_of_the_table_answers_a_step_or_a_refusal(scene, call):
    """Whatever a key asks of a declaration it sees: 200 (done), 409 (refused, with reasons) or 422 (payload).
    The body holding a asks every step in turn (a moves on as its own steps pass)."""
    from zhicheng.declarations.workflow import ACTIONS

    from zhicheng.core import clock

    office, a = call(scene["roles"].committee_office), scene["a"]
    answers = {}
    for action in ACTIONS:
        with clock.frozen(scene["review_day"]):
            response = office.post(f"/declarations/{a.pk}/actions", {"action": action, "note": "核实"})
        answers[action] = response.status_code
        assert response.status_code in (200, 409, 422), (action, response.content)
        if response.status_code == 409:
            assert response.json()["details"]["reasons"], action
    assert answers["record_pass"] == 200 and answers["submit"] == answers["file"] == 409
