"""One applicant's facts: checked against facts.schema.json, then read into plain values."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from zhicheng.policy.codes import DEGREE_RANK, LEVEL_RANK

SCHEMA_DIR = Path(__file__).with_name("schema")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FactsError(ValueError):
    """Facts that do not meet the contract; `path` names the field, e.g. facts.target.level."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "facts.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _without_defaults(node: Any) -> Any:
    """The schema for fastjsonschema: without `default`, which it would write into the facts."""
    if isinstance(node, dict):
        return {k: _without_defaults(v) for k, v in node.items() if k != "default"}
    if isinstance(node, list):
        return [_without_defaults(v) for v in node]
    return node


@lru_cache(maxsize=1)
def _fast_check():
    """A compiled validator for the common case of valid facts; the schema uses nothing
    beyond draft-07, which fastjsonschema compiles. jsonschema stays the reference: it
    finds and names the offending field when this one rejects."""
    schema = _without_defaults(_validator().schema)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema, use_formats=False)


def _path(parts) -> str:
    out = "facts"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


_TYPES_ZH = {
    "object": "对象",
    "array": "数组",
    "string": "字符串",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔值",
    "null": "null",
}


def _message(error: jsonschema.ValidationError) -> tuple[str, str]:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "enum":
        return _path(path), f"不是允许的取值 {error.instance!r}"
    if kind == "required":
        missing = error.message.split("'")[1]
        return _path([*path, missing]), "缺少必填字段"
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _path([*path, extra[0]]), "不允许的字段"
    if kind == "type":
        expected = error.validator_value
        names = "或".join(_TYPES_ZH.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        return _path(path), f"应为{names}，实为 {error.instance!r}"
    if kind in {"minimum", "maximum"}:
        op = "不得小于" if kind == "minimum" else "不得大于"
        return _path(path), f"{op} {error.validator_value}，实为 {error.instance!r}"
    if kind == "anyOf":
        # Report the branch of the instance's own type (an object against the object
        # branch), not the "should be null" of the other branch.
        relevant = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
        deepest = jsonschema.exceptions.best_match(relevant or error.context)
        return _message(deepest) if deepest is not None else (_path(path), "取值不符合要求")
    return _path(path), error.message


def _check_dates(node: Any, schema: dict, path: list) -> None:
    """Format 'date' is asserted here: jsonschema treats formats as annotations."""
    if isinstance(node, dict):
        props = schema.get("properties", {})
        for k, v in node.items():
            if k in props:
                _check_dates(v, props[k], [*path, k])
    elif isinstance(node, list):
        items = schema.get("items", {})
        for i, v in enumerate(node):
            _check_dates(v, items, [*path, i])
    elif isinstance(node, str):
        formats = [schema.get("format")] + [s.get("format") for s in schema.get("anyOf", ())]
        if "date" in formats:
            try:
                if not _DATE.match(node):
                    raise ValueError
                dt.date.fromisoformat(node)
            except ValueError:
                raise FactsError(_path(path), f"不是有效日期 {node!r}（应为 YYYY-MM-DD）") from None
    if isinstance(node, dict) and "anyOf" in schema:
        for sub in schema["anyOf"]:
            if sub.get("type") == "object":
                _check_dates(node, sub, path)


def validate_facts(facts: Any) -> None:
    """Raise FactsError naming the first offending field; return None when the facts are valid."""
    if not isinstance(facts, dict):
        raise FactsError("facts", f"应为对象，实为 {type(facts).__name__}")
    validator = _validator()
    try:
        _fast_check()(facts)
    except fastjsonschema.JsonSchemaException:
        errors = sorted(validator.iter_errors(facts), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
        if errors:
            raise FactsError(*_message(errors[0])) from None
    _check_dates(facts, validator.schema, [])


def _date(s: str | None) -> dt.date | None:
    return None if s is None else dt.date.fromisoformat(s)


@dataclass(slots=True)
class Education:
    rank: int
    full_time: bool
    graduated_on: dt.date
    related_major: bool


@dataclass(slots=True)
class Work:
    start: dt.date
    end: dt.date | None
    professional: bool
    series: str | None
    unit_level: str | None
    sector: str | None


@dataclass(slots=True)
class Title:
    series: str
    level: int
    obtained_on: dt.date
    via: str


@dataclass(slots=True)
class Applicant:
    """The facts with defaults filled in and dates parsed; titles include qualifications (五（十）)."""

    year: int
    applied_on: dt.date
    series: str
    level: int
    nationality: str
    foreign_permit: str | None
    civil_servant: bool
    retired: bool
    in_region: bool
    relation: str
    sector: str
    unit_level: str
    post_management: bool
    central_unit: bool
    entrusted: bool
    education: list[Education]
    work: list[Work]
    titles: list[Title]
    honours: list[tuple[str, int]]
    awards: list[tuple[str, int, bool, int]]
    frontline: bool
    hubei_aid: bool
    designated_hospital: bool
    commended_provincial: bool
    transferred_from: str | None
    transferred_on: dt.date | None
    transfer_first_application: bool
    postdoc: bool
    postdoc_funded: bool
    postdoc_stays: bool
    high_skill: str | None
    high_skill_on: dt.date | None
    new_series: str | None
    new_post_since: dt.date | None
    introduced_talent: bool
    urgent_talent: bool
    exceptional_used: bool
    blacklist_years: list[int]
    rural_service_years: float


def read_facts(facts: dict) -> Applicant:
    """Read valid facts (see validate_facts) into an Applicant."""
    person = facts["person"]
    emp = facts["employment"]
    epi = facts.get("epidemic") or {}
    tr = facts.get("transferred_in")
    pd = facts.get("postdoc")
    hs = facts.get("high_skill")
    sc = facts.get("series_change")
    titles = [
        Title(t["series"], LEVEL_RANK[t["level"]], _date(t["obtained_on"]), t.get("via", "review"))
        for t in facts["titles"]
    ]
    titles += [
        Title(q["series"], LEVEL_RANK[q["level"]], _date(q["obtained_on"]), "qualification")
        for q in facts.get("qualifications", ())
        if q.get("series") and q.get("level")
    ]
    return Applicant(
        year=facts["year"],
        applied_on=_date(facts["applied_on"]),
        series=facts["target"]["series"],
        level=LEVEL_RANK[facts["target"]["level"]],
        nationality=person.get("nationality", "CN"),
        foreign_permit=person.get("foreign_permit"),
        civil_servant=person.get("civil_servant", False),
        retired=person.get("retired", False),
        in_region=emp.get("in_region", True),
        relation=emp.get("relation", "labor_contract"),
        sector=emp["sector"],
        unit_level=emp["unit_level"],
        post_management=emp.get("post_management", False),
        central_unit=emp.get("central_or_out_of_region_unit", False),
        entrusted=emp.get("entrusted", False),
        education=[
            Education(DEGREE_RANK[e["level"]], e.get("full_time", True), _date(e["graduated_on"]), e.get("related_major", True))
            for e in facts["education"]
        ],
        work=[
            Work(_date(w["from"]), _date(w.get("to")), w.get("professional", True), w.get("series"), w.get("unit_level"), w.get("sector"))
            for w in facts["work"]
        ],
        titles=titles,
        honours=[(h["code"], h["year"]) for h in facts.get("honours", ())],
        awards=[(a["scope"], a["grade"], a.get("rated_winner", True), a["year"]) for a in facts.get("awards", ())],
        frontline=epi.get("frontline", False),
        hubei_aid=epi.get("hubei_aid", False),
        designated_hospital=epi.get("designated_hospital", False),
        commended_provincial=epi.get("commended_provincial", False),
        transferred_from=tr["from"] if tr else None,
        transferred_on=_date(tr["on"]) if tr else None,
        transfer_first_application=tr.get("first_application", True) if tr else False,
        postdoc=pd is not None,
        postdoc_funded=bool(pd) and (pd.get("foundation_grant", False) or pd.get("leads_provincial_project", False)),
        postdoc_stays=bool(pd) and pd.get("stays_in_enterprise", False),
        high_skill=hs["level"] if hs else None,
        high_skill_on=_date(hs["obtained_on"]) if hs else None,
        new_series=sc["new_series"] if sc else None,
        new_post_since=_date(sc["new_post_since"]) if sc else None,
        introduced_talent=facts.get("introduced_high_level_talent", False),
        urgent_talent=facts.get("urgently_needed_talent", False),
        exceptional_used=facts.get("exceptional_used", False),
        blacklist_years=[_date(b["listed_on"]).year for b in facts.get("blacklisted", ())],
        rural_service_years=float(facts.get("rural_service_years", 0)),
    )
