"""make bench-rush: the deadline day (三（二）: 30 June 2021) as an open-model load against real servers.

Data, prepared once: the demo region (`load_demo`: its committees, publicities and certificates)
plus as many applicants with complete drafts (archive, screening, the seven materials, pledge,
fee) as the runs submit, made by the application's own functions on SQLite, each already logged
in (sessions written directly: Argon2 is slow by design and logins are not what is measured);
PostgreSQL (when reachable) gets the same rows by COPY (bench/databases.py). Each server gets its
own copy of that database (a PostgreSQL database made from the prepared one as template, or a
copy of the SQLite file), so every server faces the same drafts.

Servers, one after another in the same run, each pinned to 30 June 2021 (ZHICHENG_TODAY) with the
verification page's per-IP limit raised (ZHICHENG_VERIFY_PER_MINUTE/_PER_HOUR: every request
comes from 127.0.0.1):
  serve/postgresql   `zhicheng serve --with-worker` (gunicorn gthread + WhiteNoise, DEBUG off, its
                     default workers and threads) and a background-job worker;
  serve/sqlite       the same on the SQLite file;
  runserver/postgresql  Django's development server (`zhicheng runserver --noreload`, threaded),
                     what `make run` used before: the baseline.
The settings are the application's own plus one middleware that reports each request's number of
queries in an X-Queries header (bench/rush_settings.py).

Load (bench/rush_load.py, locust run headless as a library in .venv-bench): for each rate R
(default 5, 10, 20, 40 submits/s) for S seconds (default 60), arrivals at a fixed rate whatever
the server answers: each second R submits, each with 5 page views (the applicant's workspace, the
progress page, the public publicity list, a certificate verification, the staff dashboard), i.e.
6R requests/s spread evenly. Requests not answered within --timeout count as errors.

Printed per server and rate: p50/p95/p99 per request kind (of the requests answered as
expected), errors, throughput, the server-side queries per request; per server the highest rate
whose p99 stays under 1 s for every kind with no error. A development server that sustains none
of the rates is run again at lower ones (--baseline-rates, default 3, 2, 1, highest first until
one holds), so that "three times the development server's rate" compares two numbers.

Then the crash: a fresh copy on PostgreSQL, `zhicheng serve` at 10 submits/s, and halfway through
one gunicorn web worker is killed with SIGKILL. The run shows that no declaration is half
submitted (each submitted one has exactly one submit event, one audit entry and its version-1
snapshot of the selected records; each other one is unchanged to the byte since preparation; the
audit hash chain verifies), which requests were lost and how they were answered, and that
retrying each of them succeeds.

    make bench-rush RUSH_ARGS="--seconds 10 --rates 5,10"   # a short run
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from bench.databases import (PG_ADMIN_URL, copy_database, copy_sqlite_into_postgresql, drop_database, drop_limited_role,
                             fresh_database, limited_url, postgres_reachable)

DEADLINE = "2021-06-30"
PG_PREPARED = "zhicheng_bench_rush"
KINDS = ("submit", "workspace", "progress", "publicity", "verify", "dashboard")
ITEMS = ("evaluation_form", "review_summary_form", "continuing_education_card", "current_title_certificate",
         "annual_assessments", "achievements", "work_summary")
SERVERS = ("serve/postgresql", "serve/sqlite", "runserver/postgresql")
LOAD_PYTHON = os.path.join(".venv-bench", "bin", "python")
SUSTAINED_P99_MS = 1000
BAR_P99_MS, BAR_RATE, BAR_FACTOR = 500, 10, 3
RUNSERVER_PG_CONNECTIONS = 50
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---- in a child process, with Django: prepare and check ----------------------------------------

def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def fingerprints(pks: list[int]) -> dict[str, str]:
    """A digest per declaration of its row and everything a submit writes (events, audit entries,
    selected-record snapshots, materials), to tell an untouched declaration from a touched one."""
    from zhicheng.audit.models import AuditEntry
    from zhicheng.declarations.models import Application, ApplicationEvent, ApplicationMaterial, SelectedRecord

    parts: dict[int, list] = {pk: [] for pk in pks}
    for chunk in _chunks(pks):
        for row in Application.objects.filter(pk__in=chunk).values():
            parts[row["id"]].append(sorted((k, str(v)) for k, v in row.items()))
        for model, fields in ((ApplicationEvent, ("pk", "action", "to_state")),
                              (SelectedRecord, ("kind", "record_id", "version")),
                              (ApplicationMaterial, ("pk", "retired_in_version"))):
            for app_id, *rest in model.objects.filter(application_id__in=chunk).order_by("pk").values_list("application_id", *fields):
                parts[app_id].append([model.__name__, *map(str, rest)])
        entries = AuditEntry.objects.filter(object_type="declarations.application", object_id__in=[str(pk) for pk in chunk])
        for object_id, seq, action in entries.order_by("seq").values_list("object_id", "seq", "action"):
            parts[int(object_id)].append(["audit", seq, action])
    return {str(pk): hashlib.sha256(json.dumps(p).encode()).hexdigest() for pk, p in parts.items()}


def prepare(count: int, out_path: str) -> None:
    """Migrate, load the demo region, make `count` complete drafts and log their owners in."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from zhicheng.accounts.models import User
    from zhicheng.catalogue import materials_data
    from zhicheng.catalogue.models import AnnualPlan, MaterialItem, Series, Specialty
    from zhicheng.certificates.models import Certificate
    from zhicheng.core import clock
    from zhicheng.declarations import checklist, drafting
    from zhicheng.declarations.screening import screen
    from zhicheng.declarations.services import start_declaration
    from zhicheng.demo import applicants as P
    from zhicheng.demo.loader import DemoLoader
    from zhicheng.files.services import store_file
    from zhicheng.orgs.models import Organisation

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    loader = DemoLoader(out=lambda *a: None)
    loader.run()
    print(f"  demo region loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    materials_data.load()
    profile = P.regular_engineer()
    unit, plan = Organisation.objects.get(name=profile["unit"]), AnnualPlan.objects.get(year=2021)
    series = Series.objects.get(code="engineering")
    specialty = Specialty.objects.get(series=series, name=profile["specialty"])
    items = [MaterialItem.objects.get(code=code) for code in ITEMS]
    # The same seven files for everyone: files are stored by content, so this costs seven writes.
    files = {item.code: store_file(f"{item.code}.pdf", b"%PDF-1.4\n% " + item.code.encode() + b"\n%%EOF\n") for item in items}
    # The backend a password login records: the first that can load a user (a throttling one before it cannot).
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    store, expires = SessionStore(), timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    def log_in(users: list) -> list[str]:
        keys = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in users]
        Session.objects.bulk_create([
            Session(session_key=key, expire_date=expires, session_data=store.encode(
                {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}))
            for key, user in zip(keys, users)
        ])
        return keys

    applicants = []
    with clock.frozen(dt.date(2021, 6, 29)):
        for batch in _chunks(list(range(count)), 100):
            with transaction.atomic():
                made = []
                for i in batch:
                    person = loader._new_person(unit, 1975 + i % 15)
                    loader._archive(person, profile)
                    account = loader._account(f"rush{person.pk}", "applicant", person=person)
                    app = start_declaration(person=person, plan=plan, series=series, level="associate_senior", actor=account,
                                            specialty=specialty)
                    screen(app, actor=account)
                    for item in items:
                        checklist.attach(app, account, item, files[item.code])
                    drafting.sign_pledge(app, account)
                    drafting.record_fee_payment(app, account, f"RUSH{person.pk:06d}")
                    made.append((app.pk, account))
                applicants += [[pk, key] for (pk, _), key in zip(made, log_in([account for _, account in made]))]
            print(f"  {len(applicants)}/{count} drafts ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    staff = User.objects.get(username=f"org{unit.pk}")
    certificates = Certificate.objects.order_by("pk")
    data = {
        "applicants": applicants,
        "staff_session": log_in([staff])[0],
        "verify_paths": [reverse("certificate_scan", args=[c.number, c.check_code]) for c in certificates],
        "fingerprints": fingerprints([pk for pk, _ in applicants]),
    }
    if not data["verify_paths"]:
        raise SystemExit("the demo region has no certificate to verify")
    with open(out_path, "w") as f:
        json.dump(data, f)


def check(in_path: str) -> None:
    """Is any declaration half submitted? Reads {pks, acknowledged, fingerprints}, prints a JSON verdict."""
    import django

    django.setup()
    from django.db.models import Count, Q

    from zhicheng.audit.models import AuditEntry
    from zhicheng.audit.services import verify_chain
    from zhicheng.declarations.models import Application, SelectedRecord
    from zhicheng.declarations.states import State

    with open(in_path) as f:
        given = json.load(f)
    pks, before = given["pks"], given["fingerprints"]
    now = fingerprints(pks)
    submitted, untouched, broken = [], [], []
    for chunk in _chunks(pks):
        audits: dict[str, int] = {}
        for object_id in AuditEntry.objects.filter(object_type="declarations.application", action="application.submit",
                                                   object_id__in=[str(pk) for pk in chunk]).values_list("object_id", flat=True):
            audits[object_id] = audits.get(object_id, 0) + 1
        rows = (Application.objects.filter(pk__in=chunk)
                .annotate(submits=Count("events", filter=Q(events__action="submit", events__to_state=State.SUBMITTED), distinct=True))
                .values_list("pk", "state", "version", "submits"))
        draft_selection = dict(SelectedRecord.objects.filter(application_id__in=chunk, version=0).values_list("application_id")
                               .annotate(n=Count("pk")))
        frozen = dict(SelectedRecord.objects.filter(application_id__in=chunk, version=1).values_list("application_id")
                      .annotate(n=Count("pk")))
        for pk, state, version, submits in rows:
            if state == State.SUBMITTED:
                whole = (version == 1 and submits == 1 and audits.get(str(pk)) == 1
                         and frozen.get(pk, 0) == draft_selection.get(pk, 0))
                (submitted if whole else broken).append(pk)
            elif now[str(pk)] == before[str(pk)]:
                untouched.append(pk)
            else:
                broken.append(pk)
    lost_acks = sorted(set(given["acknowledged"]) - set(submitted))
    chain = verify_chain()
    print(json.dumps({"submitted": len(submitted), "untouched": len(untouched), "broken": broken,
                      "acknowledged_not_submitted": lost_acks, "submitted_pks": submitted,
                      "audit_chain": "intact" if chain.ok else f"broken at {chain.first_broken_seq}: {chain.reason}"}))


# ---- the servers ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def request(port: int, method: str, path: str, session: str = "", body: str = "", timeout: float = 60) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"csrftoken={csrf}" + (f"; sessionid={session}" if session else ""), "X-CSRFToken": csrf}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime, fields 14 and 15 of proc(5)


def _postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to `database` (their title names it)."""
    found = []
    for entry in os.listdir("/proc"):
        title = _cmdline(int(entry)) if entry.isdigit() else ""
        if title.startswith("postgres: ") and f" {database} " in title:
            found.append(int(entry))
    return found


class Server:
    """`zhicheng serve --with-worker` or `zhicheng runserver --noreload`, in its own process group."""

    def __init__(self, kind: str, env: dict, log_path: str):
        self.kind, self.port = kind, _free_port()
        url = env.get("DATABASE_URL", "")
        self.pg_database = url.rsplit("/", 1)[1].split("?")[0] if url.startswith("postgres") else ""
        self.name = os.path.splitext(os.path.basename(log_path))[0]
        bind = f"127.0.0.1:{self.port}"
        command = (["serve", "--bind", bind, "--with-worker"] if kind == "serve" else ["runserver", bind, "--noreload"])
        self.log = open(log_path, "ab")  # the development server logs every request: a pipe nobody reads would block it
        self.proc = subprocess.Popen([sys.executable, "-m", "zhicheng.cli", *command], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(300):
            try:
                if request(self.port, "GET", "/login/", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{kind} did not start, see {log_path}")

    def web_workers(self) -> list[int]:
        """The gunicorn master's children: the processes that answer requests."""
        masters = [pid for pid in _children(self.proc.pid) if "gunicorn" in _cmdline(pid)]
        return [pid for master in masters for pid in _children(master)]

    def cpu_by_part(self) -> dict[str, dict[int, float]]:
        """CPU seconds so far of each process by part: the web server (gunicorn's master and workers, or the
        development server), the job worker, and the PostgreSQL backends serving this server's database."""
        web, jobs = [], []
        if self.kind == "runserver":
            web.append(self.proc.pid)
        for child in _children(self.proc.pid):
            if "gunicorn" in _cmdline(child):
                web += [child, *_children(child)]
            else:
                jobs.append(child)
        parts = {"web": web, "jobs": jobs, "postgresql": _postgres_backends(self.pg_database) if self.pg_database else []}
        return {part: {pid: _cpu_seconds(pid) for pid in pids} for part, pids in parts.items()}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # serve passes it on to gunicorn and the worker
            try:
                self.proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # whatever of this server's own group is left
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()


# ---- the load ------------------------------------------------------------------------------------

def warm_up(server: Server, applicants: list, data: dict) -> None:
    """Before the clock: every page once in each server process (templates compiled, URL resolvers built)."""
    paths = []
    for pk, session in applicants[:12]:
        paths += [(f"/applications/{pk}/edit/", session), (f"/applications/{pk}/", session), ("/public/publicities/", ""),
                  (data["verify_paths"][0], ""), ("/dashboard/", data["staff_session"])]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda p: request(server.port, "GET", *p), paths))


