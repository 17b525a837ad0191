"""How the rule set composes rule outcomes: routes from their requirements, blocks over
routes, and conditions by declared overrides rather than by the order code runs.

Each function has a scalar form (bools, one applicant) and an array form (numpy bool
arrays, one entry per applicant); both read the same declarations.
"""

from __future__ import annotations

import numpy as np

from zhicheng.policy.ruleset import Candidate, Route, Ruleset


def route_open(route: Route, outcome: dict[str, bool]) -> bool:
    return all(outcome[rule_id] for rule_id in route.requires)


def route_open_array(route: Route, outcome: dict[str, np.ndarray]) -> np.ndarray:
    return np.logical_and.reduce([outcome[rule_id] for rule_id in route.requires])


def _when(rs: Ruleset, when, atoms: dict, best: str) -> bool:
    if when == "always":
        return True
    if isinstance(when, str):
        return atoms[when]
    if isinstance(when, dict) and "best_route_in" in when:
        return best in rs.routes_in(when["best_route_in"])
    if "all" in when:
        return all(_when(rs, w, atoms, best) for w in when["all"])
    return any(_when(rs, w, atoms, best) for w in when["any"])


def choose_conditions(rs: Ruleset, atoms: dict[str, bool], best: str) -> dict[str, Candidate]:
    """Per condition, the holding candidate that no other holding candidate overrides."""
    out = {}
    for fld, cands in rs.conditions.items():
        holding = [c for c in cands if _when(rs, c.when, atoms, best)]
        beaten = {v for c in holding for v in c.overrides}
        winners = [c for c in holding if c.value not in beaten]
        if len(winners) != 1:
            raise ValueError(f"{rs.id}: 条件 {fld} 的取值不唯一：{[c.value for c in winners]}")
        out[fld] = winners[0]
    return out


def _when_array(rs: Ruleset, when, atoms: dict, best: np.ndarray, n: int) -> np.ndarray:
    if when == "always":
        return np.ones(n, dtype=bool)
    if isinstance(when, str):
        return atoms[when]
    if isinstance(when, dict) and "best_route_in" in when:
        names = rs.route_names()
        return np.isin(best, [names.index(r) for r in rs.routes_in(when["best_route_in"])])
    parts = [_when_array(rs, w, atoms, best, n) for w in when.get("all", when.get("any"))]
    return np.logical_and.reduce(parts) if "all" in when else np.logical_or.reduce(parts)


def choose_conditions_array(rs: Ruleset, atoms: dict[str, np.ndarray], best: np.ndarray) -> dict[str, np.ndarray]:
    """Per condition, an array of indices into rs.conditions[field] (the winning candidate)."""
    n = len(best)
    out = {}
    for fld, cands in rs.conditions.items():
        holding = [_when_array(rs, c.when, atoms, best, n) for c in cands]
        index = {c.value: i for i, c in enumerate(cands)}
        beaten = [np.zeros(n, dtype=bool) for _ in cands]
        for c, h in zip(cands, holding):
            for v in c.overrides:
                beaten[index[v]] |= h
        winners = np.stack([h & ~b for h, b in zip(holding, beaten)])
        if not (winners.sum(axis=0) == 1).all():
            raise ValueError(f"{rs.id}: 条件 {fld} 的取值不唯一")
        out[fld] = winners.argmax(axis=0).astype(np.int8)
    return out
