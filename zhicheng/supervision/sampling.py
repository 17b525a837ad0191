"""The verifiable sample of a spot-check campaign (随机抽查, 八（一）), and its verification from the record alone.

Plain Python, no Django: an auditor re-derives the sample with ``zhicheng spotcheck verify RECORD.json``.
Built on zhicheng.draw.randomness (canonical JSON, SHA-256 commitments, RFC 3797 seed key, counter-mode
``Stream``), byte for byte as docs/supervision.md describes:

* the population is a sorted list of unique reference keys (declarations ``D<id>``, committees ``C<id>``,
  expert draws ``X<id>``, certificates by number), optionally a stratum and an integer weight (≥ 1) per key;
  keys, strata and weights are each hashed (canonical JSON) into the publication when the last party commits,
  before anyone reveals, so nobody can change whom the population holds or how heavily after seeing the seed;
* the seed is SHA-256 of the key string ``secret1/secret2/``, the parties' secrets in the published order;
* the sample size is the count asked for, or ⌈size × rate / 100⌉, never more than the population;
  stratified, it is shared out in proportion to the strata's sizes by largest remainder (ties: the stratum
  whose key sorts first), and each stratum draws from its own stream labelled ``stratum/<key>``; unstratified,
  one stream labelled ``sample``;
* uniform: a Fisher–Yates shuffle (``Stream.shuffle``) of the stratum's sorted keys, the first k taken;
  risk-weighted: k successive draws without replacement, each an integer r below the remaining total weight,
  taking the first remaining key (in key order) whose cumulative weight exceeds r.
"""

from __future__ import annotations

from zhicheng.draw.randomness import Stream, commitment, digest, key_string, seed_from_key
from zhicheng.draw.verification import Verification

RECORD_FORMAT = "zhicheng-spotcheck-record/1"
PUBLICATION_FORMAT = "zhicheng-spotcheck-publication/1"
RECORD_FIELDS = {"format", "publication", "publication_sha256", "population", "reveals", "seed", "sample"}
PARTY_LABELS = {"supervisor": "纪检监察机构", "regional_hr_department": "自治区人社厅", "hr_bureau": "盟市人社局"}
STRATIFY = {None: "不分层", "committee": "按评委会分层", "area": "按盟市分层"}


def label(party: str) -> str:
    return PARTY_LABELS.get(party, party)


def population_data(entries: list[dict], *, stratified: bool, weighted: bool) -> dict:
    """The frozen population from entries {"key", "stratum", "weight"}: keys sorted, strata and weights by key."""
    entries = sorted(entries, key=lambda e: e["key"])
    keys = [e["key"] for e in entries]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate keys in the population")
    return {
        "keys": keys,
        "strata": {e["key"]: e["stratum"] for e in entries} if stratified else None,
        "weights": {e["key"]: int(e["weight"]) for e in entries} if weighted else None,
    }


def population_hashes(population: dict) -> dict:
    return {
        "size": len(population["keys"]),
        "keys_sha256": digest(population["keys"]),
        "strata_sha256": None if population.get("strata") is None else digest(population["strata"]),
        "weights_sha256": None if population.get("weights") is None else digest(population["weights"]),
    }


