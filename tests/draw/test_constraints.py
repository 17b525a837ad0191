"""Every constraint holds in every composition, and each conflict is named in Chinese."""

import pytest

from zhicheng.draw.draw import NoFeasibleCommittee, draw, prepare

from .conftest import expert, spec


def committee_of(pool, spec_data, seed=b"\x01"):
    prepared = prepare(pool, spec_data)
    return prepared, [e for e in pool if e["id"] in draw(prepared, seed).committee]


def all_compositions_satisfy(prepared):
    return all(not prepared.structure.violations(list(c)) for c in prepared.lottery.compositions)


def test_quota_min_and_max(small_pool):
    quotas = {"specialty_group": {"土木": {"max": 1}, "电气": {"min": 1}}}
    prepared, members = committee_of(small_pool, spec(quotas=quotas))
    assert all_compositions_satisfy(prepared)
    for seed in range(20):
        chosen = set(draw(prepared, bytes([seed])).committee)
        groups = [e["attributes"]["specialty_group"] for e in small_pool if e["id"] in chosen]
        assert groups.count("土木") <= 1 and groups.count("电气") >= 1


def test_boolean_quota(small_pool):
    prepared, _ = committee_of(small_pool, spec(quotas={"grassroots": {"true": {"min": 2}}}))
    for seed in range(20):
        chosen = set(draw(prepared, bytes([seed])).committee)
        assert sum(e["attributes"]["grassroots"] for e in small_pool if e["id"] in chosen) >= 2


def test_rotation_keeps_a_third_new(small_pool):
    prepared, _ = committee_of(small_pool, spec(max_served_last_year=0))
    served = {e["id"] for e in small_pool if 2020 in e["served"]["C1"]}
    for seed in range(20):
        assert not served & set(draw(prepared, bytes([seed])).committee)


def test_employer_cap(small_pool):
    pool = [dict(e, employer="U1") if e["id"].startswith("A") else e for e in small_pool]
    prepared, _ = committee_of(pool, spec(employer_cap=1))
    for seed in range(30):
        chosen = draw(prepared, bytes([seed])).committee
        assert sum(1 for m in chosen if m.startswith("A")) <= 1


@pytest.mark.parametrize(
    "fields, messages",
    [
        (
            {"quotas": {"specialty_group": {"土木": {"min": 5}}}},
            ["专业组“土木”至少需要5人，但可抽选专家仅4人"],
        ),
        ({"size": 11}, ["评委会需要11人，但可抽选专家仅9人"]),
        (
            {"quotas": {"grassroots": {"true": {"min": 2}}, "specialty_group": {"机械": {"max": 0}, "土木": {"max": 0}}}},
            [
                "以下条件不能同时满足（放宽其中任何一条即可消除这一冲突）：",
                "专业组“土木”至多0人（可抽选专家4人）",
                "专业组“机械”至多0人（可抽选专家3人）",
                "基层一线专家至少2人（可抽选专家3人）",
            ],
        ),
        (
            {"max_served_last_year": 0, "quotas": {"specialty_group": {"电气": {"min": 2}}}},
            [
                "以下条件不能同时满足（放宽其中任何一条即可消除这一冲突）：",
                "专业组“电气”至少2人（可抽选专家2人）",
                "上年度已任评委至多0人，即至少三分之一轮换（可抽选专家中上年度已任评委3人）",
            ],
        ),
        (
            {"employer_cap": 1, "quotas": {"specialty_group": {"土木": {"min": 3}}}},
            None,
        ),
    ],
)
def test_conflicts_are_named_and_nothing_is_drawn(small_pool, fields, messages):
    pool = small_pool
    if fields.get("employer_cap"):
        pool = [dict(e, employer="U1") if e["id"] in {"A1", "A2", "A3"} else e for e in small_pool]
        pool = [e for e in pool if e["id"] != "A4"]
        messages = [
            "以下条件不能同时满足（放宽其中任何一条即可消除这一冲突）：",
            "专业组“土木”至少3人（可抽选专家3人）",
            "同一单位（U1）评委至多1人（该单位可抽选专家3人）",
        ]
    with pytest.raises(NoFeasibleCommittee) as error:
        prepare(pool, spec(**fields))
    assert error.value.messages[0] == messages[0]
    assert sorted(error.value.messages[1:]) == sorted(messages[1:])


def test_unknown_quota_value_conflicts(small_pool):
    with pytest.raises(NoFeasibleCommittee) as error:
        prepare(small_pool, spec(quotas={"specialty_group": {"水利": {"min": 1}}}))
    assert error.value.messages == ["专业组“水利”至少需要1人，但可抽选专家仅0人"]


def test_expert_no_committee_can_take_gets_zero_and_others_stay_fair():
    pool = [expert(f"X{i}") for i in range(5)] + [expert("P", private=True)]
    prepared = prepare(pool, spec(quotas={"private_sector": {"true": {"max": 0}}}))
    probabilities = prepared.probabilities()
    assert probabilities["P"] == 0
    assert all(abs(float(probabilities[f"X{i}"]) - 0.6) < 1e-6 for i in range(5))
