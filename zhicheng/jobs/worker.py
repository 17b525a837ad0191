"""`zhicheng worker`: django-tasks' database worker, plus what a region's deployment needs around it.

A thread beside the task loop keeps this worker's heartbeat, runs again the tasks of workers
that died (runner.recover_lost_tasks) and queues the scheduled work that is due (schedule.tick).
"""

from __future__ import annotations

import logging
import os
import threading

from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from . import runner, schedule
from .models import WorkerProcess

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10


class ZhichengWorker(Worker):
    def __init__(self, *, housekeeping_interval: float = 30, **kwargs):
        super().__init__(**kwargs)
        self.housekeeping_interval = housekeeping_interval
        self._stop = threading.Event()

    def run(self) -> None:
        now = timezone.now()
        WorkerProcess.objects.update_or_create(
            worker_id=self.worker_id, defaults={"hostname": runner.HOSTNAME, "pid": os.getpid(), "started_at": now, "seen_at": now})
        self.housekeeping()  # before the first task, so a --batch run also sees what is due
        thread = threading.Thread(target=self._beat, name="zhicheng-worker-heartbeat", daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            thread.join(timeout=5)
            WorkerProcess.objects.filter(worker_id=self.worker_id).delete()

    def housekeeping(self) -> None:
        runner.recover_lost_tasks()
        schedule.tick()

    def _beat(self) -> None:
        since_housekeeping = 0.0
        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                since_housekeeping += HEARTBEAT_SECONDS
                try:
                    WorkerProcess.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())
                    if since_housekeeping >= self.housekeeping_interval:
                        since_housekeeping = 0.0
                        self.housekeeping()
                except DatabaseError:
                    # SQLite: a long write elsewhere holds the lock; the next beat tries again.
                    logger.warning("worker heartbeat could not be written", exc_info=True)
        finally:
            connection.close()
