"""`zhicheng serve`: the application under gunicorn, the way a region runs it.

gunicorn because it is the standard WSGI server for Django: pre-forked worker processes (a
crashed or killed one is replaced, the others keep serving), graceful reload on SIGHUP, pure
Python wheels. Static files are served by WhiteNoise from STATIC_ROOT (hashed, compressed),
collected here before the server starts. With --with-worker a background-job worker runs beside
it (what `make run` does); signals are passed on: SIGHUP reloads the web workers gracefully
(new ones start, old ones finish their requests), SIGTERM/SIGINT stop both.
"""

from __future__ import annotations

import os
import signal
# Starts gunicorn and the worker, fixed argument lists, no shell.
import subprocess  # nosec B404
import tempfile
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


# A job worker that keeps dying at once is not started again in a tight loop.
WORKER_RESTART_SECONDS = 5


def default_web_workers() -> int:
    return int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))


class Command(BaseCommand):
    help = "以生产方式运行：gunicorn 多进程 + WhiteNoise 静态文件；--with-worker 同时启动后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"), help="监听地址（默认 127.0.0.1:8000）")
        parser.add_argument("--workers", type=int, default=default_web_workers(), help="web 工作进程数（默认 2×CPU+1，或 WEB_CONCURRENCY）")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")), help="每个进程的线程数")
        parser.add_argument("--timeout", type=int, default=int(os.environ.get("WEB_TIMEOUT", "60")), help="单个请求的最长秒数")
        parser.add_argument("--with-worker", action="store_true", help="同时运行一个后台任务进程（zhicheng worker）")
        parser.add_argument("--access-log", action="store_true", help="把访问日志写到标准输出")

    def handle(self, *args, bind, workers, threads, timeout, with_worker, access_log, verbosity, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = [
            sys.executable, "-m", "gunicorn", "zhicheng.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", str(timeout), "--graceful-timeout", "30", "--keep-alive", "5",
            # Recycle workers now and then so that a slow leak never becomes an outage.
            "--max-requests", "5000", "--max-requests-jitter", "500",
            # gunicorn's worker heartbeat files: in memory where there is /dev/shm (a disk stall must not kill workers).
            "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir(),  # nosec B108
            "--log-level", "warning",
        ]
        if access_log:
            gunicorn += ["--access-logfile", "-"]
        worker_command = [sys.executable, "-m", "zhicheng.cli", "worker", "--verbosity", "0"]
        # This interpreter, fixed arguments.
        children = [subprocess.Popen(gunicorn)]  # nosec B603
        if with_worker:
            children.append(subprocess.Popen(worker_command))  # nosec B603
        web = children[0]
        stopping = False

        def forward(signum, frame):
            nonlocal stopping
            stopping = stopping or signum != signal.SIGHUP
            targets = [web] if signum == signal.SIGHUP else children
            for child in targets:
                if child.poll() is None:
                    child.send_signal(signum)

        for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, forward)
        if verbosity > 0:
            self.stdout.write(f"gunicorn: {workers} 个进程 × {threads} 线程，http://{bind}/"
                              + ("；后台任务进程已启动" if with_worker else ""))
        try:
            while web.poll() is None:
                # A job worker that dies is started again; the web server keeps serving meanwhile (its tasks
                # are in the database: the new worker, or another machine's, takes over what the dead one held).
                if with_worker and children[1].poll() is not None and not stopping:
                    self.stderr.write(f"后台任务进程已退出（{children[1].returncode}），{WORKER_RESTART_SECONDS} 秒后重新启动")
                    time.sleep(WORKER_RESTART_SECONDS)
                    if not stopping:
                        children[1] = subprocess.Popen(worker_command)  # nosec B603
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=35)
                except subprocess.TimeoutExpired:
                    child.kill()
        code = next((c.returncode for c in children if c.returncode not in (0, None, -signal.SIGTERM, -signal.SIGINT)), 0)
        if code:
            raise SystemExit(code)
