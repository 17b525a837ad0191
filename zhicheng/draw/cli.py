"""`zhicheng draw run` and `zhicheng draw verify` (argv starts with "run" or "verify").

run, with a seed given directly (tests, rehearsals):
    zhicheng draw run --pool POOL.json --spec SPEC.json --seed HEX [--out OUT.json] [--record REC.json]
run, commit-reveal (the real draw), in two steps:
    zhicheng draw run --pool P --spec S --commitments C.json --publish PUB.json
    zhicheng draw run --pool P --spec S --published PUB.json --reveal office=SECRET \\
        --reveal supervisor=SECRET [--public-result 3,5,8,1,0] --record REC.json
verify:
    zhicheng draw verify REC.json [--publication SHA256]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from .draw import NoFeasibleCommittee, Prepared, draw, from_publication, prepare, publication, summary
from .model import DrawInputError
from .randomness import PARTIES, check_secret, commitment, digest, seed_from_key, seed_key
from .record import build_record, verify
from .verification import report


@contextlib.contextmanager
def _stdout_to_stderr():
    """HiGHS prints a banner on fd 1 from C++; keep stdout for the JSON result."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _load(path: str):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _write(data, path: str | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def _fail(messages: list[str], code: int = 2) -> int:
    for message in messages:
        print(message, file=sys.stderr)
    return code


def _output(prepared: Prepared, result, seed: bytes) -> dict:
    by_id = {e.id: e for e in prepared.eligible}
    type_of = prepared.structure.type_of()
    probabilities = prepared.probabilities()
    return {
        "committee": [
            {
                "id": m,
                "name": by_id[m].name,
                "employer": by_id[m].employer,
                "type": prepared.structure.types[type_of[m]].describe(),
            }
            for m in result.committee
        ],
        "reserves": result.reserves,
        "probabilities": {m: float(p) for m, p in sorted(probabilities.items())},
        "summary": summary(prepared),
        "excluded": {e.expert_id: list(e.reasons) for e in prepared.excluded},
        "ticket": result.ticket,
        "seed_sha256": seed.hex(),
    }


def _run(args: argparse.Namespace) -> int:
    pool_data, spec_data = _load(args.pool), _load(args.spec)
    published = _load(args.published) if args.published else None
    commitments = public_source = None
    if args.commitments:
        given = _load(args.commitments)
        commitments = {party: given.get(party) for party in PARTIES}
        public_source = given.get("public_source")
    elif published is not None:
        commitments, public_source = published.get("commitments"), published.get("public_source")

    reveals = None
    if args.reveal:
        reveals = dict(item.split("=", 1) for item in args.reveal)
        complaints = [c for party, secret in reveals.items() if (c := check_secret(party, secret))]
        if set(reveals) != set(PARTIES):
            complaints.append("须同时提供 office（评委会办事机构）和 supervisor（纪检监察机构）的揭示值")
        if commitments is None:
            complaints.append("揭示值须与事先公布的承诺一起使用（--commitments 或 --published）")
        if complaints:
            return _fail(complaints)
        wrong = [PARTIES[p] for p in PARTIES if commitment(reveals[p]) != commitments.get(p)]
        if wrong:
            return _fail([f"{label}的揭示值与其承诺不符" for label in wrong])
    public_values = [int(v) for v in args.public_result.split(",")] if args.public_result else None
    if public_values is not None and not public_source:
        return _fail(["使用公开开奖结果时须事先在承诺文件中写明其名称 public_source"])

    try:
        with _stdout_to_stderr():
            if published is not None:
                prepared = from_publication(pool_data, spec_data, published)
            else:
                prepared = prepare(pool_data, spec_data)
    except DrawInputError as error:
        return _fail(error.problems)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return _fail([f"公示内容无法读取：{error}"])
    except NoFeasibleCommittee as error:
        _write({"committee": None, "conflict": error.messages}, args.out)
        return _fail(["没有任何评委会组合能满足全部条件，未进行抽选："] + error.messages)

    if published is not None:
        fresh = publication(prepared, commitments, public_source)
        fresh["code"] = published.get("code")
        if digest(fresh) != digest(published):
            return _fail(["专家库、参数或承诺与所给公示内容不一致，不能据此抽选"])

    if args.publish:
        notice = publication(prepared, commitments, public_source)
        _write(notice, args.publish)
        _write({"publication_sha256": digest(notice), "summary": summary(prepared)}, args.out)
        if not (args.seed or reveals):
            return 0

    if reveals is not None:
        seed = seed_from_key(seed_key(reveals, public_values))
    elif args.seed:
        if published is not None and published.get("commitments"):
            # The seed of a lottery published with commitments comes from their reveals;
            # verify refuses a record that takes another.
            return _fail(["按附有承诺值的公示抽选时，种子须由揭示值得出（--reveal），不能直接给定"])
        try:
            seed = bytes.fromhex(args.seed)
        except ValueError:
            return _fail(["--seed 应为十六进制数"])
    else:
        return _fail(["须给出 --seed，或承诺与揭示值（--reveal），或仅公示（--publish）"])

    result = draw(prepared, seed)
    if args.record:
        with _stdout_to_stderr():
            record = build_record(
                prepared,
                seed,
                commitments=commitments if reveals is not None else None,
                reveals=reveals,
                public_source=public_source,
                public_values=public_values,
                published=published,
            )
        _write(record, args.record)
    _write(_output(prepared, result, seed), args.out)
    return 0


def _verify(args: argparse.Namespace) -> int:
    record = _load(args.record)
    with _stdout_to_stderr():
        check = verify(record, args.publication)
    return report(check, record.get("publication_sha256"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="zhicheng draw", description="随机抽选评委（可复核）")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="抽选评委")
    run.add_argument("--pool", required=True, help="专家库 JSON")
    run.add_argument("--spec", required=True, help="抽选参数 JSON")
    run.add_argument("--seed", help="直接给定的种子（十六进制）")
    run.add_argument("--commitments", help="承诺文件 JSON：office、supervisor 的 SHA-256，可选 public_source")
    run.add_argument("--reveal", action="append", help="揭示值 party=SECRET（office、supervisor 各一次）")
    run.add_argument("--public-result", help="公开开奖号码，按开出顺序以逗号分隔")
    run.add_argument("--publish", help="写出抽选前公示的内容（含抽签方案与摘要）")
    run.add_argument("--published", help="按已公示的抽签方案抽选")
    run.add_argument("--out", help="结果写入文件（默认标准输出）")
    run.add_argument("--record", help="写出完整的抽选记录，供 verify 复核")
    check = commands.add_parser("verify", help="复核抽选记录")
    check.add_argument("record", help="抽选记录 JSON")
    check.add_argument("--publication", help="公开发布的公示摘要（SHA-256），与记录核对")
    args = parser.parse_args(argv)
    try:
        return _run(args) if args.command == "run" else _verify(args)
    except (OSError, json.JSONDecodeError) as error:
        return _fail([f"无法读取输入文件：{error}"])
