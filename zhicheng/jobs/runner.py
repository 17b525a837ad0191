"""Running work in the background: user-visible jobs with progress, system tasks that retry
with backoff, and running again the work of a worker process that died.

The queue is django-tasks' database backend (the backport of Django 6's ``django.tasks``): a
task is a row, claimed by exactly one worker with ``SELECT … FOR UPDATE SKIP LOCKED`` (an
exclusive transaction on SQLite), so several workers never run one task twice. What the
backport leaves to its users is added here: retries with backoff, and recovery of tasks whose
worker was killed (their rows would otherwise stay "running" for ever).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from .models import Job, JobStatus, WorkerProcess

logger = logging.getLogger(__name__)

# kind → handler(job, progress) -> result dict; each app registers its own in AppConfig.ready().
JOB_KINDS: dict[str, Callable[[Job, Progress], dict]] = {}
# A job whose worker died this many times is given up (the work is all-or-nothing, nothing is half done).
MAX_JOB_ATTEMPTS = 3


class JobRefused(Exception):
    """The job cannot be done as asked; its message (Chinese) is shown to the person who started it."""


def job_kind(name: str):
    def register(handler):
        JOB_KINDS[name] = handler
        return handler
    return register


class Progress:
    """Reports how far a job has come. Writes are throttled, and skipped inside a transaction:
    the job's own rows must not be held by (or roll back with) the work it reports on."""

    def __init__(self, job: Job, interval: float = 0.5):
        self.job, self.interval, self._last = job, interval, 0.0

    def __call__(self, done: int, total: int | None = None, phase: str | None = None, *, force: bool = False) -> None:
        job = self.job
        job.done = done
        if total is not None:
            job.total = total
        if phase is not None:
            force = force or phase != job.phase
            job.phase = phase
        if connection.in_atomic_block:
            return
        moment = time.monotonic()
        if force or moment - self._last >= self.interval:
            self._last = moment
            Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, phase=job.phase)


def start_job(kind: str, title: str, user, *, params: dict | None = None, input_file=None, organisation=None) -> Job:
    """Create the job and queue its task in one transaction (the task row is the job's promise)."""
    from zhicheng.audit.services import record as audit

    if kind not in JOB_KINDS:
        raise KeyError(kind)
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, started_by=user, params=params or {}, input_file=input_file,
                                 organisation=organisation if organisation is not None else getattr(user, "organisation", None))
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
        audit("job.start", None, actor=user, object_type="jobs.job", object_id=str(job.pk),
              after={"kind": kind, "params": job.params}, summary=f"启动后台任务：{title}")
    return job


@task(queue_name="bulk")
def run_job(job_id: int) -> str:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return job.status  # delivered again after it ended: nothing to do
        job.attempts += 1
        if job.attempts > MAX_JOB_ATTEMPTS:
            _finish(job, JobStatus.FAILED, error=f"任务所在的后台进程已中断{MAX_JOB_ATTEMPTS}次，任务终止；未完成的部分没有写入。")
            return job.status
        job.status, job.started_at = JobStatus.RUNNING, job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at", "attempts"])
    handler = JOB_KINDS[job.kind]
    try:
        result = handler(job, Progress(job))
    except JobRefused as exc:
        _finish(job, JobStatus.FAILED, error=str(exc))
    except Exception as exc:
        from zhicheng.declarations.services import TransitionError

        if isinstance(exc, TransitionError):
            _finish(job, JobStatus.FAILED, error=str(exc))
        else:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _finish(job, JobStatus.FAILED,
                    error=f"任务执行出错（{exc.__class__.__name__}），已中止；出错时正在办理的那一步没有写入。请联系系统管理员。")
    else:
        _finish(job, JobStatus.SUCCEEDED, result=result or {})
    return job.status


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "") -> None:
    job.status, job.finished_at, job.error = status, timezone.now(), error
    if result is not None:
        job.result = result
    if status == JobStatus.SUCCEEDED:
        job.done = job.total = max(job.total, job.done)
    Job.objects.filter(pk=job.pk).update(status=job.status, finished_at=job.finished_at, error=error, result=job.result,
                                         done=job.done, total=job.total, attempts=job.attempts)


def retrying(*, attempts: int = 5, first_delay: float = 60, queue_name: str = "default"):
    """A task that, when it raises, is queued again after first_delay·2^(n-1) seconds, up to `attempts` runs.

    Use for system work that can simply be tried again (sending mail, a scheduled day's work)."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, attempt: int = 1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt < attempts:
                    delay = dt.timedelta(seconds=first_delay * 2 ** (attempt - 1))
                    the_task.using(run_after=timezone.now() + delay).enqueue(*args, attempt=attempt + 1, **kwargs)
                    logger.warning("task %s failed (attempt %d of %d), retrying in %s", func.__name__, attempt, attempts, delay)
                raise

        the_task = task(queue_name=queue_name)(wrapper)
        return the_task

    return decorate


# ---- worker liveness and recovery ------------------------------------------------------------

HOSTNAME = socket.gethostname()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_worker_ids() -> set[str]:
    """Workers heard from recently; on this machine, only those whose process still exists."""
    fresh = timezone.now() - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return {w.worker_id for w in WorkerProcess.objects.filter(seen_at__gte=fresh)
            if w.hostname != HOSTNAME or _pid_alive(w.pid)}


def recover_lost_tasks() -> int:
    """Tasks left "running" by a worker that died are marked failed and queued again.

    Each task is re-checked under its row lock, so two workers recovering at once queue it once."""
    from django_tasks_db.models import DBTaskResult

    alive = live_worker_ids()
    lost = [r.pk for r in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("worker_ids")
            if not r.worker_ids or r.worker_ids[-1] not in alive]
    recovered = 0
    for pk in lost:
        with transaction.atomic():
            row = DBTaskResult.objects.select_for_update().filter(pk=pk, status=TaskResultStatus.RUNNING).first()
            if row is None:
                continue
            row.status, row.finished_at = TaskResultStatus.FAILED, timezone.now()
            row.exception_class_path = "zhicheng.jobs.runner.WorkerLost"
            row.traceback = f"worker {row.worker_ids[-1] if row.worker_ids else '?'} stopped while running this task"
            row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            again = row.task.enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
            if row.task_path == f"{run_job.func.__module__}.{run_job.func.__qualname__}":
                Job.objects.filter(pk=row.args_kwargs["args"][0]).update(task_id=str(again.id))
            logger.warning("task %s (%s) lost with its worker; queued again as %s", pk, row.task_path, again.id)
            recovered += 1
    WorkerProcess.objects.filter(seen_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    return recovered
