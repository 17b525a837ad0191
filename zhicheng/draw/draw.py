"""The draw: prepare the lottery, publish its hashes, draw with a seed, name reserves.

Order of events (七（二）, with the supervisor 纪检监察 watching):
1. the office and the supervisor each commit to a secret (publish SHA-256 of it);
2. `prepare` freezes the pool, removes the ineligible, computes the fair lottery;
   `publication` hashes pool, parameters, code version, lottery and commitments, and the
   office publishes that digest (公示) so anyone may object to the pool;
3. the secrets (and optionally a named public lottery result) are revealed, the seed is
   derived from them, and `draw` picks a ticket and, with it, the members.

New draws use version 2 (zhicheng-draw/2): types pooled across employers (pooling.py) and
members chosen inside each type by dependent rounding (rounding.py). Publications of version
1 (zhicheng-draw/1: types split by employer, members by one shuffle per type) are still
drawn from and verified by version 1's code (`from_publication`, record.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from importlib import metadata
from pathlib import Path

from . import pooling
from .conflicts import conflict_messages, find_conflict
from .lottery import Lottery, to_lottery
from .model import DrawInputError, DrawSpec, Exclusion, Expert, parse_pool, parse_spec, split_eligible
from .optimize import Distribution
from .randomness import Stream, digest
from .rounding import round_cells
from .structure import Structure, build_structure

# Changes whenever the same record would draw differently (sampling, type order, lottery
# format); records of an algorithm version this code does not know cannot be re-verified.
ALGORITHM = "zhicheng-draw/2"
ALGORITHM_V1 = "zhicheng-draw/1"
PUBLICATION_FORMAT = {ALGORITHM_V1: "zhicheng-draw-publication/1", ALGORITHM: "zhicheng-draw-publication/2"}


class NoFeasibleCommittee(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def code_version(algorithm: str = ALGORITHM) -> dict:
    files = sorted(Path(__file__).parent.glob("*.py"))
    source = hashlib.sha256()
    for path in files:
        source.update(path.name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    try:
        package = metadata.version("zhicheng")
    except metadata.PackageNotFoundError:
        package = "unknown"
    return {"algorithm": algorithm, "package": package, "source_sha256": source.hexdigest()}


@dataclass
class Prepared:
    pool_data: list
    spec_data: dict
    experts: list[Expert]
    spec: DrawSpec
    eligible: list[Expert]
    excluded: list[Exclusion]
    structure: Structure
    lottery: Lottery
    distribution: Distribution | None  # None when the lottery came from a publication
    algorithm: str = ALGORITHM
    coarse: pooling.Pooling | None = None  # version 2: the pool's coarse types and cells

    def probabilities(self) -> dict[str, Fraction]:
        per_type = self.lottery.type_probabilities([t.size for t in self.structure.types])
        return {m: p for t, p in zip(self.structure.types, per_type) for m in t.members}


def parse(pool_data, spec_data) -> tuple[list[Expert], DrawSpec, list[Expert], list[Exclusion]]:
    experts = parse_pool(pool_data)
    spec = parse_spec(spec_data)
    eligible, excluded = split_eligible(experts, spec)
    return experts, spec, eligible, excluded


def freeze(pool_data, spec_data) -> tuple[list[Expert], DrawSpec, list[Expert], list[Exclusion], Structure]:
    """Version 1's types (every capped employer split)."""
    experts, spec, eligible, excluded = parse(pool_data, spec_data)
    return experts, spec, eligible, excluded, build_structure(eligible, spec)


def prepare(pool_data, spec_data) -> Prepared:
    """Validate, filter, and compute the fair lottery (version 2)."""
    experts, spec, eligible, excluded = parse(pool_data, spec_data)
    pool = pooling.Pooling(eligible, spec)
    try:
        structure, distribution = pooling.distribution(pool)
    except ValueError:
        conflict = find_conflict(pool.fine())
        if conflict is None:
            raise
        raise NoFeasibleCommittee(conflict_messages(conflict, spec.size)) from None
    lottery = to_lottery(distribution.compositions, distribution.weights, spec.tickets)
    return Prepared(pool_data, spec_data, experts, spec, eligible, excluded, structure, lottery, distribution, ALGORITHM,
                    pool)


