"""Playwright in Debian's Chromium against pytest-django's live server.

The live server runs in a thread of this process, so the test moves "today" for it through
ZHICHENG_TODAY (core.clock reads it on every call). Live-server tests are transactional: the
database is flushed after each, so they load the region themselves and run after all other tests.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

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


@pytest.fixture
def region(live_server, settings, tmp_path):
    """The demo region's structure and this year's review plans, as the session fixture loads them."""
    from zhicheng.catalogue import materials_data
    from zhicheng.demo.loader import DemoLoader

    loader = DemoLoader(out=lambda *a: None)
    _, _, committees = loader.load_region()
    loader.review_plans(committees)
    materials_data.load()
    settings.MEDIA_ROOT = tmp_path / "media"
    return live_server


class Today:
    """Moves the server's (and this thread's) date; the time of day stays real."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def __call__(self, day: dt.date) -> dt.date:
        self.monkeypatch.setenv("ZHICHENG_TODAY", day.isoformat())
        return day


@pytest.fixture
def today(monkeypatch):
    return Today(monkeypatch)


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
