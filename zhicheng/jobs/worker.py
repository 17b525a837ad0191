"""`zhicheng worker`: django-tasks' database worker, plus what a region's deployment needs around it.

A thread beside the task loop keeps this worker's heartbeat (WorkerProcess.seen_at), checkpoints
SQLite's write-ahead log (checkpoint_wal), runs again the tasks of workers that died
(runner.recover_lost_tasks) and queues the scheduled work that is due (schedule.tick); the worker
does the last two once when it starts, too. SIGTERM (or SIGINT) stops it gracefully: the task
being run is finished, then the worker leaves its WorkerProcess row and hands back a task it had
claimed but not started.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from . import runner, schedule
from .models import WorkerProcess

logger = logging.getLogger(__name__)


def patiently(action):
    """Run a database action, waiting as long as another transaction holds SQLite's one write lock
    (a long import can hold it for longer than the busy timeout) instead of dying of it."""
    while True:
        try:
            return action()
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            logger.warning("worker waiting: %s", exc)


def checkpoint_wal() -> None:
    """SQLite: copy the write-ahead log into the database file and empty it, holding the write lock meanwhile
    (TRUNCATE waits for writers and keeps new ones out), so that no commit resets the log under a checkpoint.
    The connections' own automatic checkpoints are off (settings: wal_autocheckpoint=0); besides this one, SQLite
    checkpoints only when the last connection closes, and then it holds the database exclusively."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def heartbeat_seconds() -> float:
    """Often enough that a working worker never looks silent to the others: a quarter of the
    stale limit, and at most every 10 s."""
    return min(10.0, settings.WORKER_STALE_SECONDS / 4)


class ZhichengWorker(Worker):
    def __init__(self, *, housekeeping_interval: float = 30, **kwargs):
        super().__init__(**kwargs)
        self.housekeeping_interval = housekeeping_interval
        self._stop = threading.Event()

    def run(self) -> None:
        patiently(self._register)
        thread = threading.Thread(target=self._beat, name="zhicheng-worker-heartbeat", daemon=True)
        try:
            patiently(self.housekeeping)  # before the first task, so a --batch run also sees what is lost or due
            thread.start()
            super().run()
        finally:
            self._stop.set()
            if thread.is_alive():
                thread.join(timeout=5)
            try:
                WorkerProcess.objects.filter(worker_id=self.worker_id).delete()
                # Stopped between claiming a task and starting it (a signal then exits at once):
                # with this worker gone from the table, that task counts as lost and is queued again.
                runner.recover_lost_tasks()
            except DatabaseError:
                logger.warning("worker %s could not sign off; the others will take over its tasks", self.worker_id, exc_info=True)

    def run_task(self, db_task_result) -> None:
        try:
            super().run_task(db_task_result)
        except DatabaseError:
            # The task's row went while it ran (deleted by hand, or the database restored or flushed under a
            # running worker): its result has nowhere to go, and the worker goes on with the next task instead
            # of dying of it (under `zhicheng serve`, a dead worker used to stop the web server with it).
            if DBTaskResult.objects.filter(pk=db_task_result.pk).exists():
                raise
            logger.warning("task %s was deleted while it ran; its result is not recorded", db_task_result.pk)

    def _register(self) -> None:
        now = timezone.now()
        WorkerProcess.objects.update_or_create(
            worker_id=self.worker_id, defaults={"hostname": runner.HOSTNAME, "pid": os.getpid(), "started_at": now, "seen_at": now})

    def housekeeping(self) -> None:
        runner.recover_lost_tasks()
        schedule.tick()

    def _beat(self) -> None:
        interval = heartbeat_seconds()
        since_housekeeping = 0.0
        try:
            while not self._stop.wait(interval):
                since_housekeeping += interval
                try:
                    close_old_connections()  # a connection broken by a database restart is replaced
                    beat = WorkerProcess.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())
                    if not beat and not self._stop.is_set():
                        self._register()  # its row was removed as long silent: this worker is back
                    checkpoint_wal()
                    if since_housekeeping >= self.housekeeping_interval:
                        since_housekeeping = 0.0
                        self.housekeeping()
                except DatabaseError as exc:
                    # SQLite: a task's write transaction held the lock past the busy timeout. The next
                    # beat tries again; meanwhile this machine's workers judge this one by its process.
                    logger.warning("worker heartbeat or housekeeping not written: %s", exc)
                except Exception:
                    # The heartbeat must outlive a bug in scheduled work: without it, workers on other
                    # machines would take this one for dead and run its task a second time.
                    logger.exception("worker housekeeping failed")
        finally:
            connection.close()
