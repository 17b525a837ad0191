"""THE TRANSITION TABLE — every state change a declaration can make, in one place.

Read each row as: "ACTION moves a declaration from FROM to TO; only WHO may do it (and only
while the declaration is in their hands); the row applies WHEN its path condition holds; it
is refused unless every GUARD holds." The path conditions and guards are named in plain
Chinese in guards.py; the clause is the notice's numbering. A row may name guards that must hold
before it is even offered (OFFERED WHEN): a committee that met in the system has its results
recorded from the signed ballot, so the office is not shown buttons that could only be refused.

This table is rendered for people at /workflow/ (see web.views.workflow_table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhicheng.accounts.roles import Role

from .states import State as S

APPLICANT = (Role.APPLICANT,)
EMPLOYER = (Role.EMPLOYER_HR,)
DEPARTMENT = (Role.COMPETENT_DEPARTMENT,)
BUREAU = (Role.HR_BUREAU,)
RECOMMENDER = (Role.RECOMMENDING_BODY, Role.HR_BUREAU)
CENTRE = (Role.TALENT_SERVICE_CENTRE,)
OFFICE = (Role.COMMITTEE_OFFICE,)
REGION_HR = (Role.REGIONAL_HR_DEPARTMENT,)
FILING_BODY = (Role.REGIONAL_HR_DEPARTMENT, Role.HR_BUREAU)
ROSTER_PUBLISHER = (Role.HR_BUREAU, Role.COMPETENT_DEPARTMENT)
SYSTEM = (Role.SYSTEM,)

BEFORE_REVIEW = (
    S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.RECOMMENDER_REVIEW, S.ENTRUSTMENT_REVIEW, S.DEPARTMENT_REVIEW,
    S.CORRECTION_REQUESTED, S.COUNTY_BUREAU_REVIEW, S.CITY_BUREAU_REVIEW, S.ROSTER_PUBLICITY,
    S.TALENT_CENTRE_REVIEW, S.COMMITTEE_INTAKE, S.ACCEPTED,
)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: tuple[str, ...]
    when: str = ""
    guards: tuple[str, ...] = ()
    clause: str = ""
    needs_note: bool = False
    # True when the role acts by authority wherever the declaration sits, not only when it holds it.
    anywhere: bool = False
    effects: tuple[str, ...] = field(default=())
    # Guards checked before the step is even offered: where they cannot hold yet, a button could only be refused.
    offered_when: tuple[str, ...] = ()


T = Transition

TABLE: tuple[Transition, ...] = (
    # —— 申报 ——
    T("submit", "提交申报", (S.DRAFT,), S.SUBMITTED, APPLICANT,
      guards=("declaration_window_open", "screened_eligible", "committee_approved", "pledge_signed"), clause="三（二）；八（三）"),
    T("withdraw", "撤回申报", BEFORE_REVIEW, S.WITHDRAWN, APPLICANT, clause="本人申请"),

    # —— 用人单位（六（一）） ——
    T("employer_return", "单位退回", (S.SUBMITTED,), S.RETURNED, EMPLOYER, needs_note=True, clause="六（一）"),
    T("employer_publish", "单位审核通过并公示", (S.SUBMITTED,), S.EMPLOYER_PUBLICITY, EMPLOYER,
      guards=("in_open_publicity",), clause="六（一）"),
    T("employer_publicity_return", "公示发现问题，退回", (S.EMPLOYER_PUBLICITY,), S.RETURNED, EMPLOYER, needs_note=True, clause="六（一）"),
    T("report", "公示无异议，上报主管部门", (S.EMPLOYER_PUBLICITY,), S.DEPARTMENT_REVIEW, EMPLOYER,
      when="via_competent_department", guards=("publicity_cleared", "within_post_quota", "fee_paid"), clause="六（一）；四（二）（三）",
      offered_when=("publicity_cleared",)),
    T("report", "公示无异议，上报人社部门", (S.EMPLOYER_PUBLICITY,), S.COUNTY_BUREAU_REVIEW, EMPLOYER,
      when="local_county_without_department", guards=("publicity_cleared", "within_post_quota", "fee_paid"), clause="六（一）；四（二）",
      offered_when=("publicity_cleared",)),
    T("report", "公示无异议，上报人社部门", (S.EMPLOYER_PUBLICITY,), S.CITY_BUREAU_REVIEW, EMPLOYER,
      when="local_city_without_department", guards=("publicity_cleared", "within_post_quota", "fee_paid"), clause="六（一）；四（二）",
      offered_when=("publicity_cleared",)),
    T("report", "公示无异议，报送推荐机构", (S.EMPLOYER_PUBLICITY,), S.RECOMMENDER_REVIEW, EMPLOYER,
      when="private_channel", guards=("publicity_cleared", "fee_paid"), clause="四（五）",
      offered_when=("publicity_cleared",)),
    T("report", "公示无异议，报自治区人社厅审核委托", (S.EMPLOYER_PUBLICITY,), S.ENTRUSTMENT_REVIEW, EMPLOYER,
      when="entrusted_channel", guards=("publicity_cleared", "fee_paid"), clause="四（四）",
      offered_when=("publicity_cleared",)),

    # —— 非公推荐机构（四（五）） ——
    T("recommend", "推荐报送", (S.RECOMMENDER_REVIEW,), S.COUNTY_BUREAU_REVIEW, RECOMMENDER,
      when="unit_in_county", clause="四（五）"),
    T("recommend", "推荐报送", (S.RECOMMENDER_REVIEW,), S.CITY_BUREAU_REVIEW, RECOMMENDER,
      when="unit_in_city", clause="四（五）"),
    T("recommender_return", "推荐机构退回", (S.RECOMMENDER_REVIEW,), S.RETURNED, RECOMMENDER, needs_note=True, clause="四（五）"),
    # The recommending body checks a private-sector declaration where a department would check others,
    # so it gives the one-time correction notice of 六（二） too.
    T("request_correction", "一次告知补正", (S.RECOMMENDER_REVIEW,), S.CORRECTION_REQUESTED, RECOMMENDER,
      guards=("no_earlier_correction", "correction_items_given"), clause="六（二）；四（五）", effects=("open_correction_notice",)),

    # —— 委托评审（四（四）） ——
    T("consent_entrustment", "同意委托并指定评委会", (S.ENTRUSTMENT_REVIEW,), S.COMMITTEE_INTAKE, REGION_HR,
      guards=("entrustment_letter_on_file",), clause="四（四）"),
    T("refuse_entrustment", "不同意委托，退回", (S.ENTRUSTMENT_REVIEW,), S.RETURNED, REGION_HR, needs_note=True, clause="四（四）"),

    # —— 主管部门（六（二）） ——
    T("department_approve", "审核通过，报人社部门", (S.DEPARTMENT_REVIEW,), S.COUNTY_BUREAU_REVIEW, DEPARTMENT,
      when="local_unit_in_county", clause="六（二）；四（二）"),
    T("department_approve", "审核通过，报人社部门", (S.DEPARTMENT_REVIEW,), S.CITY_BUREAU_REVIEW, DEPARTMENT,
      when="local_unit_in_city", clause="六（二）；四（二）"),
    T("publish_roster", "审核通过并公示花名册", (S.DEPARTMENT_REVIEW,), S.ROSTER_PUBLICITY, DEPARTMENT,
      when="region_channel", guards=("in_open_publicity",), clause="六（二）；四（三）"),
    T("request_correction", "一次告知补正", (S.DEPARTMENT_REVIEW,), S.CORRECTION_REQUESTED, DEPARTMENT,
      guards=("no_earlier_correction", "correction_items_given"), clause="六（二）", effects=("open_correction_notice",)),
    T("department_return", "不符合条件，退回", (S.DEPARTMENT_REVIEW,), S.RETURNED, DEPARTMENT, needs_note=True, clause="六（二）"),

    # —— 申报人补正 ——
    T("resubmit", "补正后重新提交", (S.CORRECTION_REQUESTED,), S.DEPARTMENT_REVIEW, APPLICANT,
      when="checked_by_department", guards=("correction_deadline_not_passed",), clause="六（二）", effects=("close_correction_notice",)),
    T("resubmit", "补正后重新提交", (S.CORRECTION_REQUESTED,), S.RECOMMENDER_REVIEW, APPLICANT,
      when="private_channel", guards=("correction_deadline_not_passed",), clause="六（二）；四（五）", effects=("close_correction_notice",)),
    T("deem_withdrawn", "逾期未补正，视为放弃申报", (S.CORRECTION_REQUESTED,), S.DEEMED_WITHDRAWN, SYSTEM,
      guards=("correction_deadline_passed",), clause="六（二）"),

    # —— 人社部门（四（二）、六（二）） ——
    T("county_approve", "旗县审核通过，报盟市人社局", (S.COUNTY_BUREAU_REVIEW,), S.CITY_BUREAU_REVIEW, BUREAU, clause="四（二）"),
    T("publish_roster", "审核汇总并公示花名册", (S.CITY_BUREAU_REVIEW,), S.ROSTER_PUBLICITY, BUREAU,
      guards=("in_open_publicity",), clause="六（二）"),
    T("bureau_return", "人社部门退回", (S.COUNTY_BUREAU_REVIEW, S.CITY_BUREAU_REVIEW), S.RETURNED, BUREAU, needs_note=True, clause="六（二）"),
    T("forward", "花名册公示无异议，报送人才服务中心", (S.ROSTER_PUBLICITY,), S.TALENT_CENTRE_REVIEW, ROSTER_PUBLISHER,
      when="via_talent_centre", guards=("publicity_cleared",), clause="四（二）；六（二）",
      offered_when=("publicity_cleared",)),
    T("forward", "花名册公示无异议，送评委会办事机构", (S.ROSTER_PUBLICITY,), S.COMMITTEE_INTAKE, ROSTER_PUBLISHER,
      when="direct_to_committee", guards=("publicity_cleared",), clause="四（二）（三）；六（二）",
      offered_when=("publicity_cleared",)),
    T("roster_return", "花名册公示发现问题，退回", (S.ROSTER_PUBLICITY,), S.RETURNED, ROSTER_PUBLISHER, needs_note=True, clause="八（二）3"),

    # —— 自治区人事人才公共服务中心（四（二）） ——
    T("sort_to_committee", "分类送交评委会办事机构", (S.TALENT_CENTRE_REVIEW,), S.COMMITTEE_INTAKE, CENTRE,
      guards=("committee_approved",), clause="四（二）"),
    T("centre_return", "服务中心退回", (S.TALENT_CENTRE_REVIEW,), S.RETURNED, CENTRE, needs_note=True, clause="四（二）"),

    # —— 评委会办事机构（六（三）、七） ——
    T("accept", "受理", (S.COMMITTEE_INTAKE,), S.ACCEPTED, OFFICE,
      guards=("committee_approved", "committee_not_suspended", "within_committee_scope", "exam_result_confirmed"), clause="六（三）；七（一）；八（一）"),
    T("return_out_of_scope", "不符合条件或超出受理范围，退回", (S.COMMITTEE_INTAKE,), S.RETURNED, OFFICE, needs_note=True, clause="六（三）"),
    T("open_review", "开始评审", (S.ACCEPTED,), S.UNDER_REVIEW, OFFICE, when="review_route",
      guards=("committee_approved", "committee_not_suspended", "review_in_plan_year", "review_plan_approved"), clause="七（三）；三（二）；八（一）"),
    T("record_pass", "评审通过", (S.UNDER_REVIEW,), S.PASSED, OFFICE + SYSTEM,
      guards=("committee_not_suspended", "review_in_plan_year", "ballot_passed"), clause="七（四）；八（三）", effects=("archive_pledge",),
      offered_when=("ballot_passed",)),
    T("record_fail", "评审未通过", (S.UNDER_REVIEW,), S.FAILED, OFFICE + SYSTEM,
      guards=("committee_not_suspended", "review_in_plan_year", "ballot_failed"), clause="七（四）；八（三）", effects=("archive_pledge",),
      offered_when=("ballot_failed",)),
    # 五（十二）: a graduate's or postdoc's title is recognised after an assessment, "不需要进行评审": the office that
    # accepted it assesses it, with no experts, meeting or ballot; the result is then published and filed as a review's.
    T("recognise", "考核合格，予以认定", (S.ACCEPTED,), S.PASSED, OFFICE, when="recognition_route",
      guards=("committee_not_suspended", "review_in_plan_year"), clause="五（十二）", effects=("archive_pledge",)),
    T("refuse_recognition", "考核不合格，不予认定", (S.ACCEPTED,), S.FAILED, OFFICE, when="recognition_route", needs_note=True,
      guards=("committee_not_suspended", "review_in_plan_year"), clause="五（十二）", effects=("archive_pledge",)),
    T("veto", "学术造假一票否决", (S.UNDER_REVIEW, S.ACCEPTED), S.FAILED, OFFICE, needs_note=True, clause="八（三）",
      effects=("archive_pledge",)),
    T("publish_result", "公示评审结果", (S.PASSED,), S.RESULT_PUBLICITY, OFFICE,
      guards=("in_open_publicity", "review_in_plan_year"), clause="六（三）"),
    T("confirm_result", "结果公示无异议", (S.RESULT_PUBLICITY,), S.RESULT_PUBLISHED, OFFICE,
      guards=("publicity_cleared",), clause="六（三）；八（二）2",
      offered_when=("publicity_cleared",)),
    T("overturn", "公示期间举报查实，不予通过", (S.RESULT_PUBLICITY,), S.FAILED, OFFICE, needs_note=True, clause="八（二）3"),

    # —— 核准备案与发证（七（五）） ——
    T("file", "核准备案", (S.RESULT_PUBLISHED,), S.FILED, FILING_BODY,
      guards=("result_was_published",), clause="七（五）1、3；八（二）2", effects=("record_filing",)),
    T("certify", "制发电子证书", (S.FILED,), S.CERTIFIED, REGION_HR + SYSTEM, clause="七（五）2", effects=("issue_certificate",)),
    T("revoke", "撤销职称", (S.FILED, S.CERTIFIED), S.REVOKED, REGION_HR, needs_note=True, anywhere=True, clause="八（三）",
      effects=("revoke_title",)),
)

ACTIONS = {t.action: t.label for t in TABLE}


# Where a declaration's way ends against the applicant: returned, failed, withdrawn, revoked. No step leads on from
# there, so the pages ask once before taking one (the developers' guide: a step that cannot be undone asks).
ENDING_TARGETS = frozenset({S.RETURNED, S.FAILED, S.WITHDRAWN, S.REVOKED})


# Steps forward that cannot be taken back either: the result filed (七（五）1), the certificate signed and published
# (七（五）2), an entrusted declaration given to a committee (四（四）). The pages ask once before them too.
IRREVERSIBLE_STEPS = frozenset({"file", "certify", "consent_entrustment"})


def ends_declaration(action: str) -> str | None:
    """The final state this action leads to when it ends the declaration against the applicant, else None."""
    return next((t.target for t in TABLE if t.action == action and t.target in ENDING_TARGETS), None)


def transitions_for(action: str, state: str) -> list[Transition]:
    return [t for t in TABLE if t.action == action and state in t.sources]


def actions_from(state: str) -> list[Transition]:
    return [t for t in TABLE if state in t.sources]
