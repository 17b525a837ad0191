"""The fair distribution over committee compositions (maximin, then minimax).

Stage 1 maximises the smallest selection probability of any expert (Flanigan et al.,
"Fair algorithms for selecting citizens' assemblies", Nature 2021); stage 2 keeps that
minimum and minimises the largest. Both run column generation over *types*: a member of
type t is selected with probability E[c_t] / |t| when the members of a type are chosen
uniformly, so the per-individual problem and the per-type problem have the same optimum,
and the per-type one is far smaller.

The LP relaxation over fractional type counts bounds each stage from the other side, and in
practice the bound is attained: column generation then stops as soon as the master reaches
it, and the exact pricing MILP (which proves optimality otherwise) is hardly ever needed. A
lottery whose expected counts are the relaxation optimum x* must meet every quota row that
is tight at x* exactly in each composition (a row at its bound on average is at that bound
every time). So the heuristics that propose columns work in that *target face*: systematic
samples of x* and of feedback targets around it, repaired by swaps that keep the tight rows
exact, and swap local search on the master's duals. The exact pricing MILP uses the
constraints as they are, so the target face steers the search and never restricts the
answer.

Both stages share one highspy model (warm-started primal simplex); rows are added lazily
and unused columns pruned, which keeps the LP small. The hot loops multiply with einsum,
not BLAS, whose worker threads stall on a busy machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np

from .solver import INF, CompositionMilp, quiet_highs
from .structure import Structure

# Reduced costs and bound gaps below this are treated as zero. Probabilities are reported
# to about 1e-9; the tolerance of a published lottery is wider (see lottery.py).
GAP = 1e-9
MAX_ROUNDS = 20000
# Rounds a stage gets to reach a value it is required to reach (see `fair_distribution`).
PATIENCE = 40
# Category orders along which the LP-relaxation optimum is sampled for starting columns.
SAMPLE_ORDERS = 2
# Known compositions the swap heuristic starts from in each round, per direction.
STARTS = 5
# Systematic samples of the feedback target drawn per round, and how far that target is
# pushed past the target counts, in multiples of the columns' average shortfall.
FEEDBACK_SAMPLES = 128
PUSH = 16
# Columns kept in the master after each round, per type (those in use first).
KEEP_PER_TYPE = 2
# Floating-point slack on weighted rows in the heuristics; the exact check decides.
LOAD_SLACK = 1e-9


_SUBSCRIPTS = {(2, 2): "ij,jk->ik", (2, 1): "ij,j->i", (1, 2): "j,jk->k"}


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Matrix products by einsum's own loops: BLAS would start worker threads, which stall
    when the machine is busy, and numpy's integer matmul is several times slower."""
    return np.einsum(_SUBSCRIPTS[a.ndim, b.ndim], a, b)


