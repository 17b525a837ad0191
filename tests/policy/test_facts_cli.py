"""Facts validation messages and the CLI's handling of invalid input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zhicheng.policy import FactsError, validate_facts
from zhicheng.policy.cases import load_cases

ROOT = Path(__file__).resolve().parents[2]
GOOD = next(c for c in load_cases() if c.id == "逐级-本科工程师申报副高").facts


def _broken(path: str, value):
    from zhicheng.policy.cases import set_path
    import copy

    facts = copy.deepcopy(GOOD)
    set_path(facts, path, value)
    return facts


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("employment.sector", "foo", "facts.employment.sector: 不是允许的取值 'foo'"),
        ("target.level", "senior", "facts.target.level: 不是允许的取值 'senior'"),
        ("titles[1].obtained_on", "2021-02-30", "facts.titles[1].obtained_on: 不是有效日期 '2021-02-30'（应为 YYYY-MM-DD）"),
        ("applied_on", "20210610", "facts.applied_on: 不是有效日期 '20210610'（应为 YYYY-MM-DD）"),
        ("year", "2021", "facts.year: 应为整数，实为 '2021'"),
        ("person", "__delete__", "facts.person: 缺少必填字段"),
        ("employment.colour", "red", "facts.employment.colour: 不允许的字段"),
        ("transferred_in", {"from": "army", "on": "2019-01-01"}, "facts.transferred_in.from: 不是允许的取值 'army'"),
        ("awards", [{"scope": "region", "grade": 4, "year": 2020}], "facts.awards[0].grade: 不得大于 3，实为 4"),
    ],
)
def test_error_names_the_field(path, value, message):
    with pytest.raises(FactsError) as info:
        validate_facts(_broken(path, value))
    assert str(info.value) == message


def test_valid_facts_pass():
    validate_facts(GOOD)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "zhicheng.cli", "eligibility", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip


def test_cli_invalid_facts_exit_2_nothing_on_stdout(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_broken("employment.sector", "foo")))
    done = _cli(path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"{path}: facts.employment.sector: 不是允许的取值 'foo'"


def test_cli_jsonl_names_the_line_and_prints_nothing(tmp_path):
    path = tmp_path / "many.jsonl"
    lines = [json.dumps(GOOD), json.dumps(GOOD), json.dumps(_broken("target.level", "x"))]
    path.write_text("\n".join(lines) + "\n")
    done = _cli("--jsonl", path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"{path}:第3行: facts.target.level: 不是允许的取值 'x'"


def test_cli_jsonl_writes_one_decision_per_line_in_order(tmp_path):
    blocked = _broken("person.civil_servant", True)
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(f) for f in [GOOD, blocked, GOOD]) + "\n")
    done = _cli("--jsonl", path)
    assert done.returncode == 0, done.stderr
    eligible = [json.loads(line)["eligible"] for line in done.stdout.splitlines()]
    assert eligible == [True, False, True]


def test_cli_bad_json_and_unknown_year(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json")
    done = _cli(path)
    assert done.returncode == 2 and done.stdout == "" and "不是有效的JSON" in done.stderr
    path.write_text(json.dumps(GOOD | {"year": 2030}))
    done = _cli(path)
    assert done.returncode == 2 and done.stdout == "" and "facts.year: 2030年没有适用的规则集" in done.stderr
