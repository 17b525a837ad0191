"""Pieces of the column generation: the master's lazy rows and pruning, the target face."""

import numpy as np
import pytest

from bench.draw_synthetic import synthetic_pool, synthetic_spec
from zhicheng.draw.draw import freeze
from zhicheng.draw.optimize import _Master, _relaxation, _target_face, fair_distribution


@pytest.fixture(scope="module")
def structure():
    spec = synthetic_spec(11, 2)
    spec["kind"] = "senior_by_specialty"
    return freeze(synthetic_pool(300, 11), spec)[4]


@pytest.fixture(scope="module")
def distribution(structure):
    return fair_distribution(structure)


def test_optimum_meets_the_relaxation_bounds_with_feasible_compositions(structure, distribution):
    assert distribution.minimum == pytest.approx(distribution.bound_min, abs=1e-9)
    assert distribution.maximum == pytest.approx(distribution.bound_max, abs=1e-9)
    assert all(not structure.violations(list(c)) for c in distribution.compositions)
    probabilities = distribution.probabilities(structure.sizes)[distribution.covered]
    # Stage 2 keeps the minimum less a hair (GAP = 1e-9) of numerical slack.
    assert probabilities.min() >= distribution.minimum - 2e-9
    assert probabilities.max() <= distribution.maximum + 1e-9


def master_with(structure, distribution, watch_all):
    covered = distribution.covered
    master = _Master(structure.sizes, covered)
    everyone = np.ones(len(covered), dtype=bool)
    # Lazily: one lower row to start with (without any, z would be unbounded).
    one = np.arange(len(covered)) == np.flatnonzero(covered)[0]
    master.watch(everyone if watch_all else one, everyone)
    # The optimal columns plus every single-swap neighbour that stays feasible: spare columns.
    spare = []
    for counts in distribution.compositions:
        counts = np.array(counts)
        for s in np.flatnonzero(counts)[:3]:
            for t in range(len(counts))[:40]:
                other = counts.copy()
                other[s] -= 1
                other[t] += 1
                if other[t] <= structure.sizes[t] and not structure.violations(list(other)):
                    spare.append(other)
    master.add([np.array(c) for c in distribution.compositions] + spare)
    return master


def test_lazy_rows_reach_the_same_stage_one_optimum(structure, distribution):
    full = master_with(structure, distribution, watch_all=True)
    lazy = master_with(structure, distribution, watch_all=False)
    assert (lazy.low_row >= 0).sum() == 1
    assert lazy.solve()[0] == pytest.approx(full.solve()[0], abs=1e-12)
    assert lazy.solve()[0] == pytest.approx(distribution.minimum, abs=1e-9)
    # Only the types whose marginal had fallen below the minimum got their rows.
    assert 1 < (lazy.low_row >= 0).sum() < len(lazy.low_row)
    assert lazy.marginals()[distribution.covered].min() >= lazy.solve()[0] - 1e-9


def test_pruning_keeps_the_columns_in_use(structure, distribution):
    master = master_with(structure, distribution, watch_all=True)
    before, _, _ = master.solve()
    used = master.weights() > 1e-12
    keep = int(used.sum())
    master.prune(keep)
    assert master.count == keep
    after, _, _ = master.solve()
    assert after == pytest.approx(before, abs=1e-12)


def test_target_face_fixes_the_rows_tight_at_the_target(structure, distribution):
    covered = distribution.covered
    bound, _ = _relaxation(structure, covered, 1)
    _, target = _relaxation(structure, covered, 2, bound - 1e-9)
    low, high = _target_face(structure, target)
    totals = structure.matrix() @ target
    for row, constraint in enumerate(structure.constraints):
        tight = min(abs(totals[row] - constraint.low), abs(totals[row] - constraint.high)) < 1e-6
        if tight:
            assert low[row] == high[row] == round(totals[row])
        else:
            assert (low[row], high[row]) == (constraint.low, constraint.high)
    assert any(low[r] == high[r] for r in range(len(low)) if structure.constraints[r].name != "size")
