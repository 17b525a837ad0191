"""make bench-stats: the statistics page over N declarations with their timelines (issue 15: under 1 s at 100,000 on
PostgreSQL).

    make bench-stats                                              # 100,000 on PostgreSQL (and SQLite), 7 runs each
    python -m bench.stats --n 20000 --backends sqlite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_stats python -m bench.stats   # keeps and reuses that database

Each backend runs in a child process on its own database (a fresh one, or the DATABASE_URL given, whose data is
reused when it already holds N declarations of 2021). The data: the demo region's structure, N declarations of 2021
and N/10 of 2020 copied in bulk from screened templates (zhicheng/demo/bulk.py; only the person and the declaration,
which is all the statistics read), each with a fate (certified, failed, still under way at some stage, withdrawn,
returned, corrected once, deemed withdrawn) and its timeline:
one ApplicationEvent per stage with the organisation holding it and a random stay (each desk its own mean), the
one-time correction notices, the certificates of the certified and some lookups of them — all with bulk inserts.
Then the statistics page (and the regional dashboard, and a bureau's page) is fetched by Django's test client in
the process: once to warm (the first region-wide reader of a year stores the region's stage figures), then --runs
times; then the stage figures' recomputation (the daily job) is timed once. Printed: median and max time, queries,
and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

from bench.databases import fresh_database, postgres_reachable

PG_BENCH_DB = "zhicheng_bench_stats"
YEAR = 2021
TODAY = "2021-12-20"
BATCH = 5000


def _profiles():
    from zhicheng.demo import applicants as P

    # Several series, levels, cities and channels, so that every breakdown has rows.
    return [P.regular_engineer(), P.regular_county_doctor(), P.regular_city_engineer_intermediate(), P.non_public_direct(),
            P.entrusted_engineer(), P.regular_teacher(), P.regular_vocational_teacher(), P.regular_agronomist(),
            P.regular_economist(), P.regular_health()]


# The happy path as (state entered, who holds it); fates cut it short or take a detour.
PATH = [("submitted", "unit"), ("employer_publicity", "unit"), ("department_review", "department"),
        ("city_bureau_review", "bureau"), ("roster_publicity", "bureau"), ("committee_intake", "office"), ("accepted", "office"),
        ("under_review", "office"), ("passed", "office"), ("result_publicity", "office"), ("result_published", "region"),
        ("filed", "region"), ("certified", None)]
FATES = [("certified", 50), ("failed", 15), ("under_way", 15), ("withdrawn", 5), ("returned", 5), ("corrected", 5),
         ("deemed_withdrawn", 5)]
DEFICIENCIES = ["缺少学历证书", "业绩材料未加盖单位公章", "继续教育学时证明不全", "论文检索报告缺失", "年度考核材料不全", "申报表签字不全"]


def _timeline(rng: random.Random, fate: str) -> list[tuple[str, str | None]]:
    if fate == "certified":
        return PATH
    if fate == "failed":
        return PATH[:8] + [("failed", None)]
    if fate == "under_way":
        return PATH[:rng.randint(1, 11)]
    if fate in ("withdrawn", "returned"):
        return PATH[:rng.randint(1, 6)] + [(fate, None)]
    if fate == "corrected":
        return PATH[:3] + [("correction_requested", None)] + PATH[2:]
    return PATH[:3] + [("correction_requested", None), ("deemed_withdrawn", None)]


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Rows written without model instances: COPY on PostgreSQL, one executemany on SQLite (datetimes as its UTC text)."""
    import datetime as dt

    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            def plain(value):
                if isinstance(value, dt.datetime):
                    return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ")
                return value

            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                               [tuple(plain(v) for v in row) for row in rows])


