"""The draw record and its verification from the record alone.

A record holds the pool and parameters as given, the publication (hashes, code version,
lottery, commitments) and its digest, the revealed values, the seed and the result. Verify
recomputes every hash and names what no longer matches (a pool entry, a parameter, a
revealed value, a field of the result), checks the lottery against the spec, confirms the
lottery's minimum probability, re-derives the seed and redraws.

Version 2 records (zhicheng-draw-record/2) are verified by `_verify_v2`; version 1 records
by `_verify_v1`, version 1's own checks, with version 1's types and draw.
"""

from __future__ import annotations

import numpy as np

from . import pooling
from .draw import (
    ALGORITHM,
    ALGORITHM_V1,
    PUBLICATION_FORMAT,
    NoFeasibleCommittee,
    Prepared,
    code_version,
    draw,
    freeze,
    from_publication,
    lottery_json,
    publication,
    spec_parameters,
)
from .lottery import Lottery
from .model import DrawInputError
from .optimize import fair_distribution
from .randomness import PARTIES, commitment, digest, seed_from_key, seed_key
from .verification import Verification

RECORD_FORMAT = "zhicheng-draw-record/2"
RECORD_FORMAT_V1 = "zhicheng-draw-record/1"
RECORD_FIELDS = {"format", "pool", "spec", "publication", "publication_sha256", "reveals", "public_result", "seed", "result"}
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
        "format": RECORD_FORMAT_V1 if prepared.algorithm == ALGORITHM_V1 else RECORD_FORMAT,
        "pool": prepared.pool_data,
        "spec": prepared.spec_data,
        "publication": notice,
        "publication_sha256": digest(notice),
        "reveals": reveals,
        "public_result": None if public_values is None else {"name": public_source, "values": public_values},
        "seed": seed_data,
        "result": result.to_json(),
    }


def _compare_named(kind: str, published: dict, actual: dict, problems: list[str]) -> None:
    for name in sorted(set(published) | set(actual)):
        if name not in actual:
            problems.append(f"{kind} {name} 已公示但记录中缺失")
        elif name not in published:
            problems.append(f"{kind} {name} 未经公示（公示后新增）")
        elif published[name] != actual[name]:
            problems.append(f"{kind} {name} 与公示的摘要不符（已被改动）")


def _check_hashes(record: dict, notice: dict, expected_publication: str | None, problems: list[str]) -> bool:
    """The publication against its digest, each pool entry and parameter against its
    published hash; False when pool or spec cannot be read at all."""
    pool_data, spec_data = record.get("pool"), record.get("spec")
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
        return False
    return True


def verify(record: dict, expected_publication: str | None = None) -> Verification:
    if not isinstance(record, dict):
        return Verification([f"记录应为 JSON 对象，格式为 {RECORD_FORMAT} 或 {RECORD_FORMAT_V1}"])
    if record.get("format") == RECORD_FORMAT_V1:
        return _verify_v1(record, expected_publication)
    if record.get("format") == RECORD_FORMAT:
        return _verify_v2(record, expected_publication)
    return Verification([f"记录格式应为 {RECORD_FORMAT} 或 {RECORD_FORMAT_V1}，记录为 {record.get('format')}（format）"])


def _verify_v1(record: dict, expected_publication: str | None = None) -> Verification:
    check = Verification()
    problems = check.problems
    notice = record.get("publication") or {}
    pool_data, spec_data = record.get("pool"), record.get("spec")

    # 1. Hashes: which pool entry, which parameter, or the publication itself changed.
    if not _check_hashes(record, notice, expected_publication, problems):
        return check

    # 2. Code version.
    code = notice.get("code", {})
    if code.get("algorithm") != ALGORITHM_V1:
        problems.append(f"记录使用的抽选算法版本为 {code.get('algorithm')}，本程序为 {ALGORITHM_V1}，无法复核")
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
    prepared = Prepared(pool_data, spec_data, [], structure.spec, eligible, excluded, structure, lottery, None, ALGORITHM_V1)
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



