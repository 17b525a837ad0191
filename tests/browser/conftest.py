"""Playwright in Debian's Chromium against the production server (`zhicheng serve`: gunicorn, WhiteNoise,
DEBUG off), started once per session as a separate process on the test database.

The test moves "today" for the server and for itself through the file named by ZHICHENG_TODAY_FILE
(core.clock reads it on every call). The tests are transactional: their data must be committed for
the server to see it, and the database is flushed after each, so they load the region themselves and
run after all other tests. The server's settings are the environment it was started with
(tests/serving.py), so a settings override in a test does not reach it. The server's log of a
failed test is shown with its report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from tests.processes import write_today
from tests.serving import start_server

CHROMIUM = os.environ.get("ZHICHENG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    from playwright import sync_api as playwright_api

    # The main paths must run in a real browser: a missing Chromium fails, it does not skip.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (make system-deps)")
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM calls from the
    # test body are still plain synchronous calls, so its async-safety check is lifted while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def production_server(django_db_setup, tmp_path_factory):
    # One server for the session: its connections outlive each test's flush, which only empties tables.
    server = start_server(tmp_path_factory.mktemp("production-server"))
    yield server
    server.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    server = item.funcargs.get("production_server") if hasattr(item, "funcargs") else None
    if server is None:
        return
    if call.when == "setup":
        item.server_log_start = server.log.stat().st_size
    elif report.failed:
        report.sections.append(("server log", server.log_text(getattr(item, "server_log_start", 0))))


@pytest.fixture
def region(production_server, transactional_db, settings):
    """The demo region's structure and this year's review plans, as the session fixture loads them.

    Files the test stores itself go where the server reads them."""
    from zhicheng.catalogue import materials_data
    from zhicheng.demo.loader import DemoLoader

    loader = DemoLoader(out=lambda *a: None)
    _, _, committees = loader.load_region()
    loader.review_plans(committees)
    materials_data.load()
    settings.MEDIA_ROOT = production_server.media_root
    return production_server


class Today:
    """Moves the server's (and this process's) date; the time of day stays real."""

    def __init__(self, path: Path):
        self.path = path

    def __call__(self, day: dt.date) -> dt.date:
        write_today(self.path, day)
        return day


@pytest.fixture
def today(production_server, monkeypatch):
    monkeypatch.setenv("ZHICHENG_TODAY_FILE", str(production_server.today_file))
    yield Today(production_server.today_file)
    write_today(production_server.today_file, None)


class Shots:
    """Numbered screenshots of the main pages, written by the run for review."""

    def __init__(self, page, prefix: str):
        self.page, self.prefix, self.n = page, prefix, 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> Path:
        self.n += 1
        path = SCREENSHOTS / f"{self.prefix}-{self.n:02d}-{re.sub(r'[^a-z0-9-]+', '-', name)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(page, request):
    return Shots(page, request.node.name.removeprefix("test_").replace("_", "-")[:40])
