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
from types import ModuleType

from django.db import connection

from zhicheng.accounts.models import User
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import TransitionError, deem_overdue_withdrawn, transition, transition_many
from zhicheng.declarations.states import Channel, State, is_recognition
from zhicheng.publicity.models import Publicity, PublicityKind
from zhicheng.publicity.services import close_publicity, start_publicity

# The order in which the happy path passes the states; a target earlier in it stops a declaration there.
PATH_ORDER = [
    State.DRAFT, State.SUBMITTED, State.EMPLOYER_PUBLICITY, State.RECOMMENDER_REVIEW, State.ENTRUSTMENT_REVIEW,
    State.DEPARTMENT_REVIEW, State.CORRECTION_REQUESTED, State.COUNTY_BUREAU_REVIEW, State.CITY_BUREAU_REVIEW,
    State.ROSTER_PUBLICITY, State.TALENT_CENTRE_REVIEW, State.COMMITTEE_INTAKE, State.ACCEPTED, State.UNDER_REVIEW,
    State.PASSED, State.RESULT_PUBLICITY, State.RESULT_PUBLISHED, State.FILED, State.CERTIFIED, State.REVOKED,
]


# What a checker who passes a declaration records of the material checklist (六（二）: checked item by item).
CHECKED_NOTE = "申报材料已按材料目录逐项核验：齐全、清晰，与原件一致。"
# What an office records when it recognises a title after its assessment (五（十二））.
RECOGNISED_NOTE = "经考核，学历、从事本专业技术工作年限及工作表现符合认定条件，予以认定（五（十二））。"
# The correction asked for when the applicants have no files to name (the bench's declarations).
PLAIN_CORRECTION = ["近三年年度考核表缺2019年度", "继续教育审验卡未加盖单位公章", "业绩成果佐证材料不清晰，请重新扫描"]


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
    # True: each stage moves its declarations as sets (transition_many, one call per acting body);
    # False: one transition() per declaration, as a clerk clicking through them one by one.
    batched: bool = False
    # The applicants' side (demo.materials): what a correction names from the files they gave, taking those
    # files down when it arrives, and new ones before resubmitting. None: declarations without files.
    applicants: ModuleType | None = None

    # ---- helpers ------------------------------------------------------------------------
    def staff(self, org_id: int) -> User:
        if org_id not in self._staff:
            self._staff[org_id] = User.objects.filter(organisation_id=org_id, is_active=True).order_by("pk").first()
        return self._staff[org_id]

    def candidates(self, state: str, day: dt.date) -> list[Application]:
        ids = [pk for pk, intent in self.intents.items() if intent.target != state and intent.not_before.get(state, day) <= day]
        apps = []
        for chunk in range(0, len(ids), 900):  # SQLite's parameter limit
            apps += (Application.objects.filter(pk__in=ids[chunk:chunk + 900], state=state)
                     .select_related("person__account", "unit", "plan", "holder").defer("decision"))
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

    def step_all(self, stage: str, apps: list[Application], action: str, actor_of, **kwargs) -> None:
        """``action`` on each declaration, by ``actor_of(app)``: one by one, or one set per actor when batched."""
        if not self.batched:
            for app in apps:
                self.step(stage, app, action, actor_of(app), **kwargs)
            return
        groups: dict[int, tuple[object, list[int]]] = {}
        for app in apps:
            actor = actor_of(app)
            groups.setdefault(actor.pk, (actor, []))[1].append(app.pk)
        for actor, ids in groups.values():
            counter = QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                outcome = transition_many(ids, action, actor, **kwargs)
            self.refused += [(pk, action, str(exc)) for pk, exc in outcome.refused.items()]
            stats = self.stats[stage]
            stats.transitions += len(outcome.moved)
            stats.seconds += time.perf_counter() - started
            stats.queries += counter.count

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
        self.step_all(stage, self.candidates(State.DRAFT, day), "submit", lambda app: app.person.account)

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
        self.step_all(stage, self.candidates(State.RECOMMENDER_REVIEW, day), "recommend", self.holder_staff, note=CHECKED_NOTE)

    def stage_consent(self, day, stage):
        self.step_all(stage, self.candidates(State.ENTRUSTMENT_REVIEW, day), "consent_entrustment", self.holder_staff,
                      note=CHECKED_NOTE)

    def stage_department(self, day, stage):
        to_roster, approve = [], []
        for app in self.candidates(State.DEPARTMENT_REVIEW, day):
            intent = self.intents[app.pk]
            actor = self.staff(app.holder_id)
            if intent.correct_once and not app.correction_notices.exists():
                items = (self.applicants and self.applicants.deficiencies(app)) or PLAIN_CORRECTION
                asked = self.step(stage, app, "request_correction", actor, payload={"items": items, "deadline": day + dt.timedelta(days=9)})
                if asked and self.applicants:
                    self.applicants.take_down(app, app.person.account, items)
            elif app.channel == Channel.REGION:
                to_roster.append(app)
            else:
                approve.append(app)
        self.step_all(stage, approve, "department_approve", self.holder_staff, note=CHECKED_NOTE)
        if to_roster:
            self.publish(stage, PublicityKind.ROSTER, to_roster)

    def stage_resubmit(self, day, stage):
        for app in self.candidates(State.CORRECTION_REQUESTED, day):
            if self.intents[app.pk].target != State.DEEMED_WITHDRAWN:
                if self.applicants:
                    self.applicants.replace(app, app.person.account, app.correction_notices.get().items)
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
        self.step_all(stage, self.candidates(State.COUNTY_BUREAU_REVIEW, day), "county_approve", self.holder_staff, note=CHECKED_NOTE)

    def stage_city_roster(self, day, stage):
        apps = self.candidates(State.CITY_BUREAU_REVIEW, day)
        if apps:
            self.publish(stage, PublicityKind.ROSTER, apps)

    def stage_centre(self, day, stage):
        self.step_all(stage, self.candidates(State.TALENT_CENTRE_REVIEW, day), "sort_to_committee", self.holder_staff, note=CHECKED_NOTE)

    def stage_intake(self, day, stage):
        apps = self.candidates(State.COMMITTEE_INTAKE, day)
        self.step_all(stage, [a for a in apps if self.intents[a.pk].target == State.RETURNED], "return_out_of_scope",
                      self.holder_staff, note="申报专业与本评委会评审专业不符，请改报相应评委会（六（三））。")
        self.step_all(stage, [a for a in apps if self.intents[a.pk].target != State.RETURNED], "accept", self.holder_staff,
                      note=CHECKED_NOTE)

    def stage_open_review(self, day, stage):
        from zhicheng.review.models import ReviewPlan

        started = set(ReviewPlan.objects.filter(review_starts_on__lte=day, status="approved").values_list("committee_id", "year"))
        self.step_all(stage, [app for app in self.candidates(State.ACCEPTED, day)
                              if (app.committee_id, app.plan.year) in started and not is_recognition(app.route)],
                      "open_review", self.holder_staff)

    def stage_record(self, day, stage):
        apps = self.candidates(State.UNDER_REVIEW, day)
        self.step_all(stage, [a for a in apps if self.intents[a.pk].target == State.FAILED], "record_fail", self.holder_staff)
        self.step_all(stage, [a for a in apps if self.intents[a.pk].target != State.FAILED], "record_pass", self.holder_staff)
        # 五（十二）: the offices assess and recognise the graduates and postdocs they accepted, with the review results.
        self.step_all(stage, [a for a in self.candidates(State.ACCEPTED, day) if is_recognition(a.route)], "recognise",
                      self.holder_staff, note=RECOGNISED_NOTE)

    def stage_publish_result(self, day, stage):
        apps = self.candidates(State.PASSED, day)
        if apps:
            self.publish(stage, PublicityKind.RESULT, apps)

    def stage_file(self, day, stage):
        apps = self.candidates(State.RESULT_PUBLISHED, day)
        if not self.batched:
            self.step_all(stage, apps, "file", self.holder_staff)
            return
        # As a committee files its year: the office submits its results, each approving body approves its batch.
        from zhicheng.certificates.filing import approve_filing, submit_filings
        from zhicheng.orgs.models import Committee

        for committee_id, year in sorted({(app.committee_id, app.plan.year) for app in apps}):
            committee = Committee.objects.get(pk=committee_id)
            counter = QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                for filing in submit_filings(committee=committee, year=year, actor=self.staff(committee.office_id)):
                    approve_filing(filing, self.staff(filing.filing_body_id))
                    self.stats[stage].transitions += filing.entries.count()
            self.stats[stage].seconds += time.perf_counter() - started
            self.stats[stage].queries += counter.count

    def stage_certify(self, day, stage):
        self.step_all(stage, self.candidates(State.FILED, day), "certify", self.holder_staff)

    def stage_revoke(self, day, stage):
        for app in self.candidates(State.CERTIFIED, day):
            if self.intents[app.pk].target == State.REVOKED:
                self.step(stage, app, "revoke", self.staff(app.holder_id) if app.holder_id else self.regional_staff(),
                          note="经查实申报材料中论文系抄袭，依据八（三）撤销；内人社职撤〔2021〕1号")

    def holder_staff(self, app: Application) -> User:
        return self.staff(app.holder_id)

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


# Every stage once, each on its day of 2021: (stage, (month, day)). Drives every declaration whose intent
# is a certificate from draft to certificate; the bench and the bulk tests use it.
ONE_PASS = [
    ("submit", (6, 7)), ("employer_publish", (6, 8)), ("close:employer", (6, 16)), ("recommend", (6, 17)),
    ("consent", (6, 17)), ("department", (6, 17)), ("county", (6, 18)), ("city_roster", (6, 21)), ("close:roster", (6, 28)),
    ("centre", (6, 29)), ("intake", (6, 30)), ("open_review", (8, 9)), ("record", (8, 11)), ("publish_result", (8, 12)),
    ("close:result", (8, 19)), ("file", (8, 20)), ("certify", (8, 23)),
]
