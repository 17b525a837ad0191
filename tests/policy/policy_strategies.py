"""Hypothesis strategies for applicants' facts, with dates piled up on every "满N年" boundary."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from zhicheng.policy.codes import (
    AWARD_SCOPES,
    DEGREES,
    HIGH_SKILL,
    HONOURS,
    LEVELS,
    PERMITS,
    RELATIONS,
    SECTORS,
    SERIES,
    UNIT_LEVELS,
)
from zhicheng.policy.dates import anniversary

CUTOFF = dt.date(2020, 12, 31)
DEADLINE = dt.date(2021, 6, 30)
# Every year count that a rule of the 2021 rule set compares against (tables, ladders,
# grassroots, private sector, recognition, transfer), and their epidemic/grassroots variants.
YEARS = sorted({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 19, 20, 29, 30})
FOCUS_SERIES = ["engineering", "health", "agriculture", "accounting", "school_teacher", "computer", "translation", "art"]


def _back(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return dt.date(d.year - years, 2, 28)


def boundary_dates(anchor: dt.date = CUTOFF) -> st.SearchStrategy[dt.date]:
    """The day N years before `anchor`, and one day either side, for every N in YEARS."""
    return st.builds(
        lambda years, delta: _back(anchor, years) + dt.timedelta(days=delta),
        st.sampled_from(YEARS),
        st.sampled_from([-1, 0, 1]),
    )


def dates(anchor: dt.date = CUTOFF) -> st.SearchStrategy[dt.date]:
    return st.one_of(
        boundary_dates(anchor),
        st.dates(dt.date(1975, 1, 1), dt.date(2021, 12, 31)),
        st.sampled_from([dt.date(2016, 2, 29), dt.date(2000, 2, 29), dt.date(2019, 3, 1), dt.date(2020, 12, 31)]),
    )


def iso(d: dt.date) -> str:
    return d.isoformat()


@st.composite
def facts(draw) -> dict:
    series = draw(st.one_of(st.sampled_from(FOCUS_SERIES), st.sampled_from(SERIES)))
    other = draw(st.sampled_from([s for s in FOCUS_SERIES if s != series]))
    applied = draw(
        st.one_of(
            st.sampled_from([DEADLINE - dt.timedelta(days=1), DEADLINE, DEADLINE + dt.timedelta(days=1)]),
            st.dates(dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        )
    )
    unit = draw(st.sampled_from(UNIT_LEVELS))
    sector = draw(st.sampled_from(SECTORS))
    out: dict = {
        "year": 2021,
        "applied_on": iso(applied),
        "target": {"series": series, "level": draw(st.sampled_from(LEVELS))},
        "person": {
            "nationality": draw(st.sampled_from(["CN", "CN", "CN", "HK", "foreign"])),
            "foreign_permit": draw(st.one_of(st.none(), st.sampled_from(PERMITS))),
            "civil_servant": draw(st.booleans()) and draw(st.booleans()),
            "retired": draw(st.booleans()) and draw(st.booleans()),
        },
        "employment": {
            "in_region": draw(st.booleans()) or draw(st.booleans()),
            "relation": draw(st.sampled_from([*RELATIONS, "labor_contract"])),
            "sector": sector,
            "unit_level": unit,
            "post_management": draw(st.booleans()),
            "central_or_out_of_region_unit": draw(st.booleans()) and draw(st.booleans()),
            "entrusted": draw(st.booleans()),
        },
    }
    out["education"] = [
        {
            "level": draw(st.sampled_from(DEGREES)),
            "full_time": draw(st.booleans()) or draw(st.booleans()),
            "graduated_on": iso(draw(dates())),
            "related_major": draw(st.booleans()) or draw(st.booleans()),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    work = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(dates())
        end = draw(st.one_of(st.none(), dates()))
        period = {"from": iso(start), "to": None if end is None or end < start else iso(end)}
        period["professional"] = draw(st.booleans()) or draw(st.booleans())
        if draw(st.booleans()) or draw(st.booleans()):
            period["unit_level"] = draw(st.sampled_from([unit, *UNIT_LEVELS]))
        if draw(st.booleans()):
            period["sector"] = draw(st.sampled_from([sector, "public_institution", *SECTORS]))
        work.append(period)
    out["work"] = work
    out["titles"] = [
        {
            "series": draw(st.sampled_from([series, series, other])),
            "level": draw(st.sampled_from(LEVELS)),
            "obtained_on": iso(draw(dates())),
            "via": draw(st.sampled_from(["review", "exam", "transfer"])),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    if draw(st.booleans()) and draw(st.booleans()):
        q = {"name": "注册证书", "obtained_on": iso(draw(dates()))}
        if draw(st.booleans()) or draw(st.booleans()):
            q["series"] = draw(st.sampled_from([series, other]))
            q["level"] = draw(st.sampled_from(LEVELS))
        out["qualifications"] = [q]
    year_near = st.integers(2015, 2022)
    out["honours"] = [
        {"code": draw(st.sampled_from(HONOURS)), "year": draw(year_near)}
        for _ in range(draw(st.integers(0, 2)) * draw(st.integers(0, 1)))
    ]
    out["awards"] = [
        {
            "scope": draw(st.sampled_from(AWARD_SCOPES)),
            "grade": draw(st.integers(1, 3)),
            "rated_winner": draw(st.booleans()) or draw(st.booleans()),
            "year": draw(year_near),
        }
        for _ in range(draw(st.integers(0, 3)) * draw(st.integers(0, 1)))
    ]
    out["epidemic"] = {
        k: draw(st.booleans()) and draw(st.booleans())
        for k in ("frontline", "hubei_aid", "designated_hospital", "commended_provincial")
    }
    if draw(st.booleans()) and draw(st.booleans()):
        on = draw(st.one_of(boundary_dates(applied), dates()))
        out["transferred_in"] = {
            "from": draw(st.sampled_from(["civil_service", "military"])),
            "on": iso(on),
            "first_application": draw(st.booleans()) or draw(st.booleans()),
        }
    if draw(st.booleans()) and draw(st.booleans()):
        out["postdoc"] = {
            "in_station": draw(st.booleans()),
            "foundation_grant": draw(st.booleans()),
            "leads_provincial_project": draw(st.booleans()),
            "stays_in_enterprise": draw(st.booleans()),
        }
    if draw(st.booleans()) and draw(st.booleans()):
        out["high_skill"] = {"level": draw(st.sampled_from(HIGH_SKILL)), "obtained_on": iso(draw(dates()))}
    if draw(st.booleans()) and draw(st.booleans()):
        out["series_change"] = {
            "new_series": draw(st.sampled_from([series, series, other])),
            "new_post_since": iso(draw(dates())),
        }
    out["introduced_high_level_talent"] = draw(st.booleans()) and draw(st.booleans())
    out["urgently_needed_talent"] = draw(st.booleans()) and draw(st.booleans())
    out["exceptional_used"] = draw(st.booleans()) and draw(st.booleans())
    out["blacklisted"] = [
        {"listed_on": f"{draw(st.integers(2016, 2021))}-0{draw(st.integers(1, 9))}-15"}
        for _ in range(draw(st.integers(0, 1)) * draw(st.integers(0, 1)))
    ]
    return out


__all__ = ["CUTOFF", "YEARS", "anniversary", "boundary_dates", "facts"]
