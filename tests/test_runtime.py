"""The runtime a region runs: error pages that show no internals (in Chinese, English with the language
cookie), and `zhicheng serve --with-worker` as a process on the test database — pages, hashed static
files from WhiteNoise, the background worker, a graceful reload on SIGHUP that fails no request, and
a clean stop on SIGTERM.

This module is also the URLconf of the in-process error-page tests: the application's URLs plus views
that fail in known ways."""

from __future__ import annotations

import os
import re
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path

from tests.processes import wait_for
from tests.serving import descendants, start_server

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
INTERNALS = "internal detail: password=hunter2"
# What Django's debug pages show and a production page must not.
LEAKS = ("Traceback", INTERNALS, "URLconf", "Using the URLconf", "DJANGO_SETTINGS_MODULE", "Request Method")


def _fails(request):
    raise RuntimeError(INTERNALS)


def _forbidden(request):
    raise PermissionDenied(INTERNALS)


def _suspicious(request):
    raise SuspiciousOperation(INTERNALS)


# The application's own URLs (its middleware reverses some of them) and three that fail.
urlpatterns = [path("fails/", _fails), path("forbidden/", _forbidden), path("suspicious/", _suspicious),
               path("", include("zhicheng.urls"))]

PAGES = [  # url, status, Chinese heading, English heading
    ("/fails/", 500, "系统出错（500）", "System error (500)"),
    ("/forbidden/", 403, "无权访问（403）", "Access denied (403)"),
    ("/suspicious/", 400, "请求有误（400）", "Bad request (400)"),
    ("/does-not-exist/", 404, "页面不存在（404）", "Page not found (404)"),
]


def assert_no_internals(body: str) -> None:
    for leak in LEAKS:
        assert leak not in body, f"the error page shows {leak!r}"