class Unreached(Exception):
    """A stage did not reach the value it was required to reach."""


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
    """The master LP over columns λ_c, in one highspy model for both stages so that stage 2
    starts from the stage-1 basis (a_ct = c_t / n_t below).

    Stage 1: max z  s.t. Σ_c a_ct λ_c - z >= 0 per type, Σ λ = 1.
    Stage 2: z fixed at the target minimum; min u  s.t. also Σ_c a_ct λ_c - u <= 0 per type.

    Rows are added lazily: a type gets its lower row when its marginal could be the minimum
    and its upper row when it could be the maximum (`watch`); `check` adds the row of any
    other type whose marginal crosses the line. A solution feasible for every row and
    optimal with a subset of them is optimal with all of them.
    """

    def __init__(self, sizes: np.ndarray, covered: np.ndarray):
        self.sizes = sizes.astype(float)
        self.covered = covered
        self.stage = 1
        t = len(sizes)
        self.highs = quiet_highs()
        h = self.highs
        # Warm-started simplex after each added column; presolve would discard the basis.
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        h.addVar(0.0, INF)  # column 0: z
        h.changeColCost(0, -1.0)
        h.addVar(0.0, 0.0)  # column 1: u, free from stage 2 on
        h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))  # row 0: Σ λ = 1
        self.low_row = np.full(t, -1)
        self.high_row = np.full(t, -1)
        self.target_min = 0.0
        self._columns = np.zeros((64, t), dtype=np.int64)
        self.count = 0
        self.known: set[bytes] = set()

    @property
    def columns(self) -> np.ndarray:
        return self._columns[: self.count]

    def _add_rows(self, types: np.ndarray, upper: bool) -> None:
        """Lower rows Σ a λ - z >= 0 or upper rows Σ a λ - u <= 0 for these types."""
        types = types[self.covered[types] & ((self.high_row if upper else self.low_row)[types] < 0)]
        if not len(types):
            return
        shares = self.columns[:, types].T / self.sizes[types, None]  # types × columns
        starts, indices, values = [], [], []
        position = 0
        for i in range(len(types)):
            nz = np.flatnonzero(shares[i])
            starts.append(position)
            indices.append(np.r_[nz + 2, [1 if upper else 0]])
            values.append(np.r_[shares[i, nz], [-1.0]])
            position += len(nz) + 1
        first = self.highs.getNumRow()
        k = len(types)
        low, high = (np.full(k, -INF), np.zeros(k)) if upper else (np.zeros(k), np.full(k, INF))
        self.highs.addRows(k, low, high, position, np.array(starts, dtype=np.int32),
                           np.concatenate(indices).astype(np.int32), np.concatenate(values).astype(float))
        (self.high_row if upper else self.low_row)[types] = first + np.arange(k)

    def watch(self, low: np.ndarray, high: np.ndarray) -> None:
        """Give these types (bool masks) their lower / upper rows now."""
        self._add_rows(np.flatnonzero(low), upper=False)
        if self.stage == 2:
            self._add_rows(np.flatnonzero(high), upper=True)

    def add(self, columns: list[np.ndarray]) -> int:
        """Add the columns not yet in the master; returns how many were new."""
        new = []
        for counts in columns:
            key = counts.astype(np.int64).tobytes()
            if key not in self.known:
                self.known.add(key)
                new.append(counts)
        if not new:
            return 0
        while self.count + len(new) > len(self._columns):
            self._columns = np.vstack([self._columns, np.zeros_like(self._columns)])
        starts, indices, values = [], [], []
        position = 0
        for counts in new:
            self._columns[self.count] = counts
            self.count += 1
            nz = np.flatnonzero(counts)
            share = counts[nz] / self.sizes[nz]
            low, high = self.low_row[nz], self.high_row[nz]
            index = np.r_[[0], low[low >= 0], high[high >= 0]]
            value = np.r_[[1.0], share[low >= 0], share[high >= 0]]
            starts.append(position)
            indices.append(index)
            values.append(value)
            position += len(index)
        k = len(new)
        self.highs.addCols(k, np.zeros(k), np.zeros(k), np.full(k, INF), position, np.array(starts, dtype=np.int32),
                           np.concatenate(indices).astype(np.int32), np.concatenate(values).astype(float))
        return k

    def start_stage2(self, target_min: float, high: np.ndarray) -> None:
        """Fix z at the target minimum, free u, and give the `high` types upper rows."""
        self.highs.changeColCost(0, 0.0)
        self.highs.changeColBounds(0, target_min, target_min)
        self.highs.changeColBounds(1, 0.0, INF)
        self.highs.changeColCost(1, 1.0)
        self.target_min = target_min
        self.stage = 2
        self._add_rows(np.flatnonzero(high), upper=True)

    def solve(self) -> tuple[float, np.ndarray, float]:
        """(z or u, pricing weights per type, constant) after optimising with every row a
        marginal needs."""
        while True:
            self.highs.run()
            status = self.highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"HiGHS master: {self.highs.modelStatusToString(status)}")
            solution = self.highs.getSolution()
            value = solution.col_value[0] if self.stage == 1 else solution.col_value[1]
            marginals = self.marginals()
            floor = value if self.stage == 1 else self.target_min
            below = self.covered & (self.low_row < 0) & (marginals < floor - GAP)
            above = self.covered & (self.high_row < 0) & (marginals > value + GAP) & (self.stage == 2)
            if not below.any() and not above.any():
                break
            self._add_rows(np.flatnonzero(below), upper=False)
            self._add_rows(np.flatnonzero(above), upper=True)
        duals = np.array(solution.row_dual)
        type_duals = np.zeros(len(self.sizes))
        for rows in (self.low_row, self.high_row):
            has = rows >= 0
            type_duals[has] += duals[rows[has]]
        # Reduced cost of a column c is -(Σ_t type_duals_t c_t / n_t) - sum_dual.
        return value, type_duals / self.sizes, duals[0]

    def weights(self) -> np.ndarray:
        return np.array(self.highs.getSolution().col_value[2 : self.count + 2])

    def prune(self, keep: int) -> None:
        """Drop all but `keep` columns: those in use first, then by reduced cost."""
        if self.count <= keep:
            return
        solution = self.highs.getSolution()
        weights = np.array(solution.col_value[2 : self.count + 2])
        reduced = np.array(solution.col_dual[2 : self.count + 2])
        rank = np.lexsort((reduced, weights <= 1e-12))
        drop = np.sort(rank[keep:])
        self.highs.deleteCols(len(drop), (drop + 2).astype(np.int32))
        for counts in self.columns[drop]:
            self.known.discard(counts.tobytes())
        kept = np.setdiff1d(np.arange(self.count), drop)
        self._columns[: len(kept)] = self.columns[kept]
        self.count = len(kept)

    def marginals(self) -> np.ndarray:
        return _dot(self.weights(), self.columns) / self.sizes


