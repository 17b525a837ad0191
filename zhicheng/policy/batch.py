"""The batch evaluator: the same rule set over columns of many applicants (numpy).

It computes every rule of the catalogue as a bool array and composes routes, blocks and
conditions with compose.py, exactly as the per-applicant evaluator does for one person.
"Service of N years" is checked against the latest start date that reaches N years by
the cut-off, computed once per N, instead of date arithmetic per applicant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from zhicheng.policy import compose
from zhicheng.policy.codes import (
    AWARD_SCOPES,
    DEGREE_RANK,
    DEGREES,
    HONOURS,
    LEVEL_RANK,
    LEVELS,
    NATIONALITIES,
    RELATIONS,
    SECTORS,
    SERIES,
    UNIT_LEVELS,
)
from zhicheng.policy.ruleset import Ruleset, ruleset_for
from zhicheng.policy.table import NO_DATE, FactsTable, day

_OFFSET = 800_000  # shifts day numbers of years 0001..9999 to positive values
_SPAN = 1 << 22  # larger than any shifted day number
_MAX_YEARS = 64


@dataclass
class BatchResult:
    """Per applicant (row i of the input): decisions as arrays.

    eligible[i]; routes[i, r] (after blocks, r in route_names); blocks[i, b] (b in
    block_names); conditions[field][i] (index into condition_values[field]);
    best_route[i] (index of the route the conditions describe); outcome[rule_id][i].
    """

    ruleset_ids: np.ndarray
    route_names: tuple[str, ...]
    block_names: tuple[str, ...]
    eligible: np.ndarray
    routes: np.ndarray
    blocks: np.ndarray
    conditions: dict[str, np.ndarray]
    condition_values: dict[str, tuple[str, ...]]
    best_route: np.ndarray
    outcome: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.eligible)

    def eligible_routes(self, i: int) -> list[str]:
        return [self.route_names[r] for r in np.flatnonzero(self.routes[i])]

    def blocks_of(self, i: int) -> list[str]:
        return [self.block_names[b] for b in np.flatnonzero(self.blocks[i])]

    def conditions_of(self, i: int) -> dict[str, str]:
        return {f: self.condition_values[f][v[i]] for f, v in self.conditions.items()}


def _idx(codes, values) -> list[int]:
    return [codes.index(v) for v in values]


def _isin(arr: np.ndarray, codes, values) -> np.ndarray:
    return np.isin(arr, _idx(codes, values))


class _Thresholds:
    """Latest start day that reaches N years by a fixed cut-off, for N = 0.._MAX_YEARS."""

    def __init__(self, cutoff: dt.date):
        latest = []
        for years in range(_MAX_YEARS):
            try:
                d = cutoff.replace(year=cutoff.year - years)
            except ValueError:  # cut-off 29 February, a common year N years back
                d = dt.date(cutoff.year - years, 2, 28)
            latest.append(day(d))
        self.latest = np.array(latest, dtype=np.int64)
        self.cutoff = day(cutoff)

    def held(self, start: np.ndarray, years) -> np.ndarray:
        """start + years <= cut-off; a missing start never holds."""
        years = np.clip(years, 0, _MAX_YEARS - 1)
        return (start != NO_DATE) & (start <= self.latest[years])

    def served(self, days: np.ndarray, years) -> np.ndarray:
        """`days` of service (counted once each) make `years` by the cut-off."""
        years = np.asarray(years)
        need = self.cutoff - self.latest[np.clip(years, 0, _MAX_YEARS - 1)] + 1
        return (years <= 0) | ((days > 0) & (days >= need))


def _keys(days: np.ndarray) -> np.ndarray:
    """y*10000 + m*100 + d of day numbers (for date arithmetic against per-applicant dates)."""
    d = np.where(days == NO_DATE, 0, days).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    dd = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + dd


def _union_days(t: FactsTable, mask: np.ndarray, hi: int, lo: np.ndarray | None = None) -> np.ndarray:
    """Per applicant, days covered by the masked work rows within [lo, hi], each day once.

    Work rows are sorted by (owner, start); clipping starts to a per-owner `lo` keeps that order.
    """
    w = t.work
    owner = w.owner[mask]
    start = w.start[mask].astype(np.int64)
    end = np.minimum(np.where(w.end[mask] == NO_DATE, hi, w.end[mask]).astype(np.int64), hi)
    if lo is not None:
        low = lo[owner].astype(np.int64)
        keep = low != NO_DATE
        owner, start, end, low = owner[keep], start[keep], end[keep], low[keep]
        start = np.maximum(start, low)
    keep = start <= end
    owner, start, end = owner[keep], start[keep], end[keep]
    if len(owner) == 0:
        return np.zeros(t.n, dtype=np.int64)
    shift = owner.astype(np.int64) * _SPAN + _OFFSET
    end_s = end + shift
    reach = np.maximum.accumulate(end_s)
    before = np.empty_like(reach)
    before[0] = -1
    before[1:] = reach[:-1]
    new = np.maximum(end_s - np.maximum(start + shift - 1, before), 0)
    return np.bincount(owner, weights=new, minlength=t.n).astype(np.int64)


def _highest_degree(t: FactsTable, cutoff: int, only_full_time: bool) -> tuple[np.ndarray, np.ndarray]:
    e = t.education
    mask = e.graduated_on <= cutoff
    if only_full_time:
        mask &= e.full_time & e.related_major
    score = np.full(t.n, -1, dtype=np.int64)
    # Highest rank first; among equal ranks the earliest graduation.
    values = e.rank[mask].astype(np.int64) * _SPAN + (_SPAN - 1 - (e.graduated_on[mask].astype(np.int64) + _OFFSET))
    np.maximum.at(score, e.owner[mask], values)
    rank = np.where(score >= 0, score // _SPAN, -1)
    date = np.where(score >= 0, _SPAN - 1 - score % _SPAN - _OFFSET, NO_DATE)
    return rank, date


def _min_date_at(t: FactsTable, mask: np.ndarray, dates: np.ndarray, owner: np.ndarray) -> np.ndarray:
    out = np.full(t.n, NO_DATE, dtype=np.int64)
    np.minimum.at(out, owner[mask], dates[mask].astype(np.int64))
    return out


def _count(t: FactsTable, owner: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.bincount(owner[mask], minlength=t.n)


def _level_table(rs: Ruleset):
    """Lookups [series, target level, degree] -> title level needed (-2 not open, -1 none), years, after graduation."""
    shape = (len(SERIES), len(LEVELS), len(DEGREES))
    title = np.full(shape, -2, dtype=np.int8)
    years = np.zeros(shape, dtype=np.int64)
    after = np.zeros(shape, dtype=bool)
    for s, series in enumerate(SERIES):
        for lv, level in enumerate(LEVELS):
            for dg, degree in enumerate(DEGREES):
                entry = rs.table_entry(series, level, degree)
                if entry is None:
                    continue
                title[s, lv, dg] = -1 if entry["title"] is None else LEVEL_RANK[entry["title"]]
                years[s, lv, dg] = entry["years"]
                after[s, lv, dg] = bool(entry.get("after_graduation"))
    # Ladder for 五（四）4: cumulative years to reach each level, -1 where the ladder stops.
    ladder = np.full((len(SERIES), len(LEVELS), len(DEGREES)), -1, dtype=np.int64)
    for s in range(len(SERIES)):
        for dg in range(len(DEGREES)):
            total = 0
            for lv in range(1, len(LEVELS)):
                if title[s, lv, dg] == -2:
                    break
                total += years[s, lv, dg]
                ladder[s, lv, dg] = total
    return title, years, after, ladder


def evaluate_table(t: FactsTable, rs: Ruleset) -> BatchResult:
    """Every applicant of `t` under `rs` (the caller groups applicants by review year)."""
    n = t.n
    cutoff = day(rs.cutoff)
    th = _Thresholds(rs.cutoff)
    p = rs.p
    series, level = t.series.astype(np.int64), t.level.astype(np.int64)
    unit, sector = t.unit_level, t.sector
    applied = t.applied_on.astype(np.int64)
    applied_year = _keys(applied) // 10000
    out: dict[str, np.ndarray] = {}

    # -- derived columns ------------------------------------------------------------
    deg_rank, deg_date = _highest_degree(t, cutoff, False)
    ft_rank, ft_date = _highest_degree(t, cutoff, True)
    tt = t.titles
    held_now = tt.obtained_on.astype(np.int64) <= applied[tt.owner]
    same = held_now & (tt.series == t.series[tt.owner])
    other = held_now & ~(tt.series == t.series[tt.owner])
    below_level = (tt.level.astype(np.int64) == level[tt.owner] - 1)
    cur = np.full(n, -1, dtype=np.int64)
    np.maximum.at(cur, tt.owner[same], tt.level[same].astype(np.int64))
    below_date = _min_date_at(t, same & below_level, tt.obtained_on, tt.owner)
    other_below = _min_date_at(t, other & below_level, tt.obtained_on, tt.owner)
    other_same = _count(t, tt.owner, other & (tt.level == t.level[tt.owner])) > 0

    w = t.work
    prof = w.professional
    prof_total = _union_days(t, prof, cutoff)
    prof_after_deg = _union_days(t, prof, cutoff, deg_date)
    prof_after_ft = _union_days(t, prof, cutoff, ft_date)
    county = _union_days(t, prof & _isin(w.unit_level, UNIT_LEVELS, p("grassroots_long_service.county_unit_levels")), cutoff)
    township = _union_days(t, prof & _isin(w.unit_level, UNIT_LEVELS, p("grassroots_long_service.township_unit_levels")), cutoff)
    township_pi = _union_days(
        t, prof & (w.unit_level == UNIT_LEVELS.index("township")) & (w.sector == SECTORS.index("public_institution")), cutoff
    )

    def honour_count(codes) -> np.ndarray:
        h = t.honours
        m = np.isin(h.code, _idx(HONOURS, codes)) & (h.year <= applied_year[h.owner])
        return _count(t, h.owner, m)

    def award_count(scope: str, grades) -> np.ndarray:
        a = t.awards
        m = (a.scope == AWARD_SCOPES.index(scope)) & np.isin(a.grade, list(grades)) & a.rated
        m &= a.year <= applied_year[a.owner]
        return _count(t, a.owner, m)

    def level_in(values) -> np.ndarray:
        return _isin(t.level, LEVELS, values)

    def pairs_in(table: dict) -> np.ndarray:
        """(target series, target level) in a {series: [levels]} table."""
        grid = np.zeros((len(SERIES), len(LEVELS)), dtype=bool)
        for s, levels in table.items():
            grid[SERIES.index(s), _idx(LEVELS, levels)] = True
        return grid[series, level]

    # -- blocks -------------------------------------------------------------------------
    out["block.out_of_scope"] = (
        ~t.in_region
        | ~_isin(t.relation, RELATIONS, p("scope.relations_in_scope"))
        | (_isin(t.nationality, NATIONALITIES, p("scope.nationalities_with_permit")) & (t.foreign_permit < 0))
    )
    out["block.civil_servant"] = t.civil_servant.copy()
    out["block.retired"] = t.retired.copy()
    bar = p("blacklist_barred_years")
    ls = t.listings
    year = t.year.astype(np.int64)
    barred = (ls.year + bar["from_next"] <= year[ls.owner]) & (year[ls.owner] <= ls.year + bar["to_next"])
    out["block.blacklisted"] = _count(t, ls.owner, barred) > 0
    out["block.exam_only"] = pairs_in(p("exam_only"))
    out["block.separately_arranged"] = pairs_in(p("separately_arranged"))
    out["block.window_closed"] = applied > day(rs.deadline)
    out["block.entrustment_missing"] = t.central_unit & ~t.entrusted

    # -- regular ------------------------------------------------------------------------
    title_tab, years_tab, after_tab, ladder_tab = _level_table(rs)
    has_deg = deg_rank >= 0
    dg = np.where(has_deg, deg_rank, 0)
    need_title = np.where(has_deg, title_tab[series, level, dg], -2).astype(np.int64)
    table_years = years_tab[series, level, dg]
    table_open = need_title != -2
    out["regular.table_open"] = table_open
    frontline = t.frontline & _isin(t.series, SERIES, p("epidemic.frontline_series"))
    aid = (t.hubei_aid | t.designated_hospital) & level_in(p("epidemic.aid_levels"))
    reduction = np.maximum(
        np.where(frontline, p("epidemic.frontline_years_less"), 0), np.where(aid, p("epidemic.aid_years_less"), 0)
    )
    out["regular.epidemic_one_year_less"] = reduction > 0
    no_title_needed = need_title == -1
    needed = np.where(need_title >= 0, need_title, level - 1)
    out["regular.title_below"] = np.where(
        no_title_needed, cur < level, np.where(needed < 0, cur < 0, cur == needed)
    )
    years = np.maximum(table_years - reduction, 0)
    transfer_counting = (t.new_series == t.series) & (below_date != NO_DATE) & (other_below != NO_DATE)
    start = np.where(transfer_counting, np.minimum(below_date, other_below), below_date)
    after = after_tab[series, level, dg] & has_deg
    out["regular.seniority"] = table_open & np.where(
        no_title_needed, np.where(after, th.served(prof_after_deg, years), True), th.held(start, years)
    )
    out["regular.transfer_held"] = ~transfer_counting | th.held(below_date, p("series_transfer.new_title_years"))

    # -- exceptional routes -------------------------------------------------------------
    out["exceptional.first_use"] = ~t.exceptional_used
    out["exceptional_full_senior.target"] = level == LEVEL_RANK[p("exceptional_full_senior.target_level")]
    hits = honour_count(p("exceptional_full_senior.honours"))
    for spec in p("exceptional_full_senior.awards"):
        hits = hits + award_count(spec["scope"], spec["grades"])
    out["exceptional_full_senior.honour"] = hits > 0
    out["common.above_current"] = cur < level
    next_level = (cur >= 0) & (level == cur + 1)
    out["exceptional_next_level.next_level"] = next_level
    grassroots_unit = _isin(unit, UNIT_LEVELS, p("exceptional_next_level.grassroots_unit_levels"))
    by_award = (award_count("region", p("exceptional_next_level.grassroots_region_award_grades")) > 0) | (
        award_count("industry", [1]) >= p("exceptional_next_level.grassroots_industry_first_prizes")
    )
    out["exceptional_next_level.honour"] = (honour_count(p("exceptional_next_level.honours")) > 0) | (
        grassroots_unit & by_award
    )
    out["green_channel.talent"] = t.introduced_talent | t.urgent_talent

    tr_on = t.transferred_on.astype(np.int64)
    has_tr = tr_on != NO_DATE
    within = p("transferred_cadre.within_years")
    out["transferred_cadre.within_years"] = (
        has_tr & (tr_on <= applied) & (_keys(tr_on) + within * 10000 > _keys(applied))
    )
    out["transferred_cadre.first_application"] = has_tr & t.transfer_first_application
    ladder = np.where(has_deg, ladder_tab[series, level, dg], -1)
    out["transferred_cadre.level_reachable"] = (ladder >= 0) & th.served(prof_total, np.maximum(ladder, 0))

    # -- grassroots, private sector -----------------------------------------------------
    out["grassroots.service"] = th.served(county, p("grassroots_long_service.county_years")) | th.served(
        township, p("grassroots_long_service.township_years")
    )
    base = LEVEL_RANK[p("grassroots_long_service.level_without_title")]
    out["grassroots.next_level"] = level == np.where(cur >= 0, cur + 1, base)
    out["township_direct.unit"] = (unit == UNIT_LEVELS.index("township")) & (sector == SECTORS.index("public_institution"))
    out["township_direct.target"] = level == LEVEL_RANK[p("township_direct_intermediate.target_level")]
    is_bachelor = deg_rank >= DEGREE_RANK["bachelor"]
    is_associate = deg_rank == DEGREE_RANK["associate"]

    def by_degree(table: dict) -> tuple[np.ndarray, np.ndarray]:
        """Years for 本科 (or higher) and 大专 graduates from {bachelor: N, associate: M}; open mask."""
        b, a = table.get("bachelor"), table.get("associate")
        opened = (is_bachelor & (b is not None)) | (is_associate & (a is not None))
        return opened, np.where(is_bachelor, b or 0, a or 0)

    opened, need = by_degree(p("township_direct_intermediate.years"))
    out["township_direct.years"] = opened & th.served(township_pi, need)
    out["non_public.sector"] = sector == SECTORS.index("private")
    np_open = np.zeros(n, dtype=bool)
    np_need = np.zeros(n, dtype=np.int64)
    for lv, table in p("non_public_direct.years").items():
        o, y = by_degree(table)
        at = level == LEVEL_RANK[lv]
        np_open |= at & o
        np_need = np.where(at, y, np_need)
    out["non_public.years"] = np_open & th.served(prof_after_deg, np_need)

    # -- epidemic, transfer, recognition ------------------------------------------------
    aided = t.hubei_aid | t.designated_hospital
    out["epidemic_direct.commended"] = aided & t.commended_provincial
    out["epidemic_direct.next_level"] = next_level
    out["series_transfer.new_series"] = t.new_series == t.series
    out["series_transfer.new_post_year"] = th.held(t.new_post_since.astype(np.int64), p("series_transfer.new_post_years"))
    out["series_transfer.same_level"] = other_same

    gr_level = np.full(len(DEGREES), -1, dtype=np.int64)
    gr_years = np.zeros(len(DEGREES), dtype=np.int64)
    for deg, entry in p("graduate_recognition.years").items():
        gr_level[DEGREE_RANK[deg]] = LEVEL_RANK[entry["level"]]
        gr_years[DEGREE_RANK[deg]] = entry["years"]
    fr = np.where(ft_rank >= 0, ft_rank, 0)
    gr_ok = (ft_rank >= 0) & (gr_level[fr] >= 0)
    out["graduate.degree"] = gr_ok & (gr_level[fr] == level)
    grassroots_grad = _isin(unit, UNIT_LEVELS, p("graduate_recognition.grassroots_unit_levels"))
    out["graduate.grassroots_one_year_less"] = grassroots_grad
    gr_need = np.maximum(gr_years[fr] - np.where(grassroots_grad, p("graduate_recognition.grassroots_years_less"), 0), 0)
    out["graduate.years"] = gr_ok & th.served(prof_after_ft, gr_need)
    out["postdoc.funded"] = t.postdoc_funded.copy()
    out["postdoc.stays_in_enterprise"] = t.postdoc_stays.copy()
    out["postdoc.target"] = level == LEVEL_RANK[p("postdoc_recognition.target_level")]
    out["high_skill.holds"] = (t.high_skill >= 0) & (t.high_skill_on.astype(np.int64) <= applied)
    out["high_skill.series"] = _isin(t.series, SERIES, p("high_skill_bridge.series"))

    # -- composition: blocks over routes, conditions by declared overrides --------------
    block_names = rs.block_order
    blocks = np.stack([out[f"block.{b}"] for b in block_names], axis=1)
    blocked = blocks.any(axis=1)
    routes = np.stack([compose.route_open_array(r, out) & ~blocked for r in rs.routes], axis=1)
    eligible = routes.any(axis=1)
    best = np.where(eligible, routes.argmax(axis=1), 0)
    rep = (level >= LEVEL_RANK["associate_senior"]) & _isin(t.series, SERIES, p("representative_work.senior_series"))
    rep |= (level == LEVEL_RANK["full_senior"]) & _isin(t.series, SERIES, p("representative_work.full_senior_series"))
    atoms = {
        "exam_and_review": pairs_in(p("exam_and_review")),
        "unit_county_or_township": _isin(unit, UNIT_LEVELS, p("papers_not_required_unit_levels")),
        "sector_private": sector == SECTORS.index("private"),
        "representative_scope": rep & _isin(unit, UNIT_LEVELS, p("representative_work.unit_levels")),
        "unit_township": _isin(unit, UNIT_LEVELS, p("continuing_education_exempt_unit_levels")),
        "epidemic_quota_exempt": aided & level_in(p("epidemic.aid_levels")),
        "public_post_managed": (sector == SECTORS.index("public_institution")) & t.post_management,
        "quota_level": level_in(p("post_quota.senior_levels")) | _isin(t.series, SERIES, p("post_quota.every_level_series")),
        "rural_service_scope": _isin(unit, UNIT_LEVELS, p("rural_service.unit_levels"))
        & _isin(t.series, SERIES, p("rural_service.series"))
        & level_in(p("rural_service.levels")),
    }
    chosen = compose.choose_conditions_array(rs, atoms, best)
    for fld, idx in chosen.items():
        for k, c in enumerate(rs.conditions[fld]):
            out[c.rule] = idx == k
    return BatchResult(
        ruleset_ids=np.full(n, rs.id, dtype=object),
        route_names=rs.route_names(),
        block_names=block_names,
        eligible=eligible,
        routes=routes,
        blocks=blocks,
        conditions=chosen,
        condition_values={f: tuple(c.value for c in cands) for f, cands in rs.conditions.items()},
        best_route=best,
        outcome=out,
    )


def evaluate_facts_list(facts_list, *, ruleset: Ruleset | None = None, validate: bool = True) -> BatchResult:
    """Facts dicts -> BatchResult in input order; applicants are grouped by review year."""
    from zhicheng.policy.facts import FactsError, validate_facts

    facts_list = list(facts_list)
    if validate:
        for i, facts in enumerate(facts_list):
            try:
                validate_facts(facts)
            except FactsError as exc:
                raise FactsError(f"[{i}] {exc.path}", exc.message) from None
    table = FactsTable.from_facts(facts_list)
    return evaluate_mixed_years(table, ruleset)


def evaluate_mixed_years(table: FactsTable, ruleset: Ruleset | None = None) -> BatchResult:
    years = np.unique(table.year) if ruleset is None else [None]
    if len(years) == 1:
        return evaluate_table(table, ruleset or ruleset_for(int(years[0])))
    parts = [(np.flatnonzero(table.year == y), evaluate_table(table.select(np.flatnonzero(table.year == y)), ruleset_for(int(y)))) for y in years]
    first = parts[0][1]
    for _, r in parts[1:]:
        if r.route_names != first.route_names or r.block_names != first.block_names or r.condition_values != first.condition_values:
            raise ValueError("不同年度的规则集途径或条件不一致，不能合并为一个批次")

    def merge(get, shape_tail=(), dtype=None):
        sample = get(first)
        arr = np.empty((table.n, *sample.shape[1:]), dtype=dtype or sample.dtype)
        for rows, r in parts:
            arr[rows] = get(r)
        return arr

    rules = set.intersection(*(set(r.outcome) for _, r in parts))
    return BatchResult(
        ruleset_ids=merge(lambda r: r.ruleset_ids),
        route_names=first.route_names,
        block_names=first.block_names,
        eligible=merge(lambda r: r.eligible),
        routes=merge(lambda r: r.routes),
        blocks=merge(lambda r: r.blocks),
        conditions={f: merge(lambda r, f=f: r.conditions[f]) for f in first.conditions},
        condition_values=first.condition_values,
        best_route=merge(lambda r: r.best_route),
        outcome={k: merge(lambda r, k=k: r.outcome[k]) for k in rules},
    )


__all__ = ["BatchResult", "FactsTable", "evaluate_facts_list", "evaluate_mixed_years", "evaluate_table"]
