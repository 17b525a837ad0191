"""The per-applicant and the batch evaluator agree, rule by rule, on random applicants
and on every "满N年" boundary (the strategies pile dates on each boundary and one day
either side)."""

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_strategies import CUTOFF, YEARS, facts

from zhicheng.policy import ruleset_for, validate_facts
from zhicheng.policy.batch import evaluate_table
from zhicheng.policy.evaluate import evaluate_applicant
from zhicheng.policy.facts import read_facts
from zhicheng.policy.table import FactsTable

RS = ruleset_for(2021)


def assert_agree(facts_list):
    for f in facts_list:
        validate_facts(f)
    table = FactsTable.from_facts(facts_list)
    batch = evaluate_table(table, RS)
    for i, f in enumerate(facts_list):
        decision, outcome = evaluate_applicant(read_facts(f), RS)
        for rule_id, holds in outcome.items():
            assert bool(batch.outcome[rule_id][i]) == holds, (rule_id, i, f)
        assert batch.eligible_routes(i) == decision["eligible_routes"]
        assert batch.blocks_of(i) == [b["block"] for b in decision["blocks"]]
        assert batch.conditions_of(i) == decision["conditions"]
        assert bool(batch.eligible[i]) == decision["eligible"]
        assert RS.route_names()[batch.best_route[i]] == decision["conditions_route"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(facts(), min_size=1, max_size=6))
def test_scalar_and_batch_agree_on_random_applicants(facts_list):
    assert_agree(facts_list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts(), st.sampled_from(YEARS), st.sampled_from([-1, 0, 1]))
def test_agree_when_one_ongoing_period_ends_exactly_at_a_boundary(f, years, delta):
    """All dates of the applicant's file at one boundary: title, graduation, every work period."""
    try:
        start = CUTOFF.replace(year=CUTOFF.year - years) + dt.timedelta(days=delta)
    except ValueError:
        start = dt.date(CUTOFF.year - years, 2, 28) + dt.timedelta(days=delta)
    for period in f["work"]:
        period["from"], period["to"] = start.isoformat(), None
    for title in f["titles"]:
        title["obtained_on"] = start.isoformat()
    for edu in f["education"]:
        edu["graduated_on"] = (start - dt.timedelta(days=1)).isoformat()
    assert_agree([f])


def test_agreement_check_can_fail():
    """A corrupted batch result is caught: the comparison is not vacuous."""
    f = {
        "year": 2021, "applied_on": "2021-06-10",
        "target": {"series": "engineering", "level": "associate_senior"},
        "person": {}, "employment": {"sector": "public_institution", "unit_level": "city"},
        "education": [{"level": "bachelor", "graduated_on": "2004-07-01"}],
        "work": [{"from": "2004-07-15"}],
        "titles": [{"series": "engineering", "level": "intermediate", "obtained_on": "2015-12-31"}],
    }  # fmt: skip
    batch = evaluate_table(FactsTable.from_facts([f]), RS)
    decision, outcome = evaluate_applicant(read_facts(f), RS)
    assert outcome["regular.seniority"] and bool(batch.outcome["regular.seniority"][0])
    f["titles"][0]["obtained_on"] = "2016-01-01"
    batch2 = evaluate_table(FactsTable.from_facts([f]), RS)
    assert not batch2.outcome["regular.seniority"][0]
    assert not np.array_equal(batch.routes, batch2.routes)
