"""/api/v1/publicities and /api/v1/results: scope as the pages', names masked as there, the pages' refusals
in the same words, and lists whose queries do not grow with their rows.

The module's scene (tests/conftest.py) with a carried on to its certificate (a ballot of a meeting held in
the system recorded for it) and a second county doctor certified beside it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.core.identifiers import mask_id_number
from zhicheng.declarations.models import Application

from .v1_support import Caller, make_key, module_scene_fixture, queries_of_authentication

D = dt.date


def _certified(scene):
    from tests.cycle_helpers import advance
    from zhicheng.demo import applicants as P
    from zhicheng.review.models import Meeting, MeetingResult, MeetingStatus, ReviewPlan

    a = advance(scene["a"], "certified", start=scene["review_day"])[0]
    second = advance(scene["make"](P.regular_county_doctor()), "certified")[0]
    plan = ReviewPlan.objects.get(committee=a.committee, year=2021)
    meeting = Meeting.objects.create(plan=plan, held_on=scene["review_day"], place="呼和浩特", status=MeetingStatus.SIGNED)
    MeetingResult.objects.create(meeting=meeting, application=a, group="general", eligible=17, yes=15, no=1, abstain=1,
                                 reached_two_thirds=True, passed=True)
    return {"a": a, "second": second}


module_scene = module_scene_fixture(_certified)


@pytest.fixture
def scene(module_scene, db):
    return module_scene


@pytest.fixture
def call(client):
    return lambda user, scopes=None: Caller(client, make_key(user, scopes) if scopes else make_key(user))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def on_page(client, user, url, data) -> list[str]:
    """The error messages a page's POST leaves for ``user``."""
    client.force_login(user)
    response = client.post(url, data)
    client.logout()
    return messages_of(response)


# ---- publicities -------------------------------------------------------------------------------

def test_publicities_are_the_publishers_own_and_all_for_the_region(scene, call):
    from zhicheng.publicity.models import Publicity

    r, a = scene["roles"], scene["a"]
    own = sorted(Publicity.objects.filter(publisher=r.employer.organisation).values_list("pk", flat=True))
    assert own and [p["id"] for p in call(r.employer).get("/publicities").json()["items"]] == own
    assert call(r.other_employer).get("/publicities").json()["items"] == []
    everything = [p["id"] for p in call(r.regional_hr).get("/publicities", limit=200).json()["items"]]
    assert everything == sorted(Publicity.objects.values_list("pk", flat=True))
    roster = Publicity.objects.get(kind="roster", entries__application=a)
    assert call(r.employer).get(f"/publicities/{roster.pk}").status_code == 404
    body = call(r.city_bureau).get(f"/publicities/{roster.pk}").json()
    (name,) = [n for n in body["names"] if n["declaration_id"] == a.pk]
    assert name["name"] == a.person.name and name["id_number"] == mask_id_number(a.person.id_number)
    assert name["unit"] == "准格尔旗人民医院" and a.person.id_number not in str(body)
    assert [p["id"] for p in call(r.city_bureau).get("/publicities", kind="employer").json()["items"]] == []
    assert call(r.employer).get("/publicities", open="true").json()["items"] == []  # a's publicities have all ended


