"""The applicant's progress timeline names, for every step, the organisation that held the declaration in
that step (as recorded when it arrived there), and for the steps ahead the organisation that will hold it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations import drafting, progress
from zhicheng.declarations.holders import talent_service_centre
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation, OrgKind

from ..conftest import staff_of
from ..cycle_helpers import advance

D = dt.date
APPLICANT = "申报人本人"


def held(app: Application) -> list[tuple[str, str, str]]:
    app = Application.objects.select_related("holder", "unit__competent_department", "committee__office").get(pk=app.pk)
    events = app.events.select_related("actor", "actor_organisation", "holder")
    return [(s.state, s.holder, s.status) for s in progress.steps(app, events)]


def bureau(name_part: str) -> str:
    return Organisation.objects.get(kind=OrgKind.HR_BUREAU, name=name_part).name


def expected_county_path(app: Application) -> dict[str, str]:
    """准格尔旗人民医院: its department, the county's bureau, the league's bureau, the centre, the committee's office."""
    return {
        State.SUBMITTED: "准格尔旗人民医院",
        State.EMPLOYER_PUBLICITY: "准格尔旗人民医院",
        State.DEPARTMENT_REVIEW: app.unit.competent_department.name,
        State.COUNTY_BUREAU_REVIEW: bureau("鄂尔多斯市准格尔旗人力资源和社会保障局"),
        State.CITY_BUREAU_REVIEW: bureau("鄂尔多斯市人力资源和社会保障局"),
        State.ROSTER_PUBLICITY: bureau("鄂尔多斯市人力资源和社会保障局"),
        State.TALENT_CENTRE_REVIEW: talent_service_centre().name,
        State.COMMITTEE_INTAKE: app.committee.office.name,
        State.ACCEPTED: app.committee.office.name,
        State.UNDER_REVIEW: app.committee.office.name,
    }


@pytest.mark.django_db
def test_a_county_declaration_names_each_body_that_held_it(make_applicant):
    app, passed, _ = advance(make_applicant(P.regular_county_doctor()), State.UNDER_REVIEW)
    assert State.COUNTY_BUREAU_REVIEW in passed and State.TALENT_CENTRE_REVIEW in passed
    expected = expected_county_path(app)
    steps = held(app)
    assert steps[0] == (State.DRAFT, APPLICANT, "done")
    for state, holder, status in steps[1:]:
        if status == "ahead":
            continue
        assert holder == expected[state], (state, holder)
    assert [s for s, _, status in steps if status == "current"] == [State.UNDER_REVIEW]
    # Ahead: the committee office records the result, the filing body files it.
    ahead = {state: holder for state, holder, status in steps if status == "ahead"}
    assert ahead[State.PASSED] == app.committee.office.name
    assert ahead[State.FILED] == Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT).name


@pytest.mark.django_db
def test_the_steps_ahead_name_who_will_hold_it(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_county_doctor()), State.DEPARTMENT_REVIEW)
    expected = expected_county_path(app)
    ahead = [(state, holder) for state, holder, status in held(app) if status == "ahead"]
    assert ahead[:5] == [(s, expected[s]) for s in (State.COUNTY_BUREAU_REVIEW, State.CITY_BUREAU_REVIEW, State.ROSTER_PUBLICITY,
                                                    State.TALENT_CENTRE_REVIEW, State.COMMITTEE_INTAKE)]


@pytest.mark.django_db
def test_a_region_level_declaration_and_a_recommended_one(make_applicant):
    app, passed, _ = advance(make_applicant(P.regular_health()), State.COMMITTEE_INTAKE)
    department = app.unit.competent_department.name
    steps = {state: holder for state, holder, status in held(app) if status != "ahead"}
    assert State.COUNTY_BUREAU_REVIEW not in passed and State.CITY_BUREAU_REVIEW not in passed
    assert steps[State.SUBMITTED] == steps[State.EMPLOYER_PUBLICITY] == "内蒙古自治区人民医院"
    assert steps[State.DEPARTMENT_REVIEW] == steps[State.ROSTER_PUBLICITY] == department != "内蒙古自治区人民医院"
    assert steps[State.COMMITTEE_INTAKE] == app.committee.office.name

    private, passed, _ = advance(make_applicant(P.non_public_direct()), State.COMMITTEE_INTAKE)
    steps = {state: holder for state, holder, status in held(private) if status != "ahead"}
    assert State.RECOMMENDER_REVIEW in passed
    assert steps[State.RECOMMENDER_REVIEW] == "内蒙古自治区工商业联合会"
    assert steps[State.SUBMITTED] == private.unit.name


@pytest.mark.django_db
def test_the_timeline_keeps_the_holder_recorded_then_not_todays(make_applicant):
    """A unit that moves to another competent department later does not rewrite who checked the declaration."""
    app, _, _ = advance(make_applicant(P.regular_county_doctor()), State.COUNTY_BUREAU_REVIEW)
    was = app.unit.competent_department
    other = Organisation.objects.filter(kind=OrgKind.COMPETENT_DEPARTMENT).exclude(pk=was.pk).order_by("pk").first()
    Organisation.objects.filter(pk=app.unit_id).update(competent_department=other)
    steps = {state: holder for state, holder, status in held(app) if status != "ahead"}
    assert steps[State.DEPARTMENT_REVIEW] == was.name


@pytest.mark.django_db
def test_a_correction_is_in_the_applicants_hands_and_the_resubmission_goes_back(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_county_doctor()), State.DEPARTMENT_REVIEW)
    department = app.unit.competent_department
    with clock.frozen(D(2021, 6, 20)):
        drafting.request_correction(app, staff_of(department), standard_ids=[], extra="补充继续教育证明", deadline=D(2021, 6, 30))
        app.refresh_from_db()
        transition(app, "resubmit", app.person.account)
    steps = [(state, holder, status) for state, holder, status in held(app) if status != "ahead"]
    assert steps[-2] == (State.CORRECTION_REQUESTED, APPLICANT, "done")
    assert steps[-1][0] == State.DEPARTMENT_REVIEW and steps[-1][1] == department.name


@pytest.mark.django_db
def test_the_dossier_page_shows_the_holders(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_county_doctor()), State.CITY_BUREAU_REVIEW)
    client.force_login(app.person.account)
    with clock.frozen(D(2021, 6, 30)):
        body = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    timeline = body[body.index('id="progress-h"'):body.index('id="facts-h"')]
    items = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip() for li in timeline.split("<li")[1:]]
    department = app.unit.competent_department.name
    assert any("待单位审核 — 准格尔旗人民医院 ·" in item for item in items), items
    assert any(f"主管部门审核中 — {department} ·" in item for item in items), items
    assert not any("— ·" in item for item in items), items
    assert not any(item.startswith("主管部门审核中 — 准格尔旗人民医院") for item in items), items
