"""Every page an applicant uses works on a phone (issue 14, defect 3): at 390 and 360 px wide nothing
scrolls sideways (`document.documentElement.scrollWidth <= innerWidth`), the header is one short row
whose menu folds open without script, and each page is photographed into test-artifacts/screenshots/mobile/
for a person to look at. Staff queues and the dossier at 390 px do not scroll sideways either.

The applicants are real ones of the demo region's cycle: one with a draft (declaring in June, the
eligibility panel filled by htmx), one whose declaration waits for the employer, one under a one-time
correction notice, one certified; a publicity is open for the public pages.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
PASSWORD = "zhicheng2021"  # the demo loader's password for every account it makes
PHONES = (390, 360)
MOBILE_SHOTS = SCREENSHOTS / "mobile"

# What sticks out past the right edge, to say in a failure which element widens the page.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      // Inside a box that scrolls or clips it does not widen the page, unless positioned out of it.
      let inScroller = false;
      const escapes = /(absolute|fixed)/.test(getComputedStyle(el).position);
      for (let p = el.parentElement; p && p !== document.body && !escapes; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (/(auto|scroll|hidden)/.test(style.overflowX)) { inScroller = true; break; }
      }
      if (!inScroller) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} → ${Math.round(box.right)}px`);
    }
  }
  return out.slice(0, 6);
}"""


