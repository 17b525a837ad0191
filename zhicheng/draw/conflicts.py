"""Which constraints conflict when no committee can satisfy them all.

Deletion filtering (Chinneck): drop each constraint in turn and keep it dropped if the rest
are still infeasible. What remains is an irreducible set: every member is needed for the
conflict, so naming them tells the office exactly what to relax.
"""

from __future__ import annotations

from .solver import is_feasible
from .structure import Constraint, Structure


def find_conflict(structure: Structure) -> list[Constraint] | None:
    """An irreducible infeasible subset of the constraints, or None when some committee fits."""
    if is_feasible(structure, structure.constraints):
        return None
    kept = list(structure.constraints)
    for constraint in list(kept):
        trial = [c for c in kept if c is not constraint]
        if not is_feasible(structure, trial):
            kept = trial
    return kept


def conflict_messages(conflict: list[Constraint], spec_size: int) -> list[str]:
    """Chinese sentences; a single constraint is said with the shortfall it runs into."""
    if len(conflict) == 1:
        only = conflict[0]
        if only.name == "size":
            return [f"评委会需要{spec_size}人，但可抽选专家仅{only.available}人"]
        if only.name.startswith("quota_min:"):
            label = only.text.split("至少")[0]
            return [f"{label}至少需要{only.low}人，但可抽选专家仅{only.available}人"]
        return [f"条件“{only.text}”无法满足"]
    return ["以下条件不能同时满足（放宽其中任何一条即可消除这一冲突）："] + [f"{c.text}" for c in conflict]
