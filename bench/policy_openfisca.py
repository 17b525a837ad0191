"""Feeding a FactsTable to the OpenFisca model: entities declared from the table, inputs set
per variable (OpenFisca's documented way to run a simulation on data)."""

from __future__ import annotations

import numpy as np
from openfisca_core.simulations import SimulationBuilder

from bench.openfisca_zhicheng import ROLES, ROUTES, ZhiChengRules
from zhicheng.policy.table import NO_DATE, FactsTable

PERIOD = "2021"
_FAR = np.datetime64("9999-12-31")


def _dates(days: np.ndarray, missing=np.datetime64("1970-01-01")) -> np.ndarray:
    return np.where(days == NO_DATE, missing, days.astype(np.int64).astype("datetime64[D]"))


def simulate(system: ZhiChengRules, t: FactsTable):
    """A simulation of every applicant of `t` (each needs at least one record, e.g. a degree)."""
    parts = [t.education, t.work, t.titles, t.honours, t.awards, t.listings]
    owner = np.concatenate([p.owner for p in parts])
    roles = np.concatenate([np.full(len(p), ROLES.index(name)) for p, name in zip(parts, ROLES)])
    offsets = np.cumsum([0, *map(len, parts)])
    n_rec = len(owner)

    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("record", np.arange(n_rec))
    applicants = builder.declare_entity("applicant", np.arange(t.n))
    builder.join_with_persons(applicants, owner, roles)
    sim = builder.build(system)

    def record_input(name, part, values, fill):
        arr = np.full(n_rec, fill, dtype=np.asarray(values).dtype if np.asarray(values).dtype != bool else bool)
        k = ROLES.index(part)
        arr[offsets[k] : offsets[k + 1]] = values
        sim.set_input(name, PERIOD, arr)

    e, w, ti, h, a, li = parts
    record_input("degree_rank", "degree", e.rank.astype(np.int64), -1)
    record_input("degree_full_time", "degree", e.full_time, False)
    record_input("degree_related_major", "degree", e.related_major, False)
    record_input("graduated_on", "degree", _dates(e.graduated_on), np.datetime64("1970-01-01"))
    record_input("work_start", "work_period", _dates(w.start), np.datetime64("1970-01-01"))
    record_input("work_end", "work_period", _dates(w.end, _FAR), _FAR)
    record_input("work_professional", "work_period", w.professional, False)
    record_input("work_unit_level", "work_period", np.where(w.unit_level < 0, 4, w.unit_level).astype(np.int16), 4)
    record_input("work_sector", "work_period", np.where(w.sector < 0, 5, w.sector).astype(np.int16), 5)
    record_input("title_series", "title", ti.series.astype(np.int16), 0)
    record_input("title_level", "title", ti.level.astype(np.int64), -1)
    record_input("title_obtained_on", "title", _dates(ti.obtained_on), np.datetime64("1970-01-01"))
    record_input("honour_code", "honour", h.code.astype(np.int16), 0)
    record_input("honour_year", "honour", h.year.astype(np.int64), 0)
    record_input("award_scope", "award", a.scope.astype(np.int16), 0)
    record_input("award_grade", "award", a.grade.astype(np.int64), 0)
    record_input("award_rated", "award", a.rated, False)
    record_input("award_year", "award", a.year.astype(np.int64), 0)
    record_input("listing_year", "listing", li.year.astype(np.int64), 0)

    c = t.cols
    inputs = {
        "target_series": c["series"].astype(np.int16),
        "target_level": c["level"].astype(np.int16),
        "applied_on": _dates(c["applied_on"]),
        "nationality": c["nationality"].astype(np.int16),
        "has_foreign_permit": c["foreign_permit"] >= 0,
        "relation": c["relation"].astype(np.int16),
        "sector": c["sector"].astype(np.int16),
        "unit_level": c["unit_level"].astype(np.int16),
        "transferred": c["transferred_from"] >= 0,
        "transferred_on": _dates(c["transferred_on"]),
        "has_high_skill": c["high_skill"] >= 0,
        "high_skill_on": _dates(c["high_skill_on"]),
        "has_series_change": c["new_series"] >= 0,
        "new_series": np.maximum(c["new_series"], 0).astype(np.int16),
        "new_post_since": _dates(c["new_post_since"]),
    }
    for name in ("civil_servant", "retired", "in_region", "central_unit", "entrusted", "frontline", "hubei_aid",
                 "designated_hospital", "commended_provincial", "transfer_first_application", "postdoc_funded",
                 "postdoc_stays", "introduced_talent", "urgent_talent", "exceptional_used"):  # fmt: skip
        inputs[name] = c[name]
    for name, values in inputs.items():
        sim.set_input(name, PERIOD, values)
    return sim


def route_decisions(system: ZhiChengRules, t: FactsTable) -> np.ndarray:
    """bool[n, 13]: each route open and no block, in the contract's route order."""
    sim = simulate(system, t)
    return np.stack([np.asarray(sim.calculate(f"eligible_{r}", PERIOD), dtype=bool) for r in ROUTES], axis=1)
