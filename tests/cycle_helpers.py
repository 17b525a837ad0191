"""Moving one declaration along its happy path, step by explicit step, for tests."""

from __future__ import annotations

import datetime as dt

from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import transition
from zhicheng.declarations.states import State, is_recognition
from zhicheng.publicity.services import close_publicity, start_publicity
from zhicheng.review.models import ReviewPlan

from .conftest import staff_of

PUBLICITY_ENTRY = {State.SUBMITTED: "employer", State.CITY_BUREAU_REVIEW: "roster", State.PASSED: "result"}
PUBLICITY_STATE = {State.EMPLOYER_PUBLICITY, State.ROSTER_PUBLICITY, State.RESULT_PUBLICITY}
SIMPLE_STEP = {
    State.DRAFT: "submit",
    State.RECOMMENDER_REVIEW: "recommend",
    State.ENTRUSTMENT_REVIEW: "consent_entrustment",
    State.COUNTY_BUREAU_REVIEW: "county_approve",
    State.TALENT_CENTRE_REVIEW: "sort_to_committee",
    State.COMMITTEE_INTAKE: "accept",
    State.ACCEPTED: "open_review",
    State.UNDER_REVIEW: "record_pass",
    State.RESULT_PUBLISHED: "file",
    State.FILED: "certify",
}


def actor_for(app: Application):
    if app.holder_id is None:
        return app.person.account
    return staff_of(app.holder)


def step(app: Application, day: dt.date) -> tuple[Application, dt.date]:
    """Take the next happy-path step on ``day``; return the declaration and the day after."""
    app.refresh_from_db()
    with clock.frozen(day):
        if app.state == State.DEPARTMENT_REVIEW and app.channel == "region":
            actor = actor_for(app)
            start_publicity(kind="roster", publisher=actor.organisation, applications=[app], actor=actor)
        elif app.state == State.DEPARTMENT_REVIEW:
            transition(app, "department_approve", actor_for(app))
        elif app.state in PUBLICITY_ENTRY:
            actor = actor_for(app)
            start_publicity(kind=PUBLICITY_ENTRY[app.state], publisher=actor.organisation, applications=[app], actor=actor)
        elif app.state in PUBLICITY_STATE:
            publicity = app.publicities.filter(outcome="open").get()
            day = publicity.ends_on + dt.timedelta(days=1)
            with clock.frozen(day):
                close_publicity(publicity, staff_of(publicity.publisher))
        elif app.state == State.ACCEPTED and is_recognition(app.route):
            transition(app, "recognise", actor_for(app), note="经考核，符合认定条件（五（十二））。")
        elif app.state == State.ACCEPTED:
            plan = ReviewPlan.objects.get(committee=app.committee, year=app.plan.year)
            day = max(day, plan.review_starts_on)
            with clock.frozen(day):
                transition(app, "open_review", actor_for(app))
        else:
            transition(app, SIMPLE_STEP[app.state], actor_for(app))
    app.refresh_from_db()
    return app, day + dt.timedelta(days=1)


def advance(app: Application, until: str, start: dt.date = dt.date(2021, 6, 7)) -> tuple[Application, list[str], dt.date]:
    """Step until ``until``; returns the states passed through and the next free day."""
    day, passed = start, [app.state]
    for _ in range(40):
        if app.state == until:
            return app, passed, day
        app, day = step(app, day)
        passed.append(app.state)
    raise AssertionError(f"{until} not reached; went {passed}")
