"""What a checker ticks on a sampled item, per kind of campaign: each point with the clause of 内人社办发〔2021〕81号
it checks. Data, not code: a point is (code, text, clause); answers are stored by code (yes / no / na)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Point:
    code: str
    text: str
    clause: str  # the clause numbers, translated as the catalogue writes them in English ("7(4)2")


ANSWERS = {"yes": _("符合要求"), "no": _("不符合要求"), "na": _("不适用")}

CHECKLISTS: dict[str, list[Point]] = {
    "declarations_accepted": [
        Point("materials_complete", _("申报材料齐全，与申报材料目录相符"), _("三（一）、附件")),
        Point("materials_in_time", _("学历、资历截止到上年12月31日，业绩成果截止到申报时间"), _("三（一）")),
        Point("pledge_signed", _("已签署《职称申报诚信承诺书》"), _("八（三）")),
        Point("employer_publicity", _("单位已公示送审表不少于5个工作日且无异议后上报"), _("六（一）")),
        Point("department_check", _("主管部门已审核，需补正的已一次告知"), _("六（二）")),
        Point("roster_publicity", _("盟市人社部门、区直主管部门已公示花名册不少于5个工作日"), _("六（二）")),
        Point("committee_remit", _("在评委会受理范围和评审权限内，未超范围、跨专业受理"), _("六（三）、七（四）2")),
        Point("eligible", _("符合申报条件（含破格、倾斜政策的依据）"), _("五、七（四）2")),
        Point("no_forgery", _("未发现弄虚作假、学术不端"), _("八（三）")),
    ],
    "results_filed": [
        Point("result_publicity", _("评审结果已在门户网站公示不少于5个工作日"), _("六（三）、八（二）2")),
        Point("objections_handled", _("公示期间举报事项已核实处理"), _("七（五）1、八（二）3")),
        Point("filed_in_time", _("评审结束一个月内报送核准备案"), _("七（五）1")),
        Point("within_authority", _("在评审权限内评审，未降低评审标准和申报条件"), _("七（四）2")),
        Point("vote_recorded", _("评审表决和会议纪要完整，表决结果与备案花名册一致"), _("七（四）4")),
        Point("no_forgery", _("未发现弄虚作假、学术不端、暗箱操作"), _("八（三）")),
    ],
    "certificates_issued": [
        Point("filed_first", _("证书在评审结果核准备案后制发"), _("七（五）2")),
        Point("matches_filing", _("证书信息（姓名、系列、层级、评委会、核准文号）与备案花名册一致"), _("七（五）2")),
        Point("committee_approved", _("作出评审的评委会在评审时经核准备案"), _("七（一）")),
        Point("pledge_archived", _("诚信承诺书与评审表一并归档"), _("八（三）")),
    ],
    "committees": [
        Point("approved", _("评委会经人社部门核准备案且在有效期内"), _("七（一）")),
        Point("pool_filed", _("专家评委库已报送自治区人社厅并动态管理"), _("七（二）")),
        Point("plan_filed", _("评审实施方案在开评一周前备案同意"), _("七（三）")),
        Point("remit_kept", _("未超范围、跨专业受理或评审"), _("七（四）2")),
        Point("schedule_kept", _("按计划进度完成评审，未按期的已书面说明理由"), _("三（二）、七（四）3、八（二）4")),
        Point("supervised", _("邀请纪检监察部门对评审全过程进行监督"), _("七（四）5")),
    ],
    "expert_draws": [
        Point("random_draw", _("评委从评委库中随机抽选，抽选记录复核通过"), _("七（二）")),
        Point("rotation", _("三分之一以上评委轮换，连续三年任评委者未再任"), _("七（四）5")),
        Point("outside_experts", _("自主评审有一定数量的非本单位同行专家"), _("七（四）5")),
        Point("supervisor_present", _("纪检监察机构参与承诺与揭示"), _("七（四）5")),
        Point("recusal", _("评委回避情况已登记"), _("七（四）4")),
    ],
}


def checklist(kind: str) -> list[Point]:
    return CHECKLISTS[kind]
