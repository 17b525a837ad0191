"""Issue 14's input defects walked again in Chromium, each as the walk met it: a series typed as free text
(defect 1), dates nobody checked (defect 5), the CSRF token in the preview's GET address (defect 9), and
choosing 正高级 where a 副高级 declaration of the same series exists (defect 6, starting a declaration)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.web.helpers import PRIVATE_UNIT, new_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
PASSWORD = "Caoyuan-2021!"
DEMO_PASSWORD = "zhicheng2021"  # the demo loader's password for every account it creates


def login(page, base, username, password=DEMO_PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/(dashboard|archive)/"))


def choose(page, series: str, level: str):
    """Pick series and level in the wizard as a person does, waiting for the preview of the choice."""
    with page.expect_response(lambda r: "/declare/preview/" in r.url):
        page.select_option("#id_series", label=series)
    with page.expect_response(lambda r: "/declare/preview/" in r.url) as answer:
        page.select_option("#id_level", label=level)
    page.wait_for_selector("#preview #decision, #preview [role=alert]")  # swapped in, not only received
    return answer.value


def test_a_series_typed_as_text_is_explained_and_then_chosen_from_the_catalogue(page, region, today, shot, make_applicant):
    """Defect 1: 工程 typed into 系列 made the preview and 开始填写申报 answer 500, the latter leaving a draft."""
    from zhicheng.declarations.models import Application
    from zhicheng.demo import applicants as P
    from zhicheng.people.models import TitleHeld

    today(D(2021, 6, 1))
    app = make_applicant(P.regular_engineer())
    person = app.person
    title = TitleHeld.objects.filter(person=person).order_by("-obtained_on").first()
    TitleHeld.objects.filter(pk=title.pk).update(series="工程")  # what the free-text field stored
    login(page, region.url, person.account.username)

    page.goto(f"{region.url}/declare/")
    answer = choose(page, "卫生", "中级")
    assert answer.status == 200
    preview = page.inner_text("#preview")
    assert "工程" in preview and "不是职称系列目录中的值" in preview and "我的档案" in preview
    page.click("#start-form button[type=submit]")
    page.wait_for_load_state()
    assert "/declare/" in page.url and "不是职称系列目录中的值" in page.inner_text("main")
    assert list(Application.objects.filter(person=person).values_list("series__code", flat=True)) == ["engineering"], \
        "a start that cannot screen leaves no draft behind"
    shot("start-refused")

    page.goto(f"{region.url}/archive/")
    assert "需更正" in page.inner_text("#title")
    page.goto(f"{region.url}/archive/title/{title.pk}/")
    assert page.eval_on_selector("#id_series", "e => e.tagName") == "SELECT"
    assert "“工程”不是职称系列目录中的值" in page.inner_text("main"), "the stored value is shown as invalid"
    page.select_option("#id_series", label="工程")
    shot("title-series-chosen")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/archive/#title"))
    title.refresh_from_db()
    assert title.series == "engineering"

    page.goto(f"{region.url}/declare/")
    choose(page, "卫生", "中级")
    assert "不是职称系列目录中的值" not in page.inner_text("#preview")
    assert "符合申报条件" in page.inner_text("#preview")


def test_dates_are_checked_against_today_and_each_other(page, region, today, shot, make_applicant):
    """Defect 5: an ID number born in 2030, a graduation in 2035 and a correction deadline in 2031 were accepted."""
    from tests.conftest import staff_of
    from tests.cycle_helpers import advance
    from zhicheng.demo import applicants as P
    from zhicheng.orgs.models import Organisation
    from zhicheng.people.models import Education, Person

    today(D(2021, 6, 1))
    unborn = new_id_number(611, birth=D(2030, 1, 1))
    page.goto(f"{region.url}/register/")
    page.fill("#id_name", "未来人")
    page.fill("#id_id_number", unborn)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_email", "weilai@example.com")
    page.check("#id_employment_relation_0")  # 与用人单位签订劳动（聘用）合同
    page.select_option("#id_unit", str(Organisation.objects.get(name=PRIVATE_UNIT).pk))
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "晚于今天" in page.inner_text("main")
    assert not Person.objects.filter(id_number=unborn).exists()
    shot("register-unborn")

    app = make_applicant(P.regular_engineer())
    login(page, region.url, app.person.account.username)
    page.goto(f"{region.url}/archive/education/new/")
    page.select_option("#id_level", "master")
    page.fill("#id_school", "内蒙古大学")
    page.fill("#id_major", "环境工程")
    page.fill("#id_graduated_on", "2035-07-01")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "不能晚于今天" in page.inner_text("main")
    assert not Education.objects.filter(person=app.person, graduated_on=D(2035, 7, 1)).exists()
    shot("graduation-in-future")

    app, _, day = advance(app, "department_review")
    today(day)
    login(page, region.url, staff_of(app.holder).username)
    page.goto(f"{region.url}/applications/{app.pk}/correction/")
    page.fill("#id_extra", "缺聘书")
    page.fill("#id_deadline", "2031-09-01")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "补正截止日期不得晚于" in page.inner_text("main")
    app.refresh_from_db()
    assert app.state == "department_review"
    shot("correction-deadline")


def test_the_preview_address_carries_no_csrf_token(page, region, today, make_applicant):
    """Defect 9: the wizard's htmx GET put csrfmiddlewaretoken into /declare/preview/?…, into every server log."""
    from zhicheng.demo import applicants as P

    today(D(2021, 6, 1))
    app = make_applicant(P.regular_engineer())
    login(page, region.url, app.person.account.username)
    urls = []
    page.on("request", lambda r: urls.append(r.url) if "/declare/preview/" in r.url else None)
    page.goto(f"{region.url}/declare/")
    choose(page, "卫生", "中级")
    assert "符合申报条件" in page.inner_text("#preview"), "the preview still works"
    assert urls and all("csrf" not in url.lower() for url in urls), urls


def test_choosing_another_level_of_a_declared_series_says_so_and_offers_the_choice(page, region, today, shot, make_applicant):
    """Defect 6: 卫生 正高级 silently opened the existing 卫生 副高级 draft with one line of text."""
    from zhicheng.declarations.models import Application
    from zhicheng.demo import applicants as P

    today(D(2021, 6, 1))
    app = make_applicant(P.regular_county_doctor(), fee_paid=False)  # a fee paid at the old level is another case
    login(page, region.url, app.person.account.username)
    page.goto(f"{region.url}/declare/")
    choose(page, "卫生", "正高级")
    page.click("#start-form button[type=submit]")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "/declare/" in page.url, "the choice is offered, not made for the applicant"
    assert "您本年度已有卫生副高级申报" in main and "同一系列每年只能申报一次" in main
    assert page.get_by_role("link", name="打开已有的卫生副高级申报").count() == 1
    shot("level-choice")
    page.get_by_role("button", name="改为申报卫生正高级").click()
    page.wait_for_url(re.compile(rf"/applications/{app.pk}/edit/"))
    assert "已改为申报卫生正高级" in page.inner_text("main")
    assert list(Application.objects.filter(person=app.person).values_list("level", flat=True)) == ["full_senior"]
