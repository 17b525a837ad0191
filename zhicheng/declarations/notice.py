"""《职称申报评审一次性告知书》 per series and level (八（四）1), generated from the data the system
runs on: the rule set the engine applies, the annual plan, the fee standard, the material list
the checklists read, and the committees' contact phones. Nothing here is typed twice."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhicheng import policy
from zhicheng.catalogue.models import FeeStandard, Level, MaterialItem, Series
from zhicheng.orgs.models import Committee

from .checklist import ROUTE_LABELS
from .states import is_recognition

DEGREE_LABELS = {"doctorate": "博士研究生", "master": "硕士研究生", "bachelor": "大学本科", "associate": "大学专科",
                 "secondary_vocational": "中专"}


def _level_zh(level: str | None) -> str:
    return Level(level).label if level else ""


@dataclass
class RouteNote:
    route: str
    label: str
    clause: str
    requires: list[str]
    waives: list[str]
    manual_review: bool


@dataclass
class OneTimeNotice:
    series: Series
    level: str
    plan: object
    ruleset: object
    mode: str  # review, exam_and_review, exam_only, separately_arranged
    mode_clause: str
    table: list[tuple[str, str]] = field(default_factory=list)
    routes: list[RouteNote] = field(default_factory=list)
    conditions: list[tuple[str, str, str]] = field(default_factory=list)
    materials: list[MaterialItem] = field(default_factory=list)
    fee: object = None
    contacts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return _level_zh(self.level)

    @property
    def has_recognition(self) -> bool:
        """Some route of this series and level is a recognition, which pays no review fee (五（十二））."""
        return any(is_recognition(r.route) for r in self.routes)


def _mode(rs, series: str, level: str) -> tuple[str, str]:
    if level in rs.p("exam_only").get(series, []):
        return "exam_only", rs.params["exam_only"].clause
    if level in rs.p("separately_arranged").get(series, []):
        return "separately_arranged", rs.params["separately_arranged"].clause
    if level in rs.p("exam_and_review").get(series, []):
        return "exam_and_review", rs.params["exam_and_review"].clause
    return "review", "五（二）"


def _table(rs, series: str, level: str) -> list[tuple[str, str]]:
    """The regular conditions per degree (三（一）), in words."""
    rows = []
    for degree, label in DEGREE_LABELS.items():
        entry = rs.table_entry(series, level, degree)
        if entry is None:
            continue
        if entry.get("after_graduation"):
            text = _("毕业后从事专业技术工作满%(years)d年") % {"years": entry["years"]}
        elif entry.get("title"):
            text = _("取得%(title)s职称后满%(years)d年") % {"title": _(_level_zh(entry["title"])), "years": entry["years"]}
        elif entry["years"]:
            text = _("从事专业技术工作满%(years)d年") % {"years": entry["years"]}
        else:
            text = _("可直接申报")
        rows.append((label, text))
    return rows


def _route_applies(rs, route: str, series: str, level: str) -> bool:
    """The routes that can lead to this series and level at all (the rest would only confuse)."""
    if route == "exceptional_full_senior":
        return level == rs.p("exceptional_full_senior.target_level")
    if route == "township_direct_intermediate":
        return level == rs.p("township_direct_intermediate.target_level")
    if route == "postdoc_recognition":
        return level == rs.p("postdoc_recognition.target_level")
    if route == "graduate_recognition":
        return level in {v["level"] for v in rs.p("graduate_recognition.years").values()}
    if route == "non_public_direct":
        return level in rs.p("non_public_direct.years")
    if route == "high_skill_bridge":
        return series in rs.p("high_skill_bridge.series")
    if route == "epidemic_direct":
        return series in rs.p("epidemic.frontline_series")
    return level != "junior"


def _conditions(rs, series: str, level: str) -> list[tuple[str, str, str]]:
    senior = level in ("associate_senior", "full_senior")
    rows = []
    rep_series = rs.p("representative_work.senior_series")
    if (senior and series in rep_series) or (level == "full_senior" and series in rs.p("representative_work.full_senior_series")):
        rows.append((_("论文"), _("盟市及以上单位人员实行代表作制度；旗县及以下基层、非公有制领域人员不作论文要求"), "五（一）2；五（六）1；五（七）2"))
    else:
        rows.append((_("论文"), _("论文不作限制性条件，可用专利、项目报告、工作总结、工程方案、设计文件、教案、病历等替代；"
                                  "旗县及以下基层、非公有制领域人员不作论文要求"), "五（一）2；五（六）1；五（七）2"))
    rows.append((_("继续教育"), _("按内人社发〔2021〕53号执行，提交继续教育审验卡；苏木乡镇、非公有制领域人员不要求继续教育学时"),
                 "五（一）4；五（六）1；五（七）2"))
    if senior and series in rs.p("rural_service.series"):
        rows.append((_("基层服务经历"), _("城市中小学教师、医生晋升高级职称，原则上要有一年以上农村牧区基层工作服务经历"), "五（六）6"))
    if senior or series in rs.p("post_quota.every_level_series"):
        rows.append((_("岗位数额"), _("实行岗位管理的事业单位按高级岗位空岗数推荐，超岗不超过已设高级岗位数的5%；"
                                    "破格申报人员不受岗位数额限制"), "五（五）2"))
    rows.append((_("外语和计算机"), _("不作统一要求"), "五（一）3"))
    return rows


def one_time_notice(series: Series, level: str, plan) -> OneTimeNotice:
    rs = policy.ruleset_for(plan.year)
    mode, mode_clause = _mode(rs, series.code, level)
    notice = OneTimeNotice(series=series, level=level, plan=plan, ruleset=rs, mode=mode, mode_clause=mode_clause)
    if mode in ("exam_only", "separately_arranged"):
        return notice
    notice.table = _table(rs, series.code, level)
    for route in rs.routes:
        if not _route_applies(rs, route.route, series.code, level):
            continue
        label = ROUTE_LABELS.get(route.route, route.route)
        notice.routes.append(RouteNote(
            # The route's label mostly names its clause already: said once, not 正常申报（三（一））（三（一））.
            route=route.route, label=label, clause="" if f"（{route.clause}）" in label else route.clause,
            requires=[rs.rules[r]["name"] for r in route.requires if r in rs.rules],
            waives=[rs.rules[r]["name"] for r in route.waives if r in rs.rules], manual_review=route.manual_review,
        ))
    notice.conditions = _conditions(rs, series.code, level)
    notice.materials = list(MaterialItem.objects.filter(active=True))
    notice.fee = FeeStandard.objects.filter(level=level).first()
    if plan.contact_phone:
        notice.contacts.append((_("自治区人力资源和社会保障厅专业技术人员管理处"), plan.contact_phone))
    for committee in Committee.objects.filter(series=series).select_related("office").order_by("name"):
        if level in committee.levels and committee.office.phone:
            notice.contacts.append((_("%(committee)s办事机构") % {"committee": committee.name}, committee.office.phone))
    return notice

