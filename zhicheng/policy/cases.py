"""The expert case table: YAML files a policy officer extends without Python.

A file has `templates` (named facts) and/or `cases`. A case starts `from` a template,
changes fields with `set` (paths like `target.level` or `titles[1].obtained_on`) and
states what it `expect`s. A case with `boundary` becomes two cases: the field on the day
the rule just holds, and on the day it just fails. See tests/policy/cases/README.md.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zhicheng.policy.evaluate import evaluate_applicant
from zhicheng.policy.facts import read_facts, validate_facts
from zhicheng.policy.ruleset import ruleset_for

class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans only: a key named `on` (transferred_in.on) stays the string 'on'."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "policy" / "cases"
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass
class Case:
    id: str
    note: str
    facts: dict
    expect: dict
    file: str
    outcome: dict[str, bool] = field(default_factory=dict)
    decision: dict = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """YAML reads 2015-12-31 as a date; facts carry ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def set_path(doc: dict, path: str, value: Any) -> None:
    steps = [name or int(index) for name, index in _STEP.findall(path)]
    node = doc
    for step in steps[:-1]:
        node = node[step]
    if value == "__delete__":
        del node[steps[-1]]
    else:
        node[steps[-1]] = _plain(value)


def load_cases(folder: Path | str = DEFAULT_DIR) -> list[Case]:
    folder = Path(folder)
    # _Loader is a SafeLoader (YAML 1.2 booleans only): no object is ever constructed from the file.
    docs = [(p, yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader) or {}) for p in sorted(folder.glob("*.yaml"))]  # nosec B506
    templates: dict[str, dict] = {}
    for path, doc in docs:
        for name, facts in (doc.get("templates") or {}).items():
            if name in templates:
                raise ValueError(f"{path.name}: 模板 {name} 重复")
            templates[name] = _plain(facts)
    cases: list[Case] = []
    for path, doc in docs:
        for raw in doc.get("cases") or ():
            base = raw.get("from")
            if base not in templates:
                raise ValueError(f"{path.name}: 案例 {raw.get('id')} 的模板 {base!r} 不存在")
            facts = copy.deepcopy(templates[base])
            for key, value in (raw.get("set") or {}).items():
                set_path(facts, key, value)
            expect = dict(raw.get("expect") or {})
            if "boundary" not in raw:
                cases.append(Case(raw["id"], raw.get("note", ""), facts, expect, path.name))
                continue
            b = raw["boundary"]
            for side in ("holds", "fails"):
                variant = copy.deepcopy(facts)
                set_path(variant, b["field"], b[f"{side}_on"])
                exp = dict(expect) if side == "holds" else {}
                exp[side] = [*exp.get(side, ()), b["rule"]]
                if b.get("route"):
                    key = "eligible_routes_include" if side == "holds" else "ineligible_routes"
                    exp[key] = [*exp.get(key, ()), b["route"]]
                when = _plain(b[f"{side}_on"])
                note = f"{raw.get('note', '')}（{b['field']} = {when}：{'恰好满足' if side == 'holds' else '差一天'}）"
                cases.append(Case(f"{raw['id']}@{side}", note, variant, exp, path.name))
    ids = [c.id for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"案例编号重复：{sorted(dupes)}")
    return cases


def check(case: Case) -> list[str]:
    """Run one case; the list of its failed expectations (empty when it passes)."""
    validate_facts(case.facts)
    rs = ruleset_for(case.facts["year"])
    case.decision, case.outcome = evaluate_applicant(read_facts(case.facts), rs)
    d, e, problems = case.decision, case.expect, []
    routes = d["eligible_routes"]
    blocks = [b["block"] for b in d["blocks"]]
    if "eligible" in e and d["eligible"] != e["eligible"]:
        problems.append(f"eligible 应为 {e['eligible']}，实为 {d['eligible']}")
    if "eligible_routes" in e and routes != e["eligible_routes"]:
        problems.append(f"eligible_routes 应为 {e['eligible_routes']}，实为 {routes}")
    for r in e.get("eligible_routes_include", ()):
        if r not in routes:
            problems.append(f"途径 {r} 应可申报，实为不可（可申报：{routes}）")
    for r in e.get("ineligible_routes", ()):
        if r in routes:
            problems.append(f"途径 {r} 应不可申报")
    if "blocks" in e and blocks != e["blocks"]:
        problems.append(f"blocks 应为 {e['blocks']}，实为 {blocks}")
    for b in e.get("clears", ()):
        if b in blocks:
            problems.append(f"不应触发阻断 {b}")
    for k, v in (e.get("conditions") or {}).items():
        if d["conditions"].get(k) != v:
            problems.append(f"conditions.{k} 应为 {v}，实为 {d['conditions'].get(k)}")
    for route, clause in (e.get("cite") or {}).items():
        r = next(x for x in d["routes"] if x["route"] == route)
        if r["clause"] != clause and all(f["clause"] != clause for f in r["findings"]):
            problems.append(f"途径 {route} 应引用 {clause}")
    for rule_id in e.get("holds", ()):
        if case.outcome.get(rule_id) is not True:
            problems.append(f"规则 {rule_id} 应成立，实为 {case.outcome.get(rule_id)}")
    for rule_id in e.get("fails", ()):
        if case.outcome.get(rule_id) is not False:
            problems.append(f"规则 {rule_id} 应不成立，实为 {case.outcome.get(rule_id)}")
    return problems
