"""make bench-rush: the deadline day (三（二）: 30 June) against a real server.

A fresh database (SQLite; PostgreSQL too when reachable) gets the region and N applicants per
scenario whose drafts are complete (archive, materials, pledge, fee). Django's threaded server
is started on it as a separate process, pinned to 30 June 2021. Then C clients at once, over
HTTP, each submit a declaration and load pages (the progress page and another applicant's
workspace), first through the application's own submit, then through a naive baseline
(bench/rush_naive.py: re-screen, re-read every file, render the whole workspace). Printed per
request kind: latency percentiles, throughput, failures and the queries each request cost in the
server (its X-Queries header). Logins are made before the clock starts (Argon2 is deliberately slow).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.databases import PG_ADMIN_URL, fresh_database, load_region, postgres_reachable

PG_BENCH_DB = "zhicheng_bench_rush"
DEADLINE = "2021-06-30"
ITEMS = ("evaluation_form", "review_summary_form", "continuing_education_card", "current_title_certificate",
         "annual_assessments", "achievements", "work_summary")


def prepare(n: int) -> dict:
    """In a child process: migrate, load the region, make 3·n complete drafts, log their owners in."""
    import django

    django.setup()
    from django.test import Client

    loader = load_region()
    from zhicheng.catalogue import materials_data
    from zhicheng.catalogue.models import AnnualPlan, MaterialItem, Series, Specialty
    from zhicheng.core import clock
    from zhicheng.declarations import checklist, drafting
    from zhicheng.declarations.screening import screen
    from zhicheng.declarations.services import start_declaration
    from zhicheng.demo import applicants as P
    from zhicheng.files.services import store_file
    from zhicheng.orgs.models import Organisation

    materials_data.load()
    profile = P.regular_engineer()
    unit, plan = Organisation.objects.get(name=profile["unit"]), AnnualPlan.objects.get(year=2021)
    series = Series.objects.get(code="engineering")
    specialty = Specialty.objects.get(series=series, name=profile["specialty"])
    items = [MaterialItem.objects.get(code=code) for code in ITEMS]
    groups = {"lean": [], "naive": [], "pages": []}
    with clock.frozen(dt.date(2021, 6, 29)):
        for group in groups:
            for i in range(n):
                person = loader._new_person(unit, 1975 + i % 15)
                loader._archive(person, profile)
                account = loader._account(f"r{person.pk}", "applicant", person=person)
                app = start_declaration(person=person, plan=plan, series=series, level="associate_senior", actor=account,
                                        specialty=specialty)
                screen(app, actor=account)
                for item in items:
                    data = b"%PDF-1.4\n% " + f"{person.pk}-{item.code}".encode() + b"\n%%EOF\n"
                    checklist.attach(app, account, item, store_file(f"{item.code}.pdf", data))
                drafting.sign_pledge(app, account)
                drafting.record_fee_payment(app, account, f"RUSH{person.pk:06d}")
                client = Client()
                client.force_login(account)
                groups[group].append({"pk": app.pk, "session": client.cookies["sessionid"].value})
    return groups


def _fresh_env(backend: str, tmp: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.rush_settings", ZHICHENG_VAR_DIR=tmp, PYTHONPATH=os.getcwd())
    env.pop("ZHICHENG_TODAY", None)
    env = fresh_database(backend, env, sqlite_path=f"{tmp}/rush.sqlite3", pg_name=PG_BENCH_DB)
    if backend != "sqlite":
        env["CONN_MAX_AGE"] = "0"
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, log_path: str):
        self.port = _free_port()
        self.log = open(log_path, "wb")  # the server logs every request: a pipe nobody reads would block it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zhicheng.cli", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            env=dict(env, ZHICHENG_TODAY=DEADLINE), stdout=self.log, stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                if self.request("GET", "/login/", {})[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start, see {log_path}")

    def request(self, method: str, path: str, cookies: dict, body: str = "") -> tuple[int, float, int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        csrf = secrets.token_hex(16)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in {**cookies, "csrftoken": csrf}.items()), "X-CSRFToken": csrf}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        return response.status, elapsed, int(response.getheader("X-Queries") or 0), response.getheader("Location") or ""

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def run_scenario(server: Server, submitters: list[dict], readers: list[dict], concurrency: int, naive: bool) -> dict:
    """Each task: submit one declaration, then load its progress page and another draft's workspace."""
    results: dict[str, list] = {"submit": [], "progress": [], "workspace": []}
    lock = threading.Lock()

    def task(i: int):
        mine, other = submitters[i], readers[i % len(readers)]
        cookie = {"sessionid": mine["session"]}
        if naive:
            outcome = server.request("POST", f"/bench/naive-submit/{mine['pk']}/", cookie, "x=1")
            ok = outcome[0] == 200
        else:
            # A refused submit also redirects, back to the workspace: only the progress page means done.
            outcome = server.request("POST", f"/applications/{mine['pk']}/act/", cookie, "action=submit")
            ok = outcome[0] == 302 and outcome[3] == f"/applications/{mine['pk']}/"
        page = server.request("GET", f"/applications/{mine['pk']}/", cookie)
        draft = server.request("GET", f"/applications/{other['pk']}/edit/", {"sessionid": other["session"]})
        with lock:
            results["submit"].append((ok, *outcome[1:3]))
            results["progress"].append((page[0] == 200, *page[1:3]))
            results["workspace"].append((draft[0] == 200, *draft[1:3]))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(task, range(len(submitters))))
    wall = time.perf_counter() - started
    return {kind: summarise(rows, wall) for kind, rows in results.items()}


