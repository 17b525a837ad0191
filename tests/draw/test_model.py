import pytest

from zhicheng.draw.model import DrawInputError, parse_pool, parse_spec, split_eligible

from .conftest import expert, spec


def test_default_sizes_follow_the_national_rule():
    assert parse_spec({"committee": "C", "year": 2021, "kind": "senior_by_series"}).size == 25
    assert parse_spec({"committee": "C", "year": 2021, "kind": "senior_by_specialty"}).size == 11


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"size": 4}, "评委会人数应为单数，现为4人"),
        ({"kind": "senior_by_series", "size": 23}, "按系列组建的高评委会不少于25人，现为23人"),
        ({"kind": "senior_by_specialty", "size": 9}, "按专业组建的高评委会不少于11人，现为9人"),
        ({"max_served_last_year": 3}, "上年度已任评委不得超过评委会人数的三分之二（3人中至多2人），现设为3人"),
        ({"quotas": {"grassroots": {"true": {"min": 3, "max": 2}}}}, "基层一线专家的名额下限3大于上限2"),
    ],
)
def test_invalid_specs_are_refused_in_chinese(fields, message):
    with pytest.raises(DrawInputError) as error:
        parse_spec(spec(**fields))
    assert message in error.value.problems


def test_rotation_default_is_two_thirds():
    assert parse_spec(spec(size=25)).max_served_last_year == 16
    assert parse_spec(spec(size=11)).max_served_last_year == 7


def test_eligibility_removes_fourth_year_declaring_sanctioned_unavailable():
    pool = parse_pool(
        [
            expert("OK", served=[2018, 2019]),
            expert("GAP", served=[2017, 2018, 2020]),
            expert("THREE", served=[2018, 2019, 2020]),
            expert("DECL", declaring=True),
            expert("SANC", sanctioned=True),
            expert("AWAY", available=False),
        ]
    )
    eligible, excluded = split_eligible(pool, parse_spec(spec()))
    assert [e.id for e in eligible] == ["OK", "GAP"]
    reasons = {e.expert_id: e.reasons for e in excluded}
    assert reasons["THREE"] == ("已连续三年担任本评委会评委（七（四）5）",)
    assert reasons["DECL"] == ("本年度申报职称",)
    assert reasons["SANC"] == ("受到处分或记入失信名单",)
    assert reasons["AWAY"] == ("本次无法参加评审",)


def test_pool_problems_are_named():
    with pytest.raises(DrawInputError) as error:
        parse_pool([expert("X"), expert("X"), {"id": "Y"}])
    assert "专家 X的编号重复" in error.value.problems
    assert "专家 Y缺少工作单位编号 employer" in error.value.problems
