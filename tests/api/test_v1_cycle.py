"""A declaration from submission to certificate through the v1 API alone (issue 16, "Done means").

The applicant submits as the declaration page does (drafting.submit): applicants hold no keys. Every later
step is an API call with the key of the body that acts, each key acting as a member of that body's staff:
the employer publishes and reports, the competent department and the county and city bureaus check, the
city bureau publishes the roster, the talent centre sorts it to the committee, the committee office accepts
it, opens the review, records the outcome, publishes the result and submits the filing, and the regional
department files it and issues the certificate.

Not API steps, because no organisation takes them: the experts' part of the review — the draw of the
committee, the panels' opinions, the secret ballot and the chair's signature of the minutes with a TOTP
code. This committee did not meet in the system, so its office records the outcome itself with
`record_pass`, as its dossier page does (the ballot_passed guard allows that only where no meeting was
held in the system; where one was, the chair's signature records the ballot's outcome and the API
refuses the office with the page's reason: tests/api/test_v1_declarations.py).
"""

from __future__ import annotations

import datetime as dt

from zhicheng.core import clock
from zhicheng.declarations import drafting
from zhicheng.declarations.checklist import attach, checklist
from zhicheng.files.services import store_file
from zhicheng.declarations.models import Application
from zhicheng.orgs.models import Organisation, OrgKind
from zhicheng.review.models import ReviewPlan

from ..conftest import staff_of
from .v1_support import Caller, make_key

D = dt.date


