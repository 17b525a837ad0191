"""Which rules the expert case table leaves unexercised.

A rule of the catalogue counts as exercised when some case makes it hold and some case
makes it fail (a modifier: some case where it applies; a condition's candidate: some case
where it is chosen). Every route must be eligible in some case and closed in another.

    python -m zhicheng.policy.coverage [--cases DIR]    (or: zhicheng eligibility --untested-report)

Exit code 0 when nothing is missing, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zhicheng.policy.cases import DEFAULT_DIR, check, load_cases
from zhicheng.policy.ruleset import Ruleset, ruleset_for


def untested(cases, rs: Ruleset) -> list[str]:
    """Lines 'rule id: what no case shows', for the rule set's catalogue."""
    seen: dict[str, set[bool]] = {}
    routes: dict[str, set[bool]] = {r: set() for r in rs.route_names()}
    for case in cases:
        if not case.outcome:
            check(case)
        for rule_id, holds in case.outcome.items():
            seen.setdefault(rule_id, set()).add(holds)
        for r in case.decision["routes"]:
            routes[r["route"]].add(r["eligible"])
    modifiers = {m for r in rs.routes for m in r.modifiers}
    missing = []
    for rule_id, meta in rs.rules.items():
        got = seen.get(rule_id, set())
        if rule_id in modifiers:
            if True not in got:
                missing.append(f"{rule_id}（{meta['clause']} {meta['name']}）：没有适用的案例")
        elif got != {True, False}:
            lack = "成立" if True not in got else "不成立"
            missing.append(f"{rule_id}（{meta['clause']} {meta['name']}）：没有使其{lack}的案例")
    for rule_id in rs.condition_rules():
        if True not in seen.get(rule_id, set()):
            missing.append(f"{rule_id}：没有选中此取值的案例")
    for route, got in routes.items():
        for value, word in ((True, "可申报"), (False, "不可申报")):
            if value not in got:
                missing.append(f"途径 {route}：没有{word}的案例")
    return missing


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m zhicheng.policy.coverage", description="列出专家案例表没有覆盖的规则。")
    p.add_argument("--cases", type=Path, default=DEFAULT_DIR, help="案例表目录")
    p.add_argument("--year", type=int, default=2021, help="规则集年度")
    args = p.parse_args(argv)
    if not args.cases.is_dir():
        print(f"案例表目录不存在：{args.cases}", file=sys.stderr)
        return 2
    cases = load_cases(args.cases)
    rs = ruleset_for(args.year)
    cases = [c for c in cases if c.facts["year"] == args.year]
    missing = untested(cases, rs)
    print(f"规则集 {rs.id}（{rs.version}）：{len(rs.rules) + len(rs.condition_rules())} 条规则，{len(cases)} 个案例")
    if missing:
        print(f"未被案例覆盖：{len(missing)} 项")
        for line in missing:
            print(f"  - {line}")
        return 1
    print("所有规则均有案例覆盖（成立与不成立两面），所有途径均有可申报与不可申报的案例。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