def sample_size(size: int, rate: int | None, count: int | None) -> int:
    if count is not None:
        return min(count, size)
    return min(size, -(-size * rate // 100))


def allocate(total: int, sizes: dict[str, int]) -> dict[str, int]:
    """Largest remainder: each stratum gets ⌊total·N_h/N⌋, the seats left go to the largest remainders."""
    whole = sum(sizes.values())
    if whole == 0:
        return {key: 0 for key in sizes}
    shares = {key: divmod(total * n, whole) for key, n in sizes.items()}
    allocation = {key: quotient for key, (quotient, _) in shares.items()}
    left = total - sum(allocation.values())
    by_remainder = sorted(sizes, key=lambda key: (-shares[key][1], key))
    for key in by_remainder[:left]:
        allocation[key] += 1
    return allocation


def seed_key(parties: list[str], reveals: dict[str, str]) -> str:
    """RFC 3797: each party's secret, in the published order, followed by '/'."""
    return key_string([reveals[party] for party in parties])


def _weighted(stream: Stream, members: list[str], weights: dict[str, int], k: int) -> list[str]:
    remaining = list(members)
    left = [weights[m] for m in remaining]
    total = sum(left)
    picked = []
    for _ in range(k):
        r = stream.below(total)
        running = 0
        for position, weight in enumerate(left):
            running += weight
            if r < running:
                break
        picked.append(remaining.pop(position))
        total -= left.pop(position)
    return picked


def draw_sample(population: dict, sample_spec: dict, seed: bytes) -> dict:
    """The sample: its size, the allocation per stratum and the keys drawn (strata in key order, each in draw order)."""
    keys, strata, weights = population["keys"], population.get("strata"), population.get("weights")
    size = sample_size(len(keys), sample_spec.get("rate"), sample_spec.get("count"))
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(strata[key] if strata is not None else "", []).append(key)
    allocation = allocate(size, {stratum: len(members) for stratum, members in groups.items()})
    items = []
    for stratum in sorted(groups):
        stream = Stream(seed, "sample" if strata is None else f"stratum/{stratum}")
        members, k = groups[stratum], allocation[stratum]
        items += _weighted(stream, members, weights, k) if weights is not None else stream.shuffle(members)[:k]
    return {"size": size, "allocation": allocation if strata is not None else None, "items": items}


def build_record(publication: dict, population: dict, reveals: dict[str, str]) -> dict:
    key = seed_key(publication["parties"], reveals)
    seed = seed_from_key(key)
    return {
        "format": RECORD_FORMAT,
        "publication": publication,
        "publication_sha256": digest(publication),
        "population": population,
        "reveals": {party: reveals[party] for party in publication["parties"]},
        "seed": {"key": key, "sha256": seed.hex()},
        "sample": draw_sample(population, publication["sample"], seed),
    }


def _population_problems(population, published: dict) -> list[str]:
    if not isinstance(population, dict) or not isinstance(population.get("keys"), list):
        return ["记录缺少抽查总体的编号列表（population.keys）"]
    keys = population["keys"]
    problems = []
    if not all(isinstance(k, str) for k in keys) or keys != sorted(set(keys)):
        problems.append("抽查总体的编号应为按编码顺序排列、互不重复的字符串（population.keys）")
        return problems
    if len(keys) != published.get("size"):
        problems.append(f"抽查总体为{len(keys)}项，公示时为{published.get('size')}项（总体被增删）")
    if digest(keys) != published.get("keys_sha256"):
        problems.append("抽查总体名单与公示的摘要不符（总体中的对象被增删或更换，population.keys）")
    for part, name, valid, wrong in (
        ("strata", "分层", lambda v: isinstance(v, str), "每个对象的层应为字符串"),
        ("weights", "风险权重", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "风险权重应为不小于1的整数"),
    ):
        value, stated = population.get(part), published.get(f"{part}_sha256")
        if value is None and stated is None:
            continue
        if value is None or stated is None:
            problems.append(f"{name}{'已公示但记录中缺失' if value is None else '未经公示'}（population.{part}）")
            continue
        if not isinstance(value, dict) or sorted(value) != keys:
            problems.append(f"{name}应逐一对应抽查总体中的每个对象（population.{part}）")
            continue
        bad = sorted(k for k, v in value.items() if not valid(v))
        if bad:
            problems.append(f"{wrong}：{'、'.join(bad[:5])}{'等' if len(bad) > 5 else ''}（population.{part}）")
            continue
        if digest(value) != stated:
            problems.append(f"{name}与公示的摘要不符（{name}被改动，population.{part}）")
    return problems


def verify(record, expected_publication: str | None = None) -> Verification:
    """Re-derive the sample from the record alone; each problem says in Chinese what no longer matches."""
    check = Verification()
    problems = check.problems
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        stated = record.get("format") if isinstance(record, dict) else None
        problems.append(f"记录格式应为 {RECORD_FORMAT}，记录为 {stated}（format）")
        return check
    unknown = sorted(set(record) - RECORD_FIELDS)
    if unknown:
        problems.append(f"记录含有无法识别的字段：{'、'.join(unknown)}")
    notice = record.get("publication")
    if not isinstance(notice, dict):
        problems.append("记录缺少公示内容（publication）")
        return check

    # 1. The publication: what was announced when the population froze, before anyone revealed.
    try:
        actual = digest(notice)
    except ValueError:
        actual = None
    stated = record.get("publication_sha256")
    if actual != stated:
        problems.append("公示内容与记录中的公示摘要不符（公示内容被改动）")
    if expected_publication is not None and expected_publication.strip().lower() != stated:
        problems.append(f"记录中的公示摘要 {stated} 与公开发布的 {expected_publication} 不同")
    if notice.get("format") != PUBLICATION_FORMAT:
        problems.append(f"公示格式应为 {PUBLICATION_FORMAT}，记录为 {notice.get('format')}（publication.format）")
        return check
    spec = notice.get("sample") if isinstance(notice.get("sample"), dict) else {}
    rate, count = spec.get("rate"), spec.get("count")
    if not ((isinstance(rate, int) and 1 <= rate <= 100 and count is None) or (isinstance(count, int) and count >= 1 and rate is None)):
        problems.append("抽查比例（1至100的整数）与抽查数量（正整数）应有且只有一项（publication.sample）")
        return check

    # 2. The population against its published hashes: keys, strata, weights.
    population = record.get("population")
    published = notice.get("population") if isinstance(notice.get("population"), dict) else {}
    problems += _population_problems(population, published)
    if problems:
        return check

    # 3. The seed: each reveal against its commitment, then the RFC 3797 key.
    parties = notice.get("parties")
    commitments = notice.get("commitments") if isinstance(notice.get("commitments"), dict) else {}
    reveals = record.get("reveals") if isinstance(record.get("reveals"), dict) else {}
    if not (isinstance(parties, list) and len(parties) == 2 and len(set(parties)) == 2):
        problems.append("公示应列明抽取双方（publication.parties）")
        return check
    for party in parties:
        if not isinstance(reveals.get(party), str):
            problems.append(f"缺少{label(party)}的揭示值（reveals.{party}）")
        elif commitment(reveals[party]) != commitments.get(party):
            problems.append(f"{label(party)}的揭示值与其事先公布的承诺不符（reveals.{party}）")
    if problems:
        return check
    key = seed_key(parties, reveals)
    seed = seed_from_key(key)
    stored_seed = record.get("seed") if isinstance(record.get("seed"), dict) else {}
    if stored_seed.get("key") != key or stored_seed.get("sha256") != seed.hex():
        problems.append("种子与揭示值推导出的种子不符（seed）")

    # 4. Redraw and compare.
    redrawn = draw_sample(population, spec, seed)
    stored = record.get("sample") if isinstance(record.get("sample"), dict) else {}
    if stored.get("size") != redrawn["size"]:
        problems.append(f"样本量应为{redrawn['size']}，记录为{stored.get('size')}（sample.size）")
    if stored.get("allocation") != redrawn["allocation"]:
        problems.append("各层抽取数量与按各层规模重新分配的结果不同（sample.allocation）")
    items = stored.get("items") if isinstance(stored.get("items"), list) else []
    missing = [k for k in redrawn["items"] if k not in items]
    extra = [k for k in items if k not in redrawn["items"]]
    if missing or extra:
        problems.append(
            f"样本与重新抽取的结果不同：应抽中而记录中没有 {'、'.join(map(str, missing)) or '无'}；"
            f"记录中多出 {'、'.join(map(str, extra)) or '无'}（sample.items）"
        )
    elif items != redrawn["items"]:
        problems.append("样本的抽取顺序与重新抽取的结果不同（sample.items）")
    if not problems:
        weighted = "，按风险权重不等概率抽取" if population.get("weights") is not None else ""
        check.notes.append(
            f"复核通过：从{len(population['keys'])}项中抽取{redrawn['size']}项{weighted}，与重新抽取的结果一致"
        )
    return check
