"""Tasks and a job kind that the job runner's tests queue. Worker processes started from the
repository root import them by their task path (tests.jobs.tasks.…); `python -m tests.jobs.worker`
also registers the job kind, which `run_job` looks up by name.

Every run inserts a row into RUNS_TABLE, a plain table without a unique key: a task run twice
leaves two rows, where a unique constraint would have hidden the second run behind an error."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.db import connection, transaction
from django_tasks import task

from zhicheng.jobs.runner import job_kind, retrying

RUNS_TABLE = "test_jobs_run"


def create_runs_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {RUNS_TABLE} (name varchar(100) NOT NULL, pid integer NOT NULL)")


def drop_runs_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")


def runs(name: str | None = None) -> list[tuple[str, int]]:
    """(name, pid) of every recorded run, of one name or all."""
    with connection.cursor() as cursor:
        if name is None:
            cursor.execute(f"SELECT name, pid FROM {RUNS_TABLE}")
        else:
            cursor.execute(f"SELECT name, pid FROM {RUNS_TABLE} WHERE name = %s", [name])
        return [tuple(row) for row in cursor.fetchall()]


def _record(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS_TABLE} (name, pid) VALUES (%s, %s)", [name, os.getpid()])


@task()
def record(name: str, pause: float = 0) -> str:
    time.sleep(pause)
    _record(name)
    return name


@task()
def vanish(name: str) -> str:
    """Deletes its own task row while it runs, as a flush or restore of the database under a running worker does."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path=vanish.module_path).delete()
    _record(name)
    return name


@retrying(attempts=4, first_delay=1)
def flaky(name: str, failures: int, **options) -> dict:
    """Fails its first `failures` runs (counted in RUNS_TABLE), then succeeds; says what it was called with."""
    _record(name)
    done = len(runs(name))
    if done <= failures:
        raise RuntimeError(f"run {done} fails on purpose")
    return {"runs": done, "options": options}


@retrying(attempts=3, first_delay=0.5)
def always_fails(name: str) -> None:
    _record(name)
    raise RuntimeError("fails on purpose")


@job_kind("test_rows")
def write_rows(job, progress) -> dict:
    """All-or-nothing like the real jobs: `rows` rows in one transaction, `pause` seconds apart.
    Half-way it touches params["marker"] + ".<attempt>", so that a test knows when to kill it."""
    rows, pause = job.params["rows"], job.params["pause"]
    with transaction.atomic():
        for i in range(rows):
            _record(f"job-{job.pk}")
            progress(i + 1, total=rows, phase="写入")
            if i == rows // 2 and job.params.get("marker"):
                Path(f"{job.params['marker']}.{job.attempts}").touch()
            time.sleep(pause)
    return {"summary": f"写入{rows}行。"}
