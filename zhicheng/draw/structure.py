"""Expert types and the linear constraints on committee compositions.

Experts who agree on every quota-relevant attribute (bounded category values, whether they
served last year when the rotation rule can bind, the employer when its cap can bind) are
interchangeable: a committee is then described by how many members of each type it has
(its composition), and every constraint of the spec is a bound on a sum of those counts.
That is version 1's structure (`build_structure`). Version 2 (pooling.py) leaves employers
inside coarser types and bounds each capped employer's expected load instead: a weighted
sum of counts with rational weights (`Constraint.weights`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy import sparse

from .model import DrawSpec, Expert, describe_value, served_last_year

ANY = "*"


@dataclass(frozen=True)
class ExpertType:
    values: tuple[tuple[str, str], ...]  # (category, value or ANY) for every quota category
    served_last_year: bool | None  # None when the rotation rule cannot bind
    employer: str | None  # None when no employer cap can bind for this member's employer
    members: tuple[str, ...]  # expert ids, sorted

    @property
    def size(self) -> int:
        return len(self.members)

    def key(self) -> dict:
        """A JSON-ready description (no floats) used in the published lottery."""
        return {
            "values": {category: value for category, value in self.values},
            "served_last_year": self.served_last_year,
            "employer": self.employer,
        }

    def describe(self) -> str:
        parts = [describe_value(c, v) for c, v in self.values if v != ANY]
        if self.served_last_year is not None:
            parts.append("上年度已任评委" if self.served_last_year else "上年度未任评委")
        if self.employer is not None:
            parts.append(f"单位 {self.employer}")
        return "、".join(parts) or "不区分类别"


@dataclass(frozen=True)
class Constraint:
    """`low <= sum of counts over types <= high`, or of weighted counts when `weights` is
    given (one exact fraction per listed type); text says it in Chinese."""

    name: str  # stable identifier, e.g. "quota_min:specialty_group=土木"
    types: tuple[int, ...]
    low: int
    high: int
    text: str
    available: int  # eligible experts the constraint counts
    weights: tuple[Fraction, ...] | None = None

    def exact(self) -> tuple[int, tuple[int, ...]]:
        """(d, integer weights × d): the row in integers, for exact comparisons."""
        if self.weights is None:
            return 1, (1,) * len(self.types)
        scale = math.lcm(*(w.denominator for w in self.weights))
        return scale, tuple(int(w * scale) for w in self.weights)


@dataclass(frozen=True)
class Cell:
    """The members of one type at one capped employer (`employer`), or at employers whose
    cap cannot bind (`employer` None)."""

    employer: str | None
    members: tuple[str, ...]


@dataclass
class Structure:
    spec: DrawSpec
    types: list[ExpertType]
    constraints: list[Constraint]
    # Version 2 only: each type's cells (pooling.py), the employers whose cap can bind with
    # their caps, and every eligible expert's employer.
    cells: list[tuple[Cell, ...]] | None = None
    caps: dict[str, int] = field(default_factory=dict)
    employer_of: dict[str, str] = field(default_factory=dict)
    _checks: tuple | None = field(default=None, repr=False, compare=False)
    _sizes: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def sizes(self) -> np.ndarray:
        if self._sizes is None:
            self._sizes = np.array([t.size for t in self.types], dtype=np.int64)
            self._sizes.flags.writeable = False
        return self._sizes

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each constraint's lower and upper bound, in constraint order."""
        low = np.array([c.low for c in self.constraints], dtype=np.int64)
        high = np.array([c.high for c in self.constraints], dtype=np.int64)
        return low, high

    def matrix(self, constraints: list[Constraint] | None = None) -> sparse.csr_matrix:
        rows = self.constraints if constraints is None else constraints
        indptr = np.cumsum([0] + [len(c.types) for c in rows])
        indices = np.array([t for c in rows for t in c.types], dtype=np.int64)
        data = np.array([float(w) for c in rows for w in (c.weights or (1,) * len(c.types))])
        return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(self.types)))

    @property
    def weighted(self) -> bool:
        return any(c.weights is not None for c in self.constraints)

    def type_of(self) -> dict[str, int]:
        return {member: index for index, t in enumerate(self.types) for member in t.members}

    def violations(self, counts: list[int]) -> list[str]:
        """Chinese sentences naming every constraint a composition breaks (exactly: weighted
        rows are summed in fractions)."""
        problems = []
        if len(counts) != len(self.types):
            return [f"组合的类别数为{len(counts)}，应为{len(self.types)}"]
        for index, (count, expert_type) in enumerate(zip(counts, self.types)):
            if not 0 <= count <= expert_type.size:
                problems.append(f"第{index + 1}类（{expert_type.describe()}）抽{count}人，但该类仅{expert_type.size}人")
        for constraint in self.constraints:
            if constraint.weights is None:
                total = sum(counts[t] for t in constraint.types)
                if not constraint.low <= total <= constraint.high:
                    problems.append(f"违反“{constraint.text}”：实为{total}人")
                continue
            load = sum((counts[t] * w for t, w in zip(constraint.types, constraint.weights)), Fraction(0))
            if not constraint.low <= load <= constraint.high:
                problems.append(f"违反“{constraint.text}”：类内等概率抽取时该单位的期望人数为{load}")
        return problems

    def _check_parts(self) -> tuple:
        """Built once: the count rows as an integer matrix with their bounds, the weighted
        rows as a float matrix with their bounds, and each weighted row in integers."""
        if self._checks is None:
            weighted = np.array([c.weights is not None for c in self.constraints], dtype=bool)
            low, high = self.bounds()
            plain = [c for c, w in zip(self.constraints, weighted) if not w]
            rows = [c for c, w in zip(self.constraints, weighted) if w]
            self._checks = (
                sparse.csr_matrix(self.matrix(plain), dtype=np.int64), low[~weighted], high[~weighted],
                self.matrix(rows), low[weighted], high[weighted], [c.exact() for c in rows], rows,
            )
        return self._checks

    def broken(self, compositions) -> list[tuple[int, list[str]]]:
        """(position, violations) of every composition that breaks a constraint. Counts
        rows in integers; weighted rows in floating point first, and exactly, in integers,
        wherever a load comes within 1e-6 of its bound."""
        if not len(compositions):
            return []
        counts = np.asarray(compositions, dtype=np.int64)
        plain, plain_low, plain_high, loads_matrix, load_low, load_high, exact, rows = self._check_parts()
        bad = np.any((counts < 0) | (counts > self.sizes[None, :]), axis=1)
        if plain.shape[0]:
            totals = plain @ counts.T
            bad |= np.any((totals < plain_low[:, None]) | (totals > plain_high[:, None]), axis=0)
        if loads_matrix.shape[0]:
            loads = loads_matrix @ counts.T.astype(float)
            near = (loads > load_high[:, None] - 1e-6) | ((loads < load_low[:, None] + 1e-6) & (load_low[:, None] > 0))
            for r, position in zip(*np.nonzero(near)):
                if bad[position]:
                    continue
                scale, numerators = exact[r]
                total = sum(int(counts[position, t]) * n for t, n in zip(rows[r].types, numerators))
                bad[position] = not rows[r].low * scale <= total <= rows[r].high * scale
        return [(int(p), self.violations([int(c) for c in counts[p]])) for p in np.flatnonzero(bad)]

    def admissible(self, counts: np.ndarray) -> bool:
        return not self.broken([counts])