def _verify_v2(record: dict, expected_publication: str | None) -> Verification:
    check = Verification()
    problems = check.problems
    unknown = sorted(set(record) - RECORD_FIELDS)
    if unknown:
        problems.append(f"记录含有无法识别的字段：{'、'.join(unknown)}")
    notice = record.get("publication")
    if not isinstance(notice, dict):
        problems.append("记录缺少公示内容（publication）")
        return check

    # 1. Hashes.
    if not _check_hashes(record, notice, expected_publication, problems):
        return check

    # 2. Formats and code version.
    if notice.get("format") != PUBLICATION_FORMAT[ALGORITHM]:
        problems.append(f"公示格式应为 {PUBLICATION_FORMAT[ALGORITHM]}，记录为 {notice.get('format')}（publication.format）")
    code = notice.get("code") if isinstance(notice.get("code"), dict) else {}
    if code.get("algorithm") != ALGORITHM:
        problems.append(f"记录使用的抽选算法版本为 {code.get('algorithm')}，本程序为 {ALGORITHM}，无法复核")
        return check
    if code.get("source_sha256") != code_version()["source_sha256"]:
        check.notes.append("本机抽选代码与抽选时的版本不同（算法版本相同，继续复核）")

    # 3. The lottery: eligibility, the types and cells it names (pooled types, employers split
    # out of them), every composition against the spec and the employers' loads.
    lottery_data = notice.get("lottery")
    if not isinstance(lottery_data, dict):
        problems.append("公示中缺少抽签方案（publication.lottery）")
        return check
    if digest(lottery_data) != notice.get("lottery_sha256"):
        problems.append("抽签方案与公示的抽签方案摘要不符")
    try:
        prepared = from_publication(record.get("pool"), record.get("spec"), notice)
    except DrawInputError as error:
        problems.extend(error.problems)
        return check
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        problems.append(f"抽签方案无法读取：{error}")
        return check
    if {e.expert_id: list(e.reasons) for e in prepared.excluded} != notice.get("excluded"):
        problems.append("不符合抽选条件的专家名单与公示不一致（publication.excluded）")
    rebuilt = lottery_json(prepared)
    if rebuilt["types"] != lottery_data.get("types") or rebuilt["employer_caps"] != lottery_data.get("employer_caps"):
        problems.append("按专家库和参数重新划分的专家类别与公示的抽签方案不一致（publication.lottery.types）")
        return check
    lottery, structure = prepared.lottery, prepared.structure
    if sum(lottery.tickets) != lottery.total or any(t <= 0 for t in lottery.tickets):
        problems.append(f"抽签号数之和应为{lottery.total}，实为{sum(lottery.tickets)}")
    broken = structure.broken(lottery.compositions)
    for position, violations in broken[:3]:
        problems.append(f"抽签方案第{position + 1}个组合不符合抽选条件：{'；'.join(violations)}")
    if len(broken) > 3:
        problems.append(f"抽签方案中共有{len(broken)}个组合不符合抽选条件")
    if problems:
        return check
    if rebuilt != lottery_data:
        problems.append("抽签方案与按记录重建的方案不一致")

    # 4. Fairness: nobody left out who could sit, and the smallest probability at the LP
    # bound over individuals (or, with every capped employer split, at a fresh optimum).
    _check_fairness(prepared, check)

    # 5. The seed.
    seed = _seed(record, notice, check)
    if seed is None:
        return check

    # 6. Redraw and compare, field by field.
    redrawn = draw(prepared, seed).to_json()
    stored = record.get("result")
    if not isinstance(stored, dict):
        problems.append("记录缺少抽选结果（result）")
        return check
    unknown = sorted(set(stored) - set(redrawn))
    if unknown:
        problems.append(f"抽选结果含有无法识别的字段：{'、'.join(unknown)}（result）")
    if redrawn["ticket"] != stored.get("ticket"):
        problems.append(f"抽中的签号应为 {redrawn['ticket']}，记录为 {stored.get('ticket')}")
    if redrawn["composition"] != stored.get("composition"):
        problems.append(f"抽中的组合序号应为 {redrawn['composition']}，记录为 {stored.get('composition')}（result.composition）")
    if redrawn["cells"] != stored.get("cells"):
        problems.append("各类别在各单位抽取的人数（依赖舍入的结果）与重新抽选结果不同（result.cells）")
    committee = stored.get("committee") if isinstance(stored.get("committee"), list) else []
    missing = sorted(set(redrawn["committee"]) - set(committee))
    extra = sorted(set(committee) - set(redrawn["committee"]))
    if missing or extra:
        problems.append(
            f"评委名单与重新抽选结果不同：应有而记录中没有 {'、'.join(missing) or '无'}；记录中多出 {'、'.join(extra) or '无'}"
        )
    elif committee != redrawn["committee"]:
        problems.append("评委名单的顺序与重新抽选结果不同（result.committee）")
    if redrawn["reserves"] != stored.get("reserves"):
        problems.append("候补名单与重新抽选结果不同")
    if not problems:
        check.notes.append(f"复核通过：评委 {len(redrawn['committee'])} 人及候补名单与重新抽选一致")
    return check


