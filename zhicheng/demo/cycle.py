"""Driving declarations through the cycle, stage by stage, with the clock pinned to each stage's date.

The demo region uses it to leave declarations in every state; bench/cycle.py uses it to
measure the workflow. Every step goes through the domain functions (transition,
start_publicity, close_publicity): nothing here writes a state directly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from zhicheng.accounts.models import User
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import TransitionError, deem_overdue_withdrawn, transition
from zhicheng.declarations.states import Channel, State
from zhicheng.publicity.models import Publicity, PublicityKind
from zhicheng.publicity.services import close_publicity, start_publicity

# The order in which the happy path passes the states; a target earlier in it stops a declaration there.
PATH_ORDER = [
    State.DRAFT, State.SUBMITTED, State.EMPLOYER_PUBLICITY, State.RECOMMENDER_REVIEW, State.ENTRUSTMENT_REVIEW,
    State.DEPARTMENT_REVIEW, State.CORRECTION_REQUESTED, State.COUNTY_BUREAU_REVIEW, State.CITY_BUREAU_REVIEW,
    State.ROSTER_PUBLICITY, State.TALENT_CENTRE_REVIEW, State.COMMITTEE_INTAKE, State.ACCEPTED, State.UNDER_REVIEW,
    State.PASSED, State.RESULT_PUBLICITY, State.RESULT_PUBLISHED, State.FILED, State.CERTIFIED, State.REVOKED,
]


@dataclass
class Intent:
    """Where one declaration should end up, and how it gets there."""

    target: str
    # Per state: the first day a stage may move the declaration out of that state.
    not_before: dict[str, dt.date] = field(default_factory=dict)
    correct_once: bool = False  # the department asks for corrections once


@dataclass
class StageStats:
    transitions: int = 0
    seconds: float = 0.0
    queries: int = 0


class QueryCounter:
    """Counts queries through a database execute wrapper: cheap enough to leave on while timing."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Driver:
    intents: dict[int, Intent]
    stats: dict[str, StageStats] = field(default_factory=lambda: defaultdict(StageStats))
    refused: list[tuple[int, str, str]] = field(default_factory=list)
    _staff: dict[int, User] = field(default_factory=dict)

    # ---- helpers ------------------------------------------------------------------------
    def staff(self, org_id: int) -> User:
        if org_id not in self._staff:
            self._staff[org_id] = User.objects.filter(organisation_id=org_id, is_active=True).order_by("pk").first()
        return self._staff[org_id]

    def candidates(self, state: str, day: dt.date) -> list[Application]:
        ids = [pk for pk, intent in self.intents.items() if intent.target != state and intent.not_before.get(state, day) <= day]
        apps = []
        for chunk in range(0, len(ids), 900):  # SQLite's parameter limit
            apps += Application.objects.filter(pk__in=ids[chunk:chunk + 900], state=state).select_related("person__account", "unit", "plan", "holder")
        return sorted(apps, key=lambda a: a.pk)

    def step(self, stage: str, app: Application, action: str, actor, **kwargs) -> bool:
        counter = QueryCounter()
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(counter):
                transition(app, action, actor, **kwargs)
        except TransitionError as exc:
            self.refused.append((app.pk, action, str(exc)))
            return False
        stats = self.stats[stage]
        stats.transitions += 1
        stats.seconds += time.perf_counter() - started
        stats.queries += counter.count
        return True

    def publish(self, stage: str, kind: str, apps: list[Application]) -> None:
        groups: dict[tuple[int, bool], list[Application]] = defaultdict(list)
        stop_state = {PublicityKind.EMPLOYER: State.EMPLOYER_PUBLICITY, PublicityKind.ROSTER: State.ROSTER_PUBLICITY,
                      PublicityKind.RESULT: State.RESULT_PUBLICITY}[kind]
        for app in apps:
            groups[(app.holder_id, self.intents[app.pk].target == stop_state)].append(app)
        for (holder_id, _), members in groups.items():
            actor = self.staff(holder_id)
            counter = QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                start_publicity(kind=kind, publisher=actor.organisation, applications=members, actor=actor)
            self.stats[stage].transitions += len(members)
            self.stats[stage].seconds += time.perf_counter() - started
            self.stats[stage].queries += counter.count

    # ---- stages -------------------------------------------------------------------------
    def run(self, schedule: list[tuple[dt.date, str]]) -> None:
        for day, stage in schedule:
            with clock.frozen(day):
                getattr(self, f"stage_{stage.replace(':', '_')}")(day, stage)

    def stage_submit(self, day, stage):
        for app in self.candidates(State.DRAFT, day):
            self.step(stage, app, "submit", app.person.account)

    def stage_withdraw(self, day, stage):
        for pk, intent in self.intents.items():
            if intent.target == State.WITHDRAWN:
                app = Application.objects.select_related("person__account").get(pk=pk)
                if app.state not in (State.DRAFT, State.WITHDRAWN):
                    self.step(stage, app, "withdraw", app.person.account)

    def stage_employer_publish(self, day, stage):
        self.publish(stage, PublicityKind.EMPLOYER, self.candidates(State.SUBMITTED, day))

    def _close(self, day, stage, kind):
        stop_state = {"employer": State.EMPLOYER_PUBLICITY, "roster": State.ROSTER_PUBLICITY, "result": State.RESULT_PUBLICITY}[kind]
        for publicity in Publicity.objects.filter(kind=kind, outcome="open", ends_on__lt=day).prefetch_related("entries"):
            members = [e.application_id for e in publicity.entries.all()]
            if any(self.intents.get(pk, Intent(State.CERTIFIED)).target == stop_state for pk in members):
                continue  # left open: somebody is meant to be seen in publicity
            actor = self.staff(publicity.publisher_id)
            counter = QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                report = close_publicity(publicity, actor)
            self.refused += [(pk, "close", msg) for pk, msg in report.held.items()]
            self.stats[stage].transitions += len(report.advanced) + len(report.taken_out)
            self.stats[stage].seconds += time.perf_counter() - started
            self.stats[stage].queries += counter.count

    def stage_close_employer(self, day, stage):
        self._close(day, stage, "employer")

    def stage_close_roster(self, day, stage):
        self._close(day, stage, "roster")

    def stage_close_result(self, day, stage):
        self._close(day, stage, "result")

    def stage_recommend(self, day, stage):
        for app in self.candidates(State.RECOMMENDER_REVIEW, day):
            self.step(stage, app, "recommend", self.staff(app.holder_id))

    def stage_consent(self, day, stage):
        for app in self.candidates(State.ENTRUSTMENT_REVIEW, day):
            self.step(stage, app, "consent_entrustment", self.staff(app.holder_id))

    def stage_department(self, day, stage):
        to_roster = []
        for app in self.candidates(State.DEPARTMENT_REVIEW, day):
            intent = self.intents[app.pk]
            actor = self.staff(app.holder_id)
            if intent.correct_once and not app.correction_notices.exists():
                self.step(stage, app, "request_correction", actor, payload={
                    "items": ["近三年年度考核表缺2019年度", "继续教育审验卡未加盖单位公章", "业绩成果佐证材料不清晰，请重新扫描"],
                    "deadline": day + dt.timedelta(days=9),
                })
            elif app.channel == Channel.REGION:
                to_roster.append(app)
            else:
                self.step(stage, app, "department_approve", actor)
        if to_roster:
            self.publish(stage, PublicityKind.ROSTER, to_roster)

    def stage_resubmit(self, day, stage):
        for app in self.candidates(State.CORRECTION_REQUESTED, day):
            if self.intents[app.pk].target != State.DEEMED_WITHDRAWN:
                self.step(stage, app, "resubmit", app.person.account)

    def stage_deem(self, day, stage):
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            done = deem_overdue_withdrawn()
        self.stats[stage].transitions += len(done)
        self.stats[stage].seconds += time.perf_counter() - started
        self.stats[stage].queries += counter.count

    def stage_county(self, day, stage):
        for app in self.candidates(State.COUNTY_BUREAU_REVIEW, day):
            self.step(stage, app, "county_approve", self.staff(app.holder_id))

    def stage_city_roster(self, day, stage):
        apps = self.candidates(State.CITY_BUREAU_REVIEW, day)
        if apps:
            self.publish(stage, PublicityKind.ROSTER, apps)

    def stage_centre(self, day, stage):
        for app in self.candidates(State.TALENT_CENTRE_REVIEW, day):
            self.step(stage, app, "sort_to_committee", self.staff(app.holder_id))

    def stage_intake(self, day, stage):
        for app in self.candidates(State.COMMITTEE_INTAKE, day):
            actor = self.staff(app.holder_id)
            if self.intents[app.pk].target == State.RETURNED:
                self.step(stage, app, "return_out_of_scope", actor, note="申报专业与本评委会评审专业不符，请改报相应评委会（六（三））。")
            else:
                self.step(stage, app, "accept", actor)

    def stage_open_review(self, day, stage):
        from zhicheng.review.models import ReviewPlan

        started = set(ReviewPlan.objects.filter(review_starts_on__lte=day, status="approved").values_list("committee_id", "year"))
        for app in self.candidates(State.ACCEPTED, day):
            if (app.committee_id, app.plan.year) in started:
                self.step(stage, app, "open_review", self.staff(app.holder_id))

    def stage_record(self, day, stage):
        for app in self.candidates(State.UNDER_REVIEW, day):
            action = "record_fail" if self.intents[app.pk].target == State.FAILED else "record_pass"
            self.step(stage, app, action, self.staff(app.holder_id))

    def stage_publish_result(self, day, stage):
        apps = self.candidates(State.PASSED, day)
        if apps:
            self.publish(stage, PublicityKind.RESULT, apps)

    def stage_file(self, day, stage):
        for app in self.candidates(State.RESULT_PUBLISHED, day):
            self.step(stage, app, "file", self.staff(app.holder_id))

    def stage_certify(self, day, stage):
        for app in self.candidates(State.FILED, day):
            self.step(stage, app, "certify", self.staff(app.holder_id))

    def stage_revoke(self, day, stage):
        for app in self.candidates(State.CERTIFIED, day):
            if self.intents[app.pk].target == State.REVOKED:
                self.step(stage, app, "revoke", self.staff(app.holder_id) if app.holder_id else self.regional_staff(),
                          note="经查实申报材料中论文系抄袭，依据八（三）撤销；内人社职撤〔2021〕1号")

    def regional_staff(self):
        from zhicheng.declarations.holders import regional_hr_department

        return self.staff(regional_hr_department().pk)


