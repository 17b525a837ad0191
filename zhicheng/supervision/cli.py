"""`zhicheng spotcheck verify RECORD.json [--publication SHA256]`: re-derive a spot check's sample from its
record alone (no Django, no database), as `zhicheng draw verify` does for the expert draw."""

from __future__ import annotations

import argparse
import json
import sys

from zhicheng.draw.verification import report

from .sampling import verify


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="zhicheng spotcheck", description="随机抽查样本复核")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="复核抽查记录")
    check.add_argument("record", help="抽查记录 JSON")
    check.add_argument("--publication", help="总体冻结时公开发布的公示摘要（SHA-256），与记录核对")
    args = parser.parse_args(argv)
    try:
        with open(args.record, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        print(f"无法读取抽查记录：{error}", file=sys.stderr)
        return 2
    return report(verify(record, args.publication), record.get("publication_sha256"))