@pytest.fixture
def failing_views(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def in_english(client: Client, settings) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("url, status, chinese, english", PAGES)
def test_error_pages_are_chinese_and_show_no_internals(failing_views, url, status, chinese, english):
    response = Client(raise_request_exception=False).get(url)
    body = response.content.decode()
    assert response.status_code == status
    assert chinese in body and 'lang="zh-Hans"' in body
    assert_no_internals(body)


@pytest.mark.parametrize("url, status, chinese, english", PAGES)
def test_error_pages_are_english_with_the_language_cookie(failing_views, settings, url, status, chinese, english):
    response = in_english(Client(raise_request_exception=False), settings).get(url)
    body = response.content.decode()
    assert response.status_code == status
    assert english in body and 'lang="en"' in body
    assert not CJK.search(body), CJK.findall(body)
    assert_no_internals(body)


def test_a_form_posted_without_its_csrf_token_gets_the_expired_page(settings):
    settings.DEBUG = False
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期（403）" in body and "安全校验" in body
    assert "CSRF" not in body, "Django's reason for refusing is not shown"
    response = in_english(Client(enforce_csrf_checks=True), settings).post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403 and "Page expired (403)" in response.content.decode()


# —— the production server as a process ——


def get(url: str, cookie: str | None = None, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={**headers, **({"Cookie": cookie} if cookie else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def alive(pid: int) -> bool:
    # Reaped children leave no /proc entry; a zombie would still be there, unreaped.
    return Path(f"/proc/{pid}").exists()


def gunicorn_of(server) -> tuple[int, set[int]]:
    """gunicorn's master (the serve process's child running gunicorn) and its current workers."""
    for pid in descendants(server.process.pid):
        if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():  # the master comes before its workers
            return pid, set(descendants(pid))
    raise AssertionError("no gunicorn master under the serve process")


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """One server for the module (starting one takes seconds); a test that stopped it gets a new one."""
    started = []

    def current():
        if not started or started[-1].process.poll() is not None:
            started.append(start_server(tmp_path_factory.mktemp("serve"), "--with-worker"))
        return started[-1]

    yield current
    for server in started:
        server.stop()


@pytest.fixture
def served(servers, transactional_db):
    return servers()


@pytest.mark.processes
def test_serve_answers_pages_static_files_and_error_pages_and_runs_a_worker(served):
    from zhicheng.jobs.models import WorkerProcess

    status, _, body = get(f"{served.url}/login/")
    assert status == 200
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body.decode())
    assert css, "the page links a CSS file by its hashed name"
    status, headers, content = get(served.url + css[1], **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert headers.get("Content-Encoding") == "gzip" and "immutable" in headers["Cache-Control"], "WhiteNoise serves it"
    assert content

    status, _, body = get(f"{served.url}/does-not-exist/")
    page = body.decode()
    assert status == 404 and "页面不存在（404）" in page and 'lang="zh-Hans"' in page
    assert_no_internals(page)
    status, _, body = get(f"{served.url}/does-not-exist/", cookie="django_language=en")
    assert status == 404 and "Page not found (404)" in body.decode() and not CJK.search(body.decode())

    # The worker records itself when it starts; this test runs first on the module's server, before a flush.
    workers = wait_for(lambda: WorkerProcess.objects.filter(pid__in=descendants(served.process.pid)).all()[:1], 60,
                         "the background worker records itself")
    assert alive(workers[0].pid)


def _stuck(server, pids) -> str:
    """What the workers that do not answer are waiting for: their kernel wait, the database's waiting
    sessions, and the end of the server's log."""
    from django.db import connection

    lines = []
    for pid in sorted(pids):
        try:
            state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State"))
            lines.append(f"worker {pid}: {state}, wchan {Path(f'/proc/{pid}/wchan').read_text()}")
        except OSError as e:
            lines.append(f"worker {pid}: {e}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity"
                           " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            lines += [f"postgres {row}" for row in cursor.fetchall()]
    return "\n".join(lines) + "\n--- server log (end) ---\n" + server.log_text()[-4000:]


@pytest.mark.processes
def test_sighup_reloads_the_web_workers_without_failing_a_request(served):
    def two_workers(excluding=frozenset()):
        master, workers = gunicorn_of(served)
        return (master, workers) if len(workers) == 2 and not workers & excluding else None

    master, old_workers = wait_for(two_workers, 60, "gunicorn runs its two workers")
    answers, failures, spans, stop = [], [], [], threading.Event()

    def client():
        # Paced: gunicorn also replaces a worker after --max-requests, which must not pass for the reload.
        while not stop.wait(0.1):
            started = time.monotonic()
            try:
                answers.append(get(f"{served.url}/login/")[0])
            except OSError as e:
                failures.append(repr(e))
            spans.append((started, time.monotonic()))

    threads = [threading.Thread(target=client) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(answers) >= 10, 30, "the clients are being answered")
        hup_at = time.monotonic()
        served.process.send_signal(signal.SIGHUP)
        _, new_workers = wait_for(lambda: two_workers(excluding=old_workers), 60, "gunicorn replaces its workers")
        swapped_at, answered = time.monotonic(), len(answers)
        # New workers import the application before they answer; on a busy CI machine (PostgreSQL half, after
        # the other process tests) that took over 30 s once, so they get the minute the other waits get.
        try:
            wait_for(lambda: len(answers) >= answered + 10, 60, "the new workers answer")
        except TimeoutError as e:
            raise TimeoutError(f"{e}; answered {answered} before the swap, {len(answers)} now\n{_stuck(served, new_workers)}") from None
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == [] and set(answers) == {200}
    # Not vacuous: requests were on their way while the workers were replaced (however fast that went).
    assert any(started < swapped_at and ended > hup_at for started, ended in spans), "no request crossed the reload"
    assert gunicorn_of(served)[0] == master and served.process.poll() is None, "the server itself kept running"
    assert not any(alive(pid) for pid in old_workers) and all(alive(pid) for pid in new_workers)


def job_worker_of(server) -> int | None:
    """The serve process's child that is not gunicorn: its job worker."""
    for pid in _children_of(server.process.pid):
        if b"gunicorn" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    return None


def _children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.processes
def test_a_job_worker_that_dies_is_started_again_and_the_web_server_keeps_serving(served):
    first = wait_for(lambda: job_worker_of(served), 60, "the job worker runs")
    os.kill(first, signal.SIGKILL)
    assert get(f"{served.url}/login/")[0] == 200  # the web server did not go down with it
    second = wait_for(lambda: (pid := job_worker_of(served)) not in (None, first) and pid, 60, "a new job worker runs")
    assert served.process.poll() is None and alive(second) and get(f"{served.url}/login/")[0] == 200


@pytest.mark.processes
def test_sigterm_stops_the_server_and_the_worker(served):
    def whole_tree():
        tree = descendants(served.process.pid)
        return tree if len(tree) >= 4 else None

    tree = wait_for(whole_tree, 60, "gunicorn's master, its two workers and the job worker run")
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=45) == 0
    assert not any(alive(pid) for pid in tree)
    port = int(served.url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
