"""Inputs of the draw: the expert pool and the draw spec, read from plain JSON data.

Both are validated here so that every later step can trust them; problems are reported
in Chinese because the committee office reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# National minimum sizes of senior committees (人社部令第40号 as restated in 七): a senior
# committee by series has at least 25 members, one by specialty at least 11.
KIND_MINIMUM_SIZE = {"senior_by_series": 25, "senior_by_specialty": 11, "other": 1}
KIND_LABEL = {
    "senior_by_series": "按系列组建的高评委会",
    "senior_by_specialty": "按专业组建的高评委会",
    "other": "其他评委会",
}

# Labels of the quota categories named by the notice; other categories print their key.
CATEGORY_LABEL = {
    "specialty_group": "专业组",
    "grassroots": "基层一线专家",
    "private_sector": "非公有制领域专家",
    "outside_self_review_unit": "非本单位同行专家",
    "region": "地区",
    "level": "职称级别",
}

DEFAULT_RESERVES_PER_TYPE = 2
DEFAULT_TICKETS = 10**9


class DrawInputError(ValueError):
    """The pool or the spec is malformed; `problems` are Chinese sentences."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def value_key(value: Any) -> str:
    """The canonical string of an attribute value: quotas name values by it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def describe_value(category: str, value: str) -> str:
    """'专业组“土木”' or '基层一线专家' / '非基层一线专家' for booleans."""
    label = CATEGORY_LABEL.get(category, category)
    if value == "true":
        return label
    if value == "false":
        return "非" + label
    return f"{label}“{value}”"


@dataclass(frozen=True)
class Expert:
    id: str
    name: str
    employer: str
    attributes: dict[str, str]
    served: dict[str, tuple[int, ...]]
    declaring: bool
    sanctioned: bool
    available: bool


@dataclass(frozen=True)
class Bounds:
    min: int
    max: int | None


@dataclass(frozen=True)
class DrawSpec:
    committee: str
    year: int
    kind: str
    size: int
    quotas: dict[str, dict[str, Bounds]]
    max_served_last_year: int
    employer_cap: int | None
    employer_caps: dict[str, int] = field(default_factory=dict)
    reserves_per_type: int = DEFAULT_RESERVES_PER_TYPE
    tickets: int = DEFAULT_TICKETS

    def cap_for(self, employer: str) -> int | None:
        return self.employer_caps.get(employer, self.employer_cap)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_pool(data: Any) -> list[Expert]:
    if not isinstance(data, list):
        raise DrawInputError(["专家库应为 JSON 数组，每个元素是一名专家"])
    problems: list[str] = []
    experts: list[Expert] = []
    seen: set[str] = set()
    for position, entry in enumerate(data, start=1):
        where = f"专家库第{position}条"
        if not isinstance(entry, dict):
            problems.append(f"{where}不是 JSON 对象")
            continue
        expert_id = entry.get("id")
        if not isinstance(expert_id, str) or not expert_id:
            problems.append(f"{where}缺少编号 id（字符串）")
            continue
        where = f"专家 {expert_id}"
        if expert_id in seen:
            problems.append(f"{where}的编号重复")
            continue
        seen.add(expert_id)
        employer = entry.get("employer")
        if not isinstance(employer, str) or not employer:
            problems.append(f"{where}缺少工作单位编号 employer")
            continue
        attributes = entry.get("attributes", {})
        if not isinstance(attributes, dict) or not all(
            isinstance(v, (str, bool)) or _is_int(v) for v in attributes.values()
        ):
            problems.append(f"{where}的 attributes 应为对象，取值为字符串、整数或布尔值")
            continue
        served_raw = entry.get("served", {})
        if not isinstance(served_raw, dict) or not all(
            isinstance(years, list) and all(_is_int(y) for y in years) for years in served_raw.values()
        ):
            problems.append(f"{where}的 served 应为对象：评委会编号 → 担任评委的年份列表")
            continue
        flags = {}
        for name, default in (("declaring", False), ("sanctioned", False), ("available", True)):
            flag = entry.get(name, default)
            if not isinstance(flag, bool):
                problems.append(f"{where}的 {name} 应为布尔值")
            flags[name] = flag
        unknown = set(entry) - {"id", "name", "employer", "attributes", "served", "declaring", "sanctioned", "available"}
        if unknown:
            problems.append(f"{where}含有无法识别的字段：{'、'.join(sorted(unknown))}")
        name = entry.get("name", "")
        if not isinstance(name, str):
            problems.append(f"{where}的姓名 name 应为字符串")
        experts.append(
            Expert(
                id=expert_id,
                name=name if isinstance(name, str) else "",
                employer=employer,
                attributes={k: value_key(v) for k, v in attributes.items()},
                served={k: tuple(sorted(set(v))) for k, v in served_raw.items()},
                declaring=flags["declaring"] is True,
                sanctioned=flags["sanctioned"] is True,
                available=flags["available"] is not False,
            )
        )
    if problems:
        raise DrawInputError(problems)
    return experts


SPEC_FIELDS = {
    "committee",
    "year",
    "kind",
    "size",
    "quotas",
    "max_served_last_year",
    "employer_cap",
    "employer_caps",
    "reserves_per_type",
    "tickets",
}


def parse_spec(data: Any) -> DrawSpec:
    if not isinstance(data, dict):
        raise DrawInputError(["抽选参数应为 JSON 对象"])
    problems: list[str] = []
    unknown = set(data) - SPEC_FIELDS
    if unknown:
        problems.append(f"抽选参数含有无法识别的字段：{'、'.join(sorted(unknown))}")
    committee = data.get("committee")
    if not isinstance(committee, str) or not committee:
        problems.append("缺少评委会编号 committee")
    year = data.get("year")
    if not _is_int(year):
        problems.append("缺少抽选年度 year（整数）")
    kind = data.get("kind", "senior_by_series")
    if kind not in KIND_MINIMUM_SIZE:
        problems.append(f"评委会类型 kind 应为 {'、'.join(KIND_MINIMUM_SIZE)} 之一")
        kind = "other"
    size = data.get("size")
    if size is None and kind != "other":
        size = KIND_MINIMUM_SIZE[kind]
    if not _is_int(size) or size < 1:
        problems.append("评委会人数 size 应为正整数")
        size = 1
    elif size % 2 == 0:
        problems.append(f"评委会人数应为单数，现为{size}人")
    elif size < KIND_MINIMUM_SIZE[kind]:
        problems.append(f"{KIND_LABEL[kind]}不少于{KIND_MINIMUM_SIZE[kind]}人，现为{size}人")

    quotas: dict[str, dict[str, Bounds]] = {}
    raw_quotas = data.get("quotas", {})
    if not isinstance(raw_quotas, dict):
        problems.append("名额要求 quotas 应为对象：类别 → 取值 → {min, max}")
        raw_quotas = {}
    for category, values in raw_quotas.items():
        if not isinstance(values, dict) or not values:
            problems.append(f"类别“{category}”的名额要求应为非空对象：取值 → {{min, max}}")
            continue
        quotas[category] = {}
        for value, bounds in values.items():
            label = describe_value(category, value)
            if not isinstance(bounds, dict) or set(bounds) - {"min", "max"}:
                problems.append(f"{label}的名额应写成 {{\"min\": 整数, \"max\": 整数}}")
                continue
            low, high = bounds.get("min", 0), bounds.get("max")
            if not _is_int(low) or low < 0 or (high is not None and (not _is_int(high) or high < 0)):
                problems.append(f"{label}的名额上下限应为非负整数")
                continue
            if high is not None and high < low:
                problems.append(f"{label}的名额下限{low}大于上限{high}")
                continue
            quotas[category][value] = Bounds(low, high)

    # 七（四）5: at least a third rotated, so at most two thirds served last year.
    max_served = data.get("max_served_last_year", 2 * size // 3)
    if not _is_int(max_served) or max_served < 0:
        problems.append("上年度已任评委人数上限 max_served_last_year 应为非负整数")
        max_served = 0
    elif max_served > 2 * size // 3:
        problems.append(
            f"上年度已任评委不得超过评委会人数的三分之二（{size}人中至多{2 * size // 3}人），现设为{max_served}人"
        )
    cap = data.get("employer_cap")
    if cap is not None and (not _is_int(cap) or cap < 1):
        problems.append("同一单位评委人数上限 employer_cap 应为正整数或 null")
        cap = None
    caps = data.get("employer_caps", {})
    if not isinstance(caps, dict) or not all(_is_int(v) and v >= 0 for v in caps.values()):
        problems.append("employer_caps 应为对象：单位编号 → 人数上限")
        caps = {}
    reserves = data.get("reserves_per_type", DEFAULT_RESERVES_PER_TYPE)
    if not _is_int(reserves) or reserves < 0:
        problems.append("每类候补人数 reserves_per_type 应为非负整数")
        reserves = 0
    tickets = data.get("tickets", DEFAULT_TICKETS)
    if not _is_int(tickets) or not 1 <= tickets <= 2**62:
        problems.append("抽签号总数 tickets 应为 1 至 2^62 之间的整数")
        tickets = DEFAULT_TICKETS
    if problems:
        raise DrawInputError(problems)
    return DrawSpec(
        committee=committee,
        year=year,
        kind=kind,
        size=size,
        quotas=quotas,
        max_served_last_year=max_served,
        employer_cap=cap,
        employer_caps=dict(caps),
        reserves_per_type=reserves,
        tickets=tickets,
    )


@dataclass(frozen=True)
class Exclusion:
    expert_id: str
    reasons: tuple[str, ...]


def served_last_year(expert: Expert, spec: DrawSpec) -> bool:
    return spec.year - 1 in expert.served.get(spec.committee, ())


def exclusion_reasons(expert: Expert, spec: DrawSpec) -> tuple[str, ...]:
    """Why an expert may not be drawn this year (empty when eligible). In Chinese whatever the reader's language: they
    are published and re-verified (record.py); pages translate them when they show them (locale/en django.po)."""
    reasons = []
    years = expert.served.get(spec.committee, ())
    if all(spec.year - back in years for back in (1, 2, 3)):
        reasons.append("已连续三年担任本评委会评委（七（四）5）")
    if expert.declaring:
        reasons.append("本年度申报职称")
    if expert.sanctioned:
        reasons.append("受到处分或记入失信名单")
    if not expert.available:
        reasons.append("本次无法参加评审")
    return tuple(reasons)


def split_eligible(experts: list[Expert], spec: DrawSpec) -> tuple[list[Expert], list[Exclusion]]:
    eligible, excluded = [], []
    for expert in experts:
        reasons = exclusion_reasons(expert, spec)
        if reasons:
            excluded.append(Exclusion(expert.id, reasons))
        else:
            eligible.append(expert)
    missing = sorted(
        {
            f"专家 {expert.id} 缺少名额类别“{CATEGORY_LABEL.get(category, category)}”（{category}）的取值"
            for expert in eligible
            for category in spec.quotas
            if category not in expert.attributes
        }
    )
    if missing:
        raise DrawInputError(missing[:20] + ([f"……共{len(missing)}处"] if len(missing) > 20 else []))
    return eligible, excluded
