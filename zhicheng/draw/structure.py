"""Expert types and the linear constraints on committee compositions.

Experts who agree on every quota-relevant attribute (bounded category values, whether they
served last year when the rotation rule can bind, the employer when its cap can bind) are
interchangeable: a committee is then described by how many members of each type it has
(its composition), and every constraint of the spec is a bound on a sum of those counts.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """`low <= sum of counts over types <= high`; text says it in Chinese."""

    name: str  # stable identifier, e.g. "quota_min:specialty_group=土木"
    types: tuple[int, ...]
    low: int
    high: int
    text: str
    available: int  # eligible experts the constraint counts


@dataclass
class Structure:
    spec: DrawSpec
    types: list[ExpertType]
    constraints: list[Constraint]

    @property
    def sizes(self) -> np.ndarray:
        return np.array([t.size for t in self.types], dtype=np.int64)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each constraint's lower and upper bound, in constraint order."""
        low = np.array([c.low for c in self.constraints], dtype=np.int64)
        high = np.array([c.high for c in self.constraints], dtype=np.int64)
        return low, high

    def matrix(self, constraints: list[Constraint] | None = None) -> sparse.csr_matrix:
        rows = self.constraints if constraints is None else constraints
        indptr = np.cumsum([0] + [len(c.types) for c in rows])
        indices = np.array([t for c in rows for t in c.types], dtype=np.int64)
        data = np.ones(len(indices))
        return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(self.types)))

    def type_of(self) -> dict[str, int]:
        return {member: index for index, t in enumerate(self.types) for member in t.members}

    def violations(self, counts: list[int]) -> list[str]:
        """Chinese sentences naming every constraint a composition breaks."""
        problems = []
        if len(counts) != len(self.types):
            return [f"组合的类别数为{len(counts)}，应为{len(self.types)}"]
        for index, (count, expert_type) in enumerate(zip(counts, self.types)):
            if not 0 <= count <= expert_type.size:
                problems.append(f"第{index + 1}类（{expert_type.describe()}）抽{count}人，但该类仅{expert_type.size}人")
        for constraint in self.constraints:
            total = sum(counts[t] for t in constraint.types)
            if not constraint.low <= total <= constraint.high:
                problems.append(f"违反“{constraint.text}”：实为{total}人")
        return problems


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
    keys = sorted(grouped, key=lambda k: (k[0], k[1] is None, bool(k[1]), k[2] or ""))
    types = [ExpertType(k[0], k[1], k[2], tuple(sorted(grouped[k]))) for k in keys]

    n_total = len(eligible)
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
    for employer in sorted(capped):
        members = tuple(i for i, t in enumerate(types) if t.employer == employer)
        cap = spec.cap_for(employer)
        constraints.append(
            Constraint(
                f"employer_cap:{employer}",
                members,
                0,
                cap,
                f"同一单位（{employer}）评委至多{cap}人（该单位可抽选专家{employer_counts[employer]}人）",
                employer_counts[employer],
            )
        )
    return Structure(spec, types, constraints)
