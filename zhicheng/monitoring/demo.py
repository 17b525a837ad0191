"""The demo's part of plan progress and integrity signals (DemoLoader.OVERSIGHT_PARTS, first: the spot checks weight
their sample by these signals).

- Two engineers of different employers hand in the same file as their representative paper (代表作): the second
  attaches the file the first uploaded, through checklist.attach as the material page does, and both submit in June.
  The signals page shows the pair, and their declarations weigh more in a risk-weighted spot check.
- The accounting committee's review plan is moved to 11–15 October, after the 30 September deadline (三（二）); its
  office files the written explanation (八（二）4) on 10 September, waiting for the regional department to read it.
"""

from __future__ import annotations

import datetime as dt

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.catalogue.models import AnnualPlan, MaterialItem, Series, Specialty
from zhicheng.core import clock
from zhicheng.declarations.checklist import attach, materials_of_version, working_version
from zhicheng.declarations.drafting import submit
from zhicheng.declarations.screening import screen
from zhicheng.declarations.services import sign_pledge, start_declaration
from zhicheng.demo import applicants as P
from zhicheng.demo import materials
from zhicheng.documents import pdf
from zhicheng.files.services import store_file
from zhicheng.orgs.models import Committee, Organisation
from zhicheng.review.models import ReviewPlan

from .services import file_explanation

LATE_COMMITTEE_SERIES = "accounting"
LATE_REVIEW = (dt.date(2021, 10, 11), dt.date(2021, 10, 15))


def _applicant(loader, profile: dict, birth_year: int):
    """A person with the profile's archive and a screened draft, as load_declarations makes them."""
    unit = Organisation.objects.get(name=profile["unit"])
    person = loader._new_person(unit, birth_year, **profile.get("person", {}))
    loader._archive(person, profile)
    materials.add_achievements(person, profile)
    materials.add_evidence(person)
    account = loader._account(person.id_number, Role.APPLICANT, person=person, first_name=person.name)
    series = Series.objects.get(code=profile["series"])
    app = start_declaration(person=person, plan=AnnualPlan.objects.get(year=2021), series=series, level=profile["level"],
                            actor=account, specialty=Specialty.objects.filter(series=series, name=profile.get("specialty")).first())
    app.fee_paid_at = clock.now()
    app.save(update_fields=["fee_paid_at"])
    screen(app, actor=account)
    return app, account


def shared_paper(loader) -> None:
    papers = MaterialItem.objects.get(code="papers")
    with clock.frozen(dt.date(2021, 6, 18)):
        first, first_account = _applicant(loader, P.regular_engineer(), 1982)
        materials.hand_in(first, first_account)
        copied = next(m.file for m in materials_of_version(first, working_version(first)) if m.item_id == papers.pk)
        second, second_account = _applicant(loader, P.regular_city_engineer_intermediate(), 1984)
        attach(second, second_account, papers, copied)  # the same stored file, before the rest is handed in
        materials.hand_in(second, second_account)
        for app, account in ((first, first_account), (second, second_account)):
            sign_pledge(app, account, "本人承诺所提交的申报材料真实、准确、完整……")
            submit(app, account)


def late_committee(loader) -> None:
    committee = Committee.objects.select_related("office").get(series__code=LATE_COMMITTEE_SERIES)
    plan = ReviewPlan.objects.get(committee=committee, year=2021)
    office = User.objects.filter(organisation=committee.office, is_active=True).order_by("pk").first()
    regional = User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_superuser=False).order_by("pk").first()
    with clock.frozen(dt.date(2021, 9, 6)):
        # The region agreed to the move (the pool lacked enough accounting experts for a committee of 25).
        before = {"review_starts_on": plan.review_starts_on, "review_ends_on": plan.review_ends_on}
        plan.review_starts_on, plan.review_ends_on = LATE_REVIEW
        plan.save(update_fields=["review_starts_on", "review_ends_on"])
        audit("review.plan_rescheduled", plan, actor=regional, before=before,
              after={"review_starts_on": plan.review_starts_on, "review_ends_on": plan.review_ends_on},
              summary=f"{committee.name}2021年度评审改期至{LATE_REVIEW[0]}—{LATE_REVIEW[1]}（演示数据）")
    letter = pdf.flowing_pdf(pdf.DocumentMeta(title="专家评委库补充情况"), [
        pdf.text("关于会计系列高级职称评审专家补充情况的说明", "title"),
        pdf.text("本评委会专家评委库中符合条件的会计专业评委不足25人，已商请自治区财政厅推荐补充，预计9月底完成入库。"),
        pdf.text(materials.DEMO_MARK, "small"),
    ])
    with clock.frozen(dt.date(2021, 9, 10)):
        file_explanation(committee, 2021, office, files=[store_file("专家评委库补充情况.pdf", letter, uploaded_by=office)], text=(
            "本评委会专家评委库中符合条件的会计专业评委人数不足，无法按期组建不少于25人的评委会（七（四））。"
            "经商自治区财政厅补充推荐专家，评审改于10月11日至15日进行，评审结果公示于10月底前完成。"
        ))


def demo(loader) -> None:
    shared_paper(loader)
    late_committee(loader)
