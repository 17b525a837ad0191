"""`make bench-draw`: our fair draw against the sortition-algorithms package's maximin,
uniform sampling retried until the quotas hold, and a greedy one-by-one draw.

Seeded synthetic pools (bench/draw_synthetic.py) of 1,000, 3,000 (a pool held out of the
tuning, seed 7331) and 10,000 experts, committees of 25 and 51, with and without a cap of 2
per employer. Ours runs DRAW_BENCH_REPEAT times, each in a child process killed at the time
limit: `run` (prepare the lottery, draw, build the record) in one child, `verify` (the
record, from itself alone) in another. The table gives the median wall time of run; the
note that of verify, the fastest and the median CPU time (the machine is shared, so wall
time depends on its load). Each run also checks what the draw promises: every composition
of the lottery against every quota and, exactly, every employer's load; DRAW_BENCH_DRAWS
committees drawn with other seeds against every quota, the rotation rule and every
employer's cap, counted from the pool itself; and the minimum probability against the
LP-relaxation bound over individuals, which no lottery can beat. For the two sampling
baselines the probabilities are estimated from repeated draws within a time budget, so their
minimum is an estimate (0 when some expert was never drawn). Prints one table; nothing here
is a test. Arguments such as `3000/25/2` run single configurations.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from bench.draw_synthetic import synthetic_pool, synthetic_spec
from zhicheng.draw.draw import draw, freeze, prepare, summary
from zhicheng.draw.model import served_last_year, value_key
from zhicheng.draw.record import build_record, verify

ROOT = Path(__file__).resolve().parent.parent
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
OURS_LIMIT = int(os.environ.get("DRAW_BENCH_LIMIT", "120"))  # seconds before ours is reported as not finished
REPEAT = int(os.environ.get("DRAW_BENCH_REPEAT", "3"))
PACKAGE_LIMIT = int(os.environ.get("DRAW_BENCH_PACKAGE_LIMIT", "1800"))
SAMPLING_BUDGET = float(os.environ.get("DRAW_BENCH_SAMPLING", "20"))  # seconds per sampling baseline
DRAWS = int(os.environ.get("DRAW_BENCH_DRAWS", "200"))  # committees checked against the pool per run
SEED = bytes(range(32))
POOL_SEEDS = {1000: 2021, 3000: 7331, 10000: 2021}  # 3,000: held out of the tuning


def committee_problems(pool, spec, committee) -> int:
    """How many constraints a committee of individuals breaks, counted from the pool itself."""
    chosen = set(committee)
    members = [e for e in pool if e["id"] in chosen]
    broken = len(members) != spec["size"]
    for category, values in spec.get("quotas", {}).items():
        for value, bounds in values.items():
            count = sum(1 for m in members if value_key(m["attributes"][category]) == value)
            broken += not bounds.get("min", 0) <= count <= bounds.get("max", spec["size"])
    served = sum(1 for m in members if spec["year"] - 1 in m["served"].get(spec["committee"], []))
    broken += served > spec.get("max_served_last_year", 2 * spec["size"] // 3)
    if spec.get("employer_cap") is not None:
        broken += sum(1 for count in Counter(m["employer"] for m in members).values() if count > spec["employer_cap"])
    return broken


def _run_child(pool, spec, pipe) -> None:
    # HiGHS prints a banner on fd 1 from C++; keep the table clean.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    wall, cpu = time.perf_counter(), time.process_time()
    prepared = prepare(pool, spec)
    record = build_record(prepared, SEED)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    facts = summary(prepared)
    distribution = prepared.distribution
    pipe.send({
        "seconds": wall,
        "cpu": cpu,
        "min": facts["min"],
        "max": facts["max"],
        "optimum": distribution.minimum,
        "optimum_max": distribution.maximum,
        "lp_bound_min": facts["lp_bound_min"],
        "lp_bound_max": facts["lp_bound_max"],
        "split": facts["employers_split"],
        "types": len(prepared.structure.types),
        "compositions": len(prepared.lottery.compositions),
        "broken_compositions": len(prepared.structure.broken(prepared.lottery.compositions)),
        "broken_committees": sum(
            committee_problems(pool, spec, draw(prepared, seed.to_bytes(4, "big")).committee) > 0 for seed in range(DRAWS)
        ),
        "record": json.dumps(record, ensure_ascii=False),
    })


def _verify_child(record_text, pipe) -> None:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    wall, cpu = time.perf_counter(), time.process_time()
    check = verify(json.loads(record_text))
    pipe.send({"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "ok": check.ok,
               "problems": check.problems[:3]})


def in_child(target, *args):
    """target(*args, pipe) in a forked child, killed after OURS_LIMIT seconds; None when it
    did not finish, {"failed": True} when it died (its traceback went to stderr)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, send))
    child.start()
    send.close()
    try:
        result = receive.recv() if receive.poll(OURS_LIMIT) else None
    except EOFError:
        result = {"failed": True}
    if child.is_alive():
        child.kill()
    child.join()
    return result


