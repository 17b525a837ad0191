"""A spot check in a real browser (八（一）): the regional department starts a campaign on the accepted declarations
with a preview of its population; it and the supervisor (纪检监察, the overseeing party, who decides nothing else)
commit with secrets made in the browser, the population freezes, both reveal, the draw asks once with the counts,
the record re-verifies; the department opens the sampled declaration, ticks its checklist, finds a problem, uploads
the evidence, and orders the unit to correct it. Screenshots go to test-artifacts/screenshots/supervision/."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .test_review import PASSWORD, login, messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(page):
    from .conftest import SCREENSHOTS, Shots

    (SCREENSHOTS / "supervision").mkdir(parents=True, exist_ok=True)
    return Shots(page, "supervision/supervisor")


def secret_and_commit(page) -> str:
    page.click("#make-secret")
    page.wait_for_function("document.getElementById('secret-out').textContent.length === 64")
    secret = page.inner_text("#secret-out")
    page.click("#commit-form button[type=submit]")
    assert "承诺值已提交" in messages(page)
    return secret


def test_the_department_starts_draws_checks_and_orders_a_correction_the_supervisor_commits(page, region, today, shots, make_applicant, tmp_path):
    from tests.cycle_helpers import advance
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P
    from zhicheng.orgs.models import Organisation, OrgKind
    from zhicheng.supervision.models import Campaign, CampaignStatus, Finding

    apps = [advance(make_applicant(profile()), State.ACCEPTED)[0]
            for profile in (P.regular_county_doctor, P.regular_city_engineer_intermediate)]
    region_org = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    supervisor = User.objects.create(username="jjjc-browser", role=Role.SUPERVISOR, organisation=region_org)
    supervisor.set_password(PASSWORD)
    supervisor.save()
    chief = User.objects.filter(organisation=region_org, role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).order_by("pk").first()
    base = region.url
    today(dt.date(2021, 10, 8))

    # —— the supervisor reads the spot checks but starts none ——
    login(page, base, supervisor.username)
    page.click("nav >> text=随机抽查")
    assert page.locator("main >> text=组织抽查").count() == 0

    # —— the regional department starts a campaign: one declaration per committee, previewed first ——
    login(page, base, chief.username)
    page.click("nav >> text=随机抽查")
    page.click("main >> text=组织抽查")
    page.fill("#id_title", "2021年度已受理申报随机抽查")
    page.select_option("#id_kind", "declarations_accepted")
    page.fill("#id_year", "2021")
    page.fill("#id_sample_rate", "50")
    page.select_option("#id_stratify", "committee")
    page.click("button[value=preview]")
    preview = page.inner_text("#preview")
    assert "抽查总体2项，将抽取1项" in preview
    shots("new-campaign-preview")
    page.click("button[value=start]")
    page.wait_for_url(re.compile(r"/supervision/spot-checks/\d+/$"))
    detail = page.url
    assert "抽查已创建" in messages(page)

    # —— both commit; the second commitment freezes the population ——
    secrets = {"regional": secret_and_commit(page)}
    login(page, base, supervisor.username)
    page.goto(detail)
    secrets["supervisor"] = secret_and_commit(page)
    shots("supervisor-committed")
    assert "双方承诺值已齐，抽查总体2项已冻结并公示" in messages(page)
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.FROZEN
    page.context.clear_cookies()
    page.goto(f"{base}/public/spot-checks/{campaign.pk}/")
    assert campaign.publication_sha256 in messages(page)
    shots("public-publication")

    # —— both reveal; the draw asks once with the counts; the record re-verifies ——
    login(page, base, supervisor.username)
    page.goto(detail)
    page.fill("#id_secret", secrets["supervisor"])
    page.click("form:has(input[value=reveal]) button[type=submit]")
    assert "秘密值已揭示并与承诺值核对一致" in messages(page)
    assert page.locator("form:has(input[value=draw])").count() == 0, "the supervisor does not draw"
    login(page, base, chief.username)
    page.goto(detail)
    page.fill("#id_secret", secrets["regional"])
    page.click("form:has(input[value=reveal]) button[type=submit]")
    assert "秘密值已揭示并与承诺值核对一致" in messages(page)
    page.click("form:has(input[value=draw]) button[type=submit]")
    question = page.inner_text("#confirm")
    assert "从冻结的抽查总体2项中抽取1项" in question and "不能重抽" in question
    shots("draw-confirmation")
    page.click("#confirm button[name=confirm]")
    assert "样本已抽取" in messages(page)
    page.click("text=复核")
    assert "复核通过" in messages(page)
    shots("drawn-and-verified")
    campaign.refresh_from_db()
    item = campaign.items.get()
    assert item.application_id in {a.pk for a in apps}

    # —— the sampled declaration: its checklist, a problem found, the evidence uploaded ——
    page.click(f"#sample a:has-text('{item.key}')")
    page.wait_for_url(re.compile(r"/supervision/spot-checks/items/\d+/$"))
    for name in page.eval_on_selector_all("#finding-form input[type=radio][value=yes]", "els => els.map(e => e.name)"):
        page.check(f"input[name={name}][value={'no' if name == 'point_employer_publicity' else 'yes'}]")
    page.check("input[name=conclusion][value=problem]")
    page.fill("#id_text", "单位公示送审表仅3个工作日，少于5个工作日（六（一））。")
    evidence = tmp_path / "公示记录.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_evidence", str(evidence))
    shots("finding-form")
    page.click("#finding-form button[type=submit]")
    assert "检查结果已登记" in messages(page)
    finding = Finding.objects.get()
    assert finding.conclusion == "problem" and finding.answers["employer_publicity"] == "no"
    assert finding.evidence.get().file.original_name == "公示记录.pdf"
    assert "公示记录.pdf" in page.inner_text("#findings")
    shots("finding-recorded")

    # —— the department orders the unit to correct it (rectification) ——
    page.click("#findings >> text=下达限期纠正")
    page.select_option("#id_party", label=item.application.unit.name)
    page.fill("#id_matter", "请完善单位公示程序，公示不少于5个工作日，并报送整改情况。")
    page.fill("#id_deadline", "2021-10-29")
    page.click("main form button[type=submit]")
    question = page.inner_text("#confirm")
    assert item.application.unit.name in question and "整改期限：2021-10-29" in question and "不能撤回" in question
    shots("order-confirmation")
    page.click("#confirm button[name=confirm]")
    assert "已下达限期纠正" in messages(page)
    order = finding.rectification_orders.get()
    assert order.party == item.application.unit
    page.goto(f"{base}/supervision/spot-checks/items/{item.pk}/")
    assert order.reference in page.inner_text("#findings")
    shots("order-linked")