def _check_fairness(prepared: Prepared, check: Verification) -> None:
    structure, lottery = prepared.structure, prepared.lottery
    probabilities = lottery.type_probabilities([t.size for t in structure.types])
    positive = np.array([p > 0 for p in probabilities], dtype=bool)
    if not positive.any():
        check.problems.append("抽签方案中没有任何专家可能入选")
        return
    pool = prepared.coarse
    fine = pool.fine()
    fine_covered = pooling.lift(structure, fine, positive)
    if pooling.fine_covers_more(fine, fine_covered):
        check.problems.append("抽签方案中入选概率为0的专家本可进入某个符合全部条件的评委会")
        return
    bound = pooling.fine_bounds(fine, fine_covered, stages=1)[0]
    low = min(p for p in probabilities if p > 0)
    tolerance = OPTIMUM_TOLERANCE + lottery.rounding_tolerance()
    if float(low) >= bound - tolerance:
        check.notes.append(f"最小入选概率 {float(low):.9f}，达到按个人计算的线性规划上界 {bound:.9f}（已证最优）")
        return
    if {t.employer for t in structure.types} - {None} != set(pool.caps):
        check.problems.append(
            f"抽签方案的最小入选概率 {float(low):.9f} 低于线性规划上界 {bound:.9f} 超过 {tolerance:.1e}，"
            "且仍有单位未单独成类，不能证明抽签方案最优"
        )
        return
    # Every capped employer split: the exact model of version 1, whose optimum may lie below
    # the LP bound; the lottery must match a fresh optimisation.
    try:
        optimum = fair_distribution(structure)
    except (ValueError, NoFeasibleCommittee):
        check.problems.append("重新求解未找到符合条件的评委会组合")
        return
    if abs(float(low) - optimum.minimum) > tolerance:
        check.problems.append(
            f"抽签方案的最小入选概率 {float(low):.9f} 与重新求解的最优值 {optimum.minimum:.9f} 相差超过 {tolerance:.1e}"
        )
    check.notes.append(f"最小入选概率 {float(low):.9f}（重新求解最优值 {optimum.minimum:.9f}）")


def _seed(record: dict, notice: dict, check: Verification) -> bytes | None:
    """The seed re-derived from the reveals (or given directly); None after a problem."""
    problems = check.problems
    seed_data = record.get("seed") if isinstance(record.get("seed"), dict) else {}
    reveals, public = record.get("reveals"), record.get("public_result")
    if seed_data.get("source") == "commit-reveal":
        reveals = reveals if isinstance(reveals, dict) else {}
        commitments = notice.get("commitments") if isinstance(notice.get("commitments"), dict) else {}
        for party, label in PARTIES.items():
            if not isinstance(reveals.get(party), str):
                problems.append(f"缺少{label}的揭示值")
            elif commitment(reveals[party]) != commitments.get(party):
                problems.append(f"{label}的揭示值与其事先公布的承诺不符")
        if public is not None and not (isinstance(public, dict) and isinstance(public.get("values"), list)
                                       and all(isinstance(v, int) for v in public["values"])):
            problems.append("公开开奖结果应为名称和按开出顺序排列的号码（public_result）")
        elif public is not None and public.get("name") != notice.get("public_source"):
            problems.append(f"公开开奖结果的名称“{public.get('name')}”与公示的“{notice.get('public_source')}”不同")
        elif public is None and notice.get("public_source"):
            problems.append(f"公示时宣布使用公开开奖结果“{notice.get('public_source')}”，记录中却没有（public_result）")
        if problems:
            return None
        key = seed_key(reveals, None if public is None else public["values"])
        if key != seed_data.get("key") or seed_from_key(key).hex() != seed_data.get("sha256"):
            problems.append("种子与揭示值、公开开奖结果推导出的种子不符（揭示值或开奖结果被改动）")
            return None
        return seed_from_key(key)
    if seed_data.get("source") == "direct":
        if notice.get("commitments") is not None or reveals is not None or public is not None:
            problems.append("种子来源记为直接给定，但公示中有承诺值或记录中有揭示值、开奖结果（seed.source）")
            return None
        try:
            seed = bytes.fromhex(seed_data.get("sha256"))
        except (TypeError, ValueError):
            problems.append("直接给定的种子应为十六进制数（seed.sha256）")
            return None
        check.notes.append("种子为直接给定，未经事先承诺，无法证明抽选前不可预知")
        return seed
    problems.append("记录缺少种子来源")
    return None
