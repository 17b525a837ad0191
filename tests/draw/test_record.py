"""A record re-verifies untouched and fails, naming why, when anything in it changes."""

import copy
import json

import pytest

from bench.draw_synthetic import synthetic_pool, synthetic_spec
from zhicheng.draw.draw import draw, prepare, publication, substitute
from zhicheng.draw.randomness import commitment, digest, seed_from_key, seed_key
from zhicheng.draw.record import build_record, verify

OFFICE = "0123456789abcdef" * 2
SUPERVISOR = "fedcba9876543210" * 2


@pytest.fixture(scope="module")
def prepared():
    spec = synthetic_spec(11, 2)
    spec["kind"] = "senior_by_specialty"
    return prepare(synthetic_pool(200, 7), spec)


@pytest.fixture(scope="module")
def record(prepared):
    commitments = {"office": commitment(OFFICE), "supervisor": commitment(SUPERVISOR)}
    reveals = {"office": OFFICE, "supervisor": SUPERVISOR}
    seed = seed_from_key(seed_key(reveals, [3, 5, 8, 1, 0]))
    data = build_record(
        prepared,
        seed,
        commitments=commitments,
        reveals=reveals,
        public_source="体彩排列五2021100期",
        public_values=[3, 5, 8, 1, 0],
    )
    # What is stored must survive a JSON round trip unchanged (no floats, no paths).
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_untouched_record_verifies(record):
    check = verify(record)
    assert check.ok, check.problems
    assert verify(record, record["publication_sha256"]).ok


def test_wrong_published_digest_fails(record):
    assert not verify(record, "0" * 64).ok


def altered(record, change):
    copy_ = copy.deepcopy(record)
    change(copy_)
    return verify(copy_).problems


def test_altered_pool_entry_is_named(record):
    def change(r):
        r["pool"][3]["name"] = "另一人"

    assert f"专家 {record['pool'][3]['id']} 与公示的摘要不符（已被改动）" in altered(record, change)


def test_removed_and_added_experts_are_named(record):
    def change(r):
        removed = r["pool"].pop(0)
        r["pool"].append(dict(removed, id="NEW"))

    problems = altered(record, change)
    assert f"专家 {record['pool'][0]['id']} 已公示但记录中缺失" in problems
    assert "专家 NEW 未经公示（公示后新增）" in problems


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("size", 13, "参数 size 与公示的摘要不符（已被改动）"),
        ("employer_cap", 3, "参数 employer_cap 与公示的摘要不符（已被改动）"),
        ("max_served_last_year", 5, "参数 max_served_last_year 未经公示（公示后新增）"),
    ],
)
def test_altered_parameter_is_named(record, key, value, message):
    def change(r):
        r["spec"][key] = value

    assert message in altered(record, change)


def test_altered_quota_is_named_by_category(record):
    def change(r):
        r["spec"]["quotas"]["grassroots"]["true"]["min"] = 2

    assert "参数 quotas.grassroots 与公示的摘要不符（已被改动）" in altered(record, change)


@pytest.mark.parametrize("party, label", [("office", "评委会办事机构"), ("supervisor", "纪检监察机构")])
def test_altered_reveal_is_named(record, party, label):
    def change(r):
        r["reveals"][party] = "1" * 32

    assert f"{label}的揭示值与其事先公布的承诺不符" in altered(record, change)


def test_altered_public_result_is_named(record):
    def change(r):
        r["public_result"]["values"][0] = 4

    assert "种子与揭示值、公开开奖结果推导出的种子不符（揭示值或开奖结果被改动）" in altered(record, change)


def test_altered_committee_is_named(record):
    def change(r):
        r["result"]["committee"][0] = "E99999"

    problems = altered(record, change)
    assert any(p.startswith("评委名单与重新抽选结果不同") and "E99999" in p for p in problems)


def test_altered_lottery_is_caught(record):
    def change(r):
        r["publication"]["lottery"]["compositions"][0]["tickets"] += 1

    problems = altered(record, change)
    assert "公示内容与记录中的公示摘要不符（公示内容被改动）" in problems


def test_draw_is_deterministic_and_reserves_share_the_type(prepared):
    first, second = draw(prepared, b"seed"), draw(prepared, b"seed")
    assert first.to_json() == second.to_json()
    assert draw(prepared, b"other").to_json() != first.to_json()
    type_of = prepared.structure.type_of()
    for group in first.reserves:
        assert all(type_of[m] == group["type"] for m in group["members"] + group["reserves"])


def test_decliner_is_replaced_by_own_type_reserve(prepared):
    result = draw(prepared, b"seed")
    group = next(g for g in result.reserves if g["reserves"])
    outcome = substitute(prepared, b"seed", result, [group["members"][0]])
    assert outcome["replacements"] == {group["members"][0]: group["reserves"][0]}
    counts = [0] * len(prepared.structure.types)
    type_of = prepared.structure.type_of()
    for member in outcome["committee"]:
        counts[type_of[member]] += 1
    assert not prepared.structure.violations(counts)


def test_publication_holds_no_floats(prepared):
    digest(publication(prepared, None, None))
