"""transition_many leaves the database exactly as the same calls of transition(), one by one, would.

A pool of declarations in many states is built once; hypothesis then draws a set of them, an action,
an actor, a day and a note, runs the step one by one and as a set, each inside a savepoint that is
rolled back, and compares everything the step writes: the declarations, their timeline, audit
entries, notifications, correction notices, pledges, filings, certificates and the refusals. The one
intended difference: staff hear of a batch's arrivals in one message (its ``arrivals`` count) where
one-by-one steps send one each.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhicheng.audit.models import AuditEntry
from zhicheng.certificates.models import Certificate, Filing, PledgeRecord
from zhicheng.core import clock
from zhicheng.declarations.models import Application, ApplicationEvent, CorrectionNotice, SelectedRecord
from zhicheng.declarations.services import TransitionError, transition, transition_many
from zhicheng.declarations.states import State
from zhicheng.declarations.workflow import actions_from
from zhicheng.demo import applicants as P
from zhicheng.notifications.models import Notification
from zhicheng.people.models import TitleHeld

from .conftest import staff_of
from .cycle_helpers import advance

D = dt.date
# Publishing needs a publicity of its own (start_publicity, tested elsewhere); a revocation appends to
# the signed revocation list file, which a rolled-back savepoint cannot take back.
SKIPPED_ACTIONS = {"employer_publish", "publish_roster", "publish_result", "revoke"}
POOL = [
    (P.regular_city_engineer_intermediate, State.DRAFT), (P.regular_county_doctor, State.DRAFT), (P.regular_engineer, State.DRAFT),
    (P.regular_city_engineer_intermediate, State.SUBMITTED), (P.regular_engineer, State.SUBMITTED),
    (P.regular_city_engineer_intermediate, State.EMPLOYER_PUBLICITY), (P.regular_county_doctor, State.EMPLOYER_PUBLICITY),
    (P.regular_city_engineer_intermediate, State.CITY_BUREAU_REVIEW), (P.regular_county_doctor, State.COUNTY_BUREAU_REVIEW),
    (P.regular_engineer, State.DEPARTMENT_REVIEW), (P.regular_engineer, State.DEPARTMENT_REVIEW),
    (P.regular_city_engineer_intermediate, State.COMMITTEE_INTAKE), (P.regular_city_engineer_intermediate, State.COMMITTEE_INTAKE),
    (P.regular_county_doctor, State.UNDER_REVIEW), (P.regular_county_doctor, State.UNDER_REVIEW),
    # Accepted ones of both kinds: recognised after assessment (五（十二）) or opened for review, each refused the other's step.
    (P.graduate_recognition, State.ACCEPTED), (P.postdoc_recognition, State.ACCEPTED), (P.regular_city_engineer_intermediate, State.ACCEPTED),
    (P.regular_city_engineer_intermediate, State.RESULT_PUBLISHED), (P.regular_city_engineer_intermediate, State.RESULT_PUBLISHED),
    (P.regular_city_engineer_intermediate, State.FILED), (P.regular_city_engineer_intermediate, State.FILED),
]


class Rollback(Exception):
    pass


def _rows(model, **filters):
    return [model_to_dict(row) | {"pk": row.pk} for row in model.objects.filter(**filters).order_by("pk")]


def _written(ids, marks) -> dict:
    """Everything a step over ``ids`` may have written, in a form two runs can be compared by."""
    # Rows a step creates are named by the order they were made, not by their ids: PostgreSQL's sequences
    # do not go back when the savepoint does, so the second run's certificate has another id.
    entries, created = list(AuditEntry.objects.filter(seq__gt=marks["audit"]).order_by("seq")), {}
    for e in entries:
        if e.object_type != "declarations.application":
            created.setdefault(e.object_type, {}).setdefault(e.object_id, len(created.get(e.object_type, {})))
    audit = sorted(((e.object_type, created.get(e.object_type, {}).get(e.object_id, e.object_id), e.seq),
                    (e.action, e.summary, e.before, e.after, e.actor_id, e.ip)) for e in entries)
    applicant_messages, arrivals = [], {}
    for n in Notification.objects.filter(pk__gt=marks["notification"]).order_by("pk"):
        if n.key.startswith("queue_arrived"):
            arrivals[n.recipient_id] = arrivals.get(n.recipient_id, 0) + n.arrivals
        else:
            applicant_messages.append((n.recipient_id, n.key, n.subject, n.body, n.link, n.application_id))
    certificates = [{k: v for k, v in c.items() if k not in ("id_salt", "signature", "check_code", "pk", "id", "title_held")}
                    for c in _rows(Certificate, pk__gt=marks["certificate"])]
    return {
        "applications": [{k: v for k, v in a.items()} for a in _rows(Application, pk__in=ids)],
        "events": [{k: v for k, v in e.items() if k not in ("id", "pk")} for e in _rows(ApplicationEvent, pk__gt=marks["event"])],
        # Per object, in order; entries of different objects interleave differently when written as a set.
        "audit": [(obj[:2], entry) for obj, entry in audit],
        "applicant_messages": sorted(applicant_messages, key=lambda m: (m[5] or 0, m[1])),
        "staff_arrivals": arrivals,
        "notices": [{k: v for k, v in n.items() if k not in ("id", "pk")} for n in _rows(CorrectionNotice, pk__gt=marks["notice"])],
        "pledges": sorted((p.application_id, p.archived_at, p.review_outcome) for p in PledgeRecord.objects.filter(application_id__in=ids)),
        "filings": [{k: v for k, v in f.items() if k not in ("id", "pk")} for f in _rows(Filing, pk__gt=marks["filing"])],
        "certificates": certificates,
        "titles": [{k: v for k, v in t.items() if k not in ("id", "pk")} for t in _rows(TitleHeld, pk__gt=marks["title"])],
        "selections": sorted((s.application_id, s.version, s.kind, s.record_id, str(s.snapshot))
                              for s in SelectedRecord.objects.filter(application_id__in=ids, version__gt=0)),
    }


def _marks() -> dict:
    def last(model):
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    return {"audit": AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0,
            "notification": last(Notification), "certificate": last(Certificate), "event": last(ApplicationEvent),
            "notice": last(CorrectionNotice), "filing": last(Filing), "title": last(TitleHeld)}


def _run(ids, work) -> tuple[dict, dict]:
    """Run ``work`` in a savepoint; return its refusals and what it wrote, then roll it back."""
    result = {}
    try:
        with transaction.atomic():
            marks = _marks()
            result["refused"] = work()
            result["written"] = _written(ids, marks)
            raise Rollback
    except Rollback:
        pass
    return result["refused"], result["written"]


def _one_by_one(ids, action, actor, note, payload):
    refused = {}
    for pk in sorted(ids):
        try:
            transition(pk, action, actor, note=note, payload=payload)
        except TransitionError as exc:
            refused[pk] = (type(exc).__name__, exc.reasons)
    return refused


def _as_a_set(ids, action, actor, note, payload, chunk):
    outcome = transition_many(ids, action, actor, note=note, payload=payload, chunk=chunk)
    return {pk: (type(exc).__name__, exc.reasons) for pk, exc in outcome.refused.items()}


@pytest.mark.django_db
def test_a_set_based_step_writes_what_the_same_single_steps_write(make_applicant):
    pool, last_day = [], D(2021, 6, 1)
    for profile, state in POOL:
        app = make_applicant(profile())
        if state != State.DRAFT:
            app, _passed, day = advance(app, state)
            last_day = max(last_day, day)
        pool.append(app)
    by_state: dict[str, list[Application]] = {}
    for app in pool:
        by_state.setdefault(app.state, []).append(app)
    actors = {None}
    for app in pool:
        actors.add(app.person.account if app.holder_id is None else staff_of(app.holder))
    actors = sorted(actors, key=lambda a: (a is not None, getattr(a, "pk", 0)))
    all_ids = [app.pk for app in pool]
    seen = {"moved": 0, "refused": 0}

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        state = data.draw(st.sampled_from(sorted(by_state)))
        actions = sorted({t.action for t in actions_from(state)} - SKIPPED_ACTIONS)
        if not actions:
            return
        action = data.draw(st.sampled_from(actions))
        in_state = [app.pk for app in by_state[state]]
        ids = data.draw(st.lists(st.sampled_from(in_state), min_size=1, unique=True))
        ids = sorted(set(ids + data.draw(st.lists(st.sampled_from(all_ids), max_size=2, unique=True))))
        holders = [a for a in actors if a is not None and any(
            (app.holder_id and a.organisation_id == app.holder_id) or (not app.holder_id and a.person_id == app.person_id)
            for app in by_state[state])]
        # Mostly the body holding them (so that steps go through), sometimes the system or an outsider.
        actor = data.draw(st.sampled_from(holders * 4 + [None, actors[-1]]))
        note = data.draw(st.sampled_from(["", "材料与原件不符，请核实"]))
        day = data.draw(st.sampled_from([D(2021, 6, 20), last_day] if state == State.DRAFT else [last_day, last_day, D(2021, 6, 20)]))
        payload = {"items": ["近三年年度考核表缺2019年度"], "deadline": day + dt.timedelta(days=10)} if action == "request_correction" else None
        chunk = data.draw(st.sampled_from([1, 2, 500]))
        with clock.frozen(day):
            single = _run(ids, lambda: _one_by_one(ids, action, actor, note, payload))
            batch = _run(ids, lambda: _as_a_set(ids, action, actor, note, payload, chunk))
        assert batch[0] == single[0], "refusals differ"
        for key in single[1]:
            assert batch[1][key] == single[1][key], f"{key} differ for {action} on {ids} by {actor}"
        seen["moved"] += len(set(ids) - set(single[0]))
        seen["refused"] += len(single[0])

    check()
    # The draws must have exercised both sides: steps that moved declarations and steps that were refused.
    assert seen["moved"] >= 10 and seen["refused"] >= 10, seen