def _relaxation(structure: Structure, covered: np.ndarray, stage: int, target_min: float = 0.0) -> tuple[float, np.ndarray]:
    """Stage bound from the LP relaxation over fractional type counts x (last variable: z or u)."""
    sizes = structure.sizes.astype(float)
    t = len(sizes)
    matrix = structure.matrix().tocsc()
    idx = np.flatnonzero(covered)
    # Columns: x_0..x_{t-1}, then z (stage 1) or u (stage 2). Rows: the constraints, then
    # x_t - n_t z >= 0 (stage 1) or x_t - n_t u <= 0 (stage 2) per covered type.
    starts, indices, values = [0], [], []
    for column in range(t):
        rows = matrix.indices[matrix.indptr[column] : matrix.indptr[column + 1]]
        link = np.searchsorted(idx, column)
        extra = [matrix.shape[0] + link] if covered[column] else []
        indices.append(np.r_[rows, extra])
        values.append(np.r_[matrix.data[matrix.indptr[column] : matrix.indptr[column + 1]], np.ones(len(extra))])
        starts.append(starts[-1] + len(rows) + len(extra))
    indices.append(matrix.shape[0] + np.arange(len(idx)))
    values.append(-sizes[idx])
    starts.append(starts[-1] + len(idx))
    lp = highspy.HighsLp()
    lp.num_col_ = t + 1
    lp.num_row_ = matrix.shape[0] + len(idx)
    lower = np.zeros(t)
    upper = np.where(covered, sizes, 0.0)
    if stage == 2:
        lower[idx] = np.minimum(sizes[idx] * target_min, sizes[idx])
    lp.col_lower_ = np.r_[lower, 0.0]
    lp.col_upper_ = np.r_[upper, INF]
    lp.col_cost_ = np.r_[np.zeros(t), -1.0 if stage == 1 else 1.0]
    links_low, links_high = (np.zeros(len(idx)), np.full(len(idx), INF)) if stage == 1 else (np.full(len(idx), -INF), np.zeros(len(idx)))
    low, high = structure.bounds()
    lp.row_lower_ = np.r_[low.astype(float), links_low]
    lp.row_upper_ = np.r_[high.astype(float), links_high]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.concatenate(indices).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(values).astype(float)
    highs = quiet_highs()
    highs.passModel(lp)
    highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"LP relaxation failed: {highs.modelStatusToString(status)}")
    x = np.array(highs.getSolution().col_value)
    return float(x[-1]), x[:-1]


