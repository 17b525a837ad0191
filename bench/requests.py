"""make bench-requests: what one deadline-day arrival costs the server, counted in instructions.

bench-rush measures latency under load, which rests on the machine: machines of the same kind here
differed about twice in speed between sessions, and one machine by 40% within minutes. This counts
the CPU instructions the application executes for each of bench-rush's six request kinds (the
applicant's workspace, a submit, the progress page, the public publicity list, a certificate
verification, the staff dashboard), under valgrind's callgrind, which gives the same count for the
same code and data on a busy machine or an idle one: a change that makes a page cheaper shows
as fewer instructions, whatever the machine does meanwhile.

Data: bench-rush's own preparation (the demo region and complete drafts, logged in), once on SQLite,
copied into PostgreSQL when it is reachable. Each request runs through the whole Django stack
(middleware, sessions, views, templates; the test client in place of gunicorn), DEBUG off, pinned to
30 June 2021. Instructions are counted only after one warm-up request of each kind, in this process
only: the database server's work (PostgreSQL) is not counted, its queries are. Under callgrind the
requests run about 50 times slower than they would; the run takes a few minutes.

    make bench-requests                       # 5 requests of each kind, SQLite and PostgreSQL
    make bench-requests REQUESTS_ARGS="--requests 10 --backends postgresql"
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from bench.databases import copy_sqlite_into_postgresql, drop_database, fresh_database, postgres_reachable
from bench.rush_mix import KINDS, arrival_requests

DEADLINE = "2021-06-30"
PG_NAME = "zhicheng_bench_requests"


def measure(plan_path: str, count: int, out_path: str) -> None:
    """In the child under callgrind: warm up, then `count` requests of each kind, one dump per kind."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    with open(plan_path) as f:
        data = json.load(f)
    # bench-rush's own arrivals at one a second: arrival 0 warms up, arrivals 1..count are counted; each submits
    # its own draft, views the progress page of the one submitted before it and the workspace of a draft nobody submits.
    plan = dict(data, rate=1, seconds=count + 1)
    client = Client(HTTP_HOST="127.0.0.1")

    def send(kind: str, i: int) -> None:
        _, method, path, session, expect = next(r for r in arrival_requests(plan, i) if r[0] == kind)
        client.cookies.clear()  # as in bench-rush: each request carries its own session, or none
        cookie = {"HTTP_COOKIE": f"sessionid={session}"} if session else {}
        response = client.post(path, {"action": "submit"}, **cookie) if method == "POST" else client.get(path, **cookie)
        got = f"{response.status_code} {response.get('Location', '')}".strip() if expect.startswith("302") else str(response.status_code)
        if got != expect:
            raise SystemExit(f"{kind}, arrival {i}: {got}, expected {expect}")

    for kind in KINDS:  # the warm-up: the first of each kind loads templates and fills per-process caches
        send(kind, 0)

    def callgrind(*args: str) -> None:
        subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)

    queries = {}
    counted = [0]

    def count_query(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    callgrind("--instr=on")
    callgrind("--zero")
    with connection.execute_wrapper(count_query):
        for kind in KINDS:
            counted[0] = 0
            for i in range(1, count + 1):
                send(kind, i)
            queries[kind] = counted[0] / count
            callgrind("--dump=" + kind)  # the dump resets the counters: each holds one kind
    with open(out_path, "w") as f:
        json.dump(queries, f)


def instructions(prefix: str) -> dict[str, int]:
    """Instructions per dump of one callgrind run, by the dump's label (the request kind)."""
    found = {}
    for path in glob.glob(prefix + ".*"):
        with open(path, errors="replace") as f:
            text = f.read()
        trigger = re.search(r"^desc: Trigger: dump (\w+)", text, re.M)
        summary = re.search(r"^summary: (\d+)", text, re.M)
        if trigger and summary:
            found[trigger.group(1)] = int(summary.group(1))
    return found


def run_backend(backend: str, env: dict, plan: str, count: int, tmp: str) -> dict:
    prefix = os.path.join(tmp, f"callgrind-{backend}")
    queries_path = os.path.join(tmp, f"queries-{backend}.json")
    log = os.path.join(tmp, f"{backend}.log")
    with open(log, "w") as out:
        done = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={prefix}",
                               sys.executable, "-m", "bench.requests", "--measure", plan, "--requests", str(count),
                               "--out", queries_path], env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        with open(log) as f:
            raise SystemExit(f"{backend}: the measured run failed:\n" + "".join(f.readlines()[-30:]))
    with open(queries_path) as f:
        queries = json.load(f)
    counted = instructions(prefix)
    return {kind: {"instructions": counted[kind] / count, "queries": queries[kind]} for kind in KINDS}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5, help="requests of each kind counted (default 5)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both (default both)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(args.measure, args.requests, args.out)
        return 0
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        raise SystemExit("valgrind (callgrind) is needed: apt-get install valgrind")
    backends = [b for b in args.backends.split(",") if b]
    if "postgresql" in backends and not postgres_reachable():
        print("PostgreSQL is not reachable: SQLite only.")
        backends = [b for b in backends if b != "postgresql"]

    tmp = tempfile.mkdtemp(prefix="bench-requests-")
    base = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.rush_settings", ZHICHENG_VAR_DIR=tmp, PYTHONPATH=os.getcwd(),
                DEBUG="0", ZHICHENG_TODAY=DEADLINE, ZHICHENG_VERIFY_PER_MINUTE="1000000", ZHICHENG_VERIFY_PER_HOUR="1000000")
    for name in ("ZHICHENG_TODAY_FILE", "ZHICHENG_TEST_DB_SUFFIX", "DATABASE_URL"):
        base.pop(name, None)
    results, pg_url = {}, None
    try:
        sqlite_path = os.path.join(tmp, "prepared.sqlite3")
        sqlite_env = fresh_database("sqlite", base, sqlite_path=sqlite_path, pg_name=PG_NAME)
        plan = os.path.join(tmp, "prepared.json")
        # The warm-up's submitter and the counted ones, and one draft nobody submits for the workspace.
        subprocess.run([sys.executable, "-m", "bench.rush", "--prepare", str(args.requests + 2), "--out", plan],
                       env=sqlite_env, check=True, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "prepare.log"), "w"))
        # DEBUG off: pages name their hashed static files.
        subprocess.run([sys.executable, "-m", "zhicheng.cli", "collectstatic", "--noinput", "--verbosity", "0"], env=sqlite_env, check=True)
        for backend in backends:
            if backend == "sqlite":
                env = fresh_database("sqlite", base, sqlite_path=os.path.join(tmp, "measured.sqlite3"), pg_name=PG_NAME)
                shutil.copyfile(sqlite_path, env["DATABASE_URL"].removeprefix("sqlite:///"))
            else:
                env = fresh_database("postgresql", base, sqlite_path=sqlite_path, pg_name=PG_NAME)
                pg_url = env["DATABASE_URL"]
                subprocess.run([sys.executable, "-m", "bench.rush", "--migrate"], env=env, check=True)
                copy_sqlite_into_postgresql(sqlite_path, pg_url)
            results[backend] = run_backend(backend, env, plan, args.requests, tmp)
    finally:
        if pg_url:
            drop_database(pg_url)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nInstructions per request (millions, callgrind; this process only, after a warm-up), {args.requests} of each kind:\n")
    print("| request | " + " | ".join(f"{b} (M instructions) | {b} (queries)" for b in results) + " |")
    print("|---|" + "---|---|" * len(results))
    for kind in KINDS + ("arrival",):
        cells = []
        for backend, by_kind in results.items():
            if kind == "arrival":
                cells += [f"**{sum(r['instructions'] for r in by_kind.values()) / 1e6:.1f}**",
                          f"**{sum(r['queries'] for r in by_kind.values()):.1f}**"]
            else:
                cells += [f"{by_kind[kind]['instructions'] / 1e6:.1f}", f"{by_kind[kind]['queries']:.1f}"]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