def from_publication(pool_data, spec_data, notice: dict) -> Prepared:
    """The pool and spec with the lottery as published (either version). The caller checks
    the publication against a fresh one (`publication`) before drawing from it."""
    algorithm = (notice.get("code") or {}).get("algorithm")
    lottery_data = notice["lottery"]
    experts, spec, eligible, excluded = parse(pool_data, spec_data)
    pool = None
    if algorithm == ALGORITHM_V1:
        structure = build_structure(eligible, spec)
    elif algorithm == ALGORITHM:
        pool = pooling.Pooling(eligible, spec)
        split = {t["employer"] for t in lottery_data["types"] if t["employer"] is not None}
        unknown = sorted(split - set(pool.caps))
        if unknown:
            raise DrawInputError([f"公示的抽签方案把单位 {'、'.join(unknown)} 单独成类，但其人数上限不可能起作用"])
        structure = pool.structure(split)
    else:
        raise DrawInputError([f"公示使用的抽选算法版本为 {algorithm}，本程序只能按 {ALGORITHM_V1} 或 {ALGORITHM} 抽选"])
    lottery = Lottery.from_json(lottery_data, len(structure.types))
    return Prepared(pool_data, spec_data, experts, spec, eligible, excluded, structure, lottery, None, algorithm, pool)


def lottery_json(prepared: Prepared) -> dict:
    data = prepared.lottery.to_json()
    structure = prepared.structure
    if prepared.algorithm == ALGORITHM_V1:
        data["types"] = [dict(t.key(), members=list(t.members)) for t in structure.types]
        return data
    data["types"] = [
        dict(t.key(), members=list(t.members), cells=[[cell.employer, len(cell.members)] for cell in cells])
        for t, cells in zip(structure.types, structure.cells)
    ]
    data["employer_caps"] = dict(structure.caps)
    return data


def spec_parameters(spec_data: dict) -> dict[str, str]:
    """One hash per parameter (per quota category) so that a change can be named."""
    hashes = {key: digest(value) for key, value in spec_data.items() if key != "quotas"}
    for category, values in spec_data.get("quotas", {}).items():
        hashes[f"quotas.{category}"] = digest(values)
    return hashes


def publication(prepared: Prepared, commitments: dict[str, str] | None, public_source: str | None) -> dict:
    """What is published before the seed is known; its digest goes in the public notice."""
    lottery = lottery_json(prepared)
    return {
        "format": PUBLICATION_FORMAT[prepared.algorithm],
        "code": code_version(prepared.algorithm),
        "pool": {
            "sha256": digest(prepared.pool_data),
            "entries": {entry["id"]: digest(entry) for entry in prepared.pool_data},
        },
        "spec": {"sha256": digest(prepared.spec_data), "parameters": spec_parameters(prepared.spec_data)},
        "excluded": {e.expert_id: list(e.reasons) for e in prepared.excluded},
        "lottery": lottery,
        "lottery_sha256": digest(lottery),
        "commitments": commitments,
        "public_source": public_source,
    }


@dataclass
class DrawResult:
    ticket: int
    composition: int
    committee: list[str]
    reserves: list[dict]  # per type in the committee: its members and ordered reserves
    orders: list[list[str]]  # every type's order of successors (for substitutions)
    cells: list[list] | None = None  # version 2: [type, employer or None, members] per cell drawn from

    def to_json(self) -> dict:
        data = {
            "ticket": self.ticket,
            "composition": self.composition,
            "committee": self.committee,
            "reserves": self.reserves,
        }
        if self.cells is not None:
            data["cells"] = self.cells
        return data


def _ticket(lottery: Lottery, seed: bytes) -> tuple[int, int]:
    """The ticket drawn (label `ticket`) and the position of its composition."""
    ticket = Stream(seed, "ticket").below(lottery.total)
    position, passed = 0, 0
    for position, tickets in enumerate(lottery.tickets):
        if ticket < passed + tickets:
            break
        passed += tickets
    return ticket, position


def draw(prepared: Prepared, seed: bytes) -> DrawResult:
    if prepared.algorithm == ALGORITHM_V1:
        return _draw_v1(prepared, seed)
    return _draw_v2(prepared, seed)


