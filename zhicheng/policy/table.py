"""Many applicants' facts as columns: one array per scalar fact, and one long table per list
(education, work, titles, honours, awards, blacklist listings) keyed by applicant index.

Dates are days since 1970-01-01 (int32); a missing date is NO_DATE. Codes are indices
into the tuples of codes.py; -1 means absent. Work rows are kept sorted by (owner, from),
which the batch evaluator relies on to count days of service once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np

from zhicheng.policy.codes import (
    AWARD_SCOPES,
    DEGREES,
    HIGH_SKILL,
    HONOURS,
    LEVELS,
    NATIONALITIES,
    PERMITS,
    RELATIONS,
    SECTORS,
    SERIES,
    TRANSFER_FROM,
    UNIT_LEVELS,
)
from zhicheng.policy.facts import Applicant, read_facts

EPOCH = dt.date(1970, 1, 1).toordinal()
NO_DATE = np.iinfo(np.int32).max
_IDX = {
    name: {code: i for i, code in enumerate(codes)}
    for name, codes in {
        "series": SERIES,
        "unit": UNIT_LEVELS,
        "sector": SECTORS,
        "relation": RELATIONS,
        "nationality": NATIONALITIES,
        "permit": PERMITS,
        "honour": HONOURS,
        "scope": AWARD_SCOPES,
        "high_skill": HIGH_SKILL,
        "transfer": TRANSFER_FROM,
    }.items()
}


def day(d: dt.date | None) -> int:
    return NO_DATE if d is None else d.toordinal() - EPOCH


def date_of(days: int) -> dt.date | None:
    return None if days == NO_DATE else dt.date.fromordinal(int(days) + EPOCH)


def _code(kind: str, value: str | None) -> int:
    return -1 if value is None else _IDX[kind][value]


@dataclass
class Records:
    """A long table: `owner` is the applicant's row; the other arrays are its fields."""

    owner: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)


@dataclass
class EducationRows(Records):
    rank: np.ndarray
    full_time: np.ndarray
    graduated_on: np.ndarray
    related_major: np.ndarray


@dataclass
class WorkRows(Records):
    start: np.ndarray
    end: np.ndarray  # NO_DATE: ongoing
    professional: np.ndarray
    series: np.ndarray
    unit_level: np.ndarray
    sector: np.ndarray


@dataclass
class TitleRows(Records):
    series: np.ndarray
    level: np.ndarray
    obtained_on: np.ndarray
    qualification: np.ndarray


@dataclass
class HonourRows(Records):
    code: np.ndarray
    year: np.ndarray


@dataclass
class AwardRows(Records):
    scope: np.ndarray
    grade: np.ndarray
    rated: np.ndarray
    year: np.ndarray


@dataclass
class ListingRows(Records):
    year: np.ndarray


SCALARS = {
    "year": np.int16,
    "applied_on": np.int32,
    "series": np.int8,
    "level": np.int8,
    "nationality": np.int8,
    "foreign_permit": np.int8,
    "civil_servant": bool,
    "retired": bool,
    "in_region": bool,
    "relation": np.int8,
    "sector": np.int8,
    "unit_level": np.int8,
    "post_management": bool,
    "central_unit": bool,
    "entrusted": bool,
    "frontline": bool,
    "hubei_aid": bool,
    "designated_hospital": bool,
    "commended_provincial": bool,
    "transferred_from": np.int8,
    "transferred_on": np.int32,
    "transfer_first_application": bool,
    "postdoc": bool,
    "postdoc_funded": bool,
    "postdoc_stays": bool,
    "high_skill": np.int8,
    "high_skill_on": np.int32,
    "new_series": np.int8,
    "new_post_since": np.int32,
    "introduced_talent": bool,
    "urgent_talent": bool,
    "exceptional_used": bool,
    "rural_service_years": np.float32,
}