def _double_in_sql() -> int:
    """PostgreSQL: every bench declaration copied once more in the database, with a person of its own (the id
    numbers of the copies are the new ids, padded: only their uniqueness matters here), its timeline, correction
    notice, certificate and lookups. A copy has its original's fate and stays: the distributions stay as they were,
    only the counts double. Returns the declarations copied."""
    from django.db import connection

    from zhicheng.certificates.models import Certificate, VerificationLookup
    from zhicheng.declarations.models import Application, ApplicationEvent, CorrectionNotice
    from zhicheng.people.models import Person

    def columns(model, skip_id=False):
        return [f.column for f in model._meta.concrete_fields if not (skip_id and f.primary_key)]

    def copy(model, replaced: dict, where: str, skip_id=False) -> str:
        names = columns(model, skip_id)
        table = model._meta.db_table
        select = ", ".join(replaced.get(c, f'"{c}"') for c in names)
        return f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in names)}) SELECT {select} FROM "{table}" WHERE {where}'

    clones = "SELECT id FROM declarations_application WHERE pledge_sha256 = ''"
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT max(id) FROM people_person), (SELECT max(id) FROM declarations_application), "
                       "(SELECT coalesce(max(id), 0) FROM certificates_certificate), (SELECT count(*) FROM declarations_application "
                       "WHERE pledge_sha256 = '')")
        p, a, c, copied = cursor.fetchone()
        statements = [
            copy(Person, {"id": f"id + {p}", "id_number": f"lpad((id + {p})::text, 18, 'X')"},
                 "id IN (SELECT person_id FROM declarations_application WHERE pledge_sha256 = '')"),
            copy(Application, {"id": f"id + {a}", "person_id": f"person_id + {p}"}, "pledge_sha256 = ''"),
            copy(ApplicationEvent, {"application_id": f"application_id + {a}"}, f"application_id IN ({clones})", skip_id=True),
            copy(CorrectionNotice, {"application_id": f"application_id + {a}"}, f"application_id IN ({clones})", skip_id=True),
            copy(Certificate, {"id": f"id + {c}", "number": f"'D' || (id + {c})", "application_id": f"application_id + {a}",
                               "person_id": f"person_id + {p}"}, f"application_id IN ({clones})"),
            copy(VerificationLookup, {"certificate_id": f"certificate_id + {c}", "number": f"'D' || (certificate_id + {c})"},
                 f"certificate_id IN (SELECT id FROM certificates_certificate WHERE application_id IN ({clones}))", skip_id=True),
        ]
        # Copies of copies come in the next round, not this one: each statement reads the rows as they were before it.
        for statement in statements:
            cursor.execute(statement)
        for model in (Person, Application, Certificate):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))")
    return copied