def summarise(rows: list[tuple[bool, float, int]], wall: float) -> dict:
    times = sorted(t * 1000 for _, t, _ in rows)
    q = [n for _, _, n in rows]
    return {
        "n": len(rows), "failed": sum(1 for ok, _, _ in rows if not ok),
        "p50": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95) - 1)], "max": times[-1],
        "rps": len(rows) / wall, "queries": statistics.mean(q) if q else 0,
    }


def bench(backend: str, n: int, concurrency: int) -> list[tuple]:
    with tempfile.TemporaryDirectory() as tmp:
        env = _fresh_env(backend, tmp)
        out = subprocess.run([sys.executable, "-m", "bench.rush", "--prepare", str(n)], env=env, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        groups = json.loads(out.stdout.strip().splitlines()[-1])
        server = Server(env, os.environ.get("RUSH_SERVER_LOG") or os.path.join(tmp, "server.log"))
        try:
            lean = run_scenario(server, groups["lean"], groups["pages"], concurrency, naive=False)
            naive = run_scenario(server, groups["naive"], groups["pages"], concurrency, naive=True)
        finally:
            server.stop()
    rows = []
    for kind, label in (("submit", "提交申报"), ("progress", "办理进度页"), ("workspace", "填写页")):
        for name, r in (("本系统", lean[kind]), ("朴素基线", naive[kind])):
            rows.append((backend, label, name, concurrency, r["n"], r["failed"], r["p50"], r["p95"], r["max"], r["rps"], r["queries"]))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("-n", type=int, default=120, help="declarations submitted per scenario")
    parser.add_argument("-c", "--concurrency", type=int, default=24, help="clients at once")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare(args.prepare)))
        return 0
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not postgres_reachable():
        print(f"PostgreSQL at {PG_ADMIN_URL} not reachable: SQLite only.")
        backends.remove("postgresql")
    print(f"Deadline day {DEADLINE}: {args.n} submits per scenario, {args.concurrency} clients at once; each client "
          f"submits, then opens its progress page and another applicant's workspace. Server: Django's threaded server, "
          f"one process; 2 cores shared with other work.")
    rows = []
    for backend in backends:
        rows += bench(backend, args.n, args.concurrency)
    header = ("数据库", "请求", "实现", "并发", "请求数", "失败", "p50 ms", "p95 ms", "最大 ms", "请求/秒", "查询/请求")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]:.0f} | {r[7]:.0f} | {r[8]:.0f} | {r[9]:.1f} | {r[10]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
