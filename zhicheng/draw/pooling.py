"""Version 2 types (zhicheng-draw/2): employers pooled inside coarse types.

Version 1 splits every type by employer whenever that employer's cap can bind, which
multiplies the types (4,325 instead of 526 for 10,000 experts) and makes the optimisation
slow. Version 2 starts from the coarse types (quota values and, when rotation can bind,
served last year) and keeps the members of a capped employer inside them, in a *cell* of
their type. Members are drawn uniformly within their type (rounding.py): a member of type t
is on the committee with probability c_t/n_t, and the employer e receives c_t·n_te/n_t
members of type t in expectation. Dependent rounding gives e between ⌊L_e⌋ and ⌈L_e⌉ members
in every outcome, where L_e = Σ_t c_t·n_te/n_t is its *load*; so a composition is admissible
exactly when L_e ≤ cap_e for every capped employer. That is a linear row with rational
weights n_te/n_t, and the fair distribution is computed over coarse types with these rows.

Uniform choice inside a type can cost fairness: when an employer makes up much of a type
whose count a quota forces up, its load row holds the whole type back. An employer can then
be *split*: its members form types of their own, as in version 1, and its row counts them.
Splitting every capped employer gives version 1's types exactly (the fine structure), whose
LP relaxation bounds the maximin and minimax of any lottery over individuals. `distribution`
splits capped employers until the lottery reaches the fine LP bounds of both stages or every
capped employer is split; the lottery is then optimal over individuals either way.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .model import DrawSpec, Expert, served_last_year
from .optimize import GAP, Distribution, Unreached, _relaxation, covering, fair_distribution
from .solver import CompositionMilp, is_feasible
from .structure import ANY, Cell, ExpertType, Structure, common_rows, employer_row, type_order

# A stage reaches the fine bound when it is within this of it (LP optima agree to about 1e-9).
MATCH = 1e-8


class Pooling:
    """The eligible pool seen as coarse types, capped employers and their cells."""

    def __init__(self, eligible: list[Expert], spec: DrawSpec):
        self.spec = spec
        self.eligible = eligible
        categories = sorted(spec.quotas)
        self.group_counts: dict[tuple[str, str], int] = {}
        self.employer_counts: dict[str, int] = {}
        self.served_count = 0
        for expert in eligible:
            for category in categories:
                pair = (category, expert.attributes[category])
                self.group_counts[pair] = self.group_counts.get(pair, 0) + 1
            self.employer_counts[expert.employer] = self.employer_counts.get(expert.employer, 0) + 1
            self.served_count += served_last_year(expert, spec)
        self.rotation_binds = spec.max_served_last_year < min(spec.size, self.served_count)
        self.caps = {
            employer: cap
            for employer, count in sorted(self.employer_counts.items())
            if (cap := spec.cap_for(employer)) is not None and count > cap and cap < spec.size
        }
        self.coarse = {}
        for expert in eligible:
            values = tuple(
                (c, expert.attributes[c] if expert.attributes[c] in spec.quotas[c] else ANY) for c in categories
            )
            self.coarse[expert.id] = (values, served_last_year(expert, spec) if self.rotation_binds else None)
        self.employer_of = {expert.id: expert.employer for expert in eligible}
        # Splitting order: the employers whose cap allows their members the least on average first.
        self.order = sorted(self.caps, key=lambda e: (Fraction(self.caps[e], self.employer_counts[e]), e))

    def structure(self, split) -> Structure:
        """Coarse types with the employers in `split` split out of them (all capped
        employers: version 1's types), their cells and rows."""
        split = set(split)
        grouped: dict[tuple, list[str]] = {}
        for expert in self.eligible:
            values, served = self.coarse[expert.id]
            employer = expert.employer if expert.employer in split else None
            grouped.setdefault((values, served, employer), []).append(expert.id)
        keys = sorted(grouped, key=type_order)
        types = [ExpertType(k[0], k[1], k[2], tuple(sorted(grouped[k]))) for k in keys]
        cells = []
        pooled_rows: dict[str, list[tuple[int, Fraction]]] = {}
        split_rows: dict[str, list[int]] = {}
        for index, expert_type in enumerate(types):
            if expert_type.employer is not None:
                cells.append((Cell(expert_type.employer, expert_type.members),))
                split_rows.setdefault(expert_type.employer, []).append(index)
                continue
            by_employer: dict[str, list[str]] = {}
            rest = []
            for member in expert_type.members:
                employer = self.employer_of[member]
                (by_employer.setdefault(employer, []) if employer in self.caps else rest).append(member)
            own = tuple(Cell(e, tuple(by_employer[e])) for e in sorted(by_employer))
            cells.append(own + ((Cell(None, tuple(rest)),) if rest else ()))
            for cell in own:
                pooled_rows.setdefault(cell.employer, []).append((index, Fraction(len(cell.members), expert_type.size)))
        constraints = common_rows(types, self.spec, len(self.eligible), self.group_counts, self.served_count,
                                  self.rotation_binds)
        for employer in self.caps:
            available = self.employer_counts[employer]
            if employer in split:
                constraints.append(employer_row(self.spec, employer, tuple(split_rows[employer]), available))
            else:
                row = pooled_rows[employer]
                constraints.append(employer_row(self.spec, employer, tuple(t for t, _ in row), available,
                                                tuple(w for _, w in row)))
        return Structure(self.spec, types, constraints, cells, dict(self.caps), self.employer_of)

    def fine(self) -> Structure:
        return self.structure(self.order)


def lift(structure: Structure, fine: Structure, covered: np.ndarray) -> np.ndarray:
    """Which fine types lie in covered types of `structure` (each fine type lies in one)."""
    type_of = structure.type_of()
    return np.array([covered[type_of[t.members[0]]] for t in fine.types], dtype=bool)


def fine_bounds(fine: Structure, covered: np.ndarray, stages: int = 2) -> tuple[float, ...]:
    """The LP-relaxation bounds over individuals: stage 1 (maximin) and stage 2 (minimax
    with the stage-1 bound kept), over the fine types that can be on a committee."""
    first, _ = _relaxation(fine, covered, 1)
    if stages == 1:
        return (first,)
    second, _ = _relaxation(fine, covered, 2, max(first - GAP, 0.0))
    return first, second


def fine_covers_more(fine: Structure, fine_covered: np.ndarray) -> bool:
    """Whether some feasible committee over individuals includes an expert of a fine type
    outside `fine_covered`."""
    if fine_covered.all():
        return False
    column = CompositionMilp(fine).solve((~fine_covered).astype(float))
    return column is not None and bool((column[~fine_covered] > 0).any())


def heavy_employers(structure: Structure, target: np.ndarray) -> set[str]:
    """The pooled employers whose load at the relaxation optimum `target` is above half their
    cap. At the cap, a lottery with those expected counts has the employer at exactly its cap
    in every composition, which a row with rational weights seldom allows in integers (an
    employer with cap_e/n_e at most the maximin bound is always there: each of its members
    needs at least the bound); near it, compositions sampled around the target often go past
    the cap and the column generation crawls. Split, the employer's row is a count."""
    loads = structure.matrix() @ target
    return {
        c.name.split(":", 1)[1]
        for c, load in zip(structure.constraints, loads)
        if c.weights is not None and load > c.high / 2
    }


def distribution(pooling: Pooling) -> tuple[Structure, Distribution]:
    """A structure whose maximin-then-minimax lottery reaches the fine LP bounds of both
    stages, and that lottery; with every capped employer split, the fine structure's
    (version 1's) optimum. Employers are split when they are heavy at the relaxation
    optimum, and otherwise, after an attempt that falls short, as many more as are split
    already (at least one) in splitting order. Raises ValueError when no committee is
    feasible."""
    fine = pooling.fine()
    reference = None  # (fine covered, fine stage-1 bound, fine stage-2 bound)
    split: set[str] = set()
    attempts = 0
    if pooling.order:
        # The heavy employers of the pooled relaxation, as if every type could be drawn
        # (the attempts check again with the types that can).
        pooled = pooling.structure(())
        everyone = np.ones(len(pooled.types), dtype=bool)
        try:
            bound, _ = _relaxation(pooled, everyone, 1)
            split |= heavy_employers(pooled, _relaxation(pooled, everyone, 2, max(bound - GAP, 0.0))[1])
        except RuntimeError:  # no fractional composition either: the attempts find out why
            pass

    def grow() -> None:
        more = [e for e in pooling.order if e not in split][: max(1, len(split))]
        split.update(more)

    while True:
        structure = pooling.structure(split)
        attempts += 1
        if len(split) == len(pooling.order):
            result = fair_distribution(structure)
            break
        try:
            cover = covering(structure)
        except ValueError:
            # Pooling can rule out every composition; splitting helps only if some exists.
            if not is_feasible(fine, fine.constraints):
                raise
            grow()
            continue
        fine_covered = lift(structure, fine, cover.covered)
        if reference is None or not np.array_equal(fine_covered, reference[0]):
            # When some experts are in no composition, the bounds are those over the others,
            # provided no committee over individuals includes any of them either.
            if not fine_covered.all() and fine_covers_more(fine, fine_covered):
                grow()
                continue
            reference = (fine_covered, *fine_bounds(fine, fine_covered))
        _, first, second = reference
        bound, _ = _relaxation(structure, cover.covered, 1)
        if bound < first - MATCH:
            grow()
            continue
        value, target = _relaxation(structure, cover.covered, 2, max(bound - GAP, 0.0))
        if value > second + MATCH:
            grow()
            continue
        heavy = heavy_employers(structure, target)
        if heavy:
            split |= heavy
            continue
        try:
            result = fair_distribution(structure, cover, bound, target, reach=(first - MATCH, second + MATCH))
        except Unreached:
            grow()
            continue
        break
    result.stats["split"] = len(split)
    result.stats["attempts"] = attempts
    if reference is not None:
        result.stats["fine_bound_min"], result.stats["fine_bound_max"] = reference[1], reference[2]
    else:
        result.stats["fine_bound_min"], result.stats["fine_bound_max"] = result.bound_min, result.bound_max
    return structure, result