class Phone:
    """A browser context of one phone width: visits pages, photographs them, notes what scrolls sideways."""

    def __init__(self, chromium, base: str, width: int, prefix: str):
        self.context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": 780})
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.base, self.width, self.prefix, self.n = base, width, prefix, 0
        self.too_wide: list[str] = []
        self.seen: list[str] = []
        MOBILE_SHOTS.mkdir(parents=True, exist_ok=True)

    def login(self, username: str) -> None:
        self.context.clear_cookies()
        self.page.goto(f"{self.base}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(re.compile(r"/(dashboard|archive)/"))

    def visit(self, path: str, name: str | None = None, *, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == status, f"{path}: {response.status}"
        self.page.wait_for_load_state("networkidle")
        self.check(name or path)

    def check(self, name: str) -> None:
        """The page as it stands now: photographed, and measured for sideways scrolling."""
        page = self.page
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        self.n += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
        page.screenshot(path=str(MOBILE_SHOTS / f"{self.prefix}-{self.width}-{self.n:02d}-{slug}.png"), full_page=True)
        self.seen.append(page.url.removeprefix(self.base))
        if scroll_width > inner_width:
            self.too_wide.append(f"{self.width}px {name} ({page.url.removeprefix(self.base)}): scrollWidth {scroll_width} > "
                                 f"innerWidth {inner_width}; sticking out: {', '.join(page.evaluate(OVERFLOW_JS))}")

    def close(self) -> None:
        self.context.close()


def _correction(app, day):
    from tests.cycle_helpers import actor_for
    from zhicheng.core import clock
    from zhicheng.declarations.services import transition

    items = ["缺2019年度考核表", "继续教育审验卡未盖章", "论文检索证明不清晰"]
    with clock.frozen(day):
        transition(app, "request_correction", actor_for(app), payload={"items": items, "deadline": day + dt.timedelta(days=10)})
    app.refresh_from_db()
    return app


@pytest.fixture
def applicants(region, make_applicant):
    """Four applicants at four points of the cycle and an open employer publicity; returns
    (drafting, waiting, correcting, certified, publicised, day of the correction, day after certification)."""
    from tests.cycle_helpers import advance
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P

    drafting = make_applicant(P.regular_engineer())
    waiting, _, _ = advance(make_applicant(P.regular_health()), State.SUBMITTED)
    correcting, _, day = advance(make_applicant(P.regular_engineer()), State.DEPARTMENT_REVIEW)
    correcting = _correction(correcting, day)
    certified, _, certified_day = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    publicised, _, _ = advance(make_applicant(P.regular_teacher()), State.EMPLOYER_PUBLICITY)
    return drafting, waiting, correcting, certified, publicised, day, certified_day


def username(app) -> str:
    app.person.account.refresh_from_db()
    return app.person.account.username


def applicant_walk(phone: Phone, apps, today) -> None:
    """Every page the applicants reach, in the order a person meets them."""
    from zhicheng.certificates.models import Certificate

    drafting, waiting, correcting, certified, publicised, correction_day, certified_day = apps
    page = phone.page

    # Before logging in: the public pages, registration and login.
    today(D(2021, 6, 10))
    phone.context.clear_cookies()
    phone.visit("/", "home")
    phone.visit("/login/")
    phone.visit("/register/")
    phone.visit("/notice/")
    phone.visit("/notice/engineering/associate_senior/")
    phone.visit("/workflow/")
    phone.visit("/public/publicities/")
    phone.visit(f"/public/publicities/{publicised.publicities.get().pk}/", "public publicity")
    phone.visit("/public/draws/")

    # The folded menu: one short header row, the links behind 菜单, opened without script.
    header = page.locator("header.top")
    assert header.bounding_box()["height"] <= 64, "the header is one row on a phone"
    assert not page.locator("header.top nav a").first.is_visible()
    page.click("header.top details.menu > summary")
    assert page.locator("header.top nav a", has_text="证书查验").is_visible()
    phone.check("menu open")

    # Drafting in June: the dashboard, the archive and each record form, the declaration start with
    # the eligibility panel, the workspace.
    phone.login(username(drafting))
    phone.visit("/dashboard/", "draft dashboard")
    phone.visit("/archive/")
    forms = sorted(set(page.eval_on_selector_all(
        "main a[href^='/archive/']", "els => els.map(e => e.getAttribute('href'))")))
    record_forms = [href for href in forms if re.fullmatch(r"/archive/[a-z_]+/(new|\d+)/", href)]
    assert any(href.endswith("/new/") for href in record_forms) and any(href[-2].isdigit() for href in record_forms)
    for href in record_forms:
        phone.visit(href)
    delete = next(href for href in forms if href.endswith("/delete/"))
    phone.visit(delete, "archive delete")
    phone.visit("/declare/")
    page.select_option("#id_series", label="工程")
    page.select_option("#id_level", "full_senior")
    page.wait_for_selector("#preview #decision")  # the eligibility panel, filled by htmx
    phone.check("declare preview")
    phone.visit(f"/applications/{drafting.pk}/edit/", "draft workspace")
    phone.visit(f"/applications/{drafting.pk}/", "draft progress")

    # Waiting for the employer: the dossier and its progress.
    phone.login(username(waiting))
    phone.visit("/dashboard/", "submitted dashboard")
    phone.visit(f"/applications/{waiting.pk}/", "submitted progress")

    # Under a one-time correction notice: the workspace in correction, the dossier, the messages.
    today(correction_day + dt.timedelta(days=1))
    phone.login(username(correcting))
    phone.visit("/dashboard/", "correction dashboard")
    phone.visit(f"/applications/{correcting.pk}/edit/", "correction workspace")
    phone.visit(f"/applications/{correcting.pk}/", "correction progress")
    phone.visit("/notifications/")

    # Certified: the certificate, its exchange, the public check by form and by QR code.
    today(certified_day)
    phone.login(username(certified))
    phone.visit("/dashboard/", "certified dashboard")
    phone.visit(f"/applications/{certified.pk}/", "certified progress")
    phone.visit("/certificates/mine/")
    phone.visit("/certificates/exchange/new/")
    phone.visit("/notifications/", "certified notifications")
    certificate = Certificate.objects.get(application=certified)
    phone.context.clear_cookies()
    phone.visit("/verify/")
    phone.visit(f"/verify/?number={certificate.number}&name={certified.person.name}&verifier=", "verify result")
    phone.visit(f"/verify/{certificate.number}/{certificate.check_code}/", "verify scan")


def test_every_applicant_page_fits_a_phone(chromium, region, today, applicants):
    for width in PHONES:
        phone = Phone(chromium, region.url, width, "applicant")
        try:
            applicant_walk(phone, applicants, today)
        finally:
            phone.close()
        assert len(phone.seen) > 30
        assert not phone.too_wide, "pages that scroll sideways:\n" + "\n".join(phone.too_wide)


def test_staff_queues_and_the_dossier_do_not_scroll_sideways(chromium, region, today, make_applicant):
    from tests.conftest import staff_of
    from tests.cycle_helpers import advance
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P
    from zhicheng.review.models import ReviewPlan

    at_employer, _, _ = advance(make_applicant(P.regular_engineer()), State.SUBMITTED)
    at_department, _, _ = advance(make_applicant(P.regular_engineer()), State.DEPARTMENT_REVIEW)
    at_committee, _, day = advance(make_applicant(P.regular_engineer()), State.COMMITTEE_INTAKE)
    regional = User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).order_by("pk").first()
    plan = ReviewPlan.objects.get(committee=at_committee.committee, year=2021)

    today(day)
    phone = Phone(chromium, region.url, 390, "staff")
    try:
        for app in (at_employer, at_department, at_committee):
            phone.login(staff_of(app.holder).username)
            phone.visit("/dashboard/", f"{app.holder.kind} dashboard")
            phone.visit("/applications/?queue=1", f"{app.holder.kind} queue")
            phone.visit("/applications/", f"{app.holder.kind} all")
            phone.visit(f"/applications/{app.pk}/", f"{app.holder.kind} dossier")
        phone.visit("/review/plans/", "committee plans")
        phone.visit(f"/review/plans/{plan.pk}/", "committee plan")
        phone.login(staff_of(at_employer.unit).username)
        phone.visit("/publicities/", "employer publicities")
        phone.login(regional.username)
        phone.visit("/applications/?queue=1", "regional queue")
        phone.visit("/filings/", "regional filings")
        phone.visit("/certificates/", "regional certificates")
    finally:
        phone.close()
    assert not phone.too_wide, "staff pages that scroll sideways:\n" + "\n".join(phone.too_wide)
