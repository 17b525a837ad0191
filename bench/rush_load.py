"""The load generator of `make bench-rush`: an open model built on locust, run headless as a library.

Runs in .venv-bench (locust and gevent are benchmark-only dependencies; gevent patches the
standard library, so this never shares a process with Django). Reads a plan written by
bench/rush.py and writes one record per request:

    .venv-bench/bin/python -m bench.rush_load PLAN.json RECORDS.json

Arrivals come at a fixed rate whatever the server does: one spawner greenlet starts a new request
greenlet every 1/(6R) s, cycling through the six kinds of one "arrival" (R per second): a draft's
workspace, a submit, the progress page of the applicant who submitted a second earlier,
the public publicity list, a certificate verification (its QR link) and the staff dashboard. A slow
answer never delays the next arrival (a closed loop would: it measures the server's pace, not the
users'). Connections come from one pool without a cap (an idle one is reused, else a new one
opens), and nothing is retried: a request that fails is an error.
"""

from __future__ import annotations

import json
import secrets
import sys
import time

import gevent
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.log import setup_logging
from locust.stats import print_stats

from bench.rush_mix import KINDS, arrival_requests

def run(plan: dict) -> dict:
    timeout = plan["timeout"]

    class Rush(FastHttpUser):
        host = plan["host"]
        concurrency = 100_000  # the pool opens a connection for every request that finds none idle
        network_timeout = connection_timeout = timeout
        max_retries = 0

        def fire(self, arrival: int, kind: str, method: str, path: str, session: str, expect: str, records: list):
            csrf = secrets.token_hex(16)
            headers = {"Cookie": f"csrftoken={csrf}" + (f"; sessionid={session}" if session else "")}
            body = None
            if method == "POST":
                headers.update({"X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded"})
                body = "action=submit"
            started = time.perf_counter()
            with self.client.request(method, path, name=kind, data=body, headers=headers, catch_response=True) as response:
                elapsed = time.perf_counter() - started
                status = response.status_code or 0
                location = response.headers.get("Location", "") if response.headers else ""
                got = f"{status} {location}".strip() if expect.startswith("302") else str(status)
                error, failed = "", getattr(response, "error", None) or response.request_meta.get("exception")
                if failed is not None and not status:  # no answer: refused, reset, closed or timed out
                    failed = getattr(failed, "original", None) or failed  # what geventhttpclient's RetriesExceeded wraps
                    if isinstance(failed, (TimeoutError, gevent.Timeout)):
                        error = f"no answer within {timeout:.0f} s"
                    else:
                        error = type(failed).__name__ + (f": {failed}" if str(failed) else "")
                elif got != expect:
                    error = f"HTTP {got}"
                if error:
                    response.failure(error)
                else:
                    response.success()
                records.append({
                    "arrival": arrival, "kind": kind, "method": method, "path": path, "session": session,
                    "start": started - self.t0, "ms": elapsed * 1000, "status": status, "error": error,
                    "queries": int((response.headers or {}).get("X-Queries") or 0),
                })

    env = Environment(user_classes=[Rush], host=plan["host"])
    user = Rush(env)
    user.client.client.cookiejar = None  # each request carries its own applicant's cookie, nothing is kept
    # A redirect is an answer to check, never followed. Set once here: allow_redirects=False on each request
    # would swap this attribute of the shared client around every request, and concurrent greenlets race on it.
    user.client.client.redirect_response_codes = frozenset()
    records: list[dict] = []
    greenlets = []
    step = 1 / (len(KINDS) * plan["rate"])
    arrivals = plan["rate"] * plan["seconds"]
    lag = 0.0
    user.t0 = time.perf_counter()
    with open(plan["started_file"], "w"):
        pass  # tells bench/rush.py when the clock started (the crash run kills a worker halfway)
    for i in range(arrivals):
        for j, (kind, method, path, session, expect) in enumerate(arrival_requests(plan, i)):
            due = user.t0 + (i * len(KINDS) + j) * step
            now = time.perf_counter()
            if due > now:
                gevent.sleep(due - now)
            else:
                lag = max(lag, now - due)
            greenlets.append(gevent.spawn(user.fire, i, kind, method, path, session, expect, records))
    gevent.joinall(greenlets, timeout=timeout + 10)
    unanswered = sum(1 for g in greenlets if not g.dead)
    gevent.killall([g for g in greenlets if not g.dead], block=False)
    wall = time.perf_counter() - user.t0
    print_stats(env.stats, current=False)  # locust's own view, for the run's log
    return {"records": records, "wall": wall, "unanswered": unanswered, "max_lag": lag, "arrivals": arrivals}


def main(argv: list[str]) -> int:
    plan_path, out_path = argv
    setup_logging("INFO")
    with open(plan_path) as f:
        plan = json.load(f)
    result = run(plan)
    with open(out_path, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
