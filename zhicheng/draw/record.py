"""The draw record and its verification from the record alone.

A record holds the pool and parameters as given, the publication (hashes, code version,
lottery, commitments) and its digest, the revealed values, the seed and the result. Verify
recomputes every hash and names what no longer matches (a pool entry, a parameter, a
revealed value), checks the lottery against the spec, re-optimises to confirm the lottery's
minimum probability, re-derives the seed and redraws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .draw import (
    ALGORITHM,
    NoFeasibleCommittee,
    Prepared,
    code_version,
    draw,
    freeze,
    lottery_json,
    publication,
    spec_parameters,
)
from .lottery import Lottery
from .model import DrawInputError
from .optimize import fair_distribution
from .randomness import PARTIES, commitment, digest, seed_from_key, seed_key

RECORD_FORMAT = "zhicheng-draw-record/1"
# Re-optimisation may land on another optimal vertex; its minimum must agree within this
# (plus the lottery's rounding tolerance).
OPTIMUM_TOLERANCE = 1e-6


def build_record(
    prepared: Prepared,
    seed: bytes,
    *,
    commitments: dict[str, str] | None = None,
    reveals: dict[str, str] | None = None,
    public_source: str | None = None,
    public_values: list[int] | None = None,
    published: dict | None = None,
) -> dict:
    notice = published if published is not None else publication(prepared, commitments, public_source)
    if reveals is not None:
        key = seed_key(reveals, public_values)
        seed_data = {"source": "commit-reveal", "key": key, "sha256": seed_from_key(key).hex()}
    else:
        seed_data = {"source": "direct", "sha256": seed.hex()}
    result = draw(prepared, seed)
    return {
        "format": RECORD_FORMAT,
        "pool": prepared.pool_data,
        "spec": prepared.spec_data,
        "publication": notice,
        "publication_sha256": digest(notice),
        "reveals": reveals,
        "public_result": None if public_values is None else {"name": public_source, "values": public_values},
        "seed": seed_data,
        "result": result.to_json(),
    }


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _compare_named(kind: str, published: dict, actual: dict, problems: list[str]) -> None:
    for name in sorted(set(published) | set(actual)):
        if name not in actual:
            problems.append(f"{kind} {name} 已公示但记录中缺失")
        elif name not in published:
            problems.append(f"{kind} {name} 未经公示（公示后新增）")
        elif published[name] != actual[name]:
            problems.append(f"{kind} {name} 与公示的摘要不符（已被改动）")


def verify(record: dict, expected_publication: str | None = None) -> Verification:
    check = Verification()
    problems = check.problems
    if record.get("format") != RECORD_FORMAT:
        problems.append(f"记录格式应为 {RECORD_FORMAT}")
        return check
    notice = record.get("publication") or {}
    pool_data, spec_data = record.get("pool"), record.get("spec")

    # 1. Hashes: which pool entry, which parameter, or the publication itself changed.
    stated = record.get("publication_sha256")
    try:
        actual_notice = digest(notice)
    except ValueError:
        actual_notice = None
    if actual_notice != stated:
        problems.append("公示内容与记录中的公示摘要不符（公示内容被改动）")
    if expected_publication is not None and expected_publication.lower() != stated:
        problems.append(f"记录中的公示摘要 {stated} 与公开发布的 {expected_publication} 不同")
    try:
        entries = {entry["id"]: digest(entry) for entry in pool_data}
        _compare_named("专家", notice.get("pool", {}).get("entries", {}), entries, problems)
        if digest(pool_data) != notice.get("pool", {}).get("sha256"):
            if not any(p.startswith("专家") for p in problems):
                problems.append("专家库的顺序或整体与公示的摘要不符")
        _compare_named("参数", notice.get("spec", {}).get("parameters", {}), spec_parameters(spec_data), problems)
    except (TypeError, KeyError, ValueError, AttributeError):
        problems.append("记录中的专家库或抽选参数无法读取")
        return check

    # 2. Code version.
    code = notice.get("code", {})
    if code.get("algorithm") != ALGORITHM:
        problems.append(f"记录使用的抽选算法版本为 {code.get('algorithm')}，本程序为 {ALGORITHM}，无法复核")
        return check
    here = code_version()
    if code.get("source_sha256") != here["source_sha256"]:
        check.notes.append("本机抽选代码与抽选时的版本不同（算法版本相同，继续复核）")

    # 3. The lottery: the types it names, every composition against the spec.
    try:
        _, _, eligible, excluded, structure = freeze(pool_data, spec_data)
    except DrawInputError as error:
        problems.extend(error.problems)
        return check
    lottery_data = notice.get("lottery", {})
    if digest(lottery_data) != notice.get("lottery_sha256"):
        problems.append("抽签方案与公示的抽签方案摘要不符")
    published_types = lottery_data.get("types", [])
    actual_types = [dict(t.key(), members=list(t.members)) for t in structure.types]
    if published_types != actual_types:
        problems.append("按专家库和参数重新划分的专家类别与公示的抽签方案不一致")
        return check
    if {e.expert_id: list(e.reasons) for e in excluded} != notice.get("excluded"):
        problems.append("不符合抽选条件的专家名单与公示不一致")
    try:
        lottery = Lottery.from_json(lottery_data, len(structure.types))
    except (KeyError, TypeError, ValueError) as error:
        problems.append(f"抽签方案无法读取：{error}")
        return check
    if sum(lottery.tickets) != lottery.total or any(t <= 0 for t in lottery.tickets):
        problems.append(f"抽签号数之和应为{lottery.total}，实为{sum(lottery.tickets)}")
    broken = [(i, v) for i, c in enumerate(lottery.compositions, start=1) if (v := structure.violations(list(c)))]
    for position, violations in broken[:3]:
        problems.append(f"抽签方案第{position}个组合不符合抽选条件：{'；'.join(violations)}")
    if len(broken) > 3:
        problems.append(f"抽签方案中共有{len(broken)}个组合不符合抽选条件")
    if problems:
        return check
    prepared = Prepared(pool_data, spec_data, [], structure.spec, eligible, excluded, structure, lottery, None)
    if lottery_json(prepared) != lottery_data:
        problems.append("抽签方案与按记录重建的方案不一致")

    # 4. Fairness: the lottery's minimum against a fresh optimisation.
    sizes = [t.size for t in structure.types]
    probabilities = lottery.type_probabilities(sizes)
    try:
        optimum = fair_distribution(structure)
    except (ValueError, NoFeasibleCommittee):
        problems.append("重新求解未找到符合条件的评委会组合")
        return check
    covered_min = min((p for p, c in zip(probabilities, optimum.covered) if c), default=0)
    tolerance = OPTIMUM_TOLERANCE + lottery.rounding_tolerance()
    if abs(float(covered_min) - optimum.minimum) > tolerance:
        problems.append(
            f"抽签方案的最小入选概率 {float(covered_min):.9f} 与重新求解的最优值 {optimum.minimum:.9f} 相差超过 {tolerance:.1e}"
        )
    check.notes.append(f"最小入选概率 {float(covered_min):.9f}（重新求解最优值 {optimum.minimum:.9f}）")

    # 5. The seed: commitments against reveals, then the RFC 3797 key.
    seed_data = record.get("seed") or {}
    if seed_data.get("source") == "commit-reveal":
        reveals = record.get("reveals") or {}
        commitments = notice.get("commitments") or {}
        for party, label in PARTIES.items():
            if party not in reveals:
                problems.append(f"缺少{label}的揭示值")
            elif commitment(reveals[party]) != commitments.get(party):
                problems.append(f"{label}的揭示值与其事先公布的承诺不符")
        public = record.get("public_result")
        if public is not None and public.get("name") != notice.get("public_source"):
            problems.append(f"公开开奖结果的名称“{public.get('name')}”与公示的“{notice.get('public_source')}”不同")
        if problems:
            return check
        key = seed_key(reveals, None if public is None else public.get("values"))
        if key != seed_data.get("key") or seed_from_key(key).hex() != seed_data.get("sha256"):
            problems.append("种子与揭示值、公开开奖结果推导出的种子不符（揭示值或开奖结果被改动）")
            return check
    elif seed_data.get("source") == "direct":
        check.notes.append("种子为直接给定，未经事先承诺，无法证明抽选前不可预知")
    else:
        problems.append("记录缺少种子来源")
        return check
    seed = bytes.fromhex(seed_data["sha256"])

    # 6. Redraw and compare.
    redrawn = draw(prepared, seed).to_json()
    stored = record.get("result") or {}
    if redrawn["ticket"] != stored.get("ticket"):
        problems.append(f"抽中的签号应为 {redrawn['ticket']}，记录为 {stored.get('ticket')}")
    missing = sorted(set(redrawn["committee"]) - set(stored.get("committee", [])))
    extra = sorted(set(stored.get("committee", [])) - set(redrawn["committee"]))
    if missing or extra:
        problems.append(
            f"评委名单与重新抽选结果不同：应有而记录中没有 {'、'.join(missing) or '无'}；记录中多出 {'、'.join(extra) or '无'}"
        )
    if redrawn["reserves"] != stored.get("reserves"):
        problems.append("候补名单与重新抽选结果不同")
    if not problems:
        check.notes.append(f"复核通过：评委 {len(redrawn['committee'])} 人及候补名单与重新抽选一致")
    return check