class SwapSearch:
    """Cheap column heuristics: steepest swaps (one member out, one in) within row bounds
    `low` and `high`, on the 0/1 constraint matrix in integers. Weighted rows (version 2's
    employer loads, upper bounds only) are kept in floating point and only those a single
    swap can push past their bound are looked at; a column is returned only when the exact
    check (`Structure.admissible`) confirms it."""

    def __init__(self, structure: Structure, low: np.ndarray, high: np.ndarray):
        weighted = np.array([c.weights is not None for c in structure.constraints], dtype=bool)
        dense = structure.matrix().toarray()
        self.matrix = dense[~weighted].astype(np.int32)  # rows × types
        self.by_type = np.ascontiguousarray(self.matrix.T)  # types × rows
        self.low = np.asarray(low, dtype=np.int64)[~weighted]
        self.high = np.asarray(high, dtype=np.int64)[~weighted]
        self.loads = dense[weighted]  # weighted rows × types
        self.caps = np.asarray(high, dtype=float)[weighted]
        self.heaviest = self.loads.max(axis=1) if len(self.loads) else np.zeros(0)
        self.structure = structure
        self.sizes = structure.sizes

    def totals(self, counts: np.ndarray) -> np.ndarray:
        return _dot(self.matrix, counts.astype(np.int32))

    def _violation(self, totals: np.ndarray) -> np.ndarray:
        return np.maximum(self.low - totals, 0) + np.maximum(totals - self.high, 0)

    def _swapped_loads(self, load: np.ndarray, support: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, excess) for the weighted rows one swap can push past their bound: excess[i, t, r]
        is how far row r would be over its bound with one member of type support[i] swapped
        for one of type t (negative: within)."""
        rows = np.flatnonzero(load + self.heaviest > self.caps + LOAD_SLACK)
        if not len(rows):
            return rows, np.zeros((len(support), len(self.sizes), 0))
        block = self.loads[rows]  # rows × types
        excess = (load[rows] - self.caps[rows])[None, None, :] - block[:, support].T[:, None, :] + block.T[None, :, :]
        return rows, excess

    def order(self, rng: np.random.Generator) -> np.ndarray:
        """A random order of the types in which each employer's own types (split out of the
        pooled ones) stay together: a systematic sample then gives the employer the floor
        or the ceiling of its expected count, so its cap is seldom broken."""
        if all(t.employer is None for t in self.structure.types):
            return rng.permutation(len(self.sizes))
        blocks: dict = {}
        for index, expert_type in enumerate(self.structure.types):
            blocks.setdefault(expert_type.employer or index, []).append(index)
        groups = list(blocks.values())
        return np.array([t for g in rng.permutation(len(groups)) for t in rng.permutation(groups[g])], dtype=np.int64)

    def invalid(self, counts: np.ndarray) -> bool:
        """Whether the exact check refuses a composition (only weighted rows can fail it)."""
        return bool(len(self.loads)) and not self.structure.admissible(counts)

    def _finish(self, counts: np.ndarray) -> np.ndarray | None:
        # Swaps never fill a type past its size, but a sample may start there.
        if (counts > self.sizes).any() or self.invalid(counts):
            return None
        return counts

    def repair(self, counts: np.ndarray, preference: np.ndarray) -> np.ndarray | None:
        """Swap towards feasibility, least total violation first, then by preference (higher:
        rather add, lower: rather remove). None when stuck before reaching feasibility."""
        counts = counts.copy()
        totals = self.totals(counts)
        load = _dot(self.loads, counts.astype(float)) if len(self.loads) else np.zeros(0)
        scale = 0.5e-3 / (np.abs(preference).max() + 1e-30)
        for _ in range(4 * int(counts.sum()) + 4):
            now = self._violation(totals)
            over = np.maximum(load - self.caps - LOAD_SLACK, 0.0)
            if not now.any() and not over.any():
                return self._finish(counts)
            # A row without members in the committee cannot lose one.
            down = np.where(totals > 0, self._violation(totals - 1) - now, 0)
            up = self._violation(totals + 1) - now
            rows = np.flatnonzero(down | up)
            support = np.flatnonzero(counts)
            if not len(support):
                return None
            block = self.matrix[rows]
            both = _dot((block[:, support] * (down + up)[rows, None]).T, block)
            change = (_dot(down[rows], block)[support][:, None] + _dot(up[rows], block)[None, :] - both).astype(float)
            if len(self.loads):
                loaded, excess = self._swapped_loads(load, support)
                change += np.maximum(excess, 0.0).sum(axis=2) - over[loaded].sum()
            change = change + scale * (preference[support][:, None] - preference[None, :])
            change[:, counts >= self.sizes] = np.inf
            best = int(np.argmin(change))
            i, t = divmod(best, len(preference))
            if change[i, t] >= 0:
                return None
            s = support[i]
            counts[s] -= 1
            counts[t] += 1
            totals += self.by_type[t] - self.by_type[s]
            if len(self.loads):
                load += self.loads[:, t] - self.loads[:, s]
        return None

    def improve(self, counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Steepest ascent of weights·counts by swaps that keep every row within bounds."""
        start = counts
        counts = counts.copy()
        totals = self.totals(counts)
        load = _dot(self.loads, counts.astype(float)) if len(self.loads) else np.zeros(0)
        for _ in range(4 * int(counts.sum()) + 4):
            support = np.flatnonzero(counts)
            if not len(support):
                break
            at_low = self.matrix[(totals <= self.low) & (totals > 0)]
            at_high = self.matrix[totals >= self.high]
            # Removing s breaks a row at its lower bound unless t is in it too; adding t
            # breaks a row at its upper bound unless s is in it too.
            breaks = _dot(at_low[:, support].T, 1 - at_low) + _dot((1 - at_high[:, support]).T, at_high)
            gain = weights[None, :] - weights[support][:, None]
            gain[breaks > 0] = -np.inf
            if len(self.loads):
                _, excess = self._swapped_loads(load, support)
                gain[(excess > LOAD_SLACK).any(axis=2)] = -np.inf
            gain[:, counts >= self.sizes] = -np.inf
            best = int(np.argmax(gain))
            i, t = divmod(best, len(weights))
            if gain[i, t] <= 1e-12:
                break
            s = support[i]
            counts[s] -= 1
            counts[t] += 1
            totals += self.by_type[t] - self.by_type[s]
            if len(self.loads):
                load += self.loads[:, t] - self.loads[:, s]
        finished = self._finish(counts)
        return start.copy() if finished is None else finished


