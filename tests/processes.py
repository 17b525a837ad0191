"""Running the application's own processes (the production server, background workers) against the
test database, as a deployment runs them. Such tests commit their data (transactional_db) and are
marked `processes`; like the browser tests they run after the others, whose shared region their
flush would empty."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote


def database_url() -> str:
    """The URL of the database the tests use now (the test database, not the configured one)."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k not in ("ZHICHENG_TODAY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="zhicheng.settings", MEDIA_ROOT=str(settings.MEDIA_ROOT),
               PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def zhicheng(*args: str) -> list[str]:
    return [sys.executable, "-m", "zhicheng.cli", *args]


def run(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(zhicheng(*args), env=env or process_env(), capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {port} after {timeout} s")


def wait_for(condition, timeout: float = 60, what: str = "condition", interval: float = 0.05):
    """Poll until condition() returns something true, and return it; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what}: not reached after {timeout} s")


def write_today(path: Path, day) -> None:
    """Move the date of processes started with ZHICHENG_TODAY_FILE=path (None: the real date)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(day.isoformat() if day else "")
    os.replace(tmp, path)
