"""The statistics page of the demo region in Chromium: the supervisor opens it from the dashboard, every chart is drawn
with its table; at 1366 px the charts are saved for review (test-artifacts/statistics/), and at 390 px nothing makes the
page wider than the phone."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "statistics"


def test_the_supervisor_sees_the_demo_regions_statistics_with_charts(page, region, today):
    from zhicheng.declarations.models import Application
    from zhicheng.demo.loader import DEMO_PASSWORD, DemoLoader

    DemoLoader(out=lambda *a: None).run()
    today(dt.date(2021, 9, 15))
    total = Application.objects.filter(plan__year=2021).exclude(state="draft").count()
    assert total > 10, "the demo region has declarations to count"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{region.url}/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))
    glance = page.locator("section[aria-labelledby=year-h]")
    assert f"{total}" in glance.locator(".stat b").first.inner_text()
    glance.screenshot(path=str(ARTIFACTS / "dashboard-supervisor.png"))
    glance.get_by_role("link", name="查看统计与图表").click()
    page.wait_for_url(re.compile(r"/statistics/\?year=2021"))

    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 9
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 20, (i, box)
        assert chart.locator("title").first.text_content() and chart.locator("desc").text_content()
    assert page.locator("#t-series tbody tr").count() >= 2
    assert page.locator("#t-desks tbody tr").count() >= 3, "stays per organisation from the demo's timelines"
    page.screenshot(path=str(ARTIFACTS / "statistics-1366.png"), full_page=True)
    for key in ("series", "city", "pass_committee", "stages", "desks", "years"):
        page.locator(f"#t-{key}").screenshot(path=str(ARTIFACTS / f"chart-{key}.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the page is {wide} px wide on a 390 px phone"
    for i in range(charts.count()):
        assert charts.nth(i).bounding_box()["x"] + charts.nth(i).bounding_box()["width"] <= 390
    page.locator("#t-desks").screenshot(path=str(ARTIFACTS / "chart-desks-390.png"))
