"""The expert case table (tests/policy/cases/*.yaml) and the worked examples of the contract."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from zhicheng.policy import evaluate, ruleset_for
from zhicheng.policy.cases import check, load_cases
from zhicheng.policy.coverage import untested

CASES = load_cases()
RS = ruleset_for(2021)
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = Path("/work/shared/policy/examples")
if not EXAMPLES.is_dir():  # CI lays shared/ beside the clone
    EXAMPLES = ROOT.parent / "shared" / "policy" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.facts.json"))
DECISION_SCHEMA = json.loads((ROOT / "zhicheng/policy/schema/decision.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case):
    problems = check(case)
    assert not problems, f"{case.file} {case.id}（{case.note}）：" + "；".join(problems)
    jsonschema.validate(case.decision, DECISION_SCHEMA)


def test_every_route_and_block_has_an_eligible_and_an_ineligible_case():
    eligible, ineligible, blocked, cleared = set(), set(), set(), set()
    for c in CASES:
        e = c.expect
        eligible |= set(e.get("eligible_routes", ())) | set(e.get("eligible_routes_include", ()))
        ineligible |= set(e.get("ineligible_routes", ()))
        if e.get("eligible") is False:
            blocked |= set(e.get("blocks", ()))
        if e.get("eligible") is True:
            cleared |= set(e.get("clears", ()))
    routes, blocks = set(RS.route_names()), set(RS.block_order)
    assert routes - eligible == set(), "没有可申报案例的途径"
    assert routes - ineligible == set(), "没有不可申报案例的途径"
    assert blocks - blocked == set(), "没有触发案例的阻断"
    assert blocks - cleared == set(), "没有未触发且可申报案例的阻断"


def test_untested_rule_report_is_empty():
    assert untested(CASES, RS) == []


def test_untested_rule_report_names_what_is_missing():
    only_regular = [c for c in load_cases() if c.id == "逐级-本科工程师申报副高"]
    missing = untested(only_regular, RS)
    assert any(line.startswith("regular.seniority") for line in missing)
    assert any("途径 green_channel：没有可申报的案例" in line for line in missing)


def test_untested_report_command():
    done = subprocess.run(
        [sys.executable, "-m", "zhicheng.cli", "eligibility", "--untested-report"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "所有规则均有案例覆盖" in done.stdout


def _cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "zhicheng.cli", "eligibility", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, input=stdin, check=False,
    )  # fmt: skip


def _assert_expected(decision: dict, expected: dict, name: str):
    assert decision["eligible"] == expected["eligible"], name
    if "blocks" in expected:
        assert [b["block"] for b in decision["blocks"]] == expected["blocks"], name
    if "eligible_routes" in expected:
        assert decision["eligible_routes"] == expected["eligible_routes"], name
    for route in expected.get("ineligible_routes", ()):
        assert route not in decision["eligible_routes"], name
    for route, clause in expected.get("cite", {}).items():
        found = next(r for r in decision["routes"] if r["route"] == route)
        assert found["clause"] == clause or any(f["clause"] == clause for f in found["findings"]), name
    for key, value in expected.get("conditions", {}).items():
        assert decision["conditions"][key] == value, (name, key)


def test_the_worked_examples_are_there():
    """Without them the example tests below would not run at all; that must not pass quietly."""
    assert len(EXAMPLE_FILES) >= 12, f"worked examples of the eligibility contract not found in {EXAMPLES}"


@pytest.mark.parametrize("facts_file", EXAMPLE_FILES, ids=[p.name.split(".")[0] for p in EXAMPLE_FILES])
def test_worked_example_through_cli(facts_file):
    expected = json.loads(facts_file.with_name(facts_file.name.replace(".facts.", ".expected.")).read_text())
    done = _cli(facts_file)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    decision = json.loads(done.stdout)
    jsonschema.validate(decision, DECISION_SCHEMA)
    _assert_expected(decision, expected, facts_file.name)
    assert decision["ruleset"] == "nmg-2021-81"


def test_worked_examples_through_cli_jsonl(tmp_path):
    lines = [json.dumps(json.loads(p.read_text())) for p in EXAMPLE_FILES]
    path = tmp_path / "all.jsonl"
    path.write_text("\n".join(lines) + "\n")
    done = _cli("--jsonl", path)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert len(out) == len(EXAMPLE_FILES)
    for line, p in zip(out, EXAMPLE_FILES):
        expected = json.loads(p.with_name(p.name.replace(".facts.", ".expected.")).read_text())
        _assert_expected(json.loads(line), expected, p.name)


def test_findings_say_what_is_missing():
    case = next(c for c in CASES if c.id == "临界-本科中级满5年申报副高@fails")
    decision = evaluate(case.facts)
    regular = decision["routes"][0]
    seniority = next(f for f in regular["findings"] if f["rule"] == "regular.seniority")
    assert seniority["holds"] is False
    assert seniority["clause"] == "三（一）"
    assert seniority["source"] == "国家工程技术人才职称评价基本标准"
    assert "任中级职称满4年11个月" in seniority["text"] and "需满5年" in seniority["text"]
    assert "还差1个月" in seniority["text"] and "2021年1月1日满5年" in seniority["text"]


def test_a_series_without_its_own_table_cites_the_engineering_standard_as_a_stand_in():
    """Reading 2: the national engineering standard serves every series until it has its own table; a health
    declaration's finding says so rather than citing the engineering standard bare."""
    from zhicheng.policy.ruleset import ruleset_for

    rs = ruleset_for(2021)
    assert rs.table_source("engineering") == "国家工程技术人才职称评价基本标准"
    assert rs.table_source("health") == "国家工程技术人才职称评价基本标准（本系列评审条件表出台前参照执行）"
