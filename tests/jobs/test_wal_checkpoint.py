"""SQLite: only the job worker checkpoints the write-ahead log, holding the write lock (settings and
zhicheng.jobs.worker.checkpoint_wal), so that no commit resets the log under a running checkpoint (the
WAL-reset bug of SQLite before 3.51.3; Debian 12 has 3.40.1)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.utils import timezone

from zhicheng.jobs.models import WorkerProcess
from zhicheng.jobs.worker import checkpoint_wal

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the write-ahead log is SQLite's")


def _wal_size() -> int:
    path = f"{connection.settings_dict['NAME']}-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


@pytest.mark.django_db
def test_connections_leave_checkpoints_to_the_worker():
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_the_workers_checkpoint_empties_the_log():
    now = timezone.now()
    for i in range(50):
        WorkerProcess.objects.create(worker_id=f"wal-{i}", hostname="h", pid=i, started_at=now, seen_at=now)
    assert _wal_size() > 0  # what was committed is in the log, not yet in the database file
    checkpoint_wal()
    assert _wal_size() == 0
    assert WorkerProcess.objects.filter(worker_id__startswith="wal-").count() == 50
