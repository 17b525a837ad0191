"""The type-level column generation against a brute-force LP over individual committees."""

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from zhicheng.draw.draw import NoFeasibleCommittee, prepare

from .conftest import expert, spec

GROUPS = ["土木", "机械", "电气"]


def feasible(committee, pool, spec_data):
    if len(committee) != spec_data["size"]:
        return False
    members = [pool[i] for i in committee]
    for category, values in spec_data.get("quotas", {}).items():
        for value, bounds in values.items():
            count = sum(1 for m in members if str(m["attributes"][category]).lower() == value)
            if count < bounds.get("min", 0) or ("max" in bounds and count > bounds["max"]):
                return False
    if sum(1 for m in members if 2020 in m["served"]["C1"]) > spec_data.get("max_served_last_year", 2 * len(committee) // 3):
        return False
    cap = spec_data.get("employer_cap")
    if cap is not None:
        employers = [m["employer"] for m in members]
        if any(employers.count(e) > cap for e in employers):
            return False
    return True


def brute_force(pool, spec_data):
    """(maximin, then minimax) over individuals, by LP over every feasible committee."""
    committees = [c for c in itertools.combinations(range(len(pool)), spec_data["size"]) if feasible(c, pool, spec_data)]
    if not committees:
        return None
    n, m = len(pool), len(committees)
    incidence = np.zeros((n, m))
    for j, c in enumerate(committees):
        incidence[list(c), j] = 1
    coverable = incidence.sum(axis=1) > 0
    rows = incidence[coverable]
    # Stage 1: max z s.t. incidence λ >= z, Σλ = 1.
    first = linprog(
        np.r_[np.zeros(m), -1.0],
        A_ub=np.hstack([-rows, np.ones((len(rows), 1))]),
        b_ub=np.zeros(len(rows)),
        A_eq=np.r_[np.ones(m), 0.0].reshape(1, -1),
        b_eq=[1.0],
        bounds=[(0, None)] * (m + 1),
        method="highs",
    )
    z = -first.fun
    # Stage 2: min u s.t. z <= incidence λ <= u.
    second = linprog(
        np.r_[np.zeros(m), 1.0],
        A_ub=np.vstack([np.hstack([-rows, np.zeros((len(rows), 1))]), np.hstack([incidence, -np.ones((n, 1))])]),
        b_ub=np.r_[-np.full(len(rows), z - 1e-10), np.zeros(n)],
        A_eq=np.r_[np.ones(m), 0.0].reshape(1, -1),
        b_eq=[1.0],
        bounds=[(0, None)] * (m + 1),
        method="highs",
    )
    return z, second.fun, coverable


@st.composite
def instances(draw):
    n = draw(st.integers(4, 8))
    pool = [
        expert(
            f"E{i}",
            draw(st.sampled_from(GROUPS)),
            grassroots=draw(st.booleans()),
            employer=f"U{draw(st.integers(0, 2))}",
            served=[2020] if draw(st.booleans()) else [],
        )
        for i in range(n)
    ]
    size = draw(st.sampled_from([1, 3]))
    quotas = {}
    if draw(st.booleans()):
        group = draw(st.sampled_from(GROUPS))
        low = draw(st.integers(0, 2))
        quotas["specialty_group"] = {group: {"min": low, "max": draw(st.integers(low, 3))}}
    if draw(st.booleans()):
        quotas["grassroots"] = {"true": {"min": draw(st.integers(0, 2))}}
    fields = {"quotas": quotas, "max_served_last_year": draw(st.integers(0, 2 * size // 3))}
    if draw(st.booleans()):
        fields["employer_cap"] = draw(st.integers(1, 2))
    return pool, spec(size=size, **fields)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_types_reach_the_individual_optimum(instance):
    pool, spec_data = instance
    expected = brute_force(pool, spec_data)
    try:
        prepared = prepare(pool, spec_data)
    except NoFeasibleCommittee:
        assert expected is None
        return
    assert expected is not None
    z, u, coverable = expected
    distribution = prepared.distribution
    assert abs(distribution.minimum - z) < 1e-7
    assert abs(distribution.maximum - u) < 1e-7
    probabilities = prepared.probabilities()
    values = [float(probabilities[e["id"]]) for e, c in zip(pool, coverable) if c]
    assert min(values) >= z - 1e-6 and max(values) <= u + 1e-6
    assert all(probabilities[e["id"]] == 0 for e, c in zip(pool, coverable) if not c)
    # Every expert's probabilities sum to the committee size.
    assert abs(sum(float(p) for p in probabilities.values()) - spec_data["size"]) < 1e-9


def test_without_quotas_everyone_gets_k_over_n():
    pool = [expert(f"E{i}") for i in range(7)]
    prepared = prepare(pool, spec(size=3))
    assert set(prepared.probabilities().values()) == {__import__("fractions").Fraction(3, 7)}


def test_quota_forced_bounds_are_reported(small_pool):
    from zhicheng.draw.draw import summary

    data = summary(prepare(small_pool, spec(quotas={"grassroots": {"true": {"min": 2}}})))
    assert abs(data["quota_bounds"]["max_at_least"] - 2 / 3) < 1e-12
    assert data["max"] >= 2 / 3 - 1e-6