def _draw_v2(prepared: Prepared, seed: bytes) -> DrawResult:
    """The ticket picks a composition; dependent rounding (label `rounding`) how many members
    each cell gives; a shuffle of each such cell (label `cells`) which; a shuffle of each
    drawn type's other members (label `reserves`) its reserves, leaving out those whose
    employer is already at its cap."""
    structure = prepared.structure
    ticket, position = _ticket(prepared.lottery, seed)
    counts = prepared.lottery.compositions[position]
    taken = round_cells(structure, counts, Stream(seed, "rounding"))
    chooser = Stream(seed, "cells")
    chosen: dict[int, list[str]] = {}
    cells = []
    for index, count in enumerate(counts):
        if not count:
            continue
        chosen[index] = []
        for cell, number in zip(structure.cells[index], taken[index]):
            if number:
                chosen[index].extend(chooser.shuffle(list(cell.members))[:number])
                cells.append([index, cell.employer, number])
    committee = sorted(m for members in chosen.values() for m in members)
    seated = _employer_counts(structure, committee)
    shuffles = Stream(seed, "reserves")
    orders: list[list[str]] = [[] for _ in structure.types]
    reserves = []
    for index, members in chosen.items():
        sitting = set(members)
        others = [m for m in structure.types[index].members if m not in sitting]
        orders[index] = [m for m in shuffles.shuffle(others) if _has_room(structure, seated, m)]
        reserves.append(
            {
                "type": index,
                "description": structure.types[index].describe(),
                "members": sorted(members),
                "reserves": orders[index][: prepared.spec.reserves_per_type],
            }
        )
    return DrawResult(ticket, position, committee, reserves, orders, cells)


def _employer_counts(structure: Structure, members) -> dict[str, int]:
    seated: dict[str, int] = {}
    for member in members:
        employer = structure.employer_of[member]
        if employer in structure.caps:
            seated[employer] = seated.get(employer, 0) + 1
    return seated


def _has_room(structure: Structure, seated: dict[str, int], member: str) -> bool:
    employer = structure.employer_of[member]
    return employer not in structure.caps or seated.get(employer, 0) < structure.caps[employer]


def _draw_v1(prepared: Prepared, seed: bytes) -> DrawResult:
    lottery = prepared.lottery
    ticket, position = _ticket(lottery, seed)
    counts = lottery.compositions[position]
    shuffles = Stream(seed, "types")
    orders = [shuffles.shuffle(list(t.members)) for t in prepared.structure.types]
    committee, reserves = [], []
    for index, (count, order) in enumerate(zip(counts, orders)):
        if count:
            chosen = order[:count]
            committee.extend(chosen)
            reserves.append(
                {
                    "type": index,
                    "description": prepared.structure.types[index].describe(),
                    "members": sorted(chosen),
                    "reserves": order[count : count + prepared.spec.reserves_per_type],
                }
            )
    return DrawResult(ticket, position, sorted(committee), reserves, orders)


def substitute(prepared: Prepared, seed: bytes, result: DrawResult, declined: list[str]) -> dict:
    """Replace members who decline, in the order given.

    A decliner is replaced by the next member of the same type in that type's order of
    successors (the published reserves first) — in version 2 the next whose employer is
    still below its cap — which keeps every quota. When the type is exhausted, the first
    expert of a seeded order of the whole eligible pool whose entry keeps every constraint
    takes the seat; when nobody does, the seat stays open and a new draw is needed.
    """
    if prepared.algorithm == ALGORITHM_V1:
        return _substitute_v1(prepared, seed, result, declined)
    return _substitute_v2(prepared, seed, result, declined)


def _substitute_v2(prepared: Prepared, seed: bytes, result: DrawResult, declined: list[str]) -> dict:
    structure = prepared.structure
    type_of = structure.type_of()
    plain = [c for c in structure.constraints if c.weights is None]
    committee = list(result.committee)
    used = set(committee)
    counts = [0] * len(structure.types)
    for member in committee:
        counts[type_of[member]] += 1
    seated = _employer_counts(structure, committee)
    fallback = Stream(seed, "fallback").shuffle(sorted(type_of))

    def keeps_quotas() -> bool:
        return all(c.low <= sum(counts[t] for t in c.types) <= c.high for c in plain)

    replacements, problems = {}, []
    for expert_id in declined:
        if expert_id not in committee:
            problems.append(f"{expert_id} 不是本次抽选的评委")
            continue
        kind = type_of[expert_id]
        counts[kind] -= 1
        committee.remove(expert_id)
        used.add(expert_id)
        employer = structure.employer_of[expert_id]
        if employer in seated:
            seated[employer] -= 1
        successor = next((m for m in result.orders[kind] if m not in used and _has_room(structure, seated, m)), None)
        if successor is None:
            for candidate in fallback:
                if candidate in used or not _has_room(structure, seated, candidate):
                    continue
                counts[type_of[candidate]] += 1
                if keeps_quotas():
                    successor = candidate
                    break
                counts[type_of[candidate]] -= 1
        else:
            counts[kind] += 1
        if successor is None:
            problems.append(f"{expert_id} 辞退后没有可替补且满足全部条件的专家，需重新抽选")
            continue
        if structure.employer_of[successor] in structure.caps:
            seated[structure.employer_of[successor]] = seated.get(structure.employer_of[successor], 0) + 1
        used.add(successor)
        committee.append(successor)
        replacements[expert_id] = successor
    return {"committee": sorted(committee), "replacements": replacements, "problems": problems}


