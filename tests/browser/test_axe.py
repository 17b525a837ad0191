"""axe-core finds no accessibility violation on the ten most used pages (issue 14, done-means): login, the
applicant's dashboard, archive, declaration workspace, the eligibility preview and the dossier, the
employer's queue, the committee office's queue and meeting, the public certificate check and publicity.

axe-core is the npm package pinned in package.json (`make browser-deps` installs it into node_modules/).
It is injected as an inline <script>, which the site's Content-Security-Policy (script-src 'self', no
inline code) rightly blocks; the test's browser context therefore bypasses the policy (Playwright's
bypass_csp) so that only the test's own script is let in. The policy itself is checked page by page in
test_csp.py. The rules are axe's defaults (WCAG 2 A and AA and its best practices).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
PASSWORD = "zhicheng2021"  # the demo loader's password for every account it makes
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CITY = "呼和浩特市工程系列中级职称评审委员会"


def readable(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    {' '.join(node['target'])}")
            lines.extend(f"        {line}" for line in node.get("failureSummary", "").splitlines())
    return "\n".join(lines)


class Axe:
    """Runs axe-core on the page as it stands and collects what it reports, page by page."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.reports: dict[str, list[dict]] = {}

    def login(self, username: str) -> None:
        page = self.page
        page.context.clear_cookies()
        page.goto(f"{self.base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"/(dashboard|archive)/"))

    def visit(self, path: str, name: str) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == 200, f"{path}: {response.status}"
        self.check(name)

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        self.reports[f"{name} ({page.url.removeprefix(self.base)})"] = result["violations"]


@pytest.fixture
def axe_page(chromium):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make browser-deps` (npm ci)")
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


def test_axe_sees_an_unlabelled_field(axe_page, region):
    axe = Axe(axe_page, region.url)
    axe_page.goto(f"{region.url}/login/")
    axe_page.evaluate("() => document.querySelector('main form').append(document.createElement('input'))")
    axe.check("login with an unlabelled field")
    (found,) = axe.reports.values()
    assert [v["id"] for v in found] == ["label"], readable(found)


def test_the_ten_most_used_pages_have_no_axe_violations(axe_page, region, today, make_applicant):
    from tests.conftest import staff_of
    from tests.cycle_helpers import advance
    from tests.review.kit import REVIEW_DAY, Kit
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P

    drafting = make_applicant(P.regular_engineer())
    waiting, _, _ = advance(make_applicant(P.regular_engineer()), State.SUBMITTED)
    publicised, _, _ = advance(make_applicant(P.regular_teacher()), State.EMPLOYER_PUBLICITY)
    reviewed = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit = Kit(CITY)
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], reviewed))
    meeting = kit.meeting(members[:4])

    axe = Axe(axe_page, region.url)
    page = axe_page

    today(D(2021, 6, 10))
    page.goto(f"{region.url}/login/")
    axe.check("login")
    axe.visit("/public/publicities/", "public publicity list")
    axe.visit(f"/public/publicities/{publicised.publicities.get().pk}/", "public publicity")
    axe.visit("/verify/", "certificate check")
    axe.visit("/verify/?number=1500002021409999999&name=张三&verifier=", "certificate check, no such certificate")

    axe.login(drafting.person.account.username)
    axe.visit("/dashboard/", "applicant dashboard")
    axe.visit("/archive/", "archive")
    axe.visit("/declare/", "declare")
    page.select_option("#id_series", label="工程")
    page.select_option("#id_level", "full_senior")
    page.wait_for_selector("#preview #decision")
    axe.check("eligibility preview")
    axe.visit(f"/applications/{drafting.pk}/edit/", "declaration workspace")
    axe.visit(f"/applications/{drafting.pk}/", "dossier (applicant)")

    today(D(2021, 6, 20))
    axe.login(staff_of(waiting.holder).username)
    axe.visit("/applications/?queue=1", "employer queue")
    axe.visit(f"/applications/{waiting.pk}/", "dossier (employer)")

    today(REVIEW_DAY)
    axe.login(kit.office.username)
    axe.visit("/applications/?queue=1", "committee office queue")
    axe.visit(f"/review/meetings/{meeting.pk}/", "committee meeting")

    # On a phone, with the header's menu folded open.
    page.set_viewport_size({"width": 390, "height": 800})
    axe.visit("/applications/?queue=1", "committee office queue, phone")
    page.click("header.top details.menu > summary")
    axe.check("committee office queue, phone, menu open")

    assert len(axe.reports) >= 10
    failing = {name: found for name, found in axe.reports.items() if found}
    assert not failing, "axe-core violations:\n" + "\n\n".join(
        f"== {name}\n{readable(found)}" for name, found in failing.items())
