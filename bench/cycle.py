"""make bench-cycle: N declarations through the whole workflow, by the domain functions.

For each database (SQLite, and PostgreSQL when reachable) and each run, a fresh database is
migrated, the demo region's structure loaded, N applicants created in bulk (zhicheng/demo/bulk.py),
and every declaration driven from draft to certificate (zhicheng.demo.cycle.Driver), either one
transition() per declaration (today's per-declaration path, at N = 2,000) or set-based
(transition_many, one call per acting body; publicities and filings as batches). Printed per stage:
declarations per second and queries per declaration, side by side; the last column says whether
the set-based path's queries per declaration grew with N.

Each run is a separate process so that each gets its own Django settings and database.
E-mail delivery is off (in-app notifications are still written): the bench measures the workflow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time

from bench.databases import PG_ADMIN_URL, fresh_database, load_region, postgres_reachable

SIZES = (2_000, 100_000)
SINGLE_N = 2_000  # today's per-declaration path, measured beside the set-based one
PG_BENCH_DB = "zhicheng_bench"



def _profiles():
    from zhicheng.demo import applicants as P

    # One of each channel: region, local county via the talent centre, local city, private, entrusted.
    return [P.regular_engineer(), P.regular_county_doctor(), P.regular_city_engineer_intermediate(), P.non_public_direct(),
            P.entrusted_engineer()]


def worker(n: int, batched: bool, page: bool = False) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.NOTIFICATIONS_EMAIL_ON_COMMIT = False
    # The queue page's answer is rendered without collectstatic's manifest: the bench measures the job.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    loader = load_region()

    from zhicheng.core import clock
    from zhicheng.declarations.states import State
    from zhicheng.demo.bulk import clone_applicants, make_templates
    from zhicheng.demo.cycle import ONE_PASS, Driver, Intent
    from zhicheng.orgs.models import Organisation

    # Enough senior posts that the quota guard runs but never refuses: the bench measures throughput.
    Organisation.objects.update(senior_posts_set=10_000_000, senior_posts_filled=0)
    setup_started = time.perf_counter()
    with clock.frozen(dt.date(2021, 6, 1)):
        templates = make_templates(loader, _profiles())
        ids = clone_applicants(templates, n)
    setup_seconds = time.perf_counter() - setup_started

    driver = Driver({pk: Intent(target=State.CERTIFIED) for pk in ids}, batched=batched)
    schedule = [(dt.date(2021, *md), stage) for stage, md in ONE_PASS]
    page_job = None
    if page:
        # The committee office's intake from its queue page: every declaration ticked, one POST, run as a job.
        at = next(i for i, (_day, stage) in enumerate(schedule) if stage == "intake")
        driver.run(schedule[:at])
        page_job = _intake_from_the_page(driver, schedule[at][0])
        schedule = schedule[at + 1:]
    driver.run(schedule)
    from zhicheng.audit.services import verify_chain
    from zhicheng.declarations.models import Application

    certified = Application.objects.filter(state=State.CERTIFIED).count()  # the templates stay drafts
    stages = {name: {"transitions": st.transitions, "seconds": st.seconds, "queries": st.queries} for name, st in driver.stats.items()}
    return {"n": n, "mode": "batched" if batched else "single", "certified": certified, "refused": len(driver.refused),
            "refusals": driver.refused[:5], "setup_seconds": setup_seconds, "stages": stages, "vendor": connection.vendor,
            "audit_intact": verify_chain().ok, "page_job": page_job}


def _intake_from_the_page(driver, day: dt.date) -> dict:
    """Each committee office chooses every declaration at its intake on its queue page and POSTs 受理 once; the page
    starts a job, which runs here as a worker runs it. Returns the largest job: its size, time, progress, outcome."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from zhicheng.core import clock
    from zhicheng.declarations.models import Application
    from zhicheng.declarations.states import State
    from zhicheng.jobs.models import Job
    from zhicheng.jobs.runner import run_job

    holders: dict[int, list[int]] = {}
    for pk, holder in Application.objects.filter(state=State.COMMITTEE_INTAKE).values_list("pk", "holder_id").order_by("pk"):
        holders.setdefault(holder, []).append(pk)
    largest = {}
    for holder, ids in holders.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(driver.staff(holder))
        updates, queries = [0], [0]

        def count_progress(execute, sql, params, many, context):
            updates[0] += sql.startswith('UPDATE "jobs_job"')
            queries[0] += 1
            return execute(sql, params, many, context)

        with clock.frozen(day):
            started = time.perf_counter()
            # "All matching": the queue's filter, as the page posts it when every page of the list is chosen.
            answer = client.post(reverse("application_bulk"), {"action": "accept", "all_matching": "1",
                                                                 "query": "queue=1&state=committee_intake", "next": "/applications/?queue=1"})
            job = Job.objects.order_by("-pk").first()
            with connection.execute_wrapper(count_progress):
                run_job.call(job.pk)  # the job's queries; the page's own few are not counted
            seconds = time.perf_counter() - started
        job.refresh_from_db()
        moved = Application.objects.filter(holder_id=holder, state=State.ACCEPTED).count()
        driver.stats["intake"].transitions += moved
        driver.stats["intake"].seconds += seconds
        driver.stats["intake"].queries += queries[0]
        if len(ids) > largest.get("declarations", 0):
            largest = {"declarations": len(ids), "seconds": seconds, "status": job.status, "done": job.done, "total": job.total,
                       "progress_updates": updates[0], "moved": moved, "answer": answer.status_code}
    return largest