def test_a_county_doctors_declaration_goes_from_submission_to_certificate_through_the_api(make_applicant, client):
    from zhicheng.demo import applicants as P

    app = make_applicant(P.regular_county_doctor())
    account = app.person.account
    with clock.frozen(D(2021, 6, 7)):
        # The applicant's own steps, as the declaration page takes them: a file for each material the checklist
        # asks for, then the submission with its checks.
        for row in checklist(app):
            if row.missing:
                attach(app, account, row.item, store_file(f"{row.item.code}.pdf", b"%PDF-1.4\n%" + row.item.code.encode() + b"\n%%EOF\n"))
        drafting.submit(app, account)
        bodies = {
            "employer": app.unit, "department": app.unit.competent_department,
            "county": Organisation.objects.get(name="鄂尔多斯市准格尔旗人力资源和社会保障局"),
            "city": Organisation.objects.get(name="鄂尔多斯市人力资源和社会保障局"),
            "centre": Organisation.objects.get(kind=OrgKind.TALENT_SERVICE_CENTRE),
            "office": app.committee.office, "region": Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT),
        }
    # Made today (they expire within a year of the day they are made), used on the cycle's days of 2021.
    keys = {name: Caller(client, make_key(staff_of(org))) for name, org in bodies.items()}
    path = f"/declarations/{app.pk}"

    def state():
        return Application.objects.get(pk=app.pk).state

    def holder():
        body = keys["region"].get(path).json()
        return body["holder"]["id"] if body["holder"] else None

    def step(body: str, action: str, on: dt.date, **extra):
        assert holder() == bodies[body].pk  # the declaration waits in this body's queue
        with clock.frozen(on):
            offered = [t["action"] for t in keys[body].get(f"{path}/actions").json()]
            assert action in offered, (body, action, offered)
            response = keys[body].post(f"{path}/actions", {"action": action, **extra})
        assert response.status_code == 200, (body, action, response.json())
        return response.json()["state"]["code"]

    def publish(body: str, kind: str, on: dt.date) -> dt.date:
        """Start the publicity on ``on`` and close it the day after it ends; returns that day."""
        with clock.frozen(on):
            started = keys[body].post("/publicities", {"kind": kind, "declaration_ids": [app.pk], "contact": "0477-1234567"})
        assert started.status_code == 201, started.json()
        publicity = started.json()["publicity"]
        assert [n["declaration_id"] for n in publicity["names"]] == [app.pk] and started.json()["refused"] == []
        closing = D.fromisoformat(publicity["ends_on"]) + dt.timedelta(days=1)
        with clock.frozen(closing - dt.timedelta(days=1)):  # still running: the close is refused with the page's words
            early = keys[body].post(f"/publicities/{publicity['id']}/close")
        assert early.status_code == 409 and "期满后方可结束" in early.json()["message"]
        with clock.frozen(closing):
            closed = keys[body].post(f"/publicities/{publicity['id']}/close")
        assert closed.status_code == 200 and closed.json()["advanced"] == [app.pk], closed.json()
        return closing

    assert state() == "submitted"
    day = publish("employer", "employer", D(2021, 6, 8))  # 单位公示（六（一）），期满无异议即上报主管部门
    assert state() == "department_review"
    assert step("department", "department_approve", day + dt.timedelta(days=1), note="材料齐全") == "county_bureau_review"
    assert step("county", "county_approve", day + dt.timedelta(days=2)) == "city_bureau_review"
    day = publish("city", "roster", day + dt.timedelta(days=3))  # 花名册公示（六（二）），期满报送人才服务中心
    assert state() == "talent_centre_review"
    assert step("centre", "sort_to_committee", day + dt.timedelta(days=1)) == "committee_intake"
    assert step("office", "accept", day + dt.timedelta(days=2)) == "accepted"
    review_day = ReviewPlan.objects.get(committee=app.committee, year=2021).review_starts_on
    assert step("office", "open_review", review_day) == "under_review"
    assert step("office", "record_pass", review_day + dt.timedelta(days=1)) == "passed"
    day = publish("office", "result", review_day + dt.timedelta(days=2))  # 评审结果公示（六（三））
    assert state() == "result_published"

    # 核准备案（七（五）1）: the office submits its year's results, the regional department approves the batch.
    with clock.frozen(day + dt.timedelta(days=1)):
        submitted = keys["office"].post("/results/filings", {"year": 2021})
    assert submitted.status_code == 201, submitted.json()
    (filing,) = submitted.json()
    assert filing["filing_body"]["id"] == bodies["region"].pk and [r["declaration_id"] for r in filing["roster"]] == [app.pk]
    with clock.frozen(day + dt.timedelta(days=2)):
        approved = keys["region"].post(f"/results/filings/{filing['id']}/approve", {"document_number": "内人社职备〔2021〕88号"})
    assert approved.status_code == 200 and approved.json()["status"]["code"] == "approved", approved.json()
    assert state() == "filed"

    # 制发电子证书（七（五）2）.
    with clock.frozen(day + dt.timedelta(days=3)):
        issued = keys["region"].post("/results/certificates", {"declaration_id": app.pk})
    assert issued.status_code == 201, issued.json()
    certificate = issued.json()
    assert state() == "certified"
    assert certificate["declaration_id"] == app.pk and certificate["approval_document_number"] == "内人社职备〔2021〕88号"
    assert keys["region"].get(f"/results/certificates/{certificate['id']}").json()["number"] == certificate["number"]
    assert keys["region"].get(path).json()["certificate_number"] == certificate["number"]
    outcome = [r for r in keys["office"].get("/results/committee", year=2021).json()["items"] if r["declaration_id"] == app.pk]
    assert [(r["action"], r["passed"]) for r in outcome] == [("record_pass", True)]

    # The timeline: every step after the applicant's was taken by the body whose key made the call.
    events = keys["employer"].get(f"{path}/timeline").json()
    acted = [(e["action"], e["actor_organisation"]["id"] if e["actor_organisation"] else None) for e in events]
    assert acted == [
        ("submit", None),
        ("employer_publish", bodies["employer"].pk), ("report", bodies["employer"].pk),
        ("department_approve", bodies["department"].pk), ("county_approve", bodies["county"].pk),
        ("publish_roster", bodies["city"].pk), ("forward", bodies["city"].pk), ("sort_to_committee", bodies["centre"].pk),
        ("accept", bodies["office"].pk), ("open_review", bodies["office"].pk), ("record_pass", bodies["office"].pk),
        ("publish_result", bodies["office"].pk), ("confirm_result", bodies["office"].pk),
        ("file", bodies["region"].pk), ("certify", bodies["region"].pk),
    ]
    assert events[-1]["to_state"]["code"] == "certified" and events[-1]["holder"] is None
