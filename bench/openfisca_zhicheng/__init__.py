"""The 2021 eligibility rules (内人社办发〔2021〕81号) as an OpenFisca model, for the benchmark.

Written the way OpenFisca's documentation teaches: entities (an applicant is a group
entity whose members are the records of the applicant's file: degrees, work periods,
titles, honours, awards and blacklist listings, each with its role), input variables,
variables with formulas per period (the review year), and dated YAML parameters with
fancy indexing by enum. It computes the blocks and the 13 routes; the conditions are
not modelled here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from zhicheng.policy.codes import AWARD_SCOPES, DEGREES, HONOURS, LEVELS, NATIONALITIES, RELATIONS, SECTORS, SERIES, UNIT_LEVELS

YEAR = DateUnit.YEAR
FAR = np.datetime64("9999-12-31")
EPOCH = dt.date(1970, 1, 1)

Record = build_entity(
    key="record", plural="records", label="申报人档案中的一条记录（学历、工作经历、职称……）", is_person=True
)
Applicant = build_entity(
    key="applicant",
    plural="applicants",
    label="申报人",
    roles=[
        {"key": "degree", "plural": "degrees"},
        {"key": "work_period", "plural": "work_periods"},
        {"key": "title", "plural": "titles"},
        {"key": "honour", "plural": "honours"},
        {"key": "award", "plural": "awards"},
        {"key": "listing", "plural": "listings"},
    ],
)
ROLES = ("degree", "work_period", "title", "honour", "award", "listing")


def _enum(name: str, codes, extra=()) -> type[Enum]:
    return Enum(name, {c: c for c in (*codes, *extra)})


Series = _enum("Series", SERIES)
Level = _enum("Level", LEVELS)
Degree = _enum("Degree", DEGREES)
UnitLevel = _enum("UnitLevel", UNIT_LEVELS)
WorkUnitLevel = _enum("WorkUnitLevel", UNIT_LEVELS, ["unknown"])
Sector = _enum("Sector", SECTORS)
WorkSector = _enum("WorkSector", SECTORS, ["unknown"])
Relation = _enum("Relation", RELATIONS)
Nationality = _enum("Nationality", NATIONALITIES)
Honour = _enum("Honour", HONOURS)
Scope = _enum("Scope", AWARD_SCOPES)
LEVEL_NAMES = np.array(LEVELS)
DEGREE_NAMES = np.array(DEGREES)


def _input(name, entity, value_type, default=None, enum=None, label=""):
    attrs = {"value_type": value_type, "entity": entity, "definition_period": YEAR, "label": label}
    if enum is not None:
        attrs |= {"possible_values": enum, "default_value": default}
    elif default is not None:
        attrs["default_value"] = default
    return type(name, (Variable,), attrs)


INPUTS = [
    # Records of the file
    _input("degree_rank", Record, int, -1, label="学历（0 高中 … 5 博士）"),
    _input("degree_full_time", Record, bool),
    _input("degree_related_major", Record, bool),
    _input("graduated_on", Record, dt.date, EPOCH),
    _input("work_start", Record, dt.date, EPOCH),
    _input("work_end", Record, dt.date, dt.date(9999, 12, 31), label="工作止日（在职为9999-12-31）"),
    _input("work_professional", Record, bool),
    _input("work_unit_level", Record, Enum, WorkUnitLevel.unknown, WorkUnitLevel),
    _input("work_sector", Record, Enum, WorkSector.unknown, WorkSector),
    _input("title_series", Record, Enum, Series.engineering, Series),
    _input("title_level", Record, int, -1),
    _input("title_obtained_on", Record, dt.date, EPOCH),
    _input("honour_code", Record, Enum, Honour.talent_321_level2, Honour),
    _input("honour_year", Record, int),
    _input("award_scope", Record, Enum, Scope.city, Scope),
    _input("award_grade", Record, int),
    _input("award_rated", Record, bool),
    _input("award_year", Record, int),
    _input("listing_year", Record, int),
    # The applicant
    _input("target_series", Applicant, Enum, Series.engineering, Series),
    _input("target_level", Applicant, Enum, Level.intermediate, Level),
    _input("applied_on", Applicant, dt.date, EPOCH),
    _input("nationality", Applicant, Enum, Nationality.CN, Nationality),
    _input("has_foreign_permit", Applicant, bool),
    _input("civil_servant", Applicant, bool),
    _input("retired", Applicant, bool),
    _input("in_region", Applicant, bool, True),
    _input("relation", Applicant, Enum, Relation.labor_contract, Relation),
    _input("sector", Applicant, Enum, Sector.public_institution, Sector),
    _input("unit_level", Applicant, Enum, UnitLevel.city, UnitLevel),
    _input("central_unit", Applicant, bool),
    _input("entrusted", Applicant, bool),
    _input("frontline", Applicant, bool),
    _input("hubei_aid", Applicant, bool),
    _input("designated_hospital", Applicant, bool),
    _input("commended_provincial", Applicant, bool),
    _input("transferred", Applicant, bool),
    _input("transferred_on", Applicant, dt.date, EPOCH),
    _input("transfer_first_application", Applicant, bool),
    _input("postdoc_funded", Applicant, bool),
    _input("postdoc_stays", Applicant, bool),
    _input("has_high_skill", Applicant, bool),
    _input("high_skill_on", Applicant, dt.date, EPOCH),
    _input("has_series_change", Applicant, bool),
    _input("new_series", Applicant, Enum, Series.engineering, Series),
    _input("new_post_since", Applicant, dt.date, EPOCH),
    _input("introduced_talent", Applicant, bool),
    _input("urgent_talent", Applicant, bool),
    _input("exceptional_used", Applicant, bool),
]


# -- date helpers ----------------------------------------------------------------------
def date_key(dates: np.ndarray) -> np.ndarray:
    d = dates.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    return y * 10000 + m * 100 + (d - months.astype("datetime64[D]")).astype(np.int64) + 1


def held(start, years, cutoff) -> np.ndarray:
    """start + years (anniversary) on or before the cut-off."""
    return date_key(start) + np.asarray(years) * 10000 <= date_key(cutoff)


def served(days, years, cutoff) -> np.ndarray:
    start = cutoff - np.maximum(days, 1).astype("timedelta64[D]") + np.timedelta64(1, "D")
    return (np.asarray(years) <= 0) | ((days > 0) & held(start, years, cutoff))


def union_days(applicant, period, mask, low=None) -> np.ndarray:
    """Days of the masked work periods up to the cut-off (from `low`), each day counted once.

    Members keep the order of the file; work periods come sorted by start.
    """
    cutoff = applicant("seniority_cutoff", period)
    record = applicant.members
    start = record("work_start", period)
    end = np.minimum(record("work_end", period), record.applicant("seniority_cutoff", period))
    if low is not None:
        start = np.maximum(start, applicant.project(low))
    mask = mask & record.has_role(Applicant.WORK_PERIOD) & (start <= end)
    days = applicant.filled_array(0, dtype=np.int64)
    reach = applicant.filled_array(np.datetime64("0001-01-01"), dtype="datetime64[D]")
    for n in range(int(np.max(applicant.members_position)) + 1):
        m = applicant.value_nth_person(n, mask, default=False)
        s = applicant.value_nth_person(n, start, default=cutoff[0])
        e = applicant.value_nth_person(n, end, default=cutoff[0])
        new = (e - np.maximum(s - np.timedelta64(1, "D"), reach)).astype(np.int64)
        days += np.where(m, np.maximum(new, 0), 0)
        reach = np.where(m, np.maximum(reach, e), reach)
    return days


def min_date(applicant, dates, role):
    """Earliest date per applicant among members of `role` (FAR when none); OpenFisca's
    min works on numbers, so dates go through day numbers."""
    days = applicant.min(dates.astype("datetime64[D]").astype(np.int64), role=role)
    far = FAR.astype(np.int64)
    return np.where(np.isfinite(days), np.minimum(days, far), far).astype(np.int64).astype("datetime64[D]")


def _v(name, entity, value_type, formula, label=""):
    return type(name, (Variable,), {"value_type": value_type, "entity": entity, "definition_period": YEAR,
                                    "label": label, "formula": formula})  # fmt: skip


# -- derived values ----------------------------------------------------------------------
def seniority_cutoff(applicant, period, parameters):
    c = parameters(period).calendar
    d = dt.date(period.start.year - int(c.cutoff_years_before_review), int(c.cutoff_month), int(c.cutoff_day))
    return applicant.filled_array(np.datetime64(d), dtype="datetime64[D]")


def declaration_deadline(applicant, period, parameters):
    c = parameters(period).calendar
    d = dt.date(period.start.year, int(c.deadline_month), int(c.deadline_day))
    return applicant.filled_array(np.datetime64(d), dtype="datetime64[D]")


def _degree(applicant, period, full_time_only):
    record = applicant.members
    ok = record("graduated_on", period) <= record.applicant("seniority_cutoff", period)
    if full_time_only:
        ok &= record("degree_full_time", period) & record("degree_related_major", period)
    rank = np.where(ok, record("degree_rank", period), -1)
    best = np.maximum(applicant.max(rank, role=Applicant.DEGREE), -1).astype(np.int64)
    earliest = np.where(ok & (rank == applicant.project(best)), record("graduated_on", period), FAR)
    return best, min_date(applicant, earliest, Applicant.DEGREE)


def highest_degree(applicant, period, parameters):
    return _degree(applicant, period, False)[0]


def highest_degree_on(applicant, period, parameters):
    return _degree(applicant, period, False)[1]


def recognised_degree(applicant, period, parameters):
    return _degree(applicant, period, True)[0]


def recognised_degree_on(applicant, period, parameters):
    return _degree(applicant, period, True)[1]


def _titles(applicant, period):
    record = applicant.members
    held_now = record("title_obtained_on", period) <= record.applicant("applied_on", period)
    same = held_now & (record("title_series", period) == record.applicant("target_series", period))
    level = record("title_level", period)
    target = record.applicant("target_level", period).view(np.ndarray).astype(np.int64)
    return record, held_now, same, level, target


def current_level(applicant, period, parameters):
    record, held_now, same, level, target = _titles(applicant, period)
    return np.maximum(applicant.max(np.where(same, level, -1), role=Applicant.TITLE), -1).astype(np.int64)


def below_title_on(applicant, period, parameters):
    record, held_now, same, level, target = _titles(applicant, period)
    dates = np.where(same & (level == target - 1), record("title_obtained_on", period), FAR)
    return min_date(applicant, dates, Applicant.TITLE)


def other_series_below_title_on(applicant, period, parameters):
    record, held_now, same, level, target = _titles(applicant, period)
    dates = np.where(held_now & ~same & (level == target - 1), record("title_obtained_on", period), FAR)
    return min_date(applicant, dates, Applicant.TITLE)


def other_series_same_level(applicant, period, parameters):
    record, held_now, same, level, target = _titles(applicant, period)
    return applicant.any(held_now & ~same & (level == target), role=Applicant.TITLE)


def professional_days(applicant, period, parameters):
    return union_days(applicant, period, applicant.members("work_professional", period))


def professional_days_after_degree(applicant, period, parameters):
    low = applicant("highest_degree_on", period)
    days = union_days(applicant, period, applicant.members("work_professional", period), low)
    return np.where(low < FAR, days, 0)


def professional_days_after_recognised_degree(applicant, period, parameters):
    low = applicant("recognised_degree_on", period)
    days = union_days(applicant, period, applicant.members("work_professional", period), low)
    return np.where(low < FAR, days, 0)


def _unit_days(applicant, period, table):
    record = applicant.members
    unit = record("work_unit_level", period)
    known = unit != WorkUnitLevel.unknown
    names = np.array(UNIT_LEVELS + ("city",))[unit.view(np.ndarray)]
    counted = known & table[names]
    return union_days(applicant, period, record("work_professional", period) & counted)


def county_days(applicant, period, parameters):
    return _unit_days(applicant, period, parameters(period).units.county_service)


def township_days(applicant, period, parameters):
    return _unit_days(applicant, period, parameters(period).units.township_service)


def township_public_days(applicant, period, parameters):
    record = applicant.members
    mask = (
        record("work_professional", period)
        & (record("work_unit_level", period) == WorkUnitLevel.township)
        & (record("work_sector", period) == WorkSector.public_institution)
    )
    return union_days(applicant, period, mask)


def _count(applicant, mask, role):
    return applicant.sum(mask.astype(np.int64), role=role)


def _level(applicant, period):
    return applicant("target_level", period).view(np.ndarray).astype(np.int64)


# -- blocks -------------------------------------------------------------------------------
def block_out_of_scope(applicant, period, parameters):
    s = parameters(period).scope
    relation_ok = s.relation_in_scope[applicant("relation", period)]
    permit_missing = s.needs_permit[applicant("nationality", period)] & ~applicant("has_foreign_permit", period)
    return ~applicant("in_region", period) | ~relation_ok | permit_missing


def block_civil_servant(applicant, period, parameters):
    return applicant("civil_servant", period)


def block_retired(applicant, period, parameters):
    return applicant("retired", period)


def block_blacklisted(applicant, period, parameters):
    c = parameters(period).calendar
    year = applicant.members("listing_year", period)
    review = period.start.year
    barred = (year + c.blacklist_from_next <= review) & (review <= year + c.blacklist_to_next)
    return applicant.any(barred, role=Applicant.LISTING)


def block_exam_only(applicant, period, parameters):
    return parameters(period).series.exam_only[applicant("target_series", period)][applicant("target_level", period)]


def block_separately_arranged(applicant, period, parameters):
    p = parameters(period).series.separately_arranged
    return p[applicant("target_series", period)][applicant("target_level", period)]


def block_window_closed(applicant, period, parameters):
    return applicant("applied_on", period) > applicant("declaration_deadline", period)


def block_entrustment_missing(applicant, period, parameters):
    return applicant("central_unit", period) & ~applicant("entrusted", period)


BLOCKS = ("out_of_scope", "civil_servant", "retired", "blacklisted", "exam_only", "separately_arranged",
          "window_closed", "entrustment_missing")  # fmt: skip


def blocked(applicant, period, parameters):
    return np.logical_or.reduce([applicant(f"block_{b}", period) for b in BLOCKS])


# -- route rules ----------------------------------------------------------------------------
def _table(applicant, period, parameters, name):
    degree = applicant("highest_degree", period)
    names = DEGREE_NAMES[np.maximum(degree, 0)]
    value = getattr(parameters(period).regular, name)[applicant("target_level", period)][names]
    return degree, value


def regular_needed_title(applicant, period, parameters):
    degree, title = _table(applicant, period, parameters, "title")
    return np.where(degree >= 0, title, -2).astype(np.int64)


def regular_table_open(applicant, period, parameters):
    return applicant("regular_needed_title", period) != -2


def epidemic_years_less(applicant, period, parameters):
    e = parameters(period).routes.epidemic
    frontline = applicant("frontline", period) & parameters(period).series.epidemic_frontline[applicant("target_series", period)]
    aid = (applicant("hubei_aid", period) | applicant("designated_hospital", period)) & e.aid_level[applicant("target_level", period)]
    return np.maximum(np.where(frontline, e.frontline_years_less, 0), np.where(aid, e.aid_years_less, 0))


def regular_title_below(applicant, period, parameters):
    need = applicant("regular_needed_title", period)
    cur = applicant("current_level", period)
    level = _level(applicant, period)
    needed = np.where(need >= 0, need, level - 1)
    return np.where(need == -1, cur < level, np.where(needed < 0, cur < 0, cur == needed))


def transfer_counting(applicant, period, parameters):
    same = applicant("has_series_change", period) & (applicant("new_series", period) == applicant("target_series", period))
    return same & (applicant("below_title_on", period) < FAR) & (applicant("other_series_below_title_on", period) < FAR)


def regular_seniority(applicant, period, parameters):
    need = applicant("regular_needed_title", period)
    _, years = _table(applicant, period, parameters, "years")
    _, after = _table(applicant, period, parameters, "after_graduation")
    years = np.maximum(years - applicant("epidemic_years_less", period), 0)
    cutoff = applicant("seniority_cutoff", period)
    below = applicant("below_title_on", period)
    start = np.where(applicant("transfer_counting", period), np.minimum(below, applicant("other_series_below_title_on", period)), below)
    by_title = (start < FAR) & held(np.where(start < FAR, start, cutoff), years, cutoff)
    by_work = np.where(after, served(applicant("professional_days_after_degree", period), years, cutoff), True)
    return (need != -2) & np.where(need == -1, by_work, by_title)


def regular_transfer_held(applicant, period, parameters):
    cutoff = applicant("seniority_cutoff", period)
    below = applicant("below_title_on", period)
    ok = held(np.where(below < FAR, below, cutoff), parameters(period).routes.series_transfer.new_title_years, cutoff)
    return ~applicant("transfer_counting", period) | ok


def above_current(applicant, period, parameters):
    return applicant("current_level", period) < _level(applicant, period)


def next_level(applicant, period, parameters):
    cur = applicant("current_level", period)
    return (cur >= 0) & (_level(applicant, period) == cur + 1)


def _honours(applicant, period, table):
    record = applicant.members
    ok = table[record("honour_code", period)] & (record("honour_year", period) <= date_key(record.applicant("applied_on", period)) // 10000)
    return _count(applicant, ok, Applicant.HONOUR)


def _awards(applicant, period):
    record = applicant.members
    current = record("award_year", period) <= date_key(record.applicant("applied_on", period)) // 10000
    return record, current & record("award_rated", period)


def full_senior_honour(applicant, period, parameters):
    p = parameters(period)
    record, ok = _awards(applicant, period)
    grades = np.clip(record("award_grade", period), 1, 3).astype(str)
    awards = ok & p.routes.exceptional.award_full_senior[record("award_scope", period)][grades]
    return (_honours(applicant, period, p.honours.full_senior) + _count(applicant, awards, Applicant.AWARD)) > 0


def next_level_honour(applicant, period, parameters):
    p = parameters(period)
    ex = p.routes.exceptional
    record, ok = _awards(applicant, period)
    scope, grade = record("award_scope", period), record("award_grade", period)
    region = _count(applicant, ok & (scope == Scope.region) & (grade >= ex.grassroots_region_award_min_grade), Applicant.AWARD)
    industry = _count(applicant, ok & (scope == Scope.industry) & (grade == 1), Applicant.AWARD)
    grassroots = p.units.next_level_grassroots[applicant("unit_level", period)]
    by_award = grassroots & ((region > 0) | (industry >= ex.grassroots_industry_first_prizes))
    return (_honours(applicant, period, p.honours.next_level) > 0) | by_award


def route_regular(applicant, period, parameters):
    return (
        applicant("regular_table_open", period) & applicant("regular_title_below", period)
        & applicant("regular_seniority", period) & applicant("regular_transfer_held", period)
    )  # fmt: skip


def route_exceptional_full_senior(applicant, period, parameters):
    target = _level(applicant, period) == parameters(period).routes.exceptional.full_senior_level
    return ~applicant("exceptional_used", period) & target & applicant("full_senior_honour", period) & applicant("above_current", period)


def route_exceptional_next_level(applicant, period, parameters):
    return ~applicant("exceptional_used", period) & applicant("next_level", period) & applicant("next_level_honour", period)


def route_green_channel(applicant, period, parameters):
    talent = applicant("introduced_talent", period) | applicant("urgent_talent", period)
    return talent & applicant("above_current", period)


def route_transferred_cadre(applicant, period, parameters):
    p = parameters(period).routes.transferred_cadre
    on, applied = applicant("transferred_on", period), applicant("applied_on", period)
    has = applicant("transferred", period)
    within = has & (on <= applied) & (date_key(on) + p.within_years * 10000 > date_key(applied))
    first = has & applicant("transfer_first_application", period)
    degree = applicant("highest_degree", period)
    ladder = parameters(period).regular.ladder[applicant("target_level", period)][DEGREE_NAMES[np.maximum(degree, 0)]]
    ladder = np.where(degree >= 0, ladder, -1)
    cutoff = applicant("seniority_cutoff", period)
    reachable = (ladder >= 0) & served(applicant("professional_days", period), np.maximum(ladder, 0), cutoff)
    return within & first & reachable & applicant("above_current", period)


def route_grassroots_long_service(applicant, period, parameters):
    g = parameters(period).routes.grassroots
    cutoff = applicant("seniority_cutoff", period)
    service = served(applicant("county_days", period), g.county_years, cutoff) | served(
        applicant("township_days", period), g.township_years, cutoff
    )
    cur = applicant("current_level", period)
    nxt = _level(applicant, period) == np.where(cur >= 0, cur + 1, g.level_without_title)
    return service & nxt


def _by_degree(degree, bachelor, associate):
    """Years for 本科 (or higher) and 大专 graduates; -1 where not open."""
    return np.where(degree >= 3, bachelor, np.where(degree == 2, associate, -1))


def route_township_direct_intermediate(applicant, period, parameters):
    t = parameters(period).routes.township_direct
    unit = (applicant("unit_level", period) == UnitLevel.township) & (applicant("sector", period) == Sector.public_institution)
    target = _level(applicant, period) == t.level
    years = _by_degree(applicant("highest_degree", period), t.bachelor_years, t.associate_years)
    ok = (years >= 0) & served(applicant("township_public_days", period), np.maximum(years, 0), applicant("seniority_cutoff", period))
    return unit & target & ok & applicant("above_current", period)


def route_non_public_direct(applicant, period, parameters):
    np_ = parameters(period).routes.non_public
    level = _level(applicant, period)
    degree = applicant("highest_degree", period)
    years = np.where(
        level == 2, _by_degree(degree, np_.intermediate_bachelor_years, np_.intermediate_associate_years),
        np.where(level == 3, _by_degree(degree, np_.associate_senior_bachelor_years, -1), -1),
    )  # fmt: skip
    days = applicant("professional_days_after_degree", period)
    ok = (years >= 0) & served(days, np.maximum(years, 0), applicant("seniority_cutoff", period))
    return (applicant("sector", period) == Sector.private) & ok & applicant("above_current", period)


def route_epidemic_direct(applicant, period, parameters):
    aided = applicant("hubei_aid", period) | applicant("designated_hospital", period)
    return aided & applicant("commended_provincial", period) & applicant("next_level", period)


def route_series_transfer(applicant, period, parameters):
    p = parameters(period).routes.series_transfer
    new = applicant("has_series_change", period) & (applicant("new_series", period) == applicant("target_series", period))
    year = applicant("has_series_change", period) & held(
        applicant("new_post_since", period), p.new_post_years, applicant("seniority_cutoff", period)
    )
    return new & year & applicant("other_series_same_level", period) & applicant("above_current", period)


def route_graduate_recognition(applicant, period, parameters):
    g = parameters(period).routes.graduate
    degree = applicant("recognised_degree", period)
    names = DEGREE_NAMES[np.maximum(degree, 0)]
    level = np.where(degree >= 0, g.level[names], -1)
    less = np.where(parameters(period).units.graduate_grassroots[applicant("unit_level", period)], g.grassroots_years_less, 0)
    years = np.maximum(g.years[names] - less, 0)
    days = applicant("professional_days_after_recognised_degree", period)
    ok = (level >= 0) & served(days, years, applicant("seniority_cutoff", period))
    return ok & (level == _level(applicant, period)) & applicant("above_current", period)


def route_postdoc_recognition(applicant, period, parameters):
    target = _level(applicant, period) == parameters(period).routes.postdoc.level
    return applicant("postdoc_funded", period) & applicant("postdoc_stays", period) & target & applicant("above_current", period)


def route_high_skill_bridge(applicant, period, parameters):
    has = applicant("has_high_skill", period) & (applicant("high_skill_on", period) <= applicant("applied_on", period))
    series = parameters(period).series.high_skill_bridge[applicant("target_series", period)]
    return has & series & applicant("above_current", period)


ROUTES = ("regular", "exceptional_full_senior", "exceptional_next_level", "green_channel", "transferred_cadre",
          "grassroots_long_service", "township_direct_intermediate", "non_public_direct", "epidemic_direct",
          "series_transfer", "graduate_recognition", "postdoc_recognition", "high_skill_bridge")  # fmt: skip


def _eligible_route(name):
    def formula(applicant, period, parameters):
        return applicant(f"route_{name}", period) & ~applicant("blocked", period)

    return _v(f"eligible_{name}", Applicant, bool, formula, f"可经{name}申报（无阻断）")


def eligible(applicant, period, parameters):
    return np.logical_or.reduce([applicant(f"eligible_{r}", period) for r in ROUTES])


FORMULAS = [
    (seniority_cutoff, dt.date), (declaration_deadline, dt.date), (highest_degree, int), (highest_degree_on, dt.date),
    (recognised_degree, int), (recognised_degree_on, dt.date), (current_level, int), (below_title_on, dt.date),
    (other_series_below_title_on, dt.date), (other_series_same_level, bool), (professional_days, int),
    (professional_days_after_degree, int), (professional_days_after_recognised_degree, int), (county_days, int),
    (township_days, int), (township_public_days, int), (block_out_of_scope, bool), (block_civil_servant, bool),
    (block_retired, bool), (block_blacklisted, bool), (block_exam_only, bool), (block_separately_arranged, bool),
    (block_window_closed, bool), (block_entrustment_missing, bool), (blocked, bool), (regular_needed_title, int),
    (regular_table_open, bool), (epidemic_years_less, int), (regular_title_below, bool), (transfer_counting, bool),
    (regular_seniority, bool), (regular_transfer_held, bool), (above_current, bool), (next_level, bool),
    (full_senior_honour, bool), (next_level_honour, bool), (eligible, bool),
    *[(globals()[f"route_{r}"], bool) for r in ROUTES],
]  # fmt: skip


class ZhiChengRules(TaxBenefitSystem):
    """The tax-benefit system of the 2021 eligibility rules."""

    def __init__(self):
        super().__init__([Record, Applicant])
        self.load_parameters(str(Path(__file__).with_name("parameters")))
        for var in INPUTS:
            self.add_variable(var)
        for formula, value_type in FORMULAS:
            self.add_variable(_v(formula.__name__, Applicant, value_type, formula))
        for r in ROUTES:
            self.add_variable(_eligible_route(r))
