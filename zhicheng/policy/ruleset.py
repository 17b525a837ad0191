"""Dated, layered rule sets: one YAML file per notice.

A rule set names its notice, the review year it governs and the date it takes effect.
Its parameters are leaves `{value, clause, source}`; a later notice's file `extends` an
earlier one and replaces named parameters under `overrides`, each with its own citation.
Naming a parameter the base does not have is an error, so an override cannot silently
miss its target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zhicheng.policy.codes import LEVELS

PACKAGE_RULESETS = Path(__file__).with_name("rulesets")
DEFAULT_SOURCE = "内人社办发〔2021〕81号"
# The series whose national standard the regular table is (reading 2 of the contract, policy/README.md).
REGULAR_TABLE_SERIES = "engineering"


class RulesetError(ValueError):
    """A rule-set file is malformed or overrides something that does not exist."""


class NoRulesetError(LookupError):
    """No rule set governs the requested review year."""


@dataclass(frozen=True)
class Param:
    value: Any
    clause: str
    source: str | None


@dataclass(frozen=True)
class Route:
    route: str
    clause: str
    requires: tuple[str, ...]
    modifiers: tuple[str, ...] = ()
    waives: tuple[str, ...] = ()
    manual_review: bool = False


@dataclass(frozen=True)
class Candidate:
    field: str
    value: str
    clause: str
    when: Any
    overrides: tuple[str, ...]

    @property
    def rule(self) -> str:
        return f"conditions.{self.field}.{self.value}"


@dataclass
class Ruleset:
    id: str
    version: str
    notice: str
    title: str
    issued_on: dt.date
    effective_from: dt.date
    review_year: int
    params: dict[str, Param]
    routes: tuple[Route, ...]
    route_groups: dict[str, tuple[str, ...]]
    block_order: tuple[str, ...]
    conditions: dict[str, tuple[Candidate, ...]]
    rules: dict[str, dict[str, str]]
    extends: str | None = None
    overridden: dict[str, Param] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cutoff = self._cutoff()
        self.deadline = self._deadline()
        self._check_references()

    def p(self, path: str) -> Any:
        try:
            return self.params[path].value
        except KeyError:
            raise RulesetError(f"{self.id}: 没有参数 {path}") from None

    def clause(self, rule_id: str) -> str:
        return self.rules[rule_id]["clause"]

    def route(self, name: str) -> Route:
        for route in self.routes:
            if route.route == name:
                return route
        raise KeyError(name)

    def route_names(self) -> tuple[str, ...]:
        return tuple(r.route for r in self.routes)

    def routes_in(self, spec: str | list[str]) -> tuple[str, ...]:
        """A `best_route_in` argument: a group name or a list of routes."""
        if isinstance(spec, str):
            return self.route_groups[spec]
        return tuple(spec)

    def condition_rules(self) -> list[str]:
        return [c.rule for cands in self.conditions.values() for c in cands]

    def table_entry(self, series: str, target_level: str, degree: str) -> dict | None:
        """The regular table's entry: the series' own table where it has one (reading 2)."""
        tables = self.p("series_tables")
        table = tables.get(series) or self.p("regular_table")
        return (table.get(target_level) or {}).get(degree)

    def table_source(self, series: str) -> str:
        if series in self.p("series_tables"):
            return self.params["series_tables"].source or f"{series}系列评审条件"
        source = self.params["regular_table"].source or DEFAULT_SOURCE
        # Reading 2: the national engineering standard stands in for a series without its own table; a health or
        # economics finding citing it bare read as a mistake to those who checked it.
        return source if series == REGULAR_TABLE_SERIES else f"{source}（本系列评审条件表出台前参照执行）"

    def _cutoff(self) -> dt.date:
        c = self.p("seniority_cutoff")
        return dt.date(self.review_year - c["years_before_review"], c["month"], c["day"])

    def _deadline(self) -> dt.date:
        d = self.p("declaration_deadline")
        return dt.date(self.review_year, d["month"], d["day"])

    def _check_references(self) -> None:
        names = set(self.route_names())
        for route in self.routes:
            for rule_id in (*route.requires, *route.modifiers, *route.waives):
                if rule_id not in self.rules:
                    raise RulesetError(f"{self.id}: 途径 {route.route} 引用了未定义的规则 {rule_id}")
        for group, members in self.route_groups.items():
            if not set(members) <= names:
                raise RulesetError(f"{self.id}: 途径组 {group} 含未知途径")
        for block in self.block_order:
            if f"block.{block}" not in self.rules:
                raise RulesetError(f"{self.id}: 未定义阻断规则 block.{block}")
        for fld, cands in self.conditions.items():
            values = {c.value for c in cands}
            for c in cands:
                if not set(c.overrides) <= values:
                    raise RulesetError(f"{self.id}: 条件 {fld}.{c.value} 覆盖了未知取值")
            if cands[-1].when != "always":
                raise RulesetError(f"{self.id}: 条件 {fld} 的最后一项须为 always（缺省值）")
        for level in self.p("regular_table"):
            if level not in LEVELS:
                raise RulesetError(f"{self.id}: regular_table 含未知级别 {level}")


def _flatten(node: dict, prefix: str = "") -> dict[str, Param]:
    out: dict[str, Param] = {}
    for key, sub in node.items():
        path = f"{prefix}{key}"
        if not isinstance(sub, dict):
            raise RulesetError(f"参数 {path} 须为 {{value, clause}}")
        if "value" in sub:
            if "clause" not in sub:
                raise RulesetError(f"参数 {path} 缺少 clause（出处条款）")
            out[path] = Param(sub["value"], str(sub["clause"]), sub.get("source"))
        else:
            out.update(_flatten(sub, path + "."))
    return out


def _parse_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _build(doc: dict, base: Ruleset | None) -> Ruleset:
    if base is None:
        params = _flatten(doc.get("parameters") or {})
        routes = tuple(
            Route(
                route=r["route"],
                clause=r["clause"],
                requires=tuple(r["requires"]),
                modifiers=tuple(r.get("modifiers", ())),
                waives=tuple(r.get("waives", ())),
                manual_review=bool(r.get("manual_review", False)),
            )
            for r in doc["routes"]
        )
        conditions = {
            fld: tuple(
                Candidate(fld, c["value"], c["clause"], c["when"], tuple(c.get("overrides", ())))
                for c in cands
            )
            for fld, cands in doc["conditions"].items()
        }
        groups = {k: tuple(v) for k, v in (doc.get("route_groups") or {}).items()}
        block_order = tuple(doc["blocks"]["order"])
        rules = dict(doc["rules"])
        overridden: dict[str, Param] = {}
    else:
        params = dict(base.params)
        routes, conditions, groups = base.routes, base.conditions, base.route_groups
        block_order, rules = base.block_order, base.rules
        overridden = {}
        for path, sub in (doc.get("overrides") or {}).items():
            if path not in params:
                raise RulesetError(f"{doc['id']}: 覆盖的参数 {path} 在 {base.id} 中不存在")
            if not isinstance(sub, dict) or "value" not in sub or "clause" not in sub:
                raise RulesetError(f"{doc['id']}: 覆盖参数 {path} 须写明 value 和 clause")
            param = Param(sub["value"], str(sub["clause"]), sub.get("source") or doc["notice"])
            params[path] = overridden[path] = param
        if doc.get("parameters"):
            raise RulesetError(f"{doc['id']}: 继承的规则集只能用 overrides 改参数")
    return Ruleset(
        id=doc["id"],
        version=str(doc["version"]),
        notice=doc["notice"],
        title=doc.get("title", ""),
        issued_on=_parse_date(doc["issued_on"]),
        effective_from=_parse_date(doc["effective_from"]),
        review_year=int(doc["review_year"]),
        params=params,
        routes=routes,
        route_groups=groups,
        block_order=block_order,
        conditions=conditions,
        rules=rules,
        extends=doc.get("extends"),
        overridden=overridden,
    )


class Registry:
    """The rule sets found in some folders; the package's own folder by default."""

    def __init__(self, *folders: Path | str):
        self.folders = [Path(f) for f in folders] or [PACKAGE_RULESETS]
        self._docs: dict[str, dict] = {}
        for folder in self.folders:
            for path in sorted(folder.glob("*.yaml")):
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
                if doc["id"] in self._docs:
                    raise RulesetError(f"规则集 {doc['id']} 重复定义（{path}）")
                self._docs[doc["id"]] = doc
        self._built: dict[str, Ruleset] = {}

    def get(self, ruleset_id: str, _seen: tuple[str, ...] = ()) -> Ruleset:
        if ruleset_id in self._built:
            return self._built[ruleset_id]
        if ruleset_id in _seen:
            raise RulesetError(f"规则集继承成环：{' → '.join((*_seen, ruleset_id))}")
        try:
            doc = self._docs[ruleset_id]
        except KeyError:
            raise RulesetError(f"未找到规则集 {ruleset_id}") from None
        base = self.get(doc["extends"], (*_seen, ruleset_id)) if doc.get("extends") else None
        if base is not None and _parse_date(doc["effective_from"]) <= base.effective_from:
            raise RulesetError(f"{ruleset_id} 的生效日期须晚于所继承的 {base.id}")
        built = self._built[ruleset_id] = _build(doc, base)
        return built

    def all(self) -> list[Ruleset]:
        return [self.get(i) for i in self._docs]

    def for_year(self, year: int) -> Ruleset:
        found = [rs for rs in self.all() if rs.review_year == year]
        if not found:
            years = sorted(rs.review_year for rs in self.all())
            raise NoRulesetError(f"{year}年没有适用的规则集（已有年度：{'、'.join(map(str, years))}）")
        # Two notices for one year: the later-effective one governs.
        return max(found, key=lambda rs: rs.effective_from)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return Registry()


def ruleset_for(year: int, registry: Registry | None = None) -> Ruleset:
    """The rule set governing review `year`; NoRulesetError when there is none."""
    return (registry or default_registry()).for_year(int(year))
