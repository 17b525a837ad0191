"""The fair distribution over committee compositions (maximin, then minimax).

Stage 1 maximises the smallest selection probability of any expert (Flanigan et al.,
"Fair algorithms for selecting citizens' assemblies", Nature 2021); stage 2 keeps that
minimum and minimises the largest probability. Both run column generation over *types*:
a member of type t is selected with probability E[c_t] / |t| when the members of a type
are chosen uniformly, so the per-individual problem and the per-type problem have the same
optimum, and the per-type one is far smaller.

Each master LP lives in one highspy model to which columns are added (warm-started
simplex); new columns come from the composition MILP priced with the master's duals. The
LP relaxation over fractional counts bounds each stage from the other side, which often
proves optimality long before pricing stops finding columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.optimize import linprog
from scipy import sparse

from .solver import INF, CompositionMilp, quiet_highs
from .structure import Structure

# Reduced costs and bound gaps below this are treated as zero. Probabilities are reported
# to about 1e-9; the tolerance of a published lottery is wider (see lottery.py).
GAP = 1e-9
MAX_ROUNDS = 20000
# Category orders along which the LP-relaxation optimum is sampled for starting columns.
SAMPLE_ORDERS = 4
# Known compositions the swap heuristic starts from in each round.
STARTS = 10


@dataclass
class Distribution:
    compositions: list[tuple[int, ...]]
    weights: list[float]
    covered: np.ndarray  # bool per type: can appear in some feasible composition
    minimum: float  # optimal smallest probability over covered types
    maximum: float  # optimal largest probability with that minimum kept
    bound_min: float  # LP-relaxation upper bound on the minimum
    bound_max: float  # LP-relaxation lower bound on the maximum given the minimum
    stats: dict = field(default_factory=dict)

    def probabilities(self, sizes: np.ndarray) -> np.ndarray:
        """Selection probability of each member, per type."""
        counts = np.array(self.compositions, dtype=float)
        return (np.asarray(self.weights) @ counts) / sizes


class _Master:
    """A master LP over columns λ_c with rows per type; one extra variable (z or u)."""

    def __init__(self, sizes: np.ndarray, stage: int, target_min: float = 0.0):
        self.sizes = sizes.astype(float)
        self.stage = stage
        t = len(sizes)
        self.highs = quiet_highs()
        h = self.highs
        # Warm-started simplex after each added column; presolve would discard the basis.
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        # Column 0: z (stage 1, maximised) or u (stage 2, minimised).
        h.addVar(0.0, INF)
        h.changeColCost(0, -1.0 if stage == 1 else 1.0)
        rows = np.arange(t, dtype=np.int32)
        if stage == 1:
            # Σ_c a_ct λ_c - z >= 0 for each type t
            h.addRows(t, np.zeros(t), np.full(t, INF), t, rows, np.zeros(t, dtype=np.int32), -np.ones(t))
        else:
            # Σ_c a_ct λ_c >= target (rows 0..t-1); Σ_c a_ct λ_c - u <= 0 (rows t..2t-1)
            h.addRows(t, np.full(t, target_min), np.full(t, INF), 0, np.zeros(t, dtype=np.int32),
                      np.array([], dtype=np.int32), np.array([]))
            h.addRows(t, np.full(t, -INF), np.zeros(t), t, rows, np.zeros(t, dtype=np.int32), -np.ones(t))
        self.sum_row = h.getNumRow()
        h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        self._columns = np.zeros((64, t), dtype=np.int64)
        self.count = 0
        self.known: set[bytes] = set()

    @property
    def columns(self) -> np.ndarray:
        return self._columns[: self.count]

    def add(self, counts: np.ndarray) -> bool:
        key = counts.astype(np.int64).tobytes()
        if key in self.known:
            return False
        self.known.add(key)
        if self.count == len(self._columns):
            self._columns = np.vstack([self._columns, np.zeros_like(self._columns)])
        self._columns[self.count] = counts
        self.count += 1
        nz = np.flatnonzero(counts)
        values = counts[nz] / self.sizes[nz]
        rows = [nz]
        vals = [values]
        if self.stage == 2:
            rows.append(nz + len(self.sizes))
            vals.append(values)
        rows.append(np.array([self.sum_row]))
        vals.append(np.array([1.0]))
        index = np.concatenate(rows).astype(np.int32)
        value = np.concatenate(vals)
        self.highs.addCol(0.0, 0.0, INF, len(index), index, value)
        return True

    def solve(self) -> tuple[float, np.ndarray, float]:
        """(objective variable value, pricing weights per type, constant) after optimising."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS master: {self.highs.modelStatusToString(status)}")
        solution = self.highs.getSolution()
        duals = np.array(solution.row_dual)
        t = len(self.sizes)
        type_duals = duals[:t] if self.stage == 1 else duals[:t] + duals[t : 2 * t]
        # Reduced cost of a column c is -(Σ_t type_duals_t c_t / n_t) - sum_dual.
        return solution.col_value[0], type_duals / self.sizes, duals[self.sum_row]

    def weights(self) -> np.ndarray:
        return np.array(self.highs.getSolution().col_value[1 : self.count + 1])

    def marginals(self) -> np.ndarray:
        return (self.weights() @ self.columns) / self.sizes