def ours(pool, spec):
    runs, checks = [], []
    for _ in range(REPEAT):
        result = in_child(_run_child, pool, spec)
        if result is None or result.get("failed"):
            return {"seconds": None, "note": f"未在{OURS_LIMIT}s内完成" if result is None else "运行失败"}
        check = in_child(_verify_child, result.pop("record"))
        if check is None or check.get("failed"):
            return {"seconds": None, "note": "复核" + (f"未在{OURS_LIMIT}s内完成" if check is None else "运行失败")}
        runs.append(result)
        checks.append(check)
    result = dict(runs[-1])
    walls = [r["seconds"] for r in runs]
    result["seconds"] = statistics.median(walls)
    result["verify_seconds"] = statistics.median(c["seconds"] for c in checks)
    result["verified"] = all(c["ok"] for c in checks)
    result["min_over_bound"] = result["min"] / result["lp_bound_min"] if result["lp_bound_min"] > 0 else None
    reached = result["optimum"] >= result["lp_bound_min"] - 1e-8 and result["optimum_max"] <= result["lp_bound_max"] + 1e-8
    result["note"] = (
        f"{len(runs)}次中位数，最快{min(walls):.2f}s，CPU中位{statistics.median(r['cpu'] for r in runs):.2f}s；"
        f"复核中位{result['verify_seconds']:.2f}s（最快{min(c['seconds'] for c in checks):.2f}s）"
        + ("通过" if result["verified"] else f"未通过：{checks[-1]['problems']}") + "；"
        f"{result['types']}类（{result['split']}个单位单独成类），{result['compositions']}个组合；"
        f"min/LP上界 {result['min_over_bound']:.6f}" + ("（两阶段均达到LP上界，已证最优）" if reached else "（未达到LP上界）")
        + f"；违反条件的组合{result['broken_compositions']}个，{DRAWS}次抽选中违反条件的评委会{result['broken_committees']}个"
    )
    return result


