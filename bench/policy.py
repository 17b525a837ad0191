"""`make bench-policy`: this engine against OpenFisca on the same rules and applicants.

Both sides get the same seeded synthetic applicants. Before any timing, the route
decisions of both are compared for every applicant (13 routes each, blocks applied);
any mismatch aborts the run.

What is timed:
- batch: from the shared columnar FactsTable to decisions. This engine: every rule,
  the 13 routes, the 8 blocks and the 5 conditions (zhicheng.policy.batch.evaluate_table).
  OpenFisca: building the simulation from the same table (entities, set_input) and
  calculating the 13 route variables (blocks included, no conditions).
- per applicant: from one facts dict (the contract's JSON form) to a decision. This
  engine: zhicheng.policy.evaluate(facts), i.e. schema validation, every rule with its
  Chinese explanation and citations. OpenFisca: the same dict read into a one-row
  FactsTable, a simulation built and the 13 routes calculated.

Usage: python -m bench.policy [--sizes 1000,100000,1000000] [--sample 500] [--seed 2021]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import unicodedata

import numpy as np

from bench.openfisca_zhicheng import ROUTES, ZhiChengRules
from bench.policy_openfisca import route_decisions
from bench.policy_synthetic import generate
from zhicheng.policy import evaluate, ruleset_for
from zhicheng.policy.batch import evaluate_table
from zhicheng.policy.table import FactsTable

TARGET_LATENCY_RATIO = 10.0
TARGET_BATCH_RATIO = 3.0


def _timed(fn, repeats: int):
    """(median seconds, last result) over `repeats` runs."""
    times, result = [], None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def _latencies(fns, items) -> list[np.ndarray]:
    """Per item, each engine in turn, so that both meet the same load on a shared machine."""
    out = [np.empty(len(items)) for _ in fns]
    for k, item in enumerate(items):
        for times, fn in zip(out, fns):
            start = time.perf_counter()
            fn(item)
            times[k] = time.perf_counter() - start
    return out


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width, counting CJK characters as two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(width - shown, 0)
    return fill + text if right else text + fill


def _abort(message: str) -> None:
    print(f"\n中止：{message}", file=sys.stderr)
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.policy")
    p.add_argument("--sizes", default="1000,100000,1000000")
    p.add_argument("--sample", type=int, default=500, help="applicants timed one by one per size")
    p.add_argument("--seed", type=int, default=2021)
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    rs = ruleset_for(2021)
    system = ZhiChengRules()
    if tuple(rs.route_names()) != ROUTES:
        _abort("两边的途径顺序不一致")
    import openfisca_core  # noqa: F401  (version for the header)
    from importlib.metadata import version

    print("职称申报资格规则：本引擎 vs OpenFisca（同一规则集 内人社办发〔2021〕81号，同一批合成申报人）")
    print(f"openfisca-core {version('openfisca-core')}, numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPU（与他人共用）, seed {args.seed}")  # fmt: skip
    print(__doc__.split("What is timed:")[1].split("Usage:")[0].rstrip())
    print()

    warm = generate(50, seed=args.seed + 1)
    evaluate_table(warm, rs)
    route_decisions(system, warm)
    for i in range(5):
        evaluate(warm.facts(i))
        route_decisions(system, FactsTable.from_facts([warm.facts(i)]))

    rows = []
    for n in sizes:
        build_start = time.perf_counter()
        table = generate(n, seed=args.seed)
        build = time.perf_counter() - build_start
        repeats = 15 if n <= 10_000 else 3 if n <= 200_000 else 1
        ours_s, ours = _timed(lambda: evaluate_table(table, rs), repeats)
        of_s, of_routes = _timed(lambda: route_decisions(system, table), repeats)
        mismatches = int((of_routes != ours.routes).any(axis=1).sum())
        if mismatches:
            bad = np.flatnonzero((of_routes != ours.routes).any(axis=1))[:5]
            detail = "; ".join(f"#{i}: 本引擎 {ours.eligible_routes(i)} / OpenFisca "
                               f"{[ROUTES[k] for k in np.flatnonzero(of_routes[i])]}" for i in bad)  # fmt: skip
            _abort(f"{n} 人中 {mismatches} 人的途径判断不一致：{detail}")
        open_routes = int(ours.routes.sum())

        rng = np.random.default_rng(args.seed + n)
        sample = np.sort(rng.choice(n, size=min(args.sample, n), replace=False))
        facts = [table.facts(int(i)) for i in sample]
        for f, i in zip(facts, sample):
            decision = evaluate(f)
            single = route_decisions(system, FactsTable.from_facts([f]))[0]
            if decision["eligible_routes"] != ours.eligible_routes(int(i)) or list(single) != list(ours.routes[i]):
                _abort(f"逐人判断与批量判断不一致：第 {i} 人")
        ours_lat, of_lat = _latencies([evaluate, lambda f: route_decisions(system, FactsTable.from_facts([f]))], facts)
        rows.append((n, build, ours_s, of_s, ours_lat, of_lat, len(sample), open_routes))
        print(f"  {n:>9,} 人：两边途径判断逐人比对一致（0 不一致，{open_routes:,} 个可申报途径）；"
              f"合成数据 {build:.2f}s；逐人样本 {len(sample)} 人")  # fmt: skip

    print()
    cols = [("申报人数", 10), ("引擎", 10), ("批量耗时 s", 10), ("吞吐 人/s", 12), ("逐人 p50 ms", 11), ("逐人 p99 ms", 11)]
    head = " | ".join(_pad(name, w, right=k != 1) for k, (name, w) in enumerate(cols))
    print(head)
    print("-" * (sum(w for _, w in cols) + 3 * (len(cols) - 1)))

    def line(*cells):
        print(" | ".join(_pad(c, w, right=k != 1) for k, (c, (_, w)) in enumerate(zip(cells, cols))))

    verdicts = []
    for n, _build, ours_s, of_s, ours_lat, of_lat, m, _ in rows:
        o50, o99 = np.percentile(ours_lat, 50) * 1e3, np.percentile(ours_lat, 99) * 1e3
        f50, f99 = np.percentile(of_lat, 50) * 1e3, np.percentile(of_lat, 99) * 1e3
        line(f"{n:,}", "本引擎", f"{ours_s:.3f}", f"{n / ours_s:,.0f}", f"{o50:.3f}", f"{o99:.3f}")
        line("", "OpenFisca", f"{of_s:.3f}", f"{n / of_s:,.0f}", f"{f50:.3f}", f"{f99:.3f}")
        line("", "倍数", f"{of_s / ours_s:.1f}×", "", f"{f50 / o50:.1f}×", f"{f99 / o99:.1f}×")
        if n == 100_000:
            verdicts.append(("逐人 p50 ≥ 10×", f50 / o50 >= TARGET_LATENCY_RATIO, f50 / o50))
            verdicts.append(("批量 ≥ 3×", of_s / ours_s >= TARGET_BATCH_RATIO, of_s / ours_s))
    print()
    print("倍数 = OpenFisca 耗时 ÷ 本引擎耗时（同一次运行中并排测得；批量取中位数："
          "1k 15次、100k 3次、1M 1次）。逐人延迟在每个规模随机抽样测量（见上；两个引擎逐人交替计时），1M 时为抽样。"
          "机器为2核且与他人共用，p99 主要反映调度干扰。")
    for name, ok, ratio in verdicts:
        print(f"目标（100k）{name}：{'达到' if ok else '未达到'}（{ratio:.1f}×）")
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
