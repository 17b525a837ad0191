"""Version 2's members: dependent rounding keeps every cap and quota in every outcome and
each member's probability c_t/n_t."""

import math
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhicheng.draw.draw import NoFeasibleCommittee, draw, prepare, substitute
from zhicheng.draw.randomness import Stream
from zhicheng.draw.rounding import round_cells

from .conftest import expert, spec

GROUPS = ["土木", "机械", "电气"]


def capped_pool():
    """42 experts at 12 employers of three or four, groups spread across employers."""
    pool = []
    for employer in range(12):
        for member in range(3 + employer % 2):
            index = len(pool)
            pool.append(
                expert(
                    f"E{index:02d}",
                    GROUPS[(employer + member) % 3],
                    grassroots=employer % 3 == 0,
                    employer=f"U{employer}",
                    served=[2020] if index % 4 == 0 else [],
                )
            )
    return pool


CAPPED_SPEC = spec(size=7, employer_cap=1, quotas={"specialty_group": {"电气": {"min": 2}}, "grassroots": {"true": {"min": 2}}})


def committee_problems(pool, spec_data, committee):
    """What a committee of individuals breaks, counted from the pool itself."""
    members = [e for e in pool if e["id"] in set(committee)]
    problems = []
    if len(members) != spec_data["size"]:
        problems.append(f"size {len(members)}")
    for category, values in spec_data.get("quotas", {}).items():
        for value, bounds in values.items():
            count = sum(1 for m in members if str(m["attributes"][category]).lower() == value)
            if count < bounds.get("min", 0) or count > bounds.get("max", spec_data["size"]):
                problems.append(f"{category}={value}: {count}")
    served = sum(1 for m in members if 2020 in m["served"]["C1"])
    if served > spec_data.get("max_served_last_year", 2 * spec_data["size"] // 3):
        problems.append(f"served {served}")
    cap = spec_data.get("employer_cap")
    if cap is not None:
        for employer, count in Counter(m["employer"] for m in members).items():
            if count > cap:
                problems.append(f"{employer}: {count}")
    return problems


def loads(structure, counts):
    """Each capped employer's expected members under uniform choice within types, exactly."""
    result = {}
    for count, expert_type, cells in zip(counts, structure.types, structure.cells):
        for cell in cells:
            if cell.employer is not None:
                result[cell.employer] = result.get(cell.employer, 0) + Fraction(count * len(cell.members), expert_type.size)
    return result


def test_rounding_keeps_type_counts_and_employers_within_floor_and_ceiling():
    prepared = prepare(capped_pool(), CAPPED_SPEC)
    structure = prepared.structure
    # The test is about pooled employers: some capped employer shares a type with others.
    assert any(cell.employer is not None and len(cells) > 1 for cells in structure.cells for cell in cells)
    for position, counts in enumerate(prepared.lottery.compositions):
        expected = loads(structure, counts)
        assert all(load <= 1 for load in expected.values())
        for seed in range(5):
            taken = round_cells(structure, counts, Stream(bytes([position, seed]), "rounding"))
            assert [sum(row) for row in taken] == list(counts)
            got = Counter()
            for row, cells in zip(taken, structure.cells):
                for number, cell in zip(row, cells):
                    assert 0 <= number <= len(cell.members)
                    if cell.employer is not None:
                        got[cell.employer] += number
            for employer, load in expected.items():
                assert math.floor(load) <= got[employer] <= math.ceil(load)


def test_every_outcome_keeps_caps_and_quotas_and_frequencies_match_the_probabilities():
    pool = capped_pool()
    prepared = prepare(pool, CAPPED_SPEC)
    probabilities = prepared.probabilities()
    draws = 3000
    seen = Counter()
    for seed in range(draws):
        committee = draw(prepared, seed.to_bytes(2, "big")).committee
        assert committee_problems(pool, CAPPED_SPEC, committee) == []
        seen.update(committee)
    for member, probability in probabilities.items():
        p = float(probability)
        # Loose: five standard errors of a binomial frequency.
        assert abs(seen[member] / draws - p) <= 5 * math.sqrt(p * (1 - p) / draws) + 1e-9, member


@st.composite
def capped_instances(draw_):
    employers = draw_(st.integers(3, 6))
    pool = []
    for employer in range(employers):
        for _ in range(draw_(st.integers(1, 4))):
            index = len(pool)
            pool.append(
                expert(
                    f"E{index}",
                    draw_(st.sampled_from(GROUPS)),
                    grassroots=draw_(st.booleans()),
                    employer=f"U{employer}",
                    served=[2020] if draw_(st.booleans()) else [],
                )
            )
    size = draw_(st.sampled_from([3, 5]))
    quotas = {}
    if draw_(st.booleans()):
        quotas["specialty_group"] = {draw_(st.sampled_from(GROUPS)): {"min": draw_(st.integers(0, 2))}}
    if draw_(st.booleans()):
        quotas["grassroots"] = {"true": {"min": draw_(st.integers(0, 2)), "max": draw_(st.integers(2, 4))}}
    return pool, spec(size=size, employer_cap=draw_(st.integers(1, 2)), quotas=quotas,
                      max_served_last_year=draw_(st.integers(1, 2 * size // 3)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capped_instances())
def test_random_capped_pools_keep_every_constraint_in_every_draw(instance):
    pool, spec_data = instance
    try:
        prepared = prepare(pool, spec_data)
    except NoFeasibleCommittee:
        return
    assert not prepared.structure.broken(prepared.lottery.compositions)
    type_of = prepared.structure.type_of()
    for seed in range(12):
        result = draw(prepared, bytes([seed]))
        assert committee_problems(pool, spec_data, result.committee) == []
        counts = Counter(type_of[m] for m in result.committee)
        composition = prepared.lottery.compositions[result.composition]
        assert [counts[t] for t in range(len(composition))] == list(composition)


@pytest.mark.parametrize("bound", [2**64 + 1, 3 * 2**100 + 7])
def test_bounds_above_two_to_the_64_read_several_words_most_significant_first(bound):
    words = Stream(b"s", "x").words
    width = -(-(bound - 1).bit_length() // 64)
    value = 0
    for _ in range(width):
        value = (value << 64) | next(words)
    span = 2 ** (64 * width)
    assert value < span - span % bound  # not rejected, for this seed and these bounds
    assert Stream(b"s", "x").below(bound) == value % bound


def test_decliners_are_replaced_within_every_cap_and_quota():
    pool = capped_pool()
    prepared = prepare(pool, CAPPED_SPEC)
    with_reserves = 0
    for seed in range(30):
        result = draw(prepared, bytes([seed]))
        for group in result.reserves:
            if group["reserves"]:
                with_reserves += 1
                first = substitute(prepared, bytes([seed]), result, [group["members"][0]])
                assert first["replacements"] == {group["members"][0]: group["reserves"][0]}
        # Everyone declines in turn: each seat is refilled within every constraint or left open.
        outcome = substitute(prepared, bytes([seed]), result, list(result.committee))
        filled = outcome["committee"]
        if len(filled) == CAPPED_SPEC["size"]:
            assert committee_problems(pool, CAPPED_SPEC, filled) == []
        employers = Counter(e["employer"] for e in pool if e["id"] in set(filled))
        assert max(employers.values(), default=0) <= 1
    assert with_reserves > 30