def build_structure(eligible: list[Expert], spec: DrawSpec) -> Structure:
    categories = sorted(spec.quotas)
    group_counts: dict[tuple[str, str], int] = {}
    employer_counts: dict[str, int] = {}
    served_count = 0
    for expert in eligible:
        for category in categories:
            pair = (category, expert.attributes[category])
            group_counts[pair] = group_counts.get(pair, 0) + 1
        employer_counts[expert.employer] = employer_counts.get(expert.employer, 0) + 1
        served_count += served_last_year(expert, spec)
    rotation_binds = spec.max_served_last_year < min(spec.size, served_count)
    capped = {
        employer
        for employer, count in employer_counts.items()
        if (cap := spec.cap_for(employer)) is not None and count > cap and cap < spec.size
    }

    grouped: dict[tuple, list[str]] = {}
    for expert in eligible:
        values = tuple(
            (c, expert.attributes[c] if expert.attributes[c] in spec.quotas[c] else ANY) for c in categories
        )
        served = served_last_year(expert, spec) if rotation_binds else None
        employer = expert.employer if expert.employer in capped else None
        grouped.setdefault((values, served, employer), []).append(expert.id)
    keys = sorted(grouped, key=type_order)
    types = [ExpertType(k[0], k[1], k[2], tuple(sorted(grouped[k]))) for k in keys]
    constraints = common_rows(types, spec, len(eligible), group_counts, served_count, rotation_binds)
    for employer in sorted(capped):
        members = tuple(i for i, t in enumerate(types) if t.employer == employer)
        constraints.append(employer_row(spec, employer, members, employer_counts[employer]))
    return Structure(spec, types, constraints)


def type_order(key: tuple) -> tuple:
    """Types are listed by values, then served last year (unknown first), then employer."""
    return key[0], key[1] is None, bool(key[1]), key[2] or ""


def employer_row(spec: DrawSpec, employer: str, types: tuple[int, ...], available: int,
                 weights: tuple[Fraction, ...] | None = None) -> Constraint:
    cap = spec.cap_for(employer)
    return Constraint(
        f"employer_cap:{employer}",
        types,
        0,
        cap,
        f"同一单位（{employer}）评委至多{cap}人（该单位可抽选专家{available}人）",
        available,
        weights,
    )


def common_rows(types: list[ExpertType], spec: DrawSpec, n_total: int, group_counts: dict, served_count: int,
                rotation_binds: bool) -> list[Constraint]:
    """The size, quota and rotation rows, over types that carry the quota values."""
    categories = sorted(spec.quotas)
    constraints = [
        Constraint(
            "size",
            tuple(range(len(types))),
            spec.size,
            spec.size,
            f"评委会共{spec.size}人（可抽选专家共{n_total}人）",
            n_total,
        )
    ]
    for category in categories:
        position = categories.index(category)
        for value, bounds in sorted(spec.quotas[category].items()):
            members = tuple(i for i, t in enumerate(types) if t.values[position][1] == value)
            available = group_counts.get((category, value), 0)
            label = describe_value(category, value)
            if bounds.min > 0:
                constraints.append(
                    Constraint(
                        f"quota_min:{category}={value}",
                        members,
                        bounds.min,
                        spec.size,
                        f"{label}至少{bounds.min}人（可抽选专家{available}人）",
                        available,
                    )
                )
            if bounds.max is not None and bounds.max < min(available, spec.size):
                constraints.append(
                    Constraint(
                        f"quota_max:{category}={value}",
                        members,
                        0,
                        bounds.max,
                        f"{label}至多{bounds.max}人（可抽选专家{available}人）",
                        available,
                    )
                )
    if rotation_binds:
        members = tuple(i for i, t in enumerate(types) if t.served_last_year)
        constraints.append(
            Constraint(
                "rotation",
                members,
                0,
                spec.max_served_last_year,
                f"上年度已任评委至多{spec.max_served_last_year}人，即至少三分之一轮换（可抽选专家中上年度已任评委{served_count}人）",
                served_count,
            )
        )
    return constraints
