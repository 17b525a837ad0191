"""No page breaks under the Content-Security-Policy (issue 11, finding 9): Chromium reports no violation
while public visitors, an applicant (with htmx previews and autosave), the regional department and the
back office go through their pages, and the language switch still works without inline script.

`watch_csp(page)` is the detector: Chromium's console messages about the policy, and every
`securitypolicyviolation` event the page fires.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhicheng2021"  # the demo loader's password for every account it makes


def watch_csp(page) -> list[str]:
    seen: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or message.text.startswith("CSP violation"):
            seen.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));"
    )
    return seen


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/(dashboard|archive)/"))


def visit_nav(page, base) -> list[str]:
    """Every page the header links to, each loaded in full."""
    links = sorted({href for href in page.eval_on_selector_all("header.top nav a", "els => els.map(e => e.getAttribute('href'))")})
    for href in links:
        response = page.goto(base + href if href.startswith("/") else href)
        assert response.status < 500, href
        assert "content-security-policy" in response.headers, href
    return links


def test_the_watch_sees_an_inline_handler(page, region):
    seen = watch_csp(page)
    page.goto(f"{region.url}/login/")
    page.evaluate("""() => { const b = document.createElement('button'); b.id = 'evil';
                           b.setAttribute('onclick', 'document.title = "ran"'); document.body.append(b); }""")
    page.click("#evil")
    page.wait_for_timeout(200)
    assert page.title() != "ran" and seen, "an inline handler is blocked and reported"


def test_public_pages_and_the_language_switch(page, region):
    base, seen = region.url, watch_csp(page)
    page.goto(f"{base}/")
    visit_nav(page, base)
    for path in ("/register/", "/notice/engineering/intermediate/", "/api/docs"):
        assert page.goto(base + path).status == 200, path
    page.wait_for_selector("#swagger-ui .info")  # the API docs' Swagger UI ran from our own files
    page.goto(f"{base}/workflow/")
    page.select_option("#lang-select", "en")  # submits its form from site.js, not an inline onchange
    page.wait_for_selector("html[lang=en]")
    assert seen == []


def test_an_applicant_declares_with_htmx_under_the_policy(page, region, today):
    from zhicheng.accounts.roles import Role
    from zhicheng.demo import applicants as P
    from zhicheng.demo.loader import DemoLoader
    from zhicheng.orgs.models import Organisation

    today(dt.date(2021, 6, 1))
    loader = DemoLoader(out=lambda *a: None, seed=31)
    profile = P.regular_engineer()
    person = loader._new_person(Organisation.objects.get(name=profile["unit"]), 1980)
    loader._archive(person, profile)
    loader._account(person.id_number, Role.APPLICANT, person=person, first_name=person.name)

    base, seen = region.url, watch_csp(page)
    login(page, base, person.id_number)
    visit_nav(page, base)
    page.goto(f"{base}/declare/")
    page.select_option("#id_series", label="工程")
    page.select_option("#id_level", "associate_senior")
    page.wait_for_selector("#preview #decision")  # htmx fetched the engine's preview
    page.click("#start-form button[type=submit]")
    page.wait_for_url(re.compile(r"/applications/\d+/edit/"))
    page.locator("#records input[type=checkbox]").first.check()
    page.wait_for_selector("#save-status >> text=已自动保存")  # htmx autosave and its out-of-band swaps
    assert seen == []


def test_the_regional_department_and_the_back_office(page, region):
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role

    regional = User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).order_by("pk").first()
    User.objects.create_superuser("root-csp", "root@example.org", PASSWORD, role=Role.REGIONAL_HR_DEPARTMENT)

    base, seen = region.url, watch_csp(page)
    login(page, base, regional.username)
    assert "/accounts/lockouts/" in visit_nav(page, base)
    page.context.clear_cookies()
    page.goto(f"{base}/admin/")
    page.fill("#id_username", "root-csp")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    for path in ("/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/orgs/organisation/"):
        assert page.goto(base + path).status == 200, path
    assert seen == []