def settle(server: Server, limit: float = 120) -> None:
    """Wait until a saturated server has worked off what the last rate left queued (two quick answers in a row)."""
    quick, deadline = 0, time.monotonic() + limit
    while quick < 2 and time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            request(server.port, "GET", "/public/publicities/", timeout=limit)
            quick = quick + 1 if time.perf_counter() - started < 0.3 else 0
        except OSError:
            quick = 0
        time.sleep(0.5)


def run_load(server: Server, rate: int, seconds: int, applicants: list, data: dict, tmp: str, timeout: float,
             during=None) -> dict:
    """One rate for `seconds` through bench/rush_load.py; `during(started_at)` runs while the load does."""
    plan = {"host": f"http://127.0.0.1:{server.port}", "rate": rate, "seconds": seconds, "timeout": timeout,
            "applicants": applicants, "staff_session": data["staff_session"], "verify_paths": data["verify_paths"],
            "started_file": os.path.join(tmp, "load.started")}
    plan_path, out_path = os.path.join(tmp, "plan.json"), os.path.join(tmp, f"records-{server.name}-{rate}.json")
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    if os.path.exists(plan["started_file"]):
        os.remove(plan["started_file"])
    cpu_before, children_before = server.cpu_by_part(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.path.join(tmp, "load.log"), "ab") as log:
        load = subprocess.Popen([LOAD_PYTHON, "-m", "bench.rush_load", plan_path, out_path], stdout=log, stderr=subprocess.STDOUT,
                                env=dict(os.environ, PYTHONPATH=os.getcwd()))
        if during is not None:
            while not os.path.exists(plan["started_file"]) and load.poll() is None:
                time.sleep(0.05)
            during()
        if load.wait():
            raise RuntimeError(f"the load generator failed, see {tmp}/load.log")
    cpu_after, children_after = server.cpu_by_part(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out_path) as f:
        result = json.load(f)
    # CPU time, not wall time: what each part cost per arrival whatever else the machine was doing. A process that
    # ended during the run (a closed PostgreSQL connection) is missing from it.
    result["cpu"] = {part: sum(seconds - cpu_before[part].get(pid, 0.0) for pid, seconds in cpu_after[part].items())
                     for part in cpu_after}
    result["cpu"]["load generator"] = (children_after.ru_utime + children_after.ru_stime
                                       - children_before.ru_utime - children_before.ru_stime)
    return result


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def summarise(result: dict) -> dict:
    """Per kind and for all requests: answered as expected, errors, p50/p95/p99 (ms), mean queries."""
    records = result["records"]
    out = {}
    for kind in (*KINDS, "all"):
        rows = [r for r in records if kind in ("all", r["kind"])]
        good = sorted(r["ms"] for r in rows if not r["error"])
        errors = len(rows) - len(good) + (result["unanswered"] if kind == "all" else 0)
        out[kind] = {
            "n": len(rows), "ok": len(good), "errors": errors,
            "p50": percentile(good, 0.50), "p95": percentile(good, 0.95), "p99": percentile(good, 0.99),
            "queries": sum(r["queries"] for r in rows if not r["error"]) / max(len(good), 1),
            "errors_by": _error_kinds(r["error"] for r in rows if r["error"]),
        }
    if result["unanswered"]:
        out["all"]["errors_by"]["still open at the end"] = result["unanswered"]
    out["all"]["throughput"] = out["all"]["ok"] / result["wall"]
    out["submit"]["throughput"] = out["submit"]["ok"] / result["wall"]
    out["all"]["max_lag"] = result["max_lag"]
    arrivals = max(out["submit"]["n"], 1)
    out["all"]["cpu_ms_per_arrival"] = {part: 1000 * seconds / arrivals for part, seconds in result["cpu"].items()}
    out["all"]["cores"] = sum(result["cpu"].values()) / result["wall"]
    return out