def package(frozen, spec):
    """Export the eligible pool and quotas for the package and run it in .venv-bench."""
    if not BENCH_PYTHON.exists():
        return {"seconds": None, "note": "未安装 .venv-bench（见 Makefile bench-draw）"}
    size = spec["size"]
    features = {}
    people = []
    for expert in frozen.eligible:
        values = {c: expert.attributes[c] for c in spec["quotas"]}
        values["served_last_year"] = "yes" if served_last_year(expert, frozen.spec) else "no"
        people.append({"id": expert.id, "values": values})
        for category, value in values.items():
            features.setdefault(category, {})[value] = [0, size]
    for category, values in spec["quotas"].items():
        for value, bounds in values.items():
            features[category][value] = [bounds.get("min", 0), bounds.get("max", size)]
    features["served_last_year"]["yes"] = [0, frozen.spec.max_served_last_year]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump({"size": size, "features": features, "people": people}, handle, ensure_ascii=False)
    try:
        done = subprocess.run(
            [str(BENCH_PYTHON), str(ROOT / "bench" / "draw_sortition.py"), handle.name],
            capture_output=True, text=True, timeout=PACKAGE_LIMIT,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "note": f"未在{PACKAGE_LIMIT}s内完成"}
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        return {"seconds": None, "note": "运行失败：" + done.stderr.strip().splitlines()[-1][:60]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["note"] = f"{result.pop('committees')}个委员会（gap 1e-9）"
    return result


class Sampler:
    """Type-level view of the eligible pool for fast constraint checks."""

    def __init__(self, frozen):
        structure = frozen.structure
        self.matrix = structure.matrix().toarray()
        self.low = np.array([c.low for c in structure.constraints])
        self.high = np.array([c.high for c in structure.constraints])
        type_of = structure.type_of()
        self.ids = [e.id for e in frozen.eligible]
        self.types = np.array([type_of[i] for i in self.ids])
        self.size = frozen.spec.size
        self.num_types = len(structure.types)

    def feasible(self, chosen):
        totals = self.matrix @ np.bincount(self.types[chosen], minlength=self.num_types)
        return bool(np.all(totals >= self.low) and np.all(totals <= self.high))


def estimate(sampler, draw_once, budget):
    rng = np.random.default_rng(7)
    counts = np.zeros(len(sampler.ids))
    draws = tries = 0
    start = time.perf_counter()
    while time.perf_counter() - start < budget:
        tries += 1
        chosen = draw_once(rng)
        if chosen is not None:
            counts[chosen] += 1
            draws += 1
    seconds = time.perf_counter() - start
    if not draws:
        return {"seconds": seconds, "note": f"{tries}次尝试均不满足条件"}
    probabilities = counts / draws
    return {
        "seconds": seconds / draws,
        "min": float(probabilities.min()),
        "max": float(probabilities.max()),
        "note": f"{draws}次抽选估计（{tries}次尝试），时间为每次",
    }


def uniform(sampler, budget):
    n = len(sampler.ids)

    def once(rng):
        chosen = rng.choice(n, size=sampler.size, replace=False)
        return chosen if sampler.feasible(chosen) else None

    return estimate(sampler, once, budget)


def greedy(sampler, budget):
    """One by one: fill the row whose unmet minimum is most urgent (need / members left),
    never exceeding a maximum; start over when stuck (the legacy sortition method)."""
    members = sampler.matrix[:, sampler.types].astype(bool)  # rows × experts

    def once(rng):
        totals = np.zeros(len(sampler.low))
        free = np.ones(len(sampler.ids), dtype=bool)
        chosen = []
        for _ in range(sampler.size):
            allowed = free & ~members[totals >= sampler.high].any(axis=0)
            need = sampler.low - totals
            pool = allowed
            if (need > 0).any():
                available = (members & allowed).sum(axis=1)
                urgency = np.where(need > 0, need / np.maximum(available, 1e-9), -1)
                urgency[0] = -1  # the size row is never "urgent" by itself
                row = int(np.argmax(urgency))
                if urgency[row] > 0:
                    pool = allowed & members[row]
            candidates = np.flatnonzero(pool)
            if not len(candidates):
                return None
            pick = int(rng.choice(candidates))
            chosen.append(pick)
            free[pick] = False
            totals += members[:, pick]
        chosen = np.array(chosen)
        return chosen if sampler.feasible(chosen) else None

    return estimate(sampler, once, budget)


def row(n, k, cap, method, result):
    seconds = result.get("seconds")
    low, high = result.get("min"), result.get("max")
    ratio = high / low if low else float("inf") if high is not None else None
    cells = [
        f"{n:>6}", f"{k:>3}", f"{'2' if cap else '无':>4}", f"{method:<22}",
        f"{seconds:>9.3f}" if seconds is not None else f"{'—':>9}",
        f"{low:>10.6f}" if low is not None else f"{'—':>10}",
        f"{high:>9.6f}" if high is not None else f"{'—':>9}",
        f"{ratio:>8.2f}" if ratio is not None else f"{'—':>8}",
        result.get("note", ""),
    ]
    print("  ".join(cells), flush=True)


def main() -> int:
    only = set(sys.argv[1:])
    print("  ".join(["     n", "  k", "单位上限", "method".ljust(22), "  time(s)", "       min", "      max", " max/min", "note"]))
    for n in (1000, 3000, 10000):
        pool = synthetic_pool(n, seed=POOL_SEEDS[n])
        for k in (25, 51):
            for cap in (None, 2):
                if only and f"{n}/{k}/{cap or 'none'}" not in only:
                    continue
                spec = synthetic_spec(k, cap)
                mine = ours(pool, spec)
                row(n, k, cap, "ours (maximin→minimax)", mine)
                _, parsed, eligible, _, structure = freeze(pool, spec)
                frozen = SimpleNamespace(spec=parsed, eligible=eligible, structure=structure)
                if n == 1000 and cap is None:
                    theirs = package(frozen, spec)
                    row(n, k, cap, "sortition-algorithms", theirs)
                    if theirs.get("min") is not None and mine.get("seconds") is not None:
                        print(f"{'':>40}optimum min: ours {mine['optimum']:.9f} vs package {theirs['min']:.9f}, "
                              f"diff {abs(mine['optimum'] - theirs['min']):.1e}; speed-up {theirs['seconds'] / mine['seconds']:.1f}×")
                sampler = Sampler(frozen)
                row(n, k, cap, "uniform, retried", uniform(sampler, SAMPLING_BUDGET))
                row(n, k, cap, "greedy one-by-one", greedy(sampler, SAMPLING_BUDGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
