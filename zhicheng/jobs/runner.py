"""Running work in the background: user-visible jobs with progress, system tasks that retry
with backoff, and running again the work of a worker process that died.

The queue is django-tasks' database backend (the backport of Django 6's ``django.tasks``): a
task is a row, claimed by exactly one worker with ``SELECT … FOR UPDATE SKIP LOCKED`` (an
exclusive transaction on SQLite), so several workers never run one task twice. What the
backport leaves to its users is added here:

- retries with backoff (``@retrying``). A failed attempt queues the next one as a new row whose
  kwargs carry its number (``attempt``); the wrapper takes it out again, so the task's function
  sees only its own arguments.
- recovery of tasks whose worker died (their rows would otherwise stay "running" for ever). A
  worker on this machine is dead when its process is gone; a worker on another machine when it
  has not written its heartbeat for WORKER_STALE_SECONDS. The task is marked failed and queued
  again, once however many workers notice; a Job is all-or-nothing, so it simply starts over,
  and after MAX_JOB_ATTEMPTS lost runs it ends failed.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import os
import socket
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from zhicheng.core import clock
from zhicheng.core.errors import Refusal

from .models import Job, JobStatus, WorkerProcess

logger = logging.getLogger(__name__)

# kind → handler(job, progress) -> result dict; each app registers its own in AppConfig.ready().
JOB_KINDS: dict[str, Callable[[Job, Progress], dict]] = {}
# A job whose worker died this many times is given up (the work is all-or-nothing, nothing is half done).
MAX_JOB_ATTEMPTS = 3


class WorkerLost(Exception):
    """The worker running a task stopped before the task ended (the error recorded on the task's row)."""


class JobRefused(Exception):
    """The job cannot be done as asked; its message (Chinese) is shown to the person who started it,
    with ``result`` when there is more to show (an import's bad rows, each with its reason)."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result


def job_kind(name: str):
    def register(handler):
        JOB_KINDS[name] = handler
        return handler
    return register


class Progress:
    """Reports how far a job has come; writes are throttled. Inside a transaction (an all-or-nothing
    job) the report must neither roll back with the work nor stay unseen until it commits: on
    PostgreSQL it is written through a connection of its own, on SQLite (where that transaction
    holds the one write lock) it waits for the next report made outside a transaction."""

    def __init__(self, job: Job, interval: float = 0.5):
        self.job, self.interval, self._last = job, interval, 0.0
        self._aside = None

    def __call__(self, done: int, total: int | None = None, phase: str | None = None, *, force: bool = False) -> None:
        job = self.job
        job.done = done
        if total is not None:
            job.total = total
        if phase is not None:
            force = force or phase != job.phase
            job.phase = phase
        moment = time.monotonic()
        if not force and moment - self._last < self.interval:
            return
        if not connection.in_atomic_block:
            Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, phase=job.phase)
        elif connection.vendor == "postgresql":
            self._write_aside()
        else:
            return
        self._last = moment

    def _write_aside(self) -> None:
        if self._aside is None:
            self._aside = connections.create_connection(connection.alias)
        table = Job._meta.db_table
        with self._aside.cursor() as cursor:
            # SKIP LOCKED: should the job's own transaction hold its row, waiting for it would never end.
            # The model's table name; values are parameters.
            cursor.execute(f"UPDATE {table} SET done = %s, total = %s, phase = %s "  # nosec B608
                           f"WHERE id IN (SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                           [self.job.done, self.job.total, self.job.phase, self.job.pk])

    def close(self) -> None:
        if self._aside is not None:
            self._aside.close()
            self._aside = None


def active_starter(job: Job):
    """The account that started the job, which the work acts as; refused when it has been disabled since."""
    from django.utils.translation import gettext as _

    actor = job.started_by
    if actor is None or not actor.is_active:
        raise JobRefused(_("发起该任务的账户已停用或已删除，任务未执行。"))
    return actor


def no_progress(done: int, total: int | None = None, phase: str | None = None, *, force: bool = False) -> None:
    """The progress report of long work run outside a job (a command, a test): nobody reads it."""


def start_job(kind: str, title: str, user, *, params: dict | None = None, input_file=None, organisation=None) -> Job:
    """Create the job and queue its task in one transaction (the task row is the job's promise)."""
    from zhicheng.audit.services import record as audit

    if kind not in JOB_KINDS:
        raise KeyError(kind)
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, started_by=user, params=params or {}, input_file=input_file,
                                 organisation=organisation if organisation is not None else getattr(user, "organisation", None))
        result = run_job.enqueue(job.pk)
        job.task_id = str(result.id)
        Job.objects.filter(pk=job.pk).update(task_id=job.task_id)
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
        job.status, job.started_at = JobStatus.RUNNING, job.started_at or clock.now()
        job.save(update_fields=["status", "started_at", "attempts"])
    if job.result:
        # Recorded with the work's own transaction (record_result) before the worker died: it is done.
        _finish(job, JobStatus.SUCCEEDED, result=job.result)
        return job.status
    handler, progress = JOB_KINDS[job.kind], Progress(job)
    try:
        result = handler(job, progress)
    except JobRefused as exc:
        _finish(job, JobStatus.FAILED, error=str(exc), result=exc.result)
    except Exception as exc:
        if isinstance(exc, Refusal):
            _finish(job, JobStatus.FAILED, error=str(exc))
        else:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _finish(job, JobStatus.FAILED,
                    error=f"任务执行出错（{exc.__class__.__name__}），已中止；出错时正在办理的那一步没有写入。请联系系统管理员。")
    else:
        _finish(job, JobStatus.SUCCEEDED, result=result or {})
    finally:
        progress.close()
    return job.status


def record_result(job: Job, result: dict) -> None:
    """Write the job's result inside the transaction of the work it describes, so that they commit
    together: a job found with a result when it is run again (its worker died after the commit)
    ends with that result instead of doing the work twice."""
    Job.objects.filter(pk=job.pk).update(result=result)


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "") -> None:
    job.status, job.finished_at, job.error = status, clock.now(), error
    if result is not None:
        job.result = result
    if status == JobStatus.SUCCEEDED:
        job.done = job.total = max(job.total, job.done)
    Job.objects.filter(pk=job.pk).update(status=job.status, finished_at=job.finished_at, error=error, result=job.result,
                                         done=job.done, total=job.total, attempts=job.attempts)