def _relaxation(structure: Structure, covered: np.ndarray, stage: int, target_min: float = 0.0) -> tuple[float, np.ndarray]:
    """Stage bound from the LP relaxation over fractional type counts x (last variable: z or u)."""
    sizes = structure.sizes.astype(float)
    t = len(sizes)
    matrix = structure.matrix()
    a_ub = [sparse.hstack([matrix, sparse.csr_matrix((matrix.shape[0], 1))]),
            -sparse.hstack([matrix, sparse.csr_matrix((matrix.shape[0], 1))])]
    b_ub = [np.array([c.high for c in structure.constraints], float),
            -np.array([c.low for c in structure.constraints], float)]
    idx = np.flatnonzero(covered)
    pick = sparse.csr_matrix((np.ones(len(idx)), (np.arange(len(idx)), idx)), shape=(len(idx), t))
    scale = sparse.csr_matrix(sizes[idx].reshape(-1, 1))
    if stage == 1:  # n_t z - x_t <= 0
        a_ub.append(sparse.hstack([-pick, scale]))
        b_ub.append(np.zeros(len(idx)))
        cost = np.r_[np.zeros(t), -1.0]
        bounds_x = [(0, s) for s in sizes]
    else:  # x_t - n_t u <= 0, x_t >= n_t * target
        a_ub.append(sparse.hstack([pick, -scale]))
        b_ub.append(np.zeros(len(idx)))
        cost = np.r_[np.zeros(t), 1.0]
        lows = np.zeros(t)
        lows[idx] = np.minimum(sizes[idx] * target_min, sizes[idx])
        bounds_x = list(zip(lows, sizes))
    result = linprog(cost, A_ub=sparse.vstack(a_ub).tocsr(), b_ub=np.concatenate(b_ub),
                     bounds=bounds_x + [(0, None)], method="highs")
    if result.status != 0:
        raise RuntimeError(f"LP relaxation failed: {result.message}")
    return float(result.x[-1]), result.x[:-1]


