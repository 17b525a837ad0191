"""Seeded synthetic applicants for the policy benchmark, generated straight into a FactsTable.

The mix is chosen so that every route and block occurs: careers climb the title ladder,
some stop short of the seniority, some work at township units for decades, some are in
the private sector, have honours, awards, a transfer or a blacklist listing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from zhicheng.policy.codes import AWARD_SCOPES, HONOURS, SERIES
from zhicheng.policy.table import (
    NO_DATE,
    AwardRows,
    EducationRows,
    FactsTable,
    HonourRows,
    ListingRows,
    TitleRows,
    WorkRows,
    day,
)

SERIES_WEIGHTS = {
    "engineering": 30, "health": 15, "school_teacher": 12, "agriculture": 10, "accounting": 5, "economics": 3,
    "lab_technology": 3, "higher_education": 4, "art": 2, "computer": 2, "translation": 1, "journalism": 2,
    "library": 2, "cultural_relics": 2, "statistics": 2, "archives": 2, "sports": 1, "social_work": 2,
}  # fmt: skip


def _pick(rng, n, weights: dict, codes) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    idx = rng.choice(len(keys), size=n, p=p / p.sum())
    return np.array([codes.index(k) for k in keys], dtype=np.int8)[idx]


def generate(n: int, seed: int = 2021) -> FactsTable:
    rng = np.random.default_rng(seed)
    cutoff = day(dt.date(2020, 12, 31))
    bool_ = lambda p: rng.random(n) < p  # noqa: E731
    series = _pick(rng, n, SERIES_WEIGHTS, SERIES)
    level = rng.choice([1, 2, 3, 4], size=n, p=[0.15, 0.35, 0.35, 0.15]).astype(np.int8)
    unit = rng.choice(4, size=n, p=[0.10, 0.35, 0.35, 0.20]).astype(np.int8)
    sector = rng.choice(5, size=n, p=[0.55, 0.15, 0.25, 0.02, 0.03]).astype(np.int8)
    applied = rng.integers(day(dt.date(2021, 3, 1)), day(dt.date(2021, 7, 15)), n, dtype=np.int32)
    nationality = rng.choice(5, size=n, p=[0.97, 0.005, 0.003, 0.002, 0.02]).astype(np.int8)
    health = series == SERIES.index("health")

    # Education: the highest degree, sometimes a lower earlier one.
    rank = rng.choice(6, size=n, p=[0.02, 0.08, 0.20, 0.50, 0.15, 0.05]).astype(np.int8)
    grad = rng.integers(day(dt.date(1985, 7, 1)), day(dt.date(2020, 7, 1)), n, dtype=np.int32)
    second = bool_(0.3) & (rank >= 2)
    edu_owner = np.concatenate([np.arange(n), np.flatnonzero(second)]).astype(np.int32)
    edu_rank = np.concatenate([rank, np.maximum(rank[second] - 1, 0)]).astype(np.int8)
    edu_grad = np.concatenate([grad, grad[second] - 365 * 3]).astype(np.int32)
    education = EducationRows(
        owner=edu_owner, rank=edu_rank, full_time=rng.random(len(edu_owner)) < 0.8,
        graduated_on=edu_grad, related_major=rng.random(len(edu_owner)) < 0.9,
    )  # fmt: skip

    # Work: 1 to 3 periods from shortly after graduation; the last one ongoing at the current unit.
    k = rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])
    w_owner = np.repeat(np.arange(n), k).astype(np.int32)
    first = grad + rng.integers(-200, 400, n)
    span = np.maximum(cutoff - first, 30)
    pos = np.arange(len(w_owner)) - np.repeat(np.cumsum(k) - k, k)
    frac = np.where(pos == 0, 0.0, rng.random(len(w_owner)))
    starts = (first[w_owner] + frac * span[w_owner]).astype(np.int32)
    last = pos == np.repeat(k - 1, k)
    ends = np.where(last, NO_DATE, starts + rng.integers(200, 3000, len(w_owner))).astype(np.int32)
    w_unit = np.where(last | (rng.random(len(w_owner)) < 0.7), unit[w_owner], rng.integers(0, 4, len(w_owner))).astype(np.int8)
    w_sector = np.where(last, sector[w_owner], rng.integers(0, 5, len(w_owner))).astype(np.int8)
    w_unit = np.where(rng.random(len(w_owner)) < 0.03, -1, w_unit).astype(np.int8)
    work = WorkRows(
        owner=w_owner, start=starts, end=ends, professional=rng.random(len(w_owner)) < 0.93,
        series=series[w_owner], unit_level=w_unit, sector=w_sector,
    )  # fmt: skip

    # Titles: a ladder up to the current level (target-1 mostly), dates after the first job.
    gap = rng.choice([-2, -1, -1, -1, 0], size=n)
    cur = np.clip(level + gap, -1, 4)
    cur = np.where(bool_(0.1), -1, cur)
    low = np.where(rank >= 4, 1, np.where(rank >= 2, 1, 0))
    count = np.maximum(cur - low + 1, 0)
    t_owner = np.repeat(np.arange(n), count).astype(np.int32)
    t_pos = np.arange(len(t_owner)) - np.repeat(np.cumsum(count) - count, count)
    t_level = (low[t_owner] + t_pos).astype(np.int8)
    steps = rng.integers(365 * 2, 365 * 7, len(t_owner))
    cs = np.cumsum(steps)
    group_start = np.cumsum(count) - count
    before = np.where(group_start > 0, cs[np.maximum(group_start - 1, 0)] if len(cs) else 0, 0)
    t_date = first[t_owner] + 300 + cs - np.repeat(before, count)
    t_date = np.minimum(t_date, day(dt.date(2021, 5, 1))).astype(np.int32)
    other = rng.random(len(t_owner)) < 0.05
    t_series = np.where(other, SERIES.index("engineering"), series[t_owner]).astype(np.int8)
    titles = TitleRows(owner=t_owner, series=t_series, level=t_level, obtained_on=t_date,
                       qualification=rng.random(len(t_owner)) < 0.03)  # fmt: skip

    # Honours, awards, blacklist listings.
    h_owner = np.flatnonzero(bool_(0.04)).astype(np.int32)
    honours = HonourRows(owner=h_owner, code=rng.integers(0, len(HONOURS), len(h_owner)).astype(np.int8),
                         year=rng.integers(2012, 2022, len(h_owner)).astype(np.int16))  # fmt: skip
    a_owner = np.sort(np.concatenate([np.flatnonzero(bool_(0.06)), np.flatnonzero(bool_(0.02))])).astype(np.int32)
    awards = AwardRows(
        owner=a_owner, scope=rng.integers(0, len(AWARD_SCOPES), len(a_owner)).astype(np.int8),
        grade=rng.integers(1, 4, len(a_owner)).astype(np.int8), rated=rng.random(len(a_owner)) < 0.8,
        year=rng.integers(2012, 2022, len(a_owner)).astype(np.int16),
    )  # fmt: skip
    l_owner = np.flatnonzero(bool_(0.01)).astype(np.int32)
    listings = ListingRows(owner=l_owner, year=rng.integers(2015, 2022, len(l_owner)).astype(np.int16))

    transferred = bool_(0.02)
    postdoc = bool_(0.01)
    high_skill = bool_(0.03)
    change = bool_(0.03)
    central = bool_(0.02)
    cols = {
        "year": np.full(n, 2021, dtype=np.int16),
        "applied_on": applied,
        "series": series,
        "level": level,
        "nationality": nationality,
        "foreign_permit": np.where(bool_(0.5), rng.integers(0, 3, n), -1).astype(np.int8),
        "civil_servant": bool_(0.01),
        "retired": bool_(0.005),
        "in_region": ~bool_(0.01),
        "relation": rng.choice(3, size=n, p=[0.9, 0.08, 0.02]).astype(np.int8),
        "sector": sector,
        "unit_level": unit,
        "post_management": bool_(0.6),
        "central_unit": central,
        "entrusted": central & bool_(0.5),
        "frontline": health & bool_(0.2),
        "hubei_aid": health & bool_(0.03),
        "designated_hospital": health & bool_(0.05),
        "commended_provincial": health & bool_(0.3),
        "transferred_from": np.where(transferred, rng.integers(0, 2, n), -1).astype(np.int8),
        "transferred_on": np.where(transferred, rng.integers(day(dt.date(2014, 1, 1)), day(dt.date(2021, 1, 1)), n), NO_DATE).astype(np.int32),
        "transfer_first_application": transferred & bool_(0.8),
        "postdoc": postdoc,
        "postdoc_funded": postdoc & bool_(0.6),
        "postdoc_stays": postdoc & bool_(0.6),
        "high_skill": np.where(high_skill, rng.integers(0, 2, n), -1).astype(np.int8),
        "high_skill_on": np.where(high_skill, rng.integers(day(dt.date(2005, 1, 1)), day(dt.date(2021, 6, 1)), n), NO_DATE).astype(np.int32),
        "new_series": np.where(change, np.where(bool_(0.7), series, rng.integers(0, len(SERIES), n)), -1).astype(np.int8),
        "new_post_since": np.where(change, rng.integers(day(dt.date(2017, 1, 1)), day(dt.date(2021, 1, 1)), n), NO_DATE).astype(np.int32),
        "introduced_talent": bool_(0.01),
        "urgent_talent": bool_(0.01),
        "exceptional_used": bool_(0.03),
        "rural_service_years": rng.integers(0, 3, n).astype(np.float32),
    }  # fmt: skip
    return FactsTable.from_columns(n, cols, education, work, titles, honours, awards, listings)