def build(n: int) -> dict:
    """N declarations of YEAR and N/10 of the year before, their timelines, corrections, certificates and lookups."""
    import datetime as dt

    from django.db import transaction

    from bench.databases import load_region
    from zhicheng.catalogue.models import AnnualPlan
    from zhicheng.certificates.models import Certificate, CertificateKind, VerificationLookup
    from zhicheng.core import clock
    from zhicheng.core.identifiers import birth_date_from_id, sex_from_id
    from zhicheng.declarations.models import Application, ApplicationEvent, CorrectionNotice
    from zhicheng.demo.bulk import _copy, make_templates
    from zhicheng.demo.ids import id_number
    from zhicheng.orgs.models import Organisation, OrgKind
    from zhicheng.people.models import Person

    started = time.perf_counter()
    # The templates are the only declarations with a signed pledge: a build cut short goes on from where it stopped.
    templates = list(Application.objects.exclude(pledge_sha256="").select_related("person", "unit__area", "committee").order_by("pk"))
    done = Application.objects.filter(pledge_sha256="").count()
    if templates:
        from zhicheng.demo.loader import DemoLoader

        loader = DemoLoader(out=lambda *a: None)
    else:
        loader = load_region()
        Organisation.objects.update(senior_posts_set=10_000_000, senior_posts_filled=0)
        with clock.frozen(dt.date(2021, 6, 1)):
            templates = make_templates(loader, _profiles())
    previous_plan, _ = AnnualPlan.objects.get_or_create(year=YEAR - 1, defaults={
        "notice_number": "内人社办发〔2020〕1号", "ruleset": "nmg-2021-81", **AnnualPlan.defaults_for(YEAR - 1)})
    region = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    bureaus = {o.area.path[:14]: o.pk for o in Organisation.objects.filter(kind=OrgKind.HR_BUREAU, level="city").select_related("area")}
    from zhicheng.accounts.models import User

    clerk = (User.objects.filter(username="bench-stats-clerk").first()
             or loader._account("bench-stats-clerk", "regional_hr_department", organisation=region))
    holders = []
    for t in templates:
        unit = t.unit
        bureau = bureaus.get(unit.area.path[:14], region.pk)
        holders.append({"unit": unit.pk, "department": unit.competent_department_id or bureau, "bureau": bureau,
                        "office": t.committee.office_id if t.committee_id else region.pk, "region": region.pk, None: None})
    rng = random.Random(2021)
    fates, weights = zip(*FATES)
    mean_days = {}  # each desk's own pace: some are slow

    def stay(stage, holder):
        key = (stage, holder)
        if key not in mean_days:
            mean_days[key] = rng.choice((2, 3, 5, 8, 13, 21))
        return rng.expovariate(1 / mean_days[key])

    base = dt.datetime(YEAR, 6, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    counts = {"events": 0, "corrections": 0, "certificates": 0, "lookups": 0}
    total = n + n // 10
    from django.db import connection

    # A chunk cut short may have left its people behind: a resumed build's serials start far from the first run's.
    offset = 100_000 + (1_000_000 if done else 0)
    while done < total:
        if connection.vendor == "postgresql" and done >= n // 4 and 2 * done <= n:
            # A quarter of the declarations made one by one in Python is variety enough; PostgreSQL doubles them in SQL
            # (seconds, where Python takes many minutes on a loaded machine); Python makes the rest, the year before's too.
            with transaction.atomic():
                done += _double_in_sql()
            print(f"  doubled in SQL: {done:,}", file=sys.stderr, flush=True)
            continue
        positions = range(done, min(done + BATCH, total))
        done = positions[-1] + 1
        # Only what the statistics read: the person (its 身份证 number unique) and the declaration, copied from a template;
        # no account, archive, selections or pledge (zhicheng/demo/bulk.py makes those for the benches that need them).
        people = []
        for position in positions:
            template = templates[position % len(templates)]
            serial = offset + position
            birth = template.person.birth_date + dt.timedelta(days=serial // 1000)
            number = id_number(template.person.id_number[:6], birth, serial)
            people.append(_copy(template.person, id_number=number, birth_date=birth_date_from_id(number), sex=sex_from_id(number),
                                name=f"{template.person.name[:1]}{serial}", phone=f"13{serial:09d}"[:11]))
        apps, timelines = [], []
        for position, person in zip(positions, people):
            template = templates[position % len(templates)]
            who = holders[position % len(templates)]
            fate = rng.choices(fates, weights)[0]
            at = submitted = base + dt.timedelta(days=rng.uniform(0, 30))
            steps = []
            for state, holder_key in _timeline(rng, fate):
                steps.append((state, who[holder_key], at))
                at = at + dt.timedelta(days=stay(state, who[holder_key]))
            last_state, last_holder, last_at = steps[-1]
            apps.append(_copy(template, person_id=None, pledge_sha256="", state=last_state, holder_id=last_holder,
                              state_since=last_at, held_since=last_at, submitted_at=submitted,
                              reached_committee_at=submitted if fate in ("certified", "failed") else None,
                              plan_id=previous_plan.pk if position >= n else template.plan_id))
            timelines.append((fate, steps))
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=BATCH)
            for app, person in zip(apps, people):
                app.person_id = person.pk
            Application.objects.bulk_create(apps, batch_size=BATCH)
            events, notices, certificates = [], [], []
            for app, (fate, steps) in zip(apps, timelines):
                for state, holder, at in steps:
                    events.append((app.pk, "bench", "", state, "system", holder, at, ""))
                    if state == "correction_requested":
                        notices.append(CorrectionNotice(application_id=app.pk, items=rng.sample(DEFICIENCIES, rng.randint(1, 3)),
                                                        deadline=(at + dt.timedelta(days=10)).date(), issued_by=clerk, issued_at=at,
                                                        resolved_at=None if fate == "deemed_withdrawn" else at + dt.timedelta(days=5)))
                if app.state == "certified":
                    day = steps[-1][2].date()
                    certificates.append(Certificate(
                        number=f"B{YEAR}{app.pk:09d}", kind=CertificateKind.REVIEW, person_id=app.person_id, application_id=app.pk,
                        holder_name="-", id_number="-", series_id=app.series_id, series_name="-", title_name="-", level=app.level,
                        approval_date=day, issuer_name="内蒙古自治区人力资源和社会保障厅", issued_on=day,
                        check_code="-", payload_version=2, key_id="bench", signature="-"))
            _insert(ApplicationEvent, ["application_id", "action", "from_state", "to_state", "actor_role", "holder_id", "at", "note"], events)
            CorrectionNotice.objects.bulk_create(notices, batch_size=BATCH)
            Certificate.objects.bulk_create(certificates, batch_size=BATCH)
            lookups = [VerificationLookup(at=base + dt.timedelta(days=200), ip="10.0.0.1", channel="qr", number=c.number,
                                          certificate=c, found=True) for c in certificates if rng.random() < 0.2]
            VerificationLookup.objects.bulk_create(lookups, batch_size=BATCH)
        counts["events"] += len(events)
        counts["corrections"] += len(notices)
        counts["certificates"] += len(certificates)
        counts["lookups"] += len(lookups)
        print(f"  built {positions[-1] + 1:,} of {total:,}", file=sys.stderr, flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def worker(n: int, runs: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.STAFF_SECOND_FACTOR = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhicheng.accounts.models import User
    from zhicheng.declarations.models import Application, ApplicationEvent
    from zhicheng.orgs.models import Organisation, OrgKind

    built = None
    if Application.objects.filter(plan__year=YEAR).count() < n:
        built = build(n)
    region = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    supervisor, _ = User.objects.get_or_create(username="bench-stats-supervisor", defaults={"role": "supervisor", "organisation": region})
    regional, _ = User.objects.get_or_create(username="bench-stats-regional", defaults={"role": "regional_hr_department", "organisation": region})
    bureau_org = Organisation.objects.get(name="呼和浩特市人力资源和社会保障局")
    bureau, _ = User.objects.get_or_create(username="bench-stats-bureau", defaults={"role": "hr_bureau", "organisation": bureau_org})
    declarations = Application.objects.filter(plan__year=YEAR).count()
    events = ApplicationEvent.objects.count()
    rows = []
    for label, user, url in (("statistics page, supervisor (the region)", supervisor, f"/statistics/?year={YEAR}"),
                             ("statistics page, city bureau (its area)", bureau, f"/statistics/?year={YEAR}"),
                             ("regional department's dashboard", regional, "/dashboard/")):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200  # warm: templates, the connection, the database's cache
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        rows.append({"page": label, "median": statistics.median(times), "max": max(times), "queries": len(queries.captured_queries)})
    from zhicheng.statistics.services import refresh_stays

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        refresh_stays(YEAR)
    rows.append({"page": "the region's stage figures recomputed (daily job, first reader of a year)",
                 "median": time.perf_counter() - started, "max": time.perf_counter() - started, "queries": len(queries.captured_queries)})
    return {"vendor": connection.vendor, "declarations": declarations, "events": events, "built": built, "rows": rows,
            "load": os.getloadavg()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="declarations of 2021 (and a tenth as many of 2020)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print("RESULT " + json.dumps(worker(args.n, args.runs)))
        return
    given = os.environ.get("DATABASE_URL", "")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as workdir:
        for backend in args.backends.split(","):
            env = dict(os.environ, DJANGO_SETTINGS_MODULE="zhicheng.settings", ZHICHENG_TODAY=TODAY, ZHICHENG_VAR_DIR=workdir,
                       ZHICHENG_DEMO="1")
            if backend == "postgresql":
                if given.startswith("postgres"):
                    env["DATABASE_URL"] = given
                elif postgres_reachable():
                    env = fresh_database("postgresql", env, sqlite_path="", pg_name=PG_BENCH_DB)
                else:
                    print("PostgreSQL is not reachable: skipped", file=sys.stderr)
                    continue
            else:
                env = fresh_database("sqlite", env, sqlite_path=os.path.join(workdir, "stats.sqlite3"), pg_name="")
            print(f"{backend}: {args.n:,} declarations …", file=sys.stderr, flush=True)
            done = subprocess.run([sys.executable, "-m", "bench.stats", "--worker", "--n", str(args.n), "--runs", str(args.runs)],
                                  env=env, stdout=subprocess.PIPE, text=True, check=True)
            line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
            results.append(json.loads(line.removeprefix("RESULT ")))
    print()
    print("| backend | declarations (2021) | timeline events | page | median | max | queries | load average (1, 5, 15 min) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        load = ", ".join(f"{x:.1f}" for x in r["load"])
        for row in r["rows"]:
            print(f"| {r['vendor']} | {r['declarations']:,} | {r['events']:,} | {row['page']} | {row['median'] * 1000:.0f} ms | "
                  f"{row['max'] * 1000:.0f} ms | {row['queries']} | {load} |")
    for r in results:
        if r["built"]:
            print(f"\n{r['vendor']}: data built in {r['built']['seconds']} s ({r['built']['corrections']:,} correction notices, "
                  f"{r['built']['certificates']:,} certificates, {r['built']['lookups']:,} lookups)")


if __name__ == "__main__":
    main()
