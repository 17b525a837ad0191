"""Importing past title records: N rows (default 100,000) from Excel into a fresh SQLite database.

    make bench-import                # 100,000 rows
    python -m bench.history_import --rows 20000

Prints a table: time to write the workbook (not part of the import), then reading + checking
every row, and the import itself with people, archive titles and signed certificates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path


def _setup(workdir: Path) -> None:
    os.environ["ZHICHENG_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhicheng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhicheng.demo.region import load_catalogue

    load_catalogue(2021)


def _rows(n: int, seed: int = 2021):
    """Synthetic records: about one person in four holds two titles of the same series."""
    from zhicheng.catalogue.models import TitleName
    from zhicheng.demo.ids import id_number

    rng = random.Random(seed)
    titles = list(TitleName.objects.select_related("series").values_list("series__name", "level", "name"))
    labels = {"junior": "员级", "assistant": "助理级", "intermediate": "中级", "associate_senior": "副高级", "full_senior": "正高级"}
    areas = ["150102"]
    person = 0
    emitted = 0
    while emitted < n:
        person += 1
        # Distinct (birth date, serial) pairs give distinct 身份证 numbers.
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=person % 16000)
        ident = id_number(areas[0], birth, person // 16000)
        name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("建国志强丽娟海燕巴特尔其其格乌云")
        series, level, title = rng.choice(titles)
        for _ in range(2 if person % 4 == 0 else 1):
            emitted += 1
            year = rng.randint(max(1990, birth.year + 22), 2020)  # a title after the holder's studies (the import checks)
            yield [name, ident, series, labels[level], title, dt.date(year, 12, rng.randint(1, 28)),
                   f"内蒙古自治区{series}系列职称评审委员会", f"H{year}{emitted:09d}"]
            if emitted >= n:
                return


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zhicheng-bench-import-") as tmp:
        workdir = Path(tmp)
        _setup(workdir)
        from zhicheng.certificates.history import HEADER, import_history
        from zhicheng.certificates.models import Certificate
        from zhicheng.documents.excel import write_workbook
        from zhicheng.people.models import Person, TitleHeld

        started = time.perf_counter()
        data = write_workbook([("历年职称记录", HEADER, _rows(args.rows))])
        workbook = workdir / "history.xlsx"
        workbook.write_bytes(data)
        written = time.perf_counter() - started

        started, cpu_started = time.perf_counter(), time.process_time()
        with workbook.open("rb") as source:
            report = import_history(source, None, today=dt.date(2021, 9, 15))
        imported, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if not report.ok:
            print("\n".join(str(e) for e in report.errors[:20]), file=sys.stderr)
            return 1

        rows = [
            ("rows in workbook", f"{args.rows:,}", ""),
            ("workbook size", f"{len(data) / 1e6:.1f} MB", ""),
            ("write workbook (setup)", f"{written:.1f} s", ""),
            ("import: read, check, write", f"{imported:.1f} s", "target < 60 s"),
            ("  of which CPU in this process", f"{cpu:.1f} s", "the rest waits for disk or other processes"),
            ("rows per second", f"{args.rows / imported:,.0f}", ""),
            ("people created", f"{Person.objects.count():,}", ""),
            ("archive titles", f"{TitleHeld.objects.count():,}", ""),
            ("signed certificates", f"{Certificate.objects.count():,}", ""),
        ]
        width = max(len(r[0]) for r in rows)
        print(f"\nHistory import on SQLite ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)\n")
        print(f"{'measure'.ljust(width)}  {'value':>12}  note")
        print(f"{'-' * width}  {'-' * 12}  ----")
        for name, value, note in rows:
            print(f"{name.ljust(width)}  {value:>12}  {note}")
        return 0 if imported < 60 else 2


if __name__ == "__main__":
    sys.exit(main())
