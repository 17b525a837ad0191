"""`zhicheng eligibility`: decisions from facts files, without Django.

    zhicheng eligibility FILE.json          one facts object -> the decision JSON
    zhicheng eligibility --jsonl FILE       one facts object per line -> one decision per line
    zhicheng eligibility --untested-report  rules no case of the expert table exercises

Invalid facts: a message naming the field (and line) on stderr, exit code 2, nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys

from zhicheng.policy import FactsError, NoRulesetError, evaluate, validate_facts

EXIT_INVALID = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"zhicheng eligibility: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="zhicheng eligibility", description="按规则集判断申报资格，输出决定（JSON）。")
    p.add_argument("file", nargs="?", help="事实文件（JSON）；- 表示标准输入")
    p.add_argument("--jsonl", action="store_true", help="每行一个事实对象，每行输出一个决定")
    p.add_argument("--untested-report", action="store_true", help="列出专家案例表没有覆盖的规则")
    return p


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _decide(facts, where: str) -> dict:
    try:
        validate_facts(facts)
        return evaluate(facts, validate=False)
    except FactsError as exc:
        raise _Invalid(f"{where}{exc}") from None
    except NoRulesetError as exc:
        raise _Invalid(f"{where}facts.year: {exc}") from None


class _Invalid(Exception):
    pass


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.untested_report:
        from zhicheng.policy.coverage import main as coverage_main

        return coverage_main([])
    if not args.file:
        _parser().error("需要事实文件")
    try:
        text = _read(args.file)
    except OSError as exc:
        print(f"zhicheng eligibility: 无法读取 {args.file}：{exc.strerror}", file=sys.stderr)
        return EXIT_INVALID
    try:
        if args.jsonl:
            out = []
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    facts = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise _Invalid(f"{args.file}:第{number}行: 不是有效的JSON（{exc.msg}）") from None
                decision = _decide(facts, f"{args.file}:第{number}行: ")
                out.append(json.dumps(decision, ensure_ascii=False))
            sys.stdout.write("".join(line + "\n" for line in out))
        else:
            try:
                facts = json.loads(text)
            except json.JSONDecodeError as exc:
                raise _Invalid(f"{args.file}: 不是有效的JSON（{exc.msg}，第{exc.lineno}行）") from None
            decision = _decide(facts, f"{args.file}: ")
            sys.stdout.write(json.dumps(decision, ensure_ascii=False, indent=2) + "\n")
    except _Invalid as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    return 0
