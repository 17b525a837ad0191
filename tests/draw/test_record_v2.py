"""Version 2 records: they round-trip, verify in another process and directory, and any field
changed is named; version 1 records and publications keep verifying and drawing."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zhicheng.draw.cli import main
from zhicheng.draw.draw import ALGORITHM, prepare
from zhicheng.draw.randomness import commitment, digest, seed_from_key, seed_key
from zhicheng.draw.record import RECORD_FORMAT, build_record, verify

from .test_rounding import CAPPED_SPEC, capped_pool

OFFICE = "0123456789abcdef" * 2
SUPERVISOR = "fedcba9876543210" * 2
PUBLIC = [3, 5, 8, 1, 0]
V1_RECORD = Path(__file__).parent / "data" / "record_v1.json"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prepared():
    return prepare(capped_pool(), CAPPED_SPEC)


@pytest.fixture(scope="module")
def record(prepared):
    reveals = {"office": OFFICE, "supervisor": SUPERVISOR}
    data = build_record(
        prepared,
        seed_from_key(seed_key(reveals, PUBLIC)),
        commitments={"office": commitment(OFFICE), "supervisor": commitment(SUPERVISOR)},
        reveals=reveals,
        public_source="体彩排列五2021100期",
        public_values=PUBLIC,
    )
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_version_2_record_round_trips_and_verifies(record):
    assert record["format"] == RECORD_FORMAT == "zhicheng-draw-record/2"
    assert record["publication"]["code"]["algorithm"] == ALGORITHM
    assert record["result"]["cells"]
    check = verify(record, record["publication_sha256"])
    assert check.ok, check.problems
    assert any("已证最优" in note for note in check.notes)


def test_version_2_record_verifies_in_another_process_and_directory(record, tmp_path):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="12345")
    done = subprocess.run(
        [sys.executable, "-m", "zhicheng.cli", "draw", "verify", str(path), "--publication", record["publication_sha256"]],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "复核通过" in done.stdout


def reseal(record):
    """Recompute the digests a forger would recompute after changing the publication."""
    record["publication"]["lottery_sha256"] = digest(record["publication"]["lottery"])
    record["publication_sha256"] = digest(record["publication"])


def move_tickets(record):
    compositions = record["publication"]["lottery"]["compositions"]
    compositions[1]["tickets"] += compositions[0]["tickets"] - 1
    compositions[0]["tickets"] = 1
    reseal(record)


def set_path(record, path, value):
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


CASES = [
    ("format", lambda r: r.update(format="zhicheng-draw-record/9"), "（format）"),
    ("extra field", lambda r: r.update(note="x"), "记录含有无法识别的字段：note"),
    ("publication_sha256", lambda r: r.update(publication_sha256="0" * 64), "公示内容与记录中的公示摘要不符"),
    ("publication", lambda r: r["publication"]["lottery"]["compositions"][0].update(tickets=1), "公示内容与记录中的公示摘要不符"),
    ("publication.format", lambda r: (r["publication"].update(format="x"), reseal(r)), "（publication.format）"),
    ("publication.code.algorithm", lambda r: (r["publication"]["code"].update(algorithm="zhicheng-draw/1"), reseal(r)),
     "记录使用的抽选算法版本为 zhicheng-draw/1"),
    ("publication.lottery_sha256", lambda r: (r["publication"].update(lottery_sha256="0" * 64),
                                              r.update(publication_sha256=digest(r["publication"]))),
     "抽签方案与公示的抽签方案摘要不符"),
    ("publication.lottery.types", lambda r: (r["publication"]["lottery"]["types"][0]["members"].reverse(), reseal(r)),
     "（publication.lottery.types）"),
    ("publication.lottery.employer_caps", lambda r: (r["publication"]["lottery"]["employer_caps"].update(U0=2), reseal(r)),
     "（publication.lottery.types）"),
    ("publication.lottery.compositions", move_tickets, "低于线性规划上界"),
    ("publication.excluded", lambda r: (r["publication"].update(excluded={"E00": ["x"]}), reseal(r)), "（publication.excluded）"),
    ("publication.commitments", lambda r: (r["publication"]["commitments"].update(office="1" * 64), reseal(r)),
     "评委会办事机构的揭示值与其事先公布的承诺不符"),
    ("publication.public_source", lambda r: (r["publication"].update(public_source="福彩"), reseal(r)), "公开开奖结果的名称"),
    ("pool", lambda r: r["pool"][2].update(employer="U99"), "专家 E02 与公示的摘要不符（已被改动）"),
    ("spec", lambda r: r["spec"].update(employer_cap=2), "参数 employer_cap 与公示的摘要不符（已被改动）"),
    ("reveals", lambda r: r["reveals"].update(supervisor="2" * 32), "纪检监察机构的揭示值与其事先公布的承诺不符"),
    ("public_result.values", lambda r: r["public_result"]["values"].append(9), "种子与揭示值、公开开奖结果推导出的种子不符"),
    ("public_result.name", lambda r: r["public_result"].update(name="福彩"), "公开开奖结果的名称“福彩”"),
    ("public_result", lambda r: r.update(public_result=None), "（public_result）"),
    ("seed.key", lambda r: r["seed"].update(key="x/"), "种子与揭示值、公开开奖结果推导出的种子不符"),
    ("seed.sha256", lambda r: r["seed"].update(sha256="00" * 32), "种子与揭示值、公开开奖结果推导出的种子不符"),
    ("seed.source", lambda r: r["seed"].update(source="direct"), "（seed.source）"),
    ("result.ticket", lambda r: r["result"].update(ticket=r["result"]["ticket"] + 1), "抽中的签号应为"),
    ("result.composition", lambda r: r["result"].update(composition=r["result"]["composition"] + 1), "（result.composition）"),
    ("result.cells", lambda r: r["result"]["cells"][0].__setitem__(2, r["result"]["cells"][0][2] + 1), "（result.cells）"),
    ("result.committee", lambda r: r["result"]["committee"].__setitem__(0, "E99"), "评委名单与重新抽选结果不同"),
    ("result.committee order", lambda r: r["result"]["committee"].reverse(), "（result.committee）"),
    ("result.reserves", lambda r: r["result"]["reserves"][0].update(description="x"), "候补名单与重新抽选结果不同"),
    ("result extra field", lambda r: r["result"].update(note=1), "抽选结果含有无法识别的字段"),
]


@pytest.mark.parametrize("field, change, message", CASES, ids=[c[0] for c in CASES])
def test_each_tampered_field_fails_and_is_named(record, field, change, message):
    tampered = copy.deepcopy(record)
    change(tampered)
    check = verify(tampered)
    assert not check.ok
    assert any(message in problem for problem in check.problems), check.problems


def v1_record():
    return json.loads(V1_RECORD.read_text(encoding="utf-8"))


def test_version_1_record_made_by_version_1_code_still_verifies():
    record = v1_record()
    assert record["format"] == "zhicheng-draw-record/1"
    check = verify(record, record["publication_sha256"])
    assert check.ok, check.problems
    record["result"]["committee"][0] = "E99999"
    assert any(p.startswith("评委名单与重新抽选结果不同") for p in verify(record).problems)


def test_version_1_publication_is_still_drawn_by_version_1(tmp_path, capsys):
    """A lottery published before version 2 is drawn after it exactly as version 1 did."""
    record = v1_record()
    paths = {}
    for name in ("pool", "spec", "publication"):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(record[name], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "record.json"
    secrets = record["reveals"]
    args = ["run", "--pool", str(paths["pool"]), "--spec", str(paths["spec"]), "--published", str(paths["publication"]),
            "--reveal", f"office={secrets['office']}", "--reveal", f"supervisor={secrets['supervisor']}",
            "--public-result", ",".join(map(str, record["public_result"]["values"])), "--record", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    assert json.loads(out.read_text(encoding="utf-8")) == record


def test_a_lottery_published_with_commitments_is_not_drawn_with_a_seed_given_directly(record, tmp_path, capsys):
    paths = {}
    for name in ("pool", "spec", "publication"):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(record[name], ensure_ascii=False), encoding="utf-8")
    args = ["run", "--pool", str(paths["pool"]), "--spec", str(paths["spec"]), "--published", str(paths["publication"]),
            "--seed", "01", "--record", str(tmp_path / "r.json")]
    assert main(args) == 2
    assert "种子须由揭示值得出" in capsys.readouterr().err
