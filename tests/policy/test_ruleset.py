"""Dated, layered rule sets: lookup by year, explicit overrides, declared precedence."""

import shutil
from pathlib import Path

import pytest

from zhicheng.policy import NoRulesetError, RulesetError, evaluate, ruleset_for
from zhicheng.policy.cases import load_cases
from zhicheng.policy.ruleset import PACKAGE_RULESETS, Registry

FIXTURES = Path(__file__).with_name("fixtures") / "rulesets"


def test_2021_rule_set_identity():
    rs = ruleset_for(2021)
    assert (rs.id, rs.version, rs.notice) == ("nmg-2021-81", "2021.1", "内人社办发〔2021〕81号")
    assert rs.effective_from.isoformat() == "2021-05-13"
    assert rs.cutoff.isoformat() == "2020-12-31" and rs.deadline.isoformat() == "2021-06-30"


def test_a_year_without_rule_set_is_an_error():
    with pytest.raises(NoRulesetError, match="2030年没有适用的规则集"):
        ruleset_for(2030)
    facts = load_cases()[0].facts | {"year": 2030}
    with pytest.raises(NoRulesetError):
        evaluate(facts)


def test_every_parameter_cites_a_clause():
    rs = ruleset_for(2021)
    for path, param in rs.params.items():
        assert param.clause, path
    for rule_id, meta in rs.rules.items():
        assert meta["clause"] and meta["name"], rule_id


def test_later_notice_overrides_one_parameter_explicitly():
    registry = Registry(PACKAGE_RULESETS, FIXTURES)
    rs21, rs22 = registry.for_year(2021), registry.for_year(2022)
    assert rs22.id == "nmg-2022-test" and rs22.extends == "nmg-2021-81"
    assert set(rs22.overridden) == {"non_public_direct.years"}
    assert rs22.params["non_public_direct.years"].source == "测试用通知（2022）"
    assert rs22.p("non_public_direct.years")["intermediate"]["bachelor"] == 4
    assert rs21.p("non_public_direct.years")["intermediate"]["bachelor"] == 5
    assert rs22.p("exam_only") == rs21.p("exam_only")
    # Bachelor, professional work from 2016-06-01: 4 years 7 months by 2020-12-31 (2021
    # rules), 5 years 7 months by 2021-12-31 (2022 rules: cut-off a year later, 4 years).
    facts = next(c for c in load_cases() if c.id == "非公-本科满5年申报中级").facts
    facts["work"][0]["from"] = "2016-06-01"
    assert not evaluate(facts, ruleset=rs21)["eligible"]
    later = evaluate(facts | {"year": 2022, "applied_on": "2022-06-10"}, ruleset=rs22)
    assert later["eligible_routes"] == ["non_public_direct"] and later["ruleset"] == "nmg-2022-test"
    facts["work"][0]["from"] = "2018-02-01"  # 3 years 11 months by 2021-12-31
    assert not evaluate(facts | {"year": 2022, "applied_on": "2022-06-10"}, ruleset=rs22)["eligible"]


def test_overriding_an_unknown_parameter_is_an_error(tmp_path):
    shutil.copy(FIXTURES / "nmg-2023-bad.yaml.txt", tmp_path / "nmg-2023-bad.yaml")
    with pytest.raises(RulesetError, match="non_public_direct.yearz"):
        Registry(PACKAGE_RULESETS, tmp_path).for_year(2023)


def test_precedence_is_declared_not_ordered():
    """Conditions are chosen by `overrides`, so reordering candidates changes nothing."""
    rs = ruleset_for(2021)
    papers = {c.value: c for c in rs.conditions["papers"]}
    assert set(papers["not_required"].overrides) == {"representative_work", "not_limiting"}
    from zhicheng.policy.compose import choose_conditions

    atoms = dict.fromkeys(
        ["exam_and_review", "unit_county_or_township", "sector_private", "representative_scope", "unit_township",
         "epidemic_quota_exempt", "public_post_managed", "quota_level", "rural_service_scope"], True,
    )  # fmt: skip
    before = {k: c.value for k, c in choose_conditions(rs, atoms, "exceptional_full_senior").items()}
    rs.conditions = {k: tuple(reversed(v)) for k, v in rs.conditions.items()}
    try:
        after = {k: c.value for k, c in choose_conditions(rs, atoms, "exceptional_full_senior").items()}
    finally:
        rs.conditions = {k: tuple(reversed(v)) for k, v in rs.conditions.items()}
    assert before == after == {
        "exam": "exempt", "papers": "not_required", "continuing_education": "not_required",
        "post_quota": "exempt", "rural_service": "required",
    }  # fmt: skip


def test_a_block_closes_routes_whose_own_rules_hold():
    facts = next(c for c in load_cases() if c.id == "阻断-公务员").facts
    decision = evaluate(facts)
    regular = decision["routes"][0]
    assert all(f["holds"] for f in regular["findings"] if f["rule"].startswith("regular."))
    assert regular["eligible"] is False
    assert {"rule": "block.civil_servant", "clause": "二（四）", "holds": False} .items() <= regular["findings"][-1].items()


def test_exceptional_route_waives_seniority_with_a_finding():
    facts = next(c for c in load_cases() if c.id == "破格正高-国务院特贴").facts
    route = next(r for r in evaluate(facts)["routes"] if r["route"] == "exceptional_full_senior")
    waiver = next(f for f in route["findings"] if f["rule"] == "regular.seniority")
    assert waiver == {"rule": "regular.seniority", "clause": "五（四）1", "holds": True, "text": "依五（四）1，不受“资历年限”限制"}
