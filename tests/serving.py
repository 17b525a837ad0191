"""The production server (`zhicheng serve`) as a separate process on the test database, the way a
region runs it: gunicorn workers, WhiteNoise, DEBUG off. The browser tests and the runtime tests
start it here."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port, process_env, wait_for_port, write_today, zhicheng


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs (gunicorn's master and workers, the job worker)."""
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path
    today_file: Path
    media_root: Path

    def log_text(self, start: int = 0) -> str:
        with open(self.log, "rb") as f:
            f.seek(start)
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout: float = 45) -> int:
        """SIGTERM, as a service manager stops it; whatever is still alive after `timeout` is killed."""
        if self.process.poll() is None:
            tree = descendants(self.process.pid)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                for pid in [self.process.pid, *tree]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.process.wait()
        return self.process.returncode


def start_server(directory: Path, *serve_args: str, workers: int = 2, **env: str) -> Server:
    """`zhicheng serve` on 127.0.0.1 and a free port, its files (static, media, log, today) under `directory`.

    "Today" for the server is the date in `today_file` (empty: the real date); STATIC_ROOT is its own
    so that parallel runs never collect into one directory."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    today_file, media_root, static_root = directory / "today", directory / "media", directory / "static"
    media_root.mkdir(parents=True, exist_ok=True)
    write_today(today_file, None)
    log = directory / "server.log"
    server_env = process_env(
        DEBUG="0", ZHICHENG_TODAY_FILE=str(today_file), STATIC_ROOT=str(static_root), MEDIA_ROOT=str(media_root),
        ZHICHENG_PUBLIC_URL=url, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", **env,
    )
    with open(log, "wb") as out:
        process = subprocess.Popen(zhicheng("serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *serve_args),
                                   env=server_env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, url, log, today_file, media_root)
    try:
        wait_for_port(port, process)
    except (RuntimeError, TimeoutError) as e:
        server.stop()
        raise RuntimeError(f"{e}\n--- server log ---\n{server.log_text()}") from None
    return server