@dataclass
class FactsTable:
    n: int
    cols: dict[str, np.ndarray]
    education: EducationRows
    work: WorkRows
    titles: TitleRows
    honours: HonourRows
    awards: AwardRows
    listings: ListingRows

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["cols"][name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def from_facts(cls, facts_list) -> FactsTable:
        """From valid facts dicts (see validate_facts)."""
        return cls.from_applicants([read_facts(f) for f in facts_list])

    @classmethod
    def from_applicants(cls, applicants: list[Applicant]) -> FactsTable:
        scal = {k: [] for k in SCALARS}
        edu, work, titles, hon, awd, lst = ([] for _ in range(6))
        for i, a in enumerate(applicants):
            row = (
                a.year, day(a.applied_on), _code("series", a.series), a.level, _code("nationality", a.nationality),
                _code("permit", a.foreign_permit), a.civil_servant, a.retired, a.in_region,
                _code("relation", a.relation), _code("sector", a.sector), _code("unit", a.unit_level),
                a.post_management, a.central_unit, a.entrusted, a.frontline, a.hubei_aid,
                a.designated_hospital, a.commended_provincial, _code("transfer", a.transferred_from),
                day(a.transferred_on), a.transfer_first_application, a.postdoc, a.postdoc_funded,
                a.postdoc_stays, _code("high_skill", a.high_skill), day(a.high_skill_on),
                _code("series", a.new_series), day(a.new_post_since), a.introduced_talent,
                a.urgent_talent, a.exceptional_used, a.rural_service_years,
            )  # fmt: skip
            for k, v in zip(SCALARS, row):
                scal[k].append(v)
            edu += [(i, e.rank, e.full_time, day(e.graduated_on), e.related_major) for e in a.education]
            work += [
                (i, day(w.start), day(w.end), w.professional, _code("series", w.series),
                 _code("unit", w.unit_level), _code("sector", w.sector))
                for w in a.work
            ]  # fmt: skip
            titles += [
                (i, _code("series", t.series), t.level, day(t.obtained_on), t.via == "qualification") for t in a.titles
            ]
            hon += [(i, _code("honour", c), y) for c, y in a.honours]
            awd += [(i, _code("scope", s), g, r, y) for s, g, r, y in a.awards]
            lst += [(i, y) for y in a.blacklist_years]
        cols = {k: np.array(v, dtype=SCALARS[k]) for k, v in scal.items()}
        return cls.from_columns(
            len(applicants), cols,
            _rows(EducationRows, edu, [np.int32, np.int8, bool, np.int32, bool]),
            _rows(WorkRows, work, [np.int32, np.int32, np.int32, bool, np.int8, np.int8, np.int8]),
            _rows(TitleRows, titles, [np.int32, np.int8, np.int8, np.int32, bool]),
            _rows(HonourRows, hon, [np.int32, np.int8, np.int16]),
            _rows(AwardRows, awd, [np.int32, np.int8, np.int8, bool, np.int16]),
            _rows(ListingRows, lst, [np.int32, np.int16]),
        )  # fmt: skip

    @classmethod
    def from_columns(cls, n, cols, education, work, titles, honours, awards, listings) -> FactsTable:
        order = np.lexsort((work.start, work.owner))
        work = WorkRows(**{f.name: getattr(work, f.name)[order] for f in fields(WorkRows)})
        return cls(n, cols, education, work, titles, honours, awards, listings)

    def select(self, rows: np.ndarray) -> FactsTable:
        """The applicants at `rows` (sorted indices), renumbered 0..len(rows)-1."""
        rows = np.asarray(rows)
        remap = np.full(self.n, -1, dtype=np.int64)
        remap[rows] = np.arange(len(rows))

        def pick(recs: Records) -> Records:
            keep = remap[recs.owner] >= 0
            parts = {f.name: getattr(recs, f.name)[keep] for f in fields(recs)}
            parts["owner"] = remap[recs.owner[keep]].astype(np.int32)
            return type(recs)(**parts)

        return FactsTable(
            len(rows), {k: v[rows] for k, v in self.cols.items()},
            pick(self.education), pick(self.work), pick(self.titles),
            pick(self.honours), pick(self.awards), pick(self.listings),
        )  # fmt: skip

    def facts(self, i: int) -> dict:
        """Applicant i as a facts dict (the contract's form), e.g. for the per-applicant path."""
        c = {k: v[i].item() for k, v in self.cols.items()}
        iso = lambda d: date_of(d).isoformat()  # noqa: E731
        out: dict = {
            "year": c["year"],
            "applied_on": iso(c["applied_on"]),
            "target": {"series": SERIES[c["series"]], "level": LEVELS[c["level"]]},
            "person": {
                "nationality": NATIONALITIES[c["nationality"]],
                "foreign_permit": PERMITS[c["foreign_permit"]] if c["foreign_permit"] >= 0 else None,
                "civil_servant": c["civil_servant"],
                "retired": c["retired"],
            },
            "employment": {
                "in_region": c["in_region"],
                "relation": RELATIONS[c["relation"]],
                "sector": SECTORS[c["sector"]],
                "unit_level": UNIT_LEVELS[c["unit_level"]],
                "post_management": c["post_management"],
                "central_or_out_of_region_unit": c["central_unit"],
                "entrusted": c["entrusted"],
            },
        }
        e = self.education
        out["education"] = [
            {"level": DEGREES[e.rank[j]], "full_time": bool(e.full_time[j]), "graduated_on": iso(e.graduated_on[j]),
             "related_major": bool(e.related_major[j])}
            for j in np.flatnonzero(e.owner == i)
        ]  # fmt: skip
        w = self.work
        out["work"] = []
        for j in np.flatnonzero(w.owner == i):
            period = {"from": iso(w.start[j]), "to": None if w.end[j] == NO_DATE else iso(w.end[j]),
                      "professional": bool(w.professional[j])}  # fmt: skip
            for key, codes, arr in (("series", SERIES, w.series), ("unit_level", UNIT_LEVELS, w.unit_level), ("sector", SECTORS, w.sector)):
                if arr[j] >= 0:
                    period[key] = codes[arr[j]]
            out["work"].append(period)
        t = self.titles
        mine = np.flatnonzero(t.owner == i)
        out["titles"] = [
            {"series": SERIES[t.series[j]], "level": LEVELS[t.level[j]], "obtained_on": iso(t.obtained_on[j])}
            for j in mine if not t.qualification[j]
        ]  # fmt: skip
        quals = [
            {"name": "职业资格", "obtained_on": iso(t.obtained_on[j]), "series": SERIES[t.series[j]], "level": LEVELS[t.level[j]]}
            for j in mine if t.qualification[j]
        ]  # fmt: skip
        if quals:
            out["qualifications"] = quals
        h = self.honours
        out["honours"] = [{"code": HONOURS[h.code[j]], "year": int(h.year[j])} for j in np.flatnonzero(h.owner == i)]
        a = self.awards
        out["awards"] = [
            {"scope": AWARD_SCOPES[a.scope[j]], "grade": int(a.grade[j]), "rated_winner": bool(a.rated[j]), "year": int(a.year[j])}
            for j in np.flatnonzero(a.owner == i)
        ]  # fmt: skip
        out["epidemic"] = {k: c[k] for k in ("frontline", "hubei_aid", "designated_hospital", "commended_provincial")}
        if c["transferred_from"] >= 0:
            out["transferred_in"] = {"from": TRANSFER_FROM[c["transferred_from"]], "on": iso(c["transferred_on"]),
                                     "first_application": c["transfer_first_application"]}  # fmt: skip
        if c["postdoc"]:
            out["postdoc"] = {"foundation_grant": c["postdoc_funded"], "stays_in_enterprise": c["postdoc_stays"]}
        if c["high_skill"] >= 0:
            out["high_skill"] = {"level": HIGH_SKILL[c["high_skill"]], "obtained_on": iso(c["high_skill_on"])}
        if c["new_series"] >= 0:
            out["series_change"] = {"new_series": SERIES[c["new_series"]], "new_post_since": iso(c["new_post_since"])}
        out["introduced_high_level_talent"] = c["introduced_talent"]
        out["urgently_needed_talent"] = c["urgent_talent"]
        out["exceptional_used"] = c["exceptional_used"]
        listings = self.listings
        out["blacklisted"] = [{"listed_on": f"{int(listings.year[j])}-06-01"} for j in np.flatnonzero(listings.owner == i)]
        out["rural_service_years"] = c["rural_service_years"]
        return out


def _rows(kind, rows: list[tuple], dtypes: list) -> Records:
    names = [f.name for f in fields(kind)]
    if not rows:
        return kind(**{name: np.zeros(0, dtype=dt_) for name, dt_ in zip(names, dtypes)})
    columns = list(zip(*rows))
    return kind(**{name: np.array(col, dtype=dt_) for name, col, dt_ in zip(names, columns, dtypes)})
