"""The spot-check sample from its record alone (zhicheng/supervision/sampling.py, no Django): allocation, the
weighted draw, and verification naming each kind of tampering in Chinese."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections import Counter

import pytest

from zhicheng.draw.randomness import Stream, commitment, digest, seed_from_key
from zhicheng.supervision import sampling
from zhicheng.supervision.cli import main as cli_main

SECRETS = {"supervisor": "5e" * 32, "regional_hr_department": "c3" * 32}
PARTIES = ["supervisor", "regional_hr_department"]


def record_of(entries, *, rate=None, count=None, stratified=False, weighted=False, secrets=SECRETS):
    population = sampling.population_data(entries, stratified=stratified, weighted=weighted)
    publication = {
        "format": sampling.PUBLICATION_FORMAT,
        "campaign": {"reference": "SC2021-0001", "title": "测试", "kind": "declarations_accepted"},
        "sample": {"rate": rate, "count": count, "stratify": "committee" if stratified else None, "weighted": weighted},
        "population": sampling.population_hashes(population),
        "parties": PARTIES,
        "commitments": {p: commitment(s) for p, s in secrets.items()},
    }
    return sampling.build_record(publication, population, secrets)


def entries(n=60, strata=("C1", "C2", "C3"), weight=lambda i: 1):
    return [{"key": f"D{i:04d}", "stratum": strata[i % len(strata)], "weight": weight(i)} for i in range(n)]


def test_largest_remainder_allocation():
    # 10 seats over 7 + 2 + 1 = 10 items: exact; 5 over 7/2/1: quotas 3.5, 1.0, 0.5 -> 3 + 1 + 0, one left to the
    # largest remainder (C1 0.5 ties C3 0.5: the stratum whose key sorts first).
    assert sampling.allocate(10, {"C1": 7, "C2": 2, "C3": 1}) == {"C1": 7, "C2": 2, "C3": 1}
    assert sampling.allocate(5, {"C1": 7, "C2": 2, "C3": 1}) == {"C1": 4, "C2": 1, "C3": 0}
    assert sampling.allocate(4, {"A": 5, "B": 5, "C": 5}) == {"A": 2, "B": 1, "C": 1}
    assert sum(sampling.allocate(17, {"X": 33, "Y": 21, "Z": 8, "W": 1}).values()) == 17
    assert sampling.sample_size(41, 10, None) == 5  # ⌈4.1⌉
    assert sampling.sample_size(41, None, 50) == 41


def test_stratified_sample_takes_each_stratums_share_from_its_own_stream():
    record = record_of(entries(60, strata=("C1", "C1", "C2")), rate=10, stratified=True)
    sample = record["sample"]
    assert sample["size"] == 6 and sample["allocation"] == {"C1": 4, "C2": 2}
    strata = record["population"]["strata"]
    assert Counter(strata[k] for k in sample["items"]) == {"C1": 4, "C2": 2}
    # The C2 stratum's items are the first two of a shuffle of its sorted keys with the stream labelled stratum/C2.
    seed = seed_from_key("".join(SECRETS[p] + "/" for p in PARTIES))
    c2 = sorted(k for k, s in strata.items() if s == "C2")
    assert sample["items"][4:] == Stream(seed, "stratum/C2").shuffle(c2)[:2]
    assert sampling.verify(record).ok


def test_weighted_sampling_favours_heavy_items_and_reverifies():
    heavy = {f"D{i:04d}" for i in range(0, 40, 8)}  # 5 of 40 weigh 10, the others 1
    picks = Counter()
    for round_ in range(60):
        secrets = {"supervisor": f"{round_:032x}", "regional_hr_department": "c3" * 32}
        record = record_of(entries(40, weight=lambda i: 10 if i % 8 == 0 else 1), count=5, weighted=True, secrets=secrets)
        assert len(set(record["sample"]["items"])) == 5
        picks.update(record["sample"]["items"])
    check = sampling.verify(record)
    assert check.ok, check.problems
    assert "按风险权重" in check.notes[0]
    heavy_share = sum(picks[k] for k in heavy) / sum(picks.values())
    assert heavy_share > 0.4  # uniform would give 5/40 = 0.125; weights 50 of 85 give about 0.6 on the first pick


def test_weights_must_be_integers():
    with pytest.raises(ValueError):
        digest({"D1": 1.5})
    record = record_of(entries(10), count=2, weighted=True)
    record["population"]["weights"]["D0001"] = 0
    assert any("不小于1的整数" in p for p in sampling.verify(record).problems)


def tamper(record, how):
    bad = copy.deepcopy(record)
    how(bad)
    return sampling.verify(bad).problems


@pytest.fixture(scope="module")
def record():
    return record_of(entries(60, weight=lambda i: 1 + i % 3), rate=10, stratified=True, weighted=True)


def test_tampering_of_each_kind_is_named(record):
    assert sampling.verify(record).ok
    some = record["sample"]["items"][0]
    other = next(k for k in record["population"]["keys"] if k not in record["sample"]["items"])

    def drop(r):  # an item taken out of the population after the freeze
        key = r["population"]["keys"].pop(3)
        del r["population"]["strata"][key], r["population"]["weights"][key]
    assert any("总体被增删" in p for p in tamper(record, drop))
    assert any("population.keys" in p for p in tamper(record, drop))

    def reweigh(r):
        r["population"]["weights"][some] += 5
    assert tamper(record, reweigh) == ["风险权重与公示的摘要不符（风险权重被改动，population.weights）"]

    def restratify(r):
        r["population"]["strata"][some] = "C9"
    assert tamper(record, restratify) == ["分层与公示的摘要不符（分层被改动，population.strata）"]

    def reveal(r):
        r["reveals"]["supervisor"] = "ab" * 32
    assert tamper(record, reveal) == ["纪检监察机构的揭示值与其事先公布的承诺不符（reveals.supervisor）"]

    def swap(r):
        r["sample"]["items"][0] = other
    problems = tamper(record, swap)
    assert len(problems) == 1 and f"应抽中而记录中没有 {some}" in problems[0] and f"记录中多出 {other}" in problems[0]

    def reorder(r):
        r["sample"]["items"].reverse()
    assert tamper(record, reorder) == ["样本的抽取顺序与重新抽取的结果不同（sample.items）"]

    def republish(r):  # the published rate changed: the publication no longer matches its digest
        r["publication"]["sample"]["rate"] = 20
    assert "公示内容与记录中的公示摘要不符（公示内容被改动）" in tamper(record, republish)

    def reseed(r):
        r["seed"]["sha256"] = "0" * 64
    assert tamper(record, reseed) == ["种子与揭示值推导出的种子不符（seed）"]

    assert any("与公开发布的" in p for p in sampling.verify(record, "f" * 64).problems)


def test_the_cli_verifies_a_record_in_another_directory(record, tmp_path, capsys, monkeypatch):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    bad = copy.deepcopy(record)
    bad["population"]["weights"][bad["population"]["keys"][0]] += 1
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "zhicheng.cli", "spotcheck", "verify", "record.json", "--publication",
                           record["publication_sha256"]], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "复核通过" in done.stdout
    monkeypatch.chdir(tmp_path)
    assert cli_main(["verify", "bad.json"]) == 1
    assert "风险权重与公示的摘要不符" in capsys.readouterr().err
    assert cli_main(["verify", "missing.json"]) == 2
