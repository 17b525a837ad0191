"""A unit works through its queue in a real browser (issue 14, feature 2): it sorts by arrival, goes to the
next page and finds the sort kept, exports the filtered list to Excel, and publishes one declaration from
that declaration's own page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from .test_declaring import STAFF_PASSWORD, staff_username
from .test_review import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
FIRST, SECOND = "李明早", "王明次"


def test_a_unit_sorts_pages_exports_and_acts_from_the_dossier(page, region, today, shot, make_applicant):
    from openpyxl import load_workbook

    from zhicheng.core import clock
    from zhicheng.core.identifiers import mask_id_number
    from zhicheng.declarations.models import Application
    from zhicheng.declarations.services import transition, transition_many
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P
    from zhicheng.people.models import Person
    from zhicheng.web.views.queues import LIST_PAGE_SIZE

    # Two declarations arrive on 7 and 8 June, enough others on 9 June to fill more than a page.
    early = [make_applicant(P.regular_engineer()) for _ in range(2)]
    for app, name, day in zip(early, (FIRST, SECOND), (D(2021, 6, 7), D(2021, 6, 8))):
        Person.objects.filter(pk=app.person_id).update(name=name)
        with clock.frozen(day):
            transition(app, "submit", app.person.account)
    later = [make_applicant(P.regular_engineer()) for _ in range(LIST_PAGE_SIZE)]
    for app in later:
        with clock.frozen(D(2021, 6, 9)):
            transition_many([app.pk], "submit", app.person.account)
    unit = early[0].unit
    total = Application.objects.filter(unit=unit, state=State.SUBMITTED).count()
    assert total == LIST_PAGE_SIZE + 2

    today(D(2021, 6, 14))
    base = region.url
    login(page, base, staff_username(unit.name), STAFF_PASSWORD)
    page.goto(f"{base}/applications/?queue=1")

    # —— sort by arrival: the oldest first, with its arrival date and days waiting ——
    page.click("thead a:has-text('到达日期')")
    page.wait_for_url(re.compile(r"sort=arrival"))
    rows = page.locator("tbody tr")
    assert rows.nth(0).locator("td").nth(1).inner_text() == FIRST
    assert rows.nth(1).locator("td").nth(1).inner_text() == SECOND
    first_row = rows.nth(0).inner_text()
    assert "2021-06-07" in first_row and "7 天" in first_row
    assert page.get_attribute("th:has(a:has-text('到达日期'))", "aria-sort") == "ascending"
    shot("queue-by-arrival")

    # —— the next page keeps the queue and the sort ——
    page.click("nav a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert "sort=arrival" in page.url and "queue=1" in page.url
    assert page.locator("tbody tr").count() == total - LIST_PAGE_SIZE
    assert FIRST not in page.inner_text("tbody") and "第 2 / 2 页" in page.inner_text("main")
    shot("queue-page-2")

    # —— the export: every page of the list, in its order, identity numbers masked ——
    with page.expect_download() as download:
        page.click("a:has-text('导出Excel')")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    values = list(sheet.iter_rows(values_only=True))
    header, data = values[0], values[1:]
    assert len(data) == total
    assert [row[0] for row in data[:2]] == [FIRST, SECOND]
    ids = header.index("身份证号码")
    early[0].refresh_from_db()
    assert data[0][ids] == mask_id_number(early[0].person.id_number) != early[0].person.id_number

    # —— one declaration from its own page: the unit publishes it, and the result names the person ——
    page.goto(f"{base}/applications/?queue=1&sort=arrival")
    page.click(f"tbody a:has-text('{SECOND}')")
    page.wait_for_url(re.compile(rf"/applications/{early[1].pk}/$"))
    form = page.locator("form:has(input[name=action][value=employer_publish])")
    form.locator("summary").click()
    form.locator("input[name=contact]").fill("0471-6601234")
    shot("dossier-actions")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    # Publishing cannot be taken back: the page asks once, naming whom, as from the queue.
    assert f"选择1份申报：{SECOND}。" in page.inner_text("#confirm")
    shot("dossier-confirm")
    page.click("#confirm button[name=confirm]")
    page.wait_for_url(re.compile(rf"/applications/{early[1].pk}/$"))
    page.wait_for_selector(".messages >> text=已发起公示")
    assert f"列入公示的是：{SECOND}" in page.inner_text(".messages")
    assert "单位公示中" in page.inner_text("main")
    shot("dossier-published")
    early[1].refresh_from_db()
    assert early[1].state == State.EMPLOYER_PUBLICITY
    assert Application.objects.get(pk=early[0].pk).state == State.SUBMITTED, "only the one on the page"