def retry_delay(first_delay: float, attempt: int) -> dt.timedelta:
    """The wait after failed attempt ``attempt`` (1, 2, …) of a ``@retrying`` task: first_delay·2^(attempt-1)
    seconds. Work that also records its own next-attempt time (the mail outbox, webhooks) uses it to stay due
    exactly when the runner runs the task again."""
    return dt.timedelta(seconds=first_delay * 2 ** (attempt - 1))


def retrying(*, attempts: int = 5, first_delay: float = 60, queue_name: str = "default"):
    """A task that, when attempt n raises, is queued again to run first_delay·2^(n-1) seconds later,
    up to `attempts` attempts in all. The attempt number travels as the ``attempt`` kwarg of the
    queued task (``the_task.call(…, attempt=n)`` runs attempt n directly); the function never sees it.

    Use for system work that can simply be tried again (sending mail, a scheduled day's work)."""

    def decorate(func):
        if "attempt" in inspect.signature(func).parameters:
            raise TypeError(f"{func.__qualname__}: 'attempt' is the retry counter of @retrying, not a task argument")

        @functools.wraps(func)
        def wrapper(*args, attempt: int = 1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt < attempts:
                    delay = retry_delay(first_delay, attempt)
                    the_task.using(run_after=timezone.now() + delay).enqueue(*args, attempt=attempt + 1, **kwargs)
                    logger.warning("task %s failed (attempt %d of %d), retrying in %s", func.__name__, attempt, attempts, delay)
                else:
                    logger.error("task %s failed %d times; not retried", func.__name__, attempt)
                raise

        the_task = task(queue_name=queue_name)(wrapper)
        return the_task

    return decorate


# ---- worker liveness and recovery ------------------------------------------------------------

def _this_machine() -> str:
    """This machine as workers record it: the host name, and the process-id namespace where there
    is one (containers that share a host name do not see each other's processes)."""
    try:
        return f"{socket.gethostname()} {os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return socket.gethostname()


HOSTNAME = _this_machine()


def _process_start(pid: int) -> float | None:
    """When a process began (Unix time), from /proc; None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def _still_running(worker: WorkerProcess) -> bool:
    """Whether a worker of this machine is still the process that registered (not a later one that got its pid)."""
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    began = _process_start(worker.pid)
    # /proc gives the boot time in whole seconds, hence the margin.
    return began is None or began <= worker.started_at.timestamp() + 2


def live_worker_ids() -> set[str]:
    """Workers still at work. On this machine the process is asked, not the heartbeat: on SQLite a
    task's long write transaction holds the heartbeat up. Elsewhere, those heard from recently."""
    fresh = timezone.now() - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return {w.worker_id for w in WorkerProcess.objects.all()
            if (_still_running(w) if w.hostname == HOSTNAME else w.seen_at >= fresh)}


def recover_lost_tasks() -> int:
    """Tasks left "running" by a worker that died are marked failed and queued again; returns how many.

    The running tasks are read before the live workers: a worker registers before it claims a
    task, so a task claimed in between by a worker that has just started is not taken for lost."""
    from django_tasks_db.models import DBTaskResult

    running = list(DBTaskResult.objects.running().values_list("pk", "worker_ids"))
    alive = live_worker_ids() if running else set()
    recovered = sum(_take_over(pk) for pk, worker_ids in running if not worker_ids or worker_ids[-1] not in alive)
    WorkerProcess.objects.filter(seen_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    return recovered


def _take_over(pk) -> bool:
    """Mark a lost task failed and queue it again, if it is still running: under its row lock (on
    SQLite, the write lock), so that of two workers taking it over at once only one does."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=pk, status=TaskResultStatus.RUNNING).first()
        if row is None:
            return False
        row.status, row.finished_at = TaskResultStatus.FAILED, timezone.now()
        row.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
        row.traceback = f"worker {row.worker_ids[-1] if row.worker_ids else '?'} stopped while running this task"
        row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        try:
            the_task = row.task
        except (ImportError, SuspiciousOperation):
            logger.error("task %s (%s) lost with its worker; its code is gone, so it is not queued again", pk, row.task_path)
            return True
        args, kwargs = row.args_kwargs["args"], row.args_kwargs["kwargs"]
        again = the_task.enqueue(*args, **kwargs)
        if row.task_path == run_job.module_path:
            # The job waits to start over; what the lost run reported is no longer true.
            Job.objects.filter(pk=args[0], status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
                status=JobStatus.QUEUED, done=0, phase="", task_id=str(again.id))
        logger.warning("task %s (%s) lost with its worker; queued again as %s", pk, row.task_path, again.id)
    return True