def test_starting_a_publicity_is_refused_as_the_queues_bulk_publish_refuses_it(scene, call, client):
    r, a = scene["roles"], scene["a"]
    response = call(r.employer).post("/publicities", {"kind": "employer", "declaration_ids": [a.pk, 10**15]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["publicity"] is None
    refused = {row["id"]: row for row in body["refused"]}
    assert refused[10**15]["code"] == "not_found"
    page = on_page(client, r.employer, reverse("application_bulk"), {
        "action": "employer_publish", "ids": [a.pk], "working_days": 5, "title": "", "contact": "", "confirm": "yes"})
    assert refused[a.pk]["reasons"] == page
    wrong = call(r.employer).post("/publicities", {"kind": "employer", "declaration_ids": [a.pk], "working_days": 3})
    assert wrong.status_code == 422 and "working_days" in wrong.json()["details"]["fields"]


def test_a_publicity_closes_only_when_the_page_would_close_it(scene, call, client):
    from tests.cycle_helpers import advance
    from zhicheng.demo import applicants as P
    from zhicheng.publicity.models import Publicity
    from zhicheng.publicity.services import raise_objection

    r = scene["roles"]
    app = advance(scene["make"](P.regular_county_doctor()), "employer_publicity")[0]
    publicity = Publicity.objects.get(entries__application=app, kind="employer")
    employer = call(r.employer)
    url = reverse("publicity_close", args=[publicity.pk])
    with clock.frozen(publicity.ends_on):
        early = employer.post(f"/publicities/{publicity.pk}/close")
        assert early.status_code == 409 and early.json()["details"]["reasons"] == on_page(client, r.employer, url, {"confirm": "yes"})
        objection = raise_objection(publicity=publicity, application=app, name="张三", phone="13800000000",
                                    content="该同志的论文存在一稿多投的情况，请核实。")
    after = publicity.ends_on + dt.timedelta(days=1)
    with clock.frozen(after):
        held = employer.post(f"/publicities/{publicity.pk}/close")
        assert held.status_code == 409 and held.json()["details"]["reasons"] == on_page(client, r.employer, url, {"confirm": "yes"})
        assert held.json()["message"] == "尚有未核实处理的异议，不能结束公示。"
        assert call(r.other_employer).post(f"/publicities/{publicity.pk}/close").status_code == 404
        detail = employer.get(f"/publicities/{publicity.pk}").json()
        assert detail["open_objections"] == 1 and detail["objections"][0]["objector_name"] == "张三"
        assert "13800000000" not in str(detail)
        short = employer.post(f"/publicities/{publicity.pk}/objections/{objection.pk}", {"substantiated": False, "finding": "无"})
        assert short.status_code == 409 and short.json()["message"] == "请填写核实情况与处理意见。"
        handled = employer.post(f"/publicities/{publicity.pk}/objections/{objection.pk}",
                                {"substantiated": False, "finding": "经核实，论文为不同成果，异议不属实。"})
        assert handled.status_code == 200 and handled.json()["status"]["code"] == "unsubstantiated"
        closed = employer.post(f"/publicities/{publicity.pk}/close")
    assert closed.status_code == 200 and closed.json() == {"advanced": [app.pk], "taken_out": [], "held": []}
    assert Application.objects.get(pk=app.pk).state == "department_review"


# ---- committee results -------------------------------------------------------------------------

def test_results_show_each_outcome_and_the_ballot_to_those_who_see_the_meeting(scene, call):
    r, a = scene["roles"], scene["a"]
    office = call(r.committee_office).get("/results/committee", year=2021).json()["items"]
    mine = [row for row in office if row["declaration_id"] == a.pk]
    assert [(row["action"], row["passed"]) for row in mine] == [("record_pass", True)]
    assert mine[0]["ballot"]["yes"] == 15 and mine[0]["ballot"]["yes_needed"] == 12 and mine[0]["ballot"]["eligible"] == 17
    by_employer = [row for row in call(r.employer).get("/results/committee").json()["items"] if row["declaration_id"] == a.pk]
    assert by_employer and by_employer[0]["ballot"] is None  # the meeting's page is the committee's and the region's
    assert call(r.other_committee_office).get("/results/committee").json()["items"] == []
    reader = call(r.committee_office, ["read_declarations"])
    assert reader.get("/results/committee").json()["code"] == "scope_missing"


# ---- filings -----------------------------------------------------------------------------------

def test_filings_are_the_filing_pages_with_the_roster_masked(scene, call):
    from zhicheng.certificates.models import Filing

    r, a = scene["roles"], scene["a"]
    filing = Filing.objects.get(entries__application=a)
    region = call(r.regional_hr)
    assert filing.pk in [f["id"] for f in region.get("/results/filings", year=2021, limit=200).json()["items"]]
    body = region.get(f"/results/filings/{filing.pk}").json()
    assert body["status"]["code"] == "approved" and body["filing_body"]["id"] == r.regional_hr.organisation_id
    (row,) = body["roster"]
    assert row["declaration_id"] == a.pk and row["id_number"] == mask_id_number(a.person.id_number)
    assert call(r.committee_office).get(f"/results/filings/{filing.pk}").status_code == 200
    for outsider in (r.employer, r.city_bureau, r.other_committee_office):
        assert call(outsider).get(f"/results/filings/{filing.pk}").status_code == 404
        assert call(outsider).get("/results/filings").json()["items"] == []


def test_filing_decisions_are_refused_as_on_the_filing_pages(scene, call, client):
    from zhicheng.certificates.models import Filing

    r, a = scene["roles"], scene["a"]
    filing = Filing.objects.get(entries__application=a)
    again = call(r.regional_hr).post(f"/results/filings/{filing.pk}/approve", {})
    client.force_login(r.regional_hr)
    page = client.post(reverse("filing_detail", args=[filing.pk]), {"decision": "approve", "document_number": "", "confirm": "yes"})
    assert again.status_code == 409 and again.json()["details"]["reasons"] == messages_of(page) == ["该批核准备案已办理。"]
    with clock.frozen(D(2021, 9, 1)):
        nothing = call(r.committee_office).post("/results/filings", {"year": 2021})
        client.force_login(r.committee_office)
        page = client.post(reverse("filing_queue"), {"year": 2021, "report": ""})
    assert nothing.status_code == 409 and nothing.json()["message"] in page.content.decode()
    assert nothing.json()["message"] == "没有公示期满、待报核准备案的评审结果。"
    assert call(r.employer).post("/results/filings", {"year": 2021}).json()["message"] == "您的机构不是评委会办事机构。"
    assert call(r.committee_office).post("/results/filings", {"year": 1999}).status_code == 422
    give_back = call(r.regional_hr).post(f"/results/filings/{filing.pk}/return", {"reason": "x"})
    assert give_back.status_code == 409


# ---- certificates ------------------------------------------------------------------------------

def test_certificates_are_the_certificate_lists_and_issuing_is_the_dossiers_certify(scene, call, client):
    r, a, second = scene["roles"], scene["a"], scene["second"]
    numbers = {app.pk: app.certificate.number for app in (a, second)}
    region = call(r.regional_hr)
    listed = {c["declaration_id"]: c for c in region.get("/results/certificates", year=2021).json()["items"]}
    assert {pk: listed[pk]["number"] for pk in numbers} == numbers
    assert listed[a.pk]["id_number"] == mask_id_number(a.person.id_number) and listed[a.pk]["status"]["code"] == "valid"
    assert {c["declaration_id"] for c in call(r.city_bureau).get("/results/certificates").json()["items"]} >= set(numbers)
    for outsider in (r.other_city_bureau, r.employer, r.committee_office):
        assert call(outsider).get("/results/certificates").json()["items"] == []
        assert call(outsider).get(f"/results/certificates/{listed[a.pk]['id']}").status_code == 404
    again = region.post("/results/certificates", {"declaration_id": a.pk})
    page = on_page(client, r.regional_hr, reverse("application_act", args=[a.pk]), {"action": "certify"})
    assert again.status_code == 409 and again.json()["details"]["reasons"] == page
    assert call(r.other_employer).post("/results/certificates", {"declaration_id": a.pk}).status_code == 404


def test_a_key_that_only_reads_cannot_act_on_publicities_filings_or_certificates(scene, call):
    from zhicheng.certificates.models import Filing
    from zhicheng.publicity.models import Publicity

    r, a = scene["roles"], scene["a"]
    reader = call(r.regional_hr, ["read_declarations", "read_results"])
    filing = Filing.objects.get(entries__application=a)
    publicity = Publicity.objects.filter(publisher=r.employer.organisation).first()
    for path, body in [(f"/results/filings/{filing.pk}/approve", {}), (f"/results/filings/{filing.pk}/return", {"reason": "材料不全"}),
                       ("/results/certificates", {"declaration_id": a.pk}), ("/results/filings", {"year": 2021}),
                       (f"/publicities/{publicity.pk}/close", None), ("/publicities", {"kind": "result", "declaration_ids": [a.pk]})]:
        response = reader.post(path, body)
        assert response.status_code == 403 and response.json()["code"] == "scope_missing", path


# ---- what lists cost -----------------------------------------------------------------------------

@pytest.mark.parametrize("path, role, extra", [
    ("/publicities", "regional_hr", 1),  # the page of publicities with their counts
    ("/results/committee", "regional_hr", 2),  # the page, the ballots (the account's organisation came with the key)
    ("/results/filings", "regional_hr", 1),
    ("/results/certificates", "regional_hr", 1),
])
def test_a_lists_queries_do_not_grow_with_its_rows(scene, call, client, django_assert_num_queries, path, role, extra):
    user = getattr(scene["roles"], role)
    frame = queries_of_authentication(user, path, client)
    caller = call(user)
    assert len(caller.get(path, limit=200).json()["items"]) >= 2  # also the key's first call, which notes its last use
    for limit in (1, 200):
        with django_assert_num_queries(frame + extra):
            assert caller.get(path, limit=limit).status_code == 200


@pytest.mark.parametrize("path", ["/publicities/0", f"/results/filings/{2**63}", "/results/certificates/-1",
                                  "/publicities/1/objections/0"])
def test_ids_out_of_range_are_422(scene, call, path):
    caller = call(scene["roles"].regional_hr)
    response = caller.post(path, {"substantiated": True, "finding": "经核实属实。"}) if "objections" in path else caller.get(path)
    assert response.status_code == 422 and response.json()["code"] == "invalid"