def _target_face(structure: Structure, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row bounds of the target face: rows tight at the relaxation optimum become equalities
    (not weighted rows: an integer composition can seldom meet a rational bound exactly)."""
    low, high = structure.bounds()
    totals = structure.matrix() @ target
    tight = (np.abs(totals - low) < 1e-6) | (np.abs(totals - high) < 1e-6)
    tight &= np.array([c.weights is None for c in structure.constraints], dtype=bool)
    value = np.rint(totals).astype(np.int64)
    return np.where(tight, value, low), np.where(tight, value, high)


def _column_generation(
    master: _Master,
    pricing: CompositionMilp,
    swaps: SwapSearch,
    stage: int,
    bound: float,
    stats: dict,
    target_counts: np.ndarray,
    low_target: float = 0.0,
    rounds: int = MAX_ROUNDS,
) -> float:
    value = 0.0
    rng = np.random.default_rng(1)
    for _ in range(rounds):
        value, weights, constant = master.solve()
        stats["master_solves"] = stats.get("master_solves", 0) + 1
        if (stage == 1 and value >= bound - GAP) or (stage == 2 and value <= bound + GAP):
            return value
        marginals = master.marginals()
        master.prune(KEEP_PER_TYPE * len(master.sizes))
        known = master.columns
        found = []
        # Besides the LP duals (which tend to sit on a few types), steer columns towards
        # the types whose marginals are furthest from the target window.
        if stage == 1:
            steer = np.maximum(bound - marginals, 0.0)
        else:
            steer = np.maximum(low_target - marginals, 0.0) - np.maximum(marginals - bound, 0.0)
        for direction in (weights, steer / master.sizes):
            for start in np.argsort(-_dot(known, direction))[:STARTS]:
                column = swaps.improve(known[start], direction)
                stats["swap_searches"] = stats.get("swap_searches", 0) + 1
                if float(weights @ column) + constant > GAP:
                    found.append(column)
        # Feedback: sample a target pushed away from what the columns kept so far hold on
        # average, towards the types they under-represent. (Pushing away from the master's
        # own marginals instead, which are already the best mix of these columns, needs
        # about twice as many rounds.)
        pushed = np.clip(target_counts + PUSH * (target_counts - known.mean(axis=0)), 0, master.sizes)
        pushed = np.minimum(pushed * target_counts.sum() / pushed.sum(), master.sizes)
        tried = set()
        for outcome in _systematic(swaps.order(rng), pushed, rng.random(FEEDBACK_SAMPLES)):
            # Starts in the same interval give the same outcome, and the same repair.
            if outcome.tobytes() in tried:
                continue
            tried.add(outcome.tobytes())
            repaired = swaps.repair(outcome, pushed - outcome)
            if repaired is not None and float(weights @ repaired) + constant > GAP:
                found.append(repaired)
        if master.add(found):
            continue
        column = pricing.solve(weights)
        stats["pricing_solves"] = stats.get("pricing_solves", 0) + 1
        gain = float(weights @ column) + constant
        if gain <= GAP or swaps.invalid(column) or not master.add([column]):
            return value
    if rounds < MAX_ROUNDS:
        raise Unreached(f"stage {stage} after {rounds} rounds: {value} against the bound {bound}")
    raise RuntimeError("column generation did not converge")


@dataclass
class Covering:
    """The pricing MILP of a structure and compositions that include every type some
    feasible composition includes (`covered`)."""

    pricing: CompositionMilp
    columns: list[np.ndarray]
    covered: np.ndarray
    stats: dict


def covering(structure: Structure) -> Covering:
    """Raises ValueError when no composition is feasible."""
    pricing = CompositionMilp(structure)
    stats: dict = {}
    columns, covered = _cover(pricing, SwapSearch(structure, *structure.bounds()), len(structure.types), stats)
    return Covering(pricing, columns, covered, stats)


def fair_distribution(structure: Structure, cover: Covering | None = None, bound: float | None = None,
                      target_counts: np.ndarray | None = None, reach: tuple[float, float] | None = None) -> Distribution:
    """Maximin, then minimax, distribution over feasible compositions (assumes some exist).
    `cover`, the stage-1 relaxation `bound` and the stage-2 relaxation optimum with that
    bound kept (`target_counts`) may come from the caller. With `reach` (a minimum at
    least, then a maximum at most), a stage that ends short of it or has not got there
    within PATIENCE rounds raises Unreached."""
    rounds = MAX_ROUNDS if reach is None else PATIENCE
    sizes = structure.sizes
    cover = covering(structure) if cover is None else cover
    pricing, columns, covered, stats = cover.pricing, cover.columns, cover.covered, dict(cover.stats)
    if bound is None:
        bound, _ = _relaxation(structure, covered, 1)
    if target_counts is None:
        _, target_counts = _relaxation(structure, covered, 2, max(bound - GAP, 0.0))
    swaps = SwapSearch(structure, *_target_face(structure, target_counts))
    sampled = _sampled_columns(structure, swaps, target_counts)
    # Lower rows for the types the relaxation puts nearer the minimum, upper rows for those
    # nearer the maximum; the others get theirs when they need them.
    level = target_counts / sizes
    middle = (level[covered].min() + level[covered].max()) / 2 if covered.any() else 0.0
    master = _Master(sizes, covered)
    master.watch(level <= middle + GAP, level >= middle - GAP)
    master.add(columns + sampled)
    minimum = _column_generation(master, pricing, swaps, 1, bound, stats, target_counts, rounds=rounds)
    if reach is not None and minimum < reach[0]:
        raise Unreached(f"stage 1 ended at {minimum}, short of {reach[0]}")

    # Stage 2: keep the minimum (less a hair for numerical slack), minimise the maximum.
    target = max(minimum - GAP, 0.0)
    master.start_stage2(target, level >= middle - GAP)
    bound2, _ = _relaxation(structure, covered, 2, target)
    maximum = _column_generation(master, pricing, swaps, 2, bound2, stats, target_counts, target, rounds)
    if reach is not None and maximum > reach[1]:
        raise Unreached(f"stage 2 ended at {maximum}, short of {reach[1]}")
    weights = master.weights()
    keep = weights > 1e-12
    compositions = [tuple(int(x) for x in c) for c in master.columns[keep]]
    kept = weights[keep] / weights[keep].sum()
    stats["columns"] = master.count
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


def _systematic(order: np.ndarray, expected: np.ndarray, starts: np.ndarray | None = None) -> list[np.ndarray]:
    """Outcomes of systematic sampling along `order` from the given starts in [0, 1); by
    default all of them: weighted by the lengths of their start intervals, they have exactly
    the expected counts."""
    cumulative = np.concatenate([[0.0], np.cumsum(expected[order])])
    if starts is None:
        cuts = np.unique(np.concatenate([np.mod(cumulative, 1.0), [1.0]]))
        keep = cuts[1:] - cuts[:-1] >= 1e-12
        starts = ((cuts[:-1] + cuts[1:]) / 2)[keep]
    floors = np.floor(cumulative[None, :] - np.asarray(starts)[:, None])
    outcomes = np.zeros((len(starts), len(expected)), dtype=np.int64)
    outcomes[:, order] = (floors[:, 1:] - floors[:, :-1]).astype(np.int64)
    return list(outcomes)


def _sampled_columns(structure: Structure, swaps: SwapSearch, expected: np.ndarray) -> list[np.ndarray]:
    """Starting columns near the LP-relaxation optimum: systematic-sampling outcomes along
    several category orders, each repaired into the target face by swaps. Orders come from a
    fixed seed so that the same inputs give the same lottery. An employer's own types come
    together (see SwapSearch.order)."""
    rng = np.random.default_rng(0)
    keys = [tuple(value for _, value in t.values) + (str(t.served_last_year), t.employer or "") for t in structure.types]
    width = len(keys[0]) if keys else 0
    columns = []
    for _ in range(SAMPLE_ORDERS):
        fields = rng.permutation(width)
        ties = rng.random(len(keys))
        order = np.array(sorted(range(len(keys)), key=lambda i: (keys[i][-1], tuple(keys[i][f] for f in fields), ties[i])))
        for outcome in _systematic(order, expected):
            repaired = swaps.repair(outcome, expected - outcome)
            if repaired is not None:
                columns.append(repaired)
    return columns


def _cover(pricing: CompositionMilp, swaps: SwapSearch, num_types: int, stats: dict) -> tuple[list, np.ndarray]:
    """Compositions that together include every type some feasible composition includes.

    Each new composition maximises the number of still uncovered types it takes in; when
    even the MILP cannot take in any, the rest can be in no feasible composition at all.
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
            # Weighted rows hold in the MILP to its tolerance only; a column the exact check
            # refuses covers nothing (those types keep probability 0).
            if swaps.invalid(column) or not (missing & (column > 0)).any():
                if not columns:
                    raise ValueError("no feasible composition")
                break
        columns.append(column)
        missing &= column == 0
    return columns, ~missing
