"""The states of a declaration and the channels of 四. Labels are what users read."""

from django.db import models
from django.utils.translation import gettext_noop


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待单位审核"
    EMPLOYER_PUBLICITY = "employer_publicity", "单位公示中"
    RECOMMENDER_REVIEW = "recommender_review", "推荐机构审核中"
    ENTRUSTMENT_REVIEW = "entrustment_review", "委托评审审核中"
    DEPARTMENT_REVIEW = "department_review", "主管部门审核中"
    CORRECTION_REQUESTED = "correction_requested", "待补正（一次告知）"
    COUNTY_BUREAU_REVIEW = "county_bureau_review", "旗县人社局审核中"
    CITY_BUREAU_REVIEW = "city_bureau_review", "盟市人社局审核中"
    ROSTER_PUBLICITY = "roster_publicity", "花名册公示中"
    TALENT_CENTRE_REVIEW = "talent_centre_review", "人才服务中心审核中"
    COMMITTEE_INTAKE = "committee_intake", "评委会办事机构受理中"
    ACCEPTED = "accepted", "已受理待评审"
    UNDER_REVIEW = "under_review", "评审中"
    PASSED = "passed", "评审通过"
    FAILED = "failed", "评审未通过"
    RESULT_PUBLICITY = "result_publicity", "评审结果公示中"
    RESULT_PUBLISHED = "result_published", "公示期满待核准备案"
    FILED = "filed", "已核准备案"
    CERTIFIED = "certified", "已发电子证书"
    WITHDRAWN = "withdrawn", "本人已撤回"
    DEEMED_WITHDRAWN = "deemed_withdrawn", "逾期未补正，视为放弃申报"
    RETURNED = "returned", "已退回"
    REVOKED = "revoked", "职称已撤销"


FINAL_STATES = frozenset({State.FAILED, State.WITHDRAWN, State.DEEMED_WITHDRAWN, State.RETURNED, State.REVOKED, State.CERTIFIED})

# A freelancer's declaration is checked and publicised by the talent exchange service keeping the file (四（五）1), not
# by an employer: those two states are named for it. Chinese, as the states' labels are; the pages translate them (|tr).
FREELANCER_STATE_LABELS = {State.SUBMITTED: gettext_noop("待档案存放机构审核"), State.EMPLOYER_PUBLICITY: gettext_noop("档案存放机构公示中")}

# Drafts are the applicant's own business until they are submitted.
PRIVATE_STATES = frozenset({State.DRAFT})

# States in which the review is under way or done: the applicant can no longer withdraw.
REVIEW_STATES = frozenset({State.UNDER_REVIEW, State.PASSED, State.FAILED, State.RESULT_PUBLICITY, State.RESULT_PUBLISHED, State.FILED, State.CERTIFIED, State.REVOKED})


class Channel(models.TextChoices):
    """申报评审渠道 (四)."""

    LOCAL = "local", "盟市及以下（四（二））"
    REGION = "region", "自治区本级（四（三））"
    ENTRUSTED = "entrusted", "中央和外省区驻区单位委托评审（四（四））"
    PRIVATE = "private", "非公有制领域（四（五））"


# The states in which the applicant edits the declaration (a draft, or a correction asked for).
EDITABLE_STATES = (State.DRAFT, State.CORRECTION_REQUESTED)


# 五（十二）: the routes on which a title is recognised after an assessment (考核认定), "不需要进行评审": the committee
# office assesses and recognises them instead of putting them before experts, and no review fee is charged.
RECOGNITION_ROUTES = frozenset({"graduate_recognition", "postdoc_recognition"})

# What the shared states mean on a recognition route, where the declaration is assessed, not reviewed. Failed is
# 不予认定 whichever way it came (assessment, fraud veto, an objection upheld in the publicity).
RECOGNITION_STATE_LABELS = {
    State.ACCEPTED: "已受理待考核认定",
    State.PASSED: "考核合格，予以认定",
    State.FAILED: "不予认定",
    State.RESULT_PUBLICITY: "认定结果公示中",
}


def is_recognition(route: str | None) -> bool:
    return route in RECOGNITION_ROUTES


def state_label(state: str, route: str | None = "", freelancer: bool = False) -> str:
    """The state's name as this declaration reads it: a freelancer's service, a recognition's assessment (Chinese;
    pages translate it with ``tr``)."""
    if freelancer and state in FREELANCER_STATE_LABELS:
        return FREELANCER_STATE_LABELS[state]
    if is_recognition(route) and state in RECOGNITION_STATE_LABELS:
        return RECOGNITION_STATE_LABELS[state]
    return State(state).label
