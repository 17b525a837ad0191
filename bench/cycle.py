"""make bench-cycle: N declarations through the whole workflow, by the domain functions.

For each database (SQLite, and PostgreSQL when reachable) and each N, a fresh database is
migrated, the demo region's structure loaded, N applicants created, and every declaration
driven from draft to certificate through transition() / start_publicity() / close_publicity()
(zhicheng.demo.cycle.Driver). Printed per stage: declarations per second and queries per
transition; the last column says whether queries per transition stayed the same as N grew.

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

SIZES = (1_000, 10_000)
PG_BENCH_DB = "zhicheng_bench"

SCHEDULE = [
    ("submit", (6, 7)), ("employer_publish", (6, 8)), ("close:employer", (6, 16)), ("recommend", (6, 17)),
    ("consent", (6, 17)), ("department", (6, 17)), ("county", (6, 18)), ("city_roster", (6, 21)), ("close:roster", (6, 28)),
    ("centre", (6, 29)), ("intake", (6, 30)), ("open_review", (8, 9)), ("record", (8, 11)), ("publish_result", (8, 12)),
    ("close:result", (8, 19)), ("file", (8, 20)), ("certify", (8, 23)),
]


def _profiles():
    from zhicheng.demo import applicants as P

    # One of each channel: region, local county via the talent centre, local city, private, entrusted.
    return [P.regular_engineer(), P.regular_county_doctor(), P.regular_city_engineer_intermediate(), P.non_public_direct(),
            P.entrusted_engineer()]


def worker(n: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.NOTIFICATIONS_EMAIL_ON_COMMIT = False
    loader = load_region()

    from zhicheng.catalogue.models import AnnualPlan, Series, Specialty
    from zhicheng.core import clock
    from zhicheng.declarations.screening import screen
    from zhicheng.declarations.services import sign_pledge, start_declaration
    from zhicheng.declarations.states import State
    from zhicheng.demo.cycle import Driver, Intent, QueryCounter
    from zhicheng.files.services import store_file
    from zhicheng.orgs.models import Organisation

    # Enough senior posts that the quota guard runs but never refuses: the bench measures throughput.
    Organisation.objects.update(senior_posts_set=1_000_000, senior_posts_filled=0)
    plan = AnnualPlan.objects.get(year=2021)
    letter = store_file("委托函.pdf", b"%PDF-1.4\n%%EOF\n")
    profiles = _profiles()
    units = {p["unit"]: Organisation.objects.get(name=p["unit"]) for p in profiles}
    recommenders = {p["recommender"]: Organisation.objects.get(name=p["recommender"]) for p in profiles if p.get("recommender")}
    series = {p["series"]: Series.objects.get(code=p["series"]) for p in profiles}

    prepare = {"start": [0, 0.0, 0], "screen": [0, 0.0, 0], "pledge": [0, 0.0, 0]}
    setup_started = time.perf_counter()
    intents = {}
    with clock.frozen(dt.date(2021, 6, 1)):
        for i in range(n):
            profile = profiles[i % len(profiles)]
            person = loader._new_person(units[profile["unit"]], 1975 + i % 15)
            loader._archive(person, profile)
            account = loader._account(f"b{person.pk}", "applicant", person=person)
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                t0 = time.perf_counter()
                app = start_declaration(person=person, plan=plan, series=series[profile["series"]], level=profile["level"],
                                        actor=account, recommender=recommenders.get(profile.get("recommender")),
                                        specialty=Specialty.objects.filter(series=series[profile["series"]], name=profile.get("specialty")).first())
                prepare["start"][1] += time.perf_counter() - t0
                prepare["start"][0] += 1
                app.fee_paid_at = clock.now()
                if profile.get("entrusted"):
                    app.entrustment_letter = letter
                if profile.get("exam"):
                    app.exam_score, app.exam_confirmed_at = profile["exam"], clock.now()
                app.save()
                before = counter.count
                t0 = time.perf_counter()
                screen(app, actor=account)
                prepare["screen"][1] += time.perf_counter() - t0
                prepare["screen"][0] += 1
                prepare["screen"][2] += counter.count - before
                before = counter.count
                t0 = time.perf_counter()
                sign_pledge(app, account, "本人承诺所提交的申报材料真实、准确、完整。")
                prepare["pledge"][1] += time.perf_counter() - t0
                prepare["pledge"][0] += 1
                prepare["pledge"][2] += counter.count - before
            intents[app.pk] = Intent(target=State.CERTIFIED)
    setup_seconds = time.perf_counter() - setup_started

    driver = Driver(intents)
    driver.run([(dt.date(2021, *md), stage) for stage, md in SCHEDULE])
    from zhicheng.declarations.models import Application

    certified = Application.objects.filter(state=State.CERTIFIED).count()
    stages = {name: {"transitions": c, "seconds": s, "queries": q} for name, (c, s, q) in prepare.items() if name != "start"}
    for name, st in driver.stats.items():
        stages[name] = {"transitions": st.transitions, "seconds": st.seconds, "queries": st.queries}
    return {"n": n, "certified": certified, "refused": len(driver.refused), "setup_seconds": setup_seconds,
            "stages": stages, "vendor": connection.vendor}


def run(backend: str, n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = fresh_database(backend, dict(os.environ, DJANGO_SETTINGS_MODULE="zhicheng.settings", ZHICHENG_VAR_DIR=tmp),
                             sqlite_path=f"{tmp}/bench.sqlite3", pg_name=PG_BENCH_DB)
        out = subprocess.run([sys.executable, "-m", "bench.cycle", "--worker", str(n)], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"{backend} N={n} failed:\n{out.stderr[-4000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(backend: str, results: list[dict]) -> bool:
    """One row per stage: declarations per second and queries per transition for each N.

    The last column says whether queries per transition grew with N. Publicity stages carry a
    few fixed queries per publicity, which can only amortise as N grows, never add up."""
    order = ["screen", "pledge"] + [s for s, _ in SCHEDULE]
    sizes = "".join(f"{'N=' + format(r['n'], ','):>28}" for r in results)
    print(f"\n{backend}: declarations per second and queries per transition")
    print(f"{'stage':<16}{sizes}{'queries grow?':>16}")
    print(f"{'':<16}" + "".join(f"{'decl/s':>14}{'queries/tr':>14}" for _ in results))
    steady = True
    for stage in order:
        cells, per = "", []
        for r in results:
            st = r["stages"].get(stage)
            if not st or not st["transitions"]:
                cells += f"{'—':>14}{'—':>14}"
                continue
            q = st["queries"] / st["transitions"]
            per.append(q)
            cells += f"{st['transitions'] / st['seconds']:>14,.0f}{q:>14.2f}"
        grows = len(per) > 1 and max(per[1:]) > per[0] * 1.02
        steady &= not grows
        print(f"{stage:<16}{cells}{'YES' if grows else 'no':>16}")
    for r in results:
        total = sum(st["transitions"] for st in r["stages"].values())
        seconds = sum(st["seconds"] for st in r["stages"].values())
        print(f"N={r['n']:,}: {r['certified']:,} certified of {r['n']:,}; {total:,} steps in {seconds:,.1f} s "
              f"({total / seconds:,.0f} steps/s); {r['refused']} refused; applicants created in {r['setup_seconds']:,.1f} s")
    return steady


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    ok = True
    for backend in args.backends.split(","):
        if backend == "postgresql" and not postgres_reachable():
            print(f"\npostgresql: not reachable at {PG_ADMIN_URL}; skipped")
            continue
        results = [run(backend, n) for n in sizes]
        ok &= print_table(backend, results)
        ok &= all(r["certified"] == r["n"] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