def run(backend: str, n: int, batched: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = fresh_database(backend, dict(os.environ, DJANGO_SETTINGS_MODULE="zhicheng.settings", ZHICHENG_VAR_DIR=tmp),
                             sqlite_path=f"{tmp}/bench.sqlite3", pg_name=PG_BENCH_DB)
        # Set-based runs take their intake from the queue page, as one job.
        command = [sys.executable, "-m", "bench.cycle", "--worker", str(n)] + (["--batched", "--page"] if batched else [])
        out = subprocess.run(command, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"{backend} N={n} failed:\n{out.stderr[-4000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(backend: str, results: list[dict]) -> bool:
    """One row per stage: declarations per second and queries per declaration for each run.

    The per-declaration path (one transition() per declaration) and the set-based one (transition_many,
    one call per acting body, 500 declarations a transaction) side by side; the last column says whether
    the set-based path's queries per declaration grew with N (they should stay the same or fall)."""
    order = list(dict.fromkeys(stage for r in results for stage in r["stages"]))  # in the order they ran
    heads = "".join(f"{r['mode'] + ' N=' + format(r['n'], ','):>26}" for r in results)
    print(f"\n{backend}: declarations per second and queries per declaration")
    print(f"{'stage':<16}{heads}{'queries grow?':>16}")
    print(f"{'':<16}" + "".join(f"{'decl/s':>13}{'queries':>13}" for _ in results))
    steady = True
    batched = [r for r in results if r["mode"] == "batched"]
    for stage in order:
        cells = ""
        for r in results:
            st = r["stages"].get(stage)
            if not st or not st["transitions"]:
                cells += f"{'—':>13}{'—':>13}"
                continue
            cells += f"{st['transitions'] / st['seconds']:>13,.0f}{st['queries'] / st['transitions']:>13.3f}"
        per = [r["stages"][stage]["queries"] / r["stages"][stage]["transitions"] for r in batched
               if r["stages"].get(stage, {}).get("transitions")]
        grows = len(per) > 1 and max(per[1:]) > per[0] * 1.02
        steady &= not grows
        print(f"{stage:<16}{cells}{'YES' if grows else 'no':>16}")
    for r in results:
        total = sum(st["transitions"] for st in r["stages"].values())
        seconds = sum(st["seconds"] for st in r["stages"].values())
        print(f"{r['mode']} N={r['n']:,}: {r['certified']:,} certified of {r['n']:,}; {total:,} steps in {seconds:,.1f} s "
              f"({total / seconds:,.0f} steps/s); {r['refused']} refused{' ' + str(r['refusals']) if r['refused'] else ''}; "
              f"audit chain {'intact' if r['audit_intact'] else 'BROKEN'}; applicants created in {r['setup_seconds']:,.1f} s")
        if job := r.get("page_job"):
            print(f"  intake from the queue page as one job: {job['moved']:,} of {job['declarations']:,} declarations accepted in "
                  f"{job['seconds']:,.1f} s (job {job['status']}, {job['done']:,}/{job['total']:,}, progress written "
                  f"{job['progress_updates']} times)")
    return steady


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batched", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--page", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="set-based runs (default %(default)s)")
    parser.add_argument("--single", type=int, default=SINGLE_N, help="the per-declaration run's N (0: none; default %(default)s)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.batched, args.page)))
        return 0
    runs = ([(args.single, False)] if args.single else []) + [(int(n), True) for n in args.sizes.split(",")]
    ok = True
    for backend in args.backends.split(","):
        if backend == "postgresql" and not postgres_reachable():
            print(f"\npostgresql: not reachable at {PG_ADMIN_URL}; skipped")
            continue
        results = [run(backend, n, batched) for n, batched in runs]
        ok &= print_table(backend, results)
        ok &= all(r["certified"] == r["n"] and r["audit_intact"] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