def _error_kinds(errors) -> dict[str, int]:
    counts: dict[str, int] = {}
    for error in errors:
        key = " ".join(error.split()[:2]) if error.startswith("HTTP") else error.split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    return counts


def sustained(by_rate: dict[int, dict]) -> bool | int:
    """The highest rate whose every request kind has p99 under 1 s and no error (0 if none)."""
    good = [rate for rate, s in by_rate.items()
            if s["all"]["errors"] == 0 and all(s[k]["p99"] < SUSTAINED_P99_MS for k in KINDS)]
    return max(good, default=0)


# ---- the run -------------------------------------------------------------------------------------

def _django_child(env: dict, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "bench.rush", *args], env=env, stdout=subprocess.PIPE, text=True)
    if out.returncode:
        raise RuntimeError(f"bench.rush {' '.join(args)} failed")
    return out.stdout


def own_signed_files(tmp: str, name: str) -> dict:
    """A server's copy of the database gets its own copies of the files signed outside it (audit checkpoints,
    revocation list), starting from what preparation signed: two copies' chains part after preparation, and a
    checkpoint one server signed would not match the other's entries."""
    files = {}
    for variable, prepared in (("ZHICHENG_AUDIT_CHECKPOINT_FILE", os.path.join(tmp, "audit", "checkpoints.jsonl")),
                               ("ZHICHENG_REVOCATION_LIST_FILE", os.path.join(tmp, "signing", "revocations.jsonl"))):
        files[variable] = os.path.join(tmp, f"{name.replace('/', '-')}-{os.path.basename(prepared)}")
        if os.path.exists(prepared):
            shutil.copyfile(prepared, files[variable])
    return files


