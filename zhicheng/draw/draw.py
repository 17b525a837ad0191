"""The draw: prepare the lottery, publish its hashes, draw with a seed, name reserves.

Order of events (七（二）, with the supervisor 纪检监察 watching):
1. the office and the supervisor each commit to a secret (publish SHA-256 of it);
2. `prepare` freezes the pool, removes the ineligible, computes the fair lottery;
   `publication` hashes pool, parameters, code version, lottery and commitments, and the
   office publishes that digest (公示) so anyone may object to the pool;
3. the secrets (and optionally a named public lottery result) are revealed, the seed is
   derived from them, and `draw` picks a ticket and shuffles each type with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from importlib import metadata
from pathlib import Path

from .conflicts import conflict_messages, find_conflict
from .lottery import Lottery, to_lottery
from .model import DrawSpec, Exclusion, Expert, parse_pool, parse_spec, split_eligible
from .optimize import Distribution, fair_distribution
from .randomness import Stream, digest
from .structure import Structure, build_structure

# Changes whenever the same record would draw differently (sampling, type order, lottery
# format); records of another algorithm version cannot be re-verified by this code.
ALGORITHM = "zhicheng-draw/1"


class NoFeasibleCommittee(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def code_version() -> dict:
    files = sorted(Path(__file__).parent.glob("*.py"))
    source = hashlib.sha256()
    for path in files:
        source.update(path.name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    try:
        package = metadata.version("zhicheng")
    except metadata.PackageNotFoundError:
        package = "unknown"
    return {"algorithm": ALGORITHM, "package": package, "source_sha256": source.hexdigest()}


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

    def probabilities(self) -> dict[str, Fraction]:
        per_type = self.lottery.type_probabilities([t.size for t in self.structure.types])
        return {m: p for t, p in zip(self.structure.types, per_type) for m in t.members}


def freeze(pool_data, spec_data) -> tuple[list[Expert], DrawSpec, list[Expert], list[Exclusion], Structure]:
    experts = parse_pool(pool_data)
    spec = parse_spec(spec_data)
    eligible, excluded = split_eligible(experts, spec)
    return experts, spec, eligible, excluded, build_structure(eligible, spec)


def prepare(pool_data, spec_data, lottery: Lottery | None = None) -> Prepared:
    """Validate, filter, and compute the fair lottery (or take a published one)."""
    experts, spec, eligible, excluded, structure = freeze(pool_data, spec_data)
    distribution = None
    if lottery is None:
        conflict = find_conflict(structure)
        if conflict is not None:
            raise NoFeasibleCommittee(conflict_messages(conflict, spec.size))
        distribution = fair_distribution(structure)
        lottery = to_lottery(distribution.compositions, distribution.weights, spec.tickets)
    return Prepared(pool_data, spec_data, experts, spec, eligible, excluded, structure, lottery, distribution)


def lottery_json(prepared: Prepared) -> dict:
    data = prepared.lottery.to_json()
    data["types"] = [dict(t.key(), members=list(t.members)) for t in prepared.structure.types]
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
        "format": "zhicheng-draw-publication/1",
        "code": code_version(),
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
    orders: list[list[str]]  # every type's shuffled order (for substitutions)

    def to_json(self) -> dict:
        return {
            "ticket": self.ticket,
            "composition": self.composition,
            "committee": self.committee,
            "reserves": self.reserves,
        }


def draw(prepared: Prepared, seed: bytes) -> DrawResult:
    lottery = prepared.lottery
    ticket = Stream(seed, "ticket").below(lottery.total)
    position, passed = 0, 0
    for position, tickets in enumerate(lottery.tickets):
        if ticket < passed + tickets:
            break
        passed += tickets
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

    A decliner is replaced by the next member of the same type in that type's shuffled order
    (the published reserves first), which keeps every quota. When the type is exhausted, the
    first expert of a seeded order of the whole eligible pool whose entry keeps every
    constraint takes the seat; when nobody does, the seat stays open and a new draw is
    needed.
    """
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
    if prepared.distribution is not None:
        data["optimum_min"] = prepared.distribution.minimum
        data["optimum_max"] = prepared.distribution.maximum
    return data