def schedule_2021() -> list[tuple[dt.date, str]]:
    """The demo's timetable for 2021: a main wave that runs to certificates, and a late wave
    (held until 28 June) still in the declaration stages on the demo day, 15 September."""
    d = dt.date
    return [
        (d(2021, 6, 7), "submit"),
        (d(2021, 6, 10), "employer_publish"),
        (d(2021, 6, 18), "withdraw"),
        (d(2021, 6, 18), "close:employer"),
        (d(2021, 6, 21), "recommend"),
        (d(2021, 6, 21), "consent"),
        (d(2021, 6, 21), "department"),
        (d(2021, 6, 22), "resubmit"),
        (d(2021, 6, 23), "department"),
        (d(2021, 6, 24), "county"),
        (d(2021, 6, 25), "city_roster"),
        (d(2021, 6, 28), "submit"),
        (d(2021, 7, 1), "deem"),
        (d(2021, 7, 2), "close:roster"),
        (d(2021, 7, 5), "centre"),
        (d(2021, 7, 6), "intake"),
        (d(2021, 8, 9), "open_review"),
        (d(2021, 8, 11), "record"),
        (d(2021, 8, 16), "publish_result"),
        (d(2021, 8, 23), "close:result"),
        (d(2021, 8, 25), "file"),
        (d(2021, 8, 30), "certify"),
        (d(2021, 9, 1), "employer_publish"),
        (d(2021, 9, 6), "revoke"),
        (d(2021, 9, 8), "close:employer"),
        (d(2021, 9, 9), "recommend"),
        (d(2021, 9, 9), "consent"),
        (d(2021, 9, 9), "department"),
        (d(2021, 9, 10), "county"),
        (d(2021, 9, 10), "city_roster"),
        (d(2021, 9, 13), "employer_publish"),
        (d(2021, 9, 13), "open_review"),
    ]