def check_database(env: dict, tmp: str, applicants: list, data: dict, acknowledged: list[int]) -> dict:
    path = os.path.join(tmp, "check.json")
    pks = [pk for pk, _ in applicants]
    with open(path, "w") as f:
        json.dump({"pks": pks, "acknowledged": acknowledged, "fingerprints": {str(pk): data["fingerprints"][str(pk)] for pk in pks}}, f)
    return json.loads(_django_child(env, "--check", path).strip().splitlines()[-1])


def acknowledged_submits(result: dict) -> list[int]:
    return [int(r["path"].split("/")[2]) for r in result["records"] if r["kind"] == "submit" and not r["error"]]


def slices(rates: list[int], seconds: int, crash: bool) -> dict:
    """Which prepared applicants each run uses: R·S submitters and R more whose drafts are only viewed."""
    runs, start = {}, 0
    for key, rate in [(r, r) for r in rates] + ([("crash", BAR_RATE)] if crash else []):
        size = rate * seconds + rate
        runs[key] = (start, start + size)
        start += size
    return runs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fingerprint", help=argparse.SUPPRESS)
    parser.add_argument("--rates", default="5,10,20,40", help="submits per second, one run each (default 5,10,20,40)")
    parser.add_argument("--baseline-rates", default="1,2,3",
                        help="lower rates for the development server when it sustains none of --rates, highest first until one "
                             "holds, so that the comparison with it has a number (default 1,2,3; empty for none)")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run (default 60)")
    parser.add_argument("--timeout", type=float, default=30, help="a request unanswered after this many seconds is an error")
    parser.add_argument("--servers", default=",".join(SERVERS), help=f"which of {', '.join(SERVERS)} (default all)")
    parser.add_argument("--no-crash", action="store_true", help="skip the kill -9 run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, databases)")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.prepare, args.out)
        return 0
    if args.check:
        check(args.check)
        return 0
    if args.migrate or args.fingerprint:
        import django

        django.setup()
        from django.core.management import call_command

        if args.migrate:
            call_command("migrate", verbosity=0)
        else:
            with open(args.fingerprint) as f:
                given = json.load(f)
            given["fingerprints"] = fingerprints([pk for pk, _ in given["applicants"]])
            with open(args.out, "w") as f:
                json.dump(given, f)
        return 0

    if not os.path.exists(LOAD_PYTHON):
        raise SystemExit(f"{LOAD_PYTHON} is missing: `make bench-rush` installs locust there")
    rates = [int(r) for r in args.rates.split(",")]
    baseline = sorted({int(r) for r in args.baseline_rates.split(",") if r.strip()} - set(rates), reverse=True)
    servers = [s for s in args.servers.split(",") if s]
    if unknown := set(servers) - set(SERVERS):
        raise SystemExit(f"unknown servers: {', '.join(sorted(unknown))}")
    crash = not args.no_crash
    if not postgres_reachable():
        print(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: SQLite only, no crash run.")
        servers, crash = [s for s in servers if s.endswith("sqlite")], False
    runs = slices(rates + (baseline if any(s.startswith("runserver") for s in servers) else []), args.seconds, crash)
    count = max(end for _, end in runs.values())
    backends = sorted({s.split("/")[1] for s in servers} | ({"postgresql"} if crash else set()))

    tmp = tempfile.mkdtemp(prefix="bench-rush-")
    base = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.rush_settings", ZHICHENG_VAR_DIR=tmp, PYTHONPATH=os.getcwd(), DEBUG="0")
    for name in ("ZHICHENG_TODAY", "ZHICHENG_TODAY_FILE", "ZHICHENG_TEST_DB_SUFFIX"):
        base.pop(name, None)
    served = dict(base, ZHICHENG_TODAY=DEADLINE, ZHICHENG_VERIFY_PER_MINUTE="1000000", ZHICHENG_VERIFY_PER_HOUR="1000000")
    load = os.popen("cat /proc/loadavg").read().split()[:3]
    print(f"Deadline day {DEADLINE}, open model: rates {rates} submits/s, each with 5 page views, {args.seconds} s each; "
          f"servers {', '.join(servers)}; {os.cpu_count()} CPUs, load average {' '.join(load)} at start; "
          f"{dt.datetime.now():%Y-%m-%d %H:%M}. Logs in {tmp}.", flush=True)

    prepared, data = {}, {}
    copies = []
    try:
        # Made once, on SQLite, by the application's own functions; PostgreSQL gets the same rows by COPY.
        started = time.perf_counter()
        sqlite_path = os.path.join(tmp, "prepared.sqlite3")
        env = fresh_database("sqlite", base, sqlite_path=sqlite_path, pg_name=PG_PREPARED)
        out = os.path.join(tmp, "prepared-sqlite.json")
        _django_child(env, "--prepare", str(count), "--out", out)
        prepared["sqlite"] = env["DATABASE_URL"]
        with open(out) as f:
            data["sqlite"] = json.load(f)
        print(f"sqlite: demo region and {count} complete drafts prepared in {time.perf_counter() - started:.0f} s", flush=True)
        # DEBUG off: pages name their hashed static files, whichever server runs first (serve collects them too).
        subprocess.run([sys.executable, "-m", "zhicheng.cli", "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True)
        if "postgresql" in backends:
            started = time.perf_counter()
            env = fresh_database("postgresql", base, sqlite_path=sqlite_path, pg_name=PG_PREPARED)
            prepared["postgresql"] = env["DATABASE_URL"]
            _django_child(env, "--migrate")
            rows = copy_sqlite_into_postgresql(sqlite_path, env["DATABASE_URL"])
            out = os.path.join(tmp, "prepared-postgresql.json")
            _django_child(env, "--fingerprint", os.path.join(tmp, "prepared-sqlite.json"), "--out", out)
            with open(out) as f:
                data["postgresql"] = json.load(f)
            print(f"postgresql: the same {rows} rows copied in {time.perf_counter() - started:.0f} s", flush=True)

        table: dict[str, dict[int, dict]] = {}
        checks: dict[str, dict] = {}
        for name in servers:
            kind, backend = name.split("/")
            url = copy_database(prepared[backend], f"{PG_PREPARED}_{kind}")
            copies.append(url)
            signed = own_signed_files(tmp, name)
            env = dict(served, DATABASE_URL=url, **signed)
            if kind == "runserver" and backend == "postgresql":
                # A thread and a connection per request: saturated, the development server would take every
                # connection of a PostgreSQL it may share; beyond this it is refused, which counts as its error.
                env["DATABASE_URL"] = limited_url(url, RUNSERVER_PG_CONNECTIONS)
            server = Server(kind, env, os.path.join(tmp, f"{kind}-{backend}.log"))
            acknowledged, used = [], []
            try:
                warm_up(server, data[backend]["applicants"][runs[rates[0]][0]:], data[backend])

                def run_at(rate: int) -> dict:
                    people = data[backend]["applicants"][slice(*runs[rate])]
                    result = run_load(server, rate, args.seconds, people, data[backend], tmp, args.timeout)
                    summary = table.setdefault(name, {})[rate] = summarise(result)
                    acknowledged.extend(acknowledged_submits(result))
                    used.extend(people)
                    print(f"  {name} {rate}/s: p99 {summary['all']['p99']:.0f} ms, {summary['all']['errors']} errors, "
                          f"{summary['all']['throughput']:.1f} req/s", flush=True)
                    settle(server)
                    return summary

                for rate in rates:
                    run_at(rate)
                # The development server sustaining none of the ladder gives the comparison no number: lower rates
                # until one holds.
                if kind == "runserver" and not sustained(table[name]):
                    for rate in baseline:
                        if sustained({rate: run_at(rate)}):
                            break
            finally:
                server.stop()
            try:
                checks[name] = check_database(dict(base, DATABASE_URL=url, **signed), tmp, used, data[backend], acknowledged)
            except RuntimeError as exc:  # the database cannot be read (its traceback is above): say so, measure the rest
                checks[name] = {"failed": str(exc)}

        crash_report = crash_run(served, base, prepared["postgresql"], data["postgresql"], runs["crash"], args, tmp, copies) if crash else None
    finally:
        for url in copies + list(prepared.values()):
            drop_database(url)
        if "postgresql" in prepared:
            drop_limited_role()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    print_report(table, checks, args.seconds, crash_report)
    return 0


def retry(port: int, record: dict) -> bool:
    """Send a lost request again; a submit counts as succeeded when it ends on its declaration's progress page
    (one that went through before the kill is refused on retry and is sent there all the same)."""
    status, location = request(port, record["method"], record["path"], record["session"],
                                "action=submit" if record["method"] == "POST" else "")
    landed, hops = record["path"], 0
    while status == 302 and hops < 3:
        landed, hops = location, hops + 1
        status, location = request(port, "GET", location, record["session"])
    if record["kind"] == "submit":
        return status == 200 and landed == record["path"].removesuffix("act/")
    return status == 200


def crash_run(served: dict, base: dict, prepared_url: str, data: dict, span: tuple[int, int], args, tmp: str, copies: list) -> dict:
    """10 submits/s on PostgreSQL; halfway, one gunicorn web worker is killed with SIGKILL."""
    url = copy_database(prepared_url, f"{PG_PREPARED}_crash")
    copies.append(url)
    people = data["applicants"][slice(*span)]
    signed = own_signed_files(tmp, "crash")
    server = Server("serve", dict(served, DATABASE_URL=url, **signed), os.path.join(tmp, "serve-crash.log"))
    killed = {}
    try:
        warm_up(server, people, data)

        def kill_one_worker():
            time.sleep(args.seconds / 2)
            workers = server.web_workers()
            if not workers:
                raise RuntimeError("no gunicorn web worker found")
            os.kill(workers[0], signal.SIGKILL)
            killed.update(pid=workers[0], of=len(workers), at=args.seconds / 2)

        result = run_load(server, BAR_RATE, args.seconds, people, data, tmp, args.timeout, during=kill_one_worker)
        lost = [r for r in result["records"] if r["error"]]
        before = check_database(dict(base, DATABASE_URL=url, **signed), tmp, people, data, acknowledged_submits(result))
        retries = [{"kind": r["kind"], "path": r["path"], "error": r["error"], "ok": retry(server.port, r)} for r in lost]
        after = check_database(dict(base, DATABASE_URL=url, **signed), tmp, people, data, acknowledged_submits(result))
    finally:
        server.stop()
    retried_submits = {int(r["path"].split("/")[2]) for r in retries if r["kind"] == "submit"}
    return {"killed": killed, "summary": summarise(result), "before": before, "after": after, "retries": retries,
            "retried_submits_now_submitted": len(retried_submits & set(after["submitted_pks"])),
            "retried_submits": len(retried_submits)}


# ---- the report ----------------------------------------------------------------------------------

def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f}"


def print_report(table: dict, checks: dict, seconds: int, crash: dict | None) -> None:
    print()
    print(f"Per server, rate and request kind ({seconds} s per rate; percentiles of the requests answered as expected, in ms;"
          f" queries = server-side queries per request):")
    print()
    print("| server | rate (submits/s) | request | requests | errors | p50 | p95 | p99 | queries |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, by_rate in table.items():
        for rate, s in by_rate.items():
            for kind in KINDS:
                k = s[kind]
                print(f"| {name} | {rate} | {kind} | {k['n']} | {k['errors']} | {_ms(k['p50'])} | {_ms(k['p95'])} | {_ms(k['p99'])} | {k['queries']:.1f} |")
    print()
    print("| server | rate (submits/s) | requests offered/s | answered OK/s | submits OK/s | errors | p99 all | generator's worst lag |")
    print("|---|---|---|---|---|---|---|---|")
    for name, by_rate in table.items():
        for rate, s in by_rate.items():
            a = s["all"]
            errors = f"{a['errors']}" + (f" ({', '.join(f'{k} {v}' for k, v in a['errors_by'].items())})" if a["errors"] else "")
            print(f"| {name} | {rate} | {6 * rate} | {a['throughput']:.1f} | {s['submit']['throughput']:.1f} | {errors} | {_ms(a['p99'])} | {a['max_lag'] * 1000:.0f} ms |")
    print()
    parts = ("web", "jobs", "postgresql", "load generator")
    print("CPU time per arrival (one submit and its five page views), in ms, by part; cores = all parts' CPU time / wall time:")
    print()
    print("| server | rate (submits/s) | " + " | ".join(parts) + " | all | cores busy |")
    print("|---|---|" + "---|" * (len(parts) + 2))
    for name, by_rate in table.items():
        for rate, s in by_rate.items():
            cpu = s["all"]["cpu_ms_per_arrival"]
            print(f"| {name} | {rate} | " + " | ".join(f"{cpu.get(p, 0):.0f}" for p in parts)
                  + f" | {sum(cpu.values()):.0f} | {s['all']['cores']:.2f} |")
    print()
    print("| server | highest rate with p99 < 1 s and no error | declarations submitted | untouched | half submitted | acknowledged but not submitted | audit chain |")
    print("|---|---|---|---|---|---|---|")
    best = {}
    for name, by_rate in table.items():
        best[name] = sustained(by_rate)
        c = checks[name]
        if "failed" in c:
            print(f"| {name} | {best[name] or f'below {min(by_rate)}'} submits/s | the database could not be checked: {c['failed']} |||||")
            continue
        print(f"| {name} | {best[name] or f'below {min(by_rate)}'} submits/s | {c['submitted']} | {c['untouched']} | {len(c['broken'])} |"
              f" {len(c['acknowledged_not_submitted'])} | {c['audit_chain']} |")
    print()
    ours, dev = table.get("serve/postgresql"), best.get("runserver/postgresql")
    if ours and BAR_RATE in ours:
        s = ours[BAR_RATE]
        worst = max(s[k]["p99"] for k in KINDS)
        print(f"Bar: serve/postgresql at {BAR_RATE} submits/s ({6 * BAR_RATE} requests/s): worst p99 {_ms(worst)} ms, "
              f"{s['all']['errors']} errors -> {'met' if worst < BAR_P99_MS and s['all']['errors'] == 0 else 'NOT met'} "
              f"(p99 < {BAR_P99_MS} ms, 0 errors).")
    if ours and dev is not None:
        if dev:
            verdict = "met" if best["serve/postgresql"] >= BAR_FACTOR * dev else "NOT met"
            print(f"Bar: highest sustained rate {best['serve/postgresql']} vs the development server's {dev} submits/s -> {verdict} "
                  f"(at least {BAR_FACTOR}×).")
        else:
            print(f"Bar: the development server sustained none of the rates; ours sustained {best['serve/postgresql']} submits/s.")
    if crash:
        k, s = crash["killed"], crash["summary"]["all"]
        print()
        print(f"Crash: serve/postgresql at {BAR_RATE} submits/s, one of {k['of']} gunicorn web workers (pid {k['pid']}) killed with "
              f"SIGKILL {k['at']:.0f} s in; the master started a new one.")
        print(f"  requests: {s['n']}, answered as expected {s['ok']}, lost {s['errors']}: "
              + (", ".join(f"{kind} {n}" for kind, n in s["errors_by"].items()) or "none"))
        for phase in ("before", "after"):
            c = crash[phase]
            print(f"  {'right after the run' if phase == 'before' else 'after the retries'}: {c['submitted']} submitted whole, "
                  f"{c['untouched']} untouched, {len(c['broken'])} half submitted, {len(c['acknowledged_not_submitted'])} "
                  f"acknowledged but not submitted, audit chain {c['audit_chain']}")
        ok = sum(1 for r in crash["retries"] if r["ok"])
        print(f"  retried {len(crash['retries'])} lost requests one by one: {ok} succeeded (a submit's retry followed to its progress page); "
              f"{crash['retried_submits_now_submitted']} of {crash['retried_submits']} retried submits now submitted whole")


if __name__ == "__main__":
    sys.exit(main())