class SwapSearch:
    """Cheap pricing heuristic: steepest-ascent swaps (one member out, one in) that keep
    every constraint, starting from known compositions. Only when it finds nothing is the
    exact MILP called, which also proves optimality at the end."""

    def __init__(self, structure: Structure):
        self.matrix = structure.matrix().toarray().astype(np.float32)
        self.low = np.array([c.low for c in structure.constraints], dtype=np.float32)
        self.high = np.array([c.high for c in structure.constraints], dtype=np.float32)
        self.sizes = structure.sizes

    def repair(self, counts: np.ndarray, preference: np.ndarray) -> np.ndarray | None:
        """Swap towards feasibility, least total violation first, then by preference (higher:
        rather add, lower: rather remove). None when stuck before reaching feasibility."""
        counts = counts.copy()
        totals = self.matrix @ counts.astype(np.float32)
        violation = lambda v: np.maximum(self.low - v, 0) + np.maximum(v - self.high, 0)  # noqa: E731
        scale = 0.5 / (np.abs(preference).max() + 1e-30)
        for _ in range(4 * int(counts.sum()) + 4):
            now = violation(totals)
            if not now.any():
                return counts
            down = violation(totals - 1) - now
            up = violation(totals + 1) - now
            support = np.flatnonzero(counts)
            if not len(support):
                return None
            both = (self.matrix[:, support] * (down + up)[:, None]).T @ self.matrix
            change = (down @ self.matrix)[support][:, None] + (up @ self.matrix)[None, :] - both
            change += scale * (preference[support][:, None] - preference[None, :]) * 1e-3
            change[:, counts >= self.sizes] = np.inf
            best = int(np.argmin(change))
            i, t = divmod(best, len(preference))
            if change[i, t] >= 0:
                return None
            s = support[i]
            counts[s] -= 1
            counts[t] += 1
            totals += self.matrix[:, t] - self.matrix[:, s]
        return None

    def improve(self, counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
        counts = counts.copy()
        totals = self.matrix @ counts.astype(np.float32)
        for _ in range(4 * int(counts.sum()) + 4):
            support = np.flatnonzero(counts)
            if not len(support):
                return counts
            at_low = self.matrix[totals <= self.low]
            at_high = self.matrix[totals >= self.high]
            # Removing s breaks a row at its lower bound unless t is in it too; adding t
            # breaks a row at its upper bound unless s is in it too.
            breaks = at_low[:, support].T @ (1.0 - at_low) + (1.0 - at_high[:, support]).T @ at_high
            gain = weights[None, :] - weights[support][:, None]
            gain[breaks > 0] = -np.inf
            gain[:, counts >= self.sizes] = -np.inf
            best = int(np.argmax(gain))
            i, t = divmod(best, len(weights))
            if gain[i, t] <= 1e-12:
                return counts
            s = support[i]
            counts[s] -= 1
            counts[t] += 1
            totals += self.matrix[:, t] - self.matrix[:, s]
        return counts


def _column_generation(
    master: _Master,
    pricing: CompositionMilp,
    swaps: SwapSearch,
    stage: int,
    bound: float,
    stats: dict,
    low_target: float = 0.0,
    target_counts: np.ndarray | None = None,
) -> float:
    value = 0.0
    rng = np.random.default_rng(1)
    for _ in range(MAX_ROUNDS):
        value, weights, constant = master.solve()
        stats["master_solves"] = stats.get("master_solves", 0) + 1
        if (stage == 1 and value >= bound - GAP) or (stage == 2 and value <= bound + GAP):
            return value
        known = master.columns
        added = 0
        # Besides the LP duals (which tend to sit on a few types), steer columns towards
        # the types whose marginals are furthest from the target window.
        marginals = master.marginals()
        if stage == 1:
            steer = np.maximum(bound - marginals, 0.0)
        else:
            steer = np.maximum(low_target - marginals, 0.0) - np.maximum(marginals - bound, 0.0)
        for direction in (weights, steer / master.sizes):
            for start in np.argsort(-(known @ direction))[:STARTS]:
                column = swaps.improve(known[start], direction)
                stats["swap_searches"] = stats.get("swap_searches", 0) + 1
                if float(weights @ column) + constant > GAP and master.add(column):
                    added += 1
        if target_counts is not None:
            # Error feedback: sample a target pushed past the current marginals.
            current = marginals * master.sizes
            pushed = np.clip(2 * target_counts - current, 0, master.sizes)
            pushed *= target_counts.sum() / pushed.sum()
            order = rng.permutation(len(pushed))
            for outcome in _systematic(order, pushed):
                repaired = swaps.repair(outcome, pushed - outcome)
                if repaired is not None and float(weights @ repaired) + constant > GAP and master.add(repaired):
                    added += 1
        if added:
            continue
        column = pricing.solve(weights)
        stats["pricing_solves"] = stats.get("pricing_solves", 0) + 1
        gain = float(weights @ column) + constant
        if gain <= GAP or not master.add(column):
            return value
    raise RuntimeError("column generation did not converge")


def fair_distribution(structure: Structure) -> Distribution:
    """Maximin, then minimax, distribution over feasible compositions (assumes some exist)."""
    sizes = structure.sizes
    pricing = CompositionMilp(structure)
    swaps = SwapSearch(structure)
    stats: dict = {}
    columns, covered = _cover(pricing, swaps, len(sizes), stats)
    bound, _ = _relaxation(structure, covered, 1)
    _, target_counts = _relaxation(structure, covered, 2, max(bound - GAP, 0.0))
    columns += _sampled_columns(structure, swaps, target_counts)
    master = _Master(sizes, 1)
    _restrict(master, covered)
    for column in columns:
        master.add(column)
    minimum = _column_generation(master, pricing, swaps, 1, bound, stats, target_counts=target_counts)

    # Only the columns in use carry over: a smaller stage-2 master solves much faster.
    stage1_columns = list(master.columns[master.weights() > 0])
    # Stage 2: keep the minimum (less a hair for numerical slack), minimise the maximum.
    target = max(minimum - GAP, 0.0)
    master2 = _Master(sizes, 2, target)
    _restrict(master2, covered)
    for column in stage1_columns:
        master2.add(column)
    bound2, _ = _relaxation(structure, covered, 2, target)
    maximum = _column_generation(master2, pricing, swaps, 2, bound2, stats, target, target_counts)
    weights = master2.weights()
    keep = weights > 1e-12
    compositions = [tuple(int(x) for x in c) for c in master2.columns[keep]]
    kept = weights[keep] / weights[keep].sum()
    stats["columns"] = master2.count
    stats["types"] = len(sizes)
    return Distribution(
        compositions=compositions,
        weights=list(kept),
        covered=covered,
        minimum=minimum,
        maximum=maximum,
        bound_min=bound,
        bound_max=bound2,
        stats=stats,
    )


def _restrict(master: _Master, covered: np.ndarray) -> None:
    """Drop the rows of types that no feasible composition can include."""
    t = len(covered)
    for index in np.flatnonzero(~covered):
        if master.stage == 1:
            master.highs.changeRowBounds(int(index), -INF, INF)
        else:
            master.highs.changeRowBounds(int(index), -INF, INF)
            master.highs.changeRowBounds(int(index) + t, -INF, INF)


def _systematic(order: np.ndarray, expected: np.ndarray) -> list[np.ndarray]:
    """All outcomes of systematic sampling along `order`: weighted by the lengths of their
    start intervals, they have exactly the expected counts."""
    cumulative = np.concatenate([[0.0], np.cumsum(expected[order])])
    cuts = np.unique(np.concatenate([np.mod(cumulative, 1.0), [1.0]]))
    keep = cuts[1:] - cuts[:-1] >= 1e-12
    starts = ((cuts[:-1] + cuts[1:]) / 2)[keep]
    outcomes = []
    for start in starts:
        counts = np.zeros(len(expected), dtype=np.int64)
        counts[order] = (np.floor(cumulative[1:] - start) - np.floor(cumulative[:-1] - start)).astype(np.int64)
        outcomes.append(counts)
    return outcomes


def _sampled_columns(structure: Structure, swaps: SwapSearch, expected: np.ndarray) -> list[np.ndarray]:
    """Starting columns near the LP-relaxation optimum: systematic-sampling outcomes along
    several category orders, each repaired into a feasible composition by swaps. Orders come
    from a fixed seed so that the same inputs give the same lottery."""
    rng = np.random.default_rng(0)
    keys = [tuple(value for _, value in t.values) + (str(t.served_last_year), t.employer or "") for t in structure.types]
    width = len(keys[0]) if keys else 0
    columns = []
    for _ in range(SAMPLE_ORDERS):
        fields = rng.permutation(width)
        ties = rng.random(len(keys))
        order = np.array(sorted(range(len(keys)), key=lambda i: (tuple(keys[i][f] for f in fields), ties[i])))
        for outcome in _systematic(order, expected):
            repaired = swaps.repair(outcome, expected - outcome)
            if repaired is not None:
                columns.append(repaired)
    return columns


def _cover(pricing: CompositionMilp, swaps: SwapSearch, num_types: int, stats: dict) -> tuple[list, np.ndarray]:
    """Compositions that together include every type some feasible composition includes.

    Each new composition maximises the number of still uncovered types it takes in; when
    even the MILP cannot take in any, the rest can be in no feasible committee at all.
    """
    missing = np.ones(num_types, dtype=bool)
    columns: list[np.ndarray] = []
    while missing.any():
        weights = missing.astype(float)
        column = swaps.improve(columns[-1], weights) if columns else None
        if column is None or not (missing & (column > 0)).any():
            column = pricing.solve(weights)
            stats["pricing_solves"] = stats.get("pricing_solves", 0) + 1
            if column is None:
                raise ValueError("no feasible composition")
            if not (missing & (column > 0)).any():
                break
        columns.append(column)
        missing &= column == 0
    return columns, ~missing