def _substitute_v1(prepared: Prepared, seed: bytes, result: DrawResult, declined: list[str]) -> dict:
    structure = prepared.structure
    type_of = structure.type_of()
    committee = list(result.committee)
    used = set(committee)
    counts = [0] * len(structure.types)
    for member in committee:
        counts[type_of[member]] += 1
    fallback = Stream(seed, "fallback").shuffle(sorted(type_of))
    replacements, problems = {}, []
    for expert_id in declined:
        if expert_id not in committee:
            problems.append(f"{expert_id} 不是本次抽选的评委")
            continue
        kind = type_of[expert_id]
        counts[kind] -= 1
        committee.remove(expert_id)
        used.add(expert_id)
        successor = next((m for m in result.orders[kind] if m not in used), None)
        if successor is None:
            for candidate in fallback:
                if candidate in used:
                    continue
                counts[type_of[candidate]] += 1
                if not structure.violations(counts):
                    successor = candidate
                    break
                counts[type_of[candidate]] -= 1
        else:
            counts[kind] += 1
        if successor is None:
            problems.append(f"{expert_id} 辞退后没有可替补且满足全部条件的专家，需重新抽选")
            continue
        used.add(successor)
        committee.append(successor)
        replacements[expert_id] = successor
    return {"committee": sorted(committee), "replacements": replacements, "problems": problems}


def quota_bounds(structure: Structure) -> dict:
    """Bounds the constraints force on any distribution: a group needing at least m of its
    p eligible experts has average probability ≥ m/p, so the maximum is at least that; a
    group allowed at most m of p has average ≤ m/p, so the minimum is at most that."""
    floors, ceilings = [], []
    for constraint in structure.constraints:
        if constraint.available == 0:
            continue
        if constraint.low > 0:
            floors.append((constraint.low / constraint.available, constraint.text))
        if constraint.high < constraint.available:
            ceilings.append((constraint.high / constraint.available, constraint.text))
    floor = max(floors, default=(0.0, ""))
    ceiling = min(ceilings, default=(1.0, ""))
    return {
        "max_at_least": floor[0],
        "max_at_least_because": floor[1],
        "min_at_most": ceiling[0],
        "min_at_most_because": ceiling[1],
        "ratio_at_least": floor[0] / ceiling[0] if ceiling[0] > 0 else None,
    }


def summary(prepared: Prepared) -> dict:
    """Probabilities of the lottery actually used, the optimum, and the forced bounds."""
    probabilities = prepared.probabilities()
    values = [p for p in probabilities.values()]
    positive = [p for p in values if p > 0]
    low, high = (min(values), max(values)) if values else (Fraction(0), Fraction(0))
    data = {
        "eligible": len(prepared.eligible),
        "excluded": len(prepared.excluded),
        "types": len(prepared.structure.types),
        "compositions": len(prepared.lottery.compositions),
        "tickets_total": prepared.lottery.total,
        "min": float(low),
        "max": float(high),
        "max_over_min": float(high / low) if low > 0 else None,
        "never_selectable": sorted(m for m, p in probabilities.items() if p == 0),
        "quota_bounds": quota_bounds(prepared.structure),
    }
    if positive and low == 0:
        data["min_among_selectable"] = float(min(positive))
    distribution = prepared.distribution
    if distribution is not None:
        data["optimum_min"] = distribution.minimum
        data["optimum_max"] = distribution.maximum
        if "fine_bound_min" in distribution.stats:
            # The LP-relaxation bounds over individuals: no lottery does better.
            data["lp_bound_min"] = distribution.stats["fine_bound_min"]
            data["lp_bound_max"] = distribution.stats["fine_bound_max"]
            data["employers_split"] = distribution.stats["split"]
    return data
