"""The per-applicant evaluator: every rule's outcome with its clause and a sentence in Chinese.

Rules are computed here; which rules a route needs, what it waives, what a block
overrides and how conditions are chosen come from the rule set (see compose.py), so
the batch evaluator composes its arrays the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhicheng.policy import compose
from zhicheng.policy.codes import (
    AWARD_SCOPE_ZH,
    DEGREE_RANK,
    DEGREE_ZH,
    DEGREES,
    GRADE_ZH,
    HIGH_SKILL_ZH,
    HONOUR_ZH,
    LEVEL_RANK,
    LEVEL_ZH,
    LEVELS,
    SERIES_ZH,
    UNIT_LEVEL_ZH,
)
from zhicheng.policy.dates import anniversary, completed_months, date_zh, held, served, span_zh, union_days, years_text
from zhicheng.policy.facts import Applicant
from zhicheng.policy.ruleset import Ruleset


@dataclass(slots=True)
class Derived:
    """Values several rules share; the batch evaluator derives the same columns."""

    cutoff: dt.date
    deg_rank: int
    deg_date: dt.date | None
    ft_rank: int
    ft_date: dt.date | None
    cur_level: int
    below_date: dt.date | None
    other_below_date: dt.date | None
    other_same: bool
    prof_total: int
    prof_after_deg: int
    prof_after_ft: int
    county_days: int
    township_days: int
    township_pi_days: int


def _highest(education, cutoff, only_full_time: bool) -> tuple[int, dt.date | None]:
    rank, date = -1, None
    for e in education:
        if e.graduated_on > cutoff or (only_full_time and not (e.full_time and e.related_major)):
            continue
        if e.rank > rank or (e.rank == rank and e.graduated_on < date):
            rank, date = e.rank, e.graduated_on
    return rank, date


def derive(a: Applicant, rs: Ruleset) -> Derived:
    cutoff = rs.cutoff
    deg_rank, deg_date = _highest(a.education, cutoff, False)
    ft_rank, ft_date = _highest(a.education, cutoff, True)
    cur, below, other_below, other_same = -1, None, None, False
    for t in a.titles:
        if t.obtained_on > a.applied_on:
            continue
        if t.series == a.series:
            cur = max(cur, t.level)
            if t.level == a.level - 1 and (below is None or t.obtained_on < below):
                below = t.obtained_on
        else:
            if t.level == a.level - 1 and (other_below is None or t.obtained_on < other_below):
                other_below = t.obtained_on
            if t.level == a.level:
                other_same = True
    prof = [(w.start, w.end) for w in a.work if w.professional]
    county_levels = rs.p("grassroots_long_service.county_unit_levels")
    township_levels = rs.p("grassroots_long_service.township_unit_levels")
    return Derived(
        cutoff=cutoff,
        deg_rank=deg_rank,
        deg_date=deg_date,
        ft_rank=ft_rank,
        ft_date=ft_date,
        cur_level=cur,
        below_date=below,
        other_below_date=other_below,
        other_same=other_same,
        prof_total=union_days(prof, None, cutoff),
        prof_after_deg=union_days(prof, deg_date, cutoff) if deg_date else 0,
        prof_after_ft=union_days(prof, ft_date, cutoff) if ft_date else 0,
        county_days=union_days(
            [(w.start, w.end) for w in a.work if w.professional and w.unit_level in county_levels], None, cutoff
        ),
        township_days=union_days(
            [(w.start, w.end) for w in a.work if w.professional and w.unit_level in township_levels], None, cutoff
        ),
        township_pi_days=union_days(
            [
                (w.start, w.end)
                for w in a.work
                if w.professional and w.unit_level == "township" and w.sector == "public_institution"
            ],
            None,
            cutoff,
        ),
    )


def _title_zh(series: str, level: int) -> str:
    return f"{SERIES_ZH[series]}{LEVEL_ZH[LEVELS[level]]}"


def _degree_key(rank: int) -> str | None:
    """五（六）3 and 五（七）1 speak of 本科 and 大专 graduates; a higher degree counts as 本科."""
    if rank >= DEGREE_RANK["bachelor"]:
        return "bachelor"
    if rank == DEGREE_RANK["associate"]:
        return "associate"
    return None


class _Rules:
    """Each method returns (holds, text) for one rule id of the catalogue."""

    def __init__(self, a: Applicant, d: Derived, rs: Ruleset):
        self.a, self.d, self.rs = a, d, rs
        self.target = LEVELS[a.level]
        self.target_zh = _title_zh(a.series, a.level)
        self.entry = rs.table_entry(a.series, self.target, DEGREES[d.deg_rank]) if d.deg_rank >= 0 else None
        self.reduction, self.reduction_text = self._epidemic_reduction()
        self.transfer_counting = (
            a.new_series == a.series and d.below_date is not None and d.other_below_date is not None
        )

    # -- helpers -----------------------------------------------------------------
    def _epidemic_reduction(self) -> tuple[int, str]:
        a, rs = self.a, self.rs
        less, why = 0, ""
        if a.frontline and a.series in rs.p("epidemic.frontline_series"):
            less, why = rs.p("epidemic.frontline_years_less"), "疫情防控一线医疗卫生人员"
        if (a.hubei_aid or a.designated_hospital) and self.target in rs.p("epidemic.aid_levels"):
            aid = rs.p("epidemic.aid_years_less")
            if aid >= less:
                less, why = aid, "援鄂或定点医院一线医务人员申报高级职称"
        return less, why

    def _honours(self, codes) -> list[str]:
        year = self.a.applied_on.year
        return [HONOUR_ZH[c] for c, y in self.a.honours if c in codes and y <= year]

    def _awards(self, scope: str, grades, rated_only: bool = True) -> list[str]:
        year = self.a.applied_on.year
        return [
            f"{y}年{AWARD_SCOPE_ZH[s]}{GRADE_ZH[g]}"
            for s, g, rated, y in self.a.awards
            if s == scope and g in grades and (rated or not rated_only) and y <= year
        ]

    def _cur_zh(self) -> str:
        cur = self.d.cur_level
        return f"现有{_title_zh(self.a.series, cur)}职称" if cur >= 0 else f"尚无{SERIES_ZH[self.a.series]}系列职称"

    # -- blocks ------------------------------------------------------------------
    def block_out_of_scope(self):
        a, rs = self.a, self.rs
        if not a.in_region:
            return True, "不在我区就业，不属于申报评审范围"
        if a.relation not in rs.p("scope.relations_in_scope"):
            return True, "未与用人单位建立劳动（聘用）关系，也非自由职业，不属于申报评审范围"
        if a.nationality in rs.p("scope.nationalities_with_permit") and a.foreign_permit is None:
            return True, "外籍人员未持有来华工作许可证、永久居留证或海外高层次人才居住证"
        return False, "属于申报评审范围"

    def block_civil_servant(self):
        if self.a.civil_servant:
            return True, "公务员（含参照公务员法管理人员）不得申报评审职称"
        return False, "不是公务员"

    def block_retired(self):
        if self.a.retired:
            return True, "离退休人员不得申报评审职称"
        return False, "不是离退休人员"

    def block_blacklisted(self):
        bar = self.rs.p("blacklist_barred_years")
        year = self.a.year
        hits = [y for y in self.a.blacklist_years if y + bar["from_next"] <= year <= y + bar["to_next"]]
        if hits:
            y = min(hits)
            return True, f"{y}年记入失信黑名单，{y + bar['from_next']}—{y + bar['to_next']}年不得申报"
        return False, "不在失信黑名单禁止申报期内"

    def block_exam_only(self):
        if self.target in self.rs.p("exam_only").get(self.a.series, ()):
            return True, f"{self.target_zh}实行以考代评，不进行评审或认定"
        return False, f"{self.target_zh}不属以考代评"

    def block_separately_arranged(self):
        if self.target in self.rs.p("separately_arranged").get(self.a.series, ()):
            return True, f"{self.target_zh}职称评审工作另行安排"
        return False, "不属另行安排的评审"

    def block_window_closed(self):
        if self.a.applied_on > self.rs.deadline:
            return True, f"申报日期{date_zh(self.a.applied_on)}晚于截止日{date_zh(self.rs.deadline)}"
        return False, f"在{date_zh(self.rs.deadline)}前申报"

    def block_entrustment_missing(self):
        if self.a.central_unit and not self.a.entrusted:
            return True, "中央或其他省区驻区单位人员未取得委托函及自治区同意"
        return False, "无需委托或已办妥委托"

    # -- regular -----------------------------------------------------------------
    def regular_table_open(self):
        d = self.d
        if d.deg_rank < 0:
            return False, f"截至{date_zh(d.cutoff)}无学历记录，不能按评审条件申报{self.target_zh}"
        deg = DEGREE_ZH[DEGREES[d.deg_rank]]
        if self.entry is None:
            return False, f"{deg}学历不能逐级申报{self.target_zh}（评审条件未设此档）"
        return True, f"最高学历{deg}，可按评审条件申报{self.target_zh}"

    def regular_title_below(self):
        a, d = self.a, self.d
        needed = LEVEL_RANK[self.entry["title"]] if self.entry and self.entry["title"] else None
        if self.entry is not None and needed is None:
            if d.cur_level < a.level:
                return True, f"按评审条件申报{self.target_zh}不需要下一级职称"
            return False, f"已取得{_title_zh(a.series, d.cur_level)}职称"
        needed = a.level - 1 if needed is None else needed
        if needed < 0:
            return d.cur_level < 0, self._cur_zh()
        if d.cur_level == needed:
            return True, f"现有{_title_zh(a.series, needed)}职称"
        if d.cur_level > needed:
            return False, f"已取得{_title_zh(a.series, d.cur_level)}职称，不是逐级申报"
        return False, f"{self._cur_zh()}，逐级申报{self.target_zh}须先取得{_title_zh(a.series, needed)}职称"

    def regular_seniority(self):
        a, d, e = self.a, self.d, self.entry
        if e is None:
            return False, "评审条件未设此档，无从计算资历年限"
        years = max(e["years"] - self.reduction, 0)
        if e["title"] is None:
            if not e.get("after_graduation"):
                return True, f"{DEGREE_ZH[DEGREES[d.deg_rank]]}申报{self.target_zh}不要求资历年限"
            ok = served(d.prof_after_deg, years, d.cutoff)
            return ok, "毕业后从事专业技术工作" + years_text(d.prof_after_deg, years, d.cutoff)
        start = d.below_date
        if self.transfer_counting and d.other_below_date < start:
            start = d.other_below_date
        title_zh = LEVEL_ZH[e["title"]]
        if start is None:
            return False, f"未取得{SERIES_ZH[a.series]}{title_zh}职称，无从计算任职年限"
        ok = held(start, years, d.cutoff)
        months = completed_months(start, d.cutoff) if start <= d.cutoff else 0
        text = f"任{title_zh}职称满{span_zh(months)}（{date_zh(start)}取得，计至{date_zh(d.cutoff)}），需满{years}年"
        if not ok:
            text += f"；还差{span_zh(years * 12 - months)}（{date_zh(anniversary(start, years))}满{years}年）"
        return ok, text

    def regular_transfer_held(self):
        d = self.d
        if not self.transfer_counting:
            return True, "未转系列，不涉及"
        need = self.rs.p("series_transfer.new_title_years")
        ok = held(d.below_date, need, d.cutoff)
        months = completed_months(d.below_date, d.cutoff) if d.below_date <= d.cutoff else 0
        verb = "满" if ok else "不满"
        return ok, f"转系列后取得的新系列职称已{span_zh(months)}，{verb}{need}年；资历自原系列职称取得之日连续计算"

    def regular_epidemic_one_year_less(self):
        if self.reduction:
            return True, f"{self.reduction_text}，资历年限减少{self.reduction}年"
        return False, "不适用疫情防控一线倾斜政策"

    # -- exceptional -------------------------------------------------------------
    def exceptional_first_use(self):
        if self.a.exceptional_used:
            return False, "已通过破格取得过职称，破格政策只享受一次"
        return True, "未享受过破格政策"

    def exceptional_full_senior_target(self):
        if self.target == self.rs.p("exceptional_full_senior.target_level"):
            return True, "申报正高级职称"
        return False, f"破格申报正高级仅适用于正高级，本次申报{self.target_zh}"

    def exceptional_full_senior_honour(self):
        got = self._honours(self.rs.p("exceptional_full_senior.honours"))
        for spec in self.rs.p("exceptional_full_senior.awards"):
            got += [f"{x}（额定获奖人员）" for x in self._awards(spec["scope"], spec["grades"])]
        if got:
            return True, "获得" + "、".join(got)
        return False, "未获得五（四）1所列奖项或荣誉"

    def exceptional_next_level_next_level(self):
        a, d = self.a, self.d
        if d.cur_level >= 0 and a.level == d.cur_level + 1:
            return True, f"{self._cur_zh()}，申报高一级{self.target_zh}"
        return False, f"{self._cur_zh()}，{self.target_zh}不是高一级职称"

    def exceptional_next_level_honour(self):
        rs = self.rs
        got = self._honours(rs.p("exceptional_next_level.honours"))
        if self.a.unit_level in rs.p("exceptional_next_level.grassroots_unit_levels"):
            got += [f"{x}（额定获奖人员）" for x in self._awards("region", rs.p("exceptional_next_level.grassroots_region_award_grades"))]
            firsts = self._awards("industry", [1])
            if len(firsts) >= rs.p("exceptional_next_level.grassroots_industry_first_prizes"):
                got.append(f"自治区行业一等奖{len(firsts)}项")
        if got:
            return True, "获得" + "、".join(got)
        return False, "未获得五（四）2所列奖项或荣誉"

    def green_channel_talent(self):
        a = self.a
        if a.introduced_talent or a.urgent_talent:
            kind = "自治区引进的高层次人才" if a.introduced_talent else "重点行业、重点领域急需紧缺人才"
            return True, f"属{kind}，一事一议评审"
        return False, "不是自治区引进的高层次人才或急需紧缺人才"

    def transferred_cadre_within_years(self):
        a, years = self.a, self.rs.p("transferred_cadre.within_years")
        if a.transferred_on is None:
            return False, "没有由公务员或军转干部调入企事业单位的记录"
        if a.transferred_on <= a.applied_on and not held(a.transferred_on, years, a.applied_on):
            return True, f"{date_zh(a.transferred_on)}调入，申报时在{years}年内"
        return False, f"{date_zh(a.transferred_on)}调入，申报时不在调入后{years}年内"

    def transferred_cadre_first_application(self):
        if self.a.transferred_on is not None and self.a.transfer_first_application:
            return True, "调入后初次申报职称"
        return False, "不是调入后初次申报"

    def transferred_cadre_level_reachable(self):
        d = self.d
        ladder = self.ladder()
        if self.target not in ladder:
            deg = DEGREE_ZH[DEGREES[d.deg_rank]] if d.deg_rank >= 0 else "无学历"
            return False, f"{deg}比照同等条件人员不能申报{self.target_zh}"
        need = ladder[self.target]
        ok = served(d.prof_total, need, d.cutoff)
        return ok, f"比照同等条件人员申报{self.target_zh}需专业技术工作满{need}年；" + years_text(d.prof_total, need, d.cutoff)

    def ladder(self) -> dict[str, int]:
        """Years of professional work that reach each level, holding every lower title in turn."""
        d, rs = self.d, self.rs
        out: dict[str, int] = {}
        if d.deg_rank < 0:
            return out
        total = 0
        for level in LEVELS[1:]:
            entry = rs.table_entry(self.a.series, level, DEGREES[d.deg_rank])
            if entry is None:
                break
            total += entry["years"]
            out[level] = total
        return out

    def common_above_current(self):
        a, d = self.a, self.d
        if d.cur_level < a.level:
            return True, f"{self._cur_zh()}，申报{self.target_zh}"
        return False, f"已取得{_title_zh(a.series, d.cur_level)}职称，不能申报{self.target_zh}"

    # -- grassroots ---------------------------------------------------------------
    def grassroots_service(self):
        d, rs = self.d, self.rs
        cy, ty = rs.p("grassroots_long_service.county_years"), rs.p("grassroots_long_service.township_years")
        county = served(d.county_days, cy, d.cutoff)
        township = served(d.township_days, ty, d.cutoff)
        text = f"旗县及以下从事专业工作{years_text(d.county_days, cy, d.cutoff)}；苏木乡镇{years_text(d.township_days, ty, d.cutoff)}"
        return county or township, text

    def grassroots_next_level(self):
        a, d = self.a, self.d
        base = self.rs.p("grassroots_long_service.level_without_title")
        expected = d.cur_level + 1 if d.cur_level >= 0 else LEVEL_RANK[base]
        if a.level == expected:
            return True, f"{self._cur_zh()}，申报高一级{self.target_zh}"
        return False, f"{self._cur_zh()}，只能申报高一级{LEVEL_ZH[LEVELS[expected]] if expected < len(LEVELS) else ''}职称"

    def township_direct_unit(self):
        a = self.a
        if a.unit_level == "township" and a.sector == "public_institution":
            return True, "在苏木乡镇事业单位专业技术岗位工作"
        return False, "现单位不是苏木乡镇事业单位"

    def township_direct_target(self):
        level = self.rs.p("township_direct_intermediate.target_level")
        if self.target == level:
            return True, "直接参加中级职称评审"
        return False, f"五（六）3只适用于中级职称，本次申报{self.target_zh}"

    def township_direct_years(self):
        d = self.d
        deg = _degree_key(d.deg_rank)
        years = self.rs.p("township_direct_intermediate.years").get(deg) if deg else None
        if years is None:
            return False, "五（六）3只适用于本科、大专毕业生"
        ok = served(d.township_pi_days, years, d.cutoff)
        return ok, f"{DEGREE_ZH[deg]}毕业，在苏木乡镇事业单位" + years_text(d.township_pi_days, years, d.cutoff)

    def non_public_sector(self):
        if self.a.sector == "private":
            return True, "在非公有制领域工作"
        return False, "不在非公有制领域工作"

    def non_public_years(self):
        d = self.d
        deg = _degree_key(d.deg_rank)
        years = (self.rs.p("non_public_direct.years").get(self.target) or {}).get(deg) if deg else None
        if years is None:
            deg_zh = DEGREE_ZH[DEGREES[d.deg_rank]] if d.deg_rank >= 0 else "无学历"
            return False, f"{deg_zh}不能依五（七）1直接申报{self.target_zh}"
        ok = served(d.prof_after_deg, years, d.cutoff)
        return ok, f"{DEGREE_ZH[deg]}毕业后从事专业技术工作" + years_text(d.prof_after_deg, years, d.cutoff)

    # -- epidemic, transfer, recognition -----------------------------------------
    def epidemic_direct_commended(self):
        a = self.a
        if (a.hubei_aid or a.designated_hospital) and a.commended_provincial:
            return True, "援鄂或定点医院一线医务人员，获省部级以上表彰"
        if a.hubei_aid or a.designated_hospital:
            return False, "援鄂或定点医院一线医务人员，但未获省部级以上表彰"
        return False, "不是援鄂医疗卫生人员或定点医院一线医务人员"

    def epidemic_direct_next_level(self):
        return self.exceptional_next_level_next_level()

    def series_transfer_new_series(self):
        a = self.a
        if a.new_series == a.series:
            return True, f"因岗位变动转入{SERIES_ZH[a.series]}系列"
        return False, f"没有转入{SERIES_ZH[a.series]}系列的岗位变动"

    def series_transfer_new_post_year(self):
        a, d = self.a, self.d
        need = self.rs.p("series_transfer.new_post_years")
        if a.new_post_since is None:
            return False, "没有新工作岗位记录"
        ok = held(a.new_post_since, need, d.cutoff)
        months = completed_months(a.new_post_since, d.cutoff) if a.new_post_since <= d.cutoff else 0
        return ok, f"新岗位工作{span_zh(months)}（自{date_zh(a.new_post_since)}），需满{need}年"

    def series_transfer_same_level(self):
        if self.d.other_same:
            return True, f"已取得其他系列{LEVEL_ZH[self.target]}职称"
        return False, f"没有其他系列的{LEVEL_ZH[self.target]}职称，转系列只能转评同等级"

    def graduate_degree(self):
        d, table = self.d, self.rs.p("graduate_recognition.years")
        if d.ft_rank < 0:
            return False, "没有全日制相关专业学历"
        deg = DEGREES[d.ft_rank]
        entry = table.get(deg)
        if entry is None:
            return False, f"{DEGREE_ZH[deg]}毕业生不能考核认定职称"
        if entry["level"] != self.target:
            return False, f"全日制{DEGREE_ZH[deg]}毕业生可认定{LEVEL_ZH[entry['level']]}，不是{LEVEL_ZH[self.target]}"
        return True, f"全日制{DEGREE_ZH[deg]}毕业，可认定{LEVEL_ZH[entry['level']]}"

    def graduate_years_needed(self) -> int | None:
        d, rs = self.d, self.rs
        if d.ft_rank < 0:
            return None
        entry = rs.p("graduate_recognition.years").get(DEGREES[d.ft_rank])
        if entry is None:
            return None
        less = rs.p("graduate_recognition.grassroots_years_less") if self._grassroots_graduate() else 0
        return max(entry["years"] - less, 0)

    def _grassroots_graduate(self) -> bool:
        return self.a.unit_level in self.rs.p("graduate_recognition.grassroots_unit_levels")

    def graduate_years(self):
        d = self.d
        years = self.graduate_years_needed()
        if years is None:
            return False, "没有可考核认定的全日制学历"
        ok = served(d.prof_after_ft, years, d.cutoff)
        if years == 0:
            return ok, "毕业即可认定，不要求工作年限"
        return ok, "毕业后从事专业技术工作" + years_text(d.prof_after_ft, years, d.cutoff)

    def graduate_grassroots_one_year_less(self):
        if self._grassroots_graduate():
            return True, f"在{UNIT_LEVEL_ZH[self.a.unit_level]}基层单位工作，提前1年认定"
        return False, "不在旗县及以下基层单位，不提前认定"

    def postdoc_funded(self):
        if self.a.postdoc_funded:
            return True, "在站期间获中国博士后科学基金资助或主持省部级以上科研项目"
        return False, "不是获基金资助或主持省部级以上项目的博士后"

    def postdoc_stays_in_enterprise(self):
        if self.a.postdoc_stays:
            return True, "出站后继续留在企业"
        return False, "出站后未留在企业"

    def postdoc_target(self):
        if self.target == self.rs.p("postdoc_recognition.target_level"):
            return True, "直接认定副高级职称"
        return False, f"博士后只能直接认定副高级，本次申报{self.target_zh}"

    def high_skill_holds(self):
        a = self.a
        if a.high_skill and a.high_skill_on <= a.applied_on:
            return True, f"{date_zh(a.high_skill_on)}取得{HIGH_SKILL_ZH[a.high_skill]}"
        return False, "未取得技师或高级技师职业资格"

    def high_skill_series(self):
        if self.a.series in self.rs.p("high_skill_bridge.series"):
            return True, f"{SERIES_ZH[self.a.series]}系列属贯通领域"
        return False, f"{SERIES_ZH[self.a.series]}系列不属贯通领域"

    # -- atoms for conditions -------------------------------------------------------
    def atoms(self) -> dict[str, bool]:
        a, rs, t = self.a, self.rs, self.target
        rep = (a.level >= LEVEL_RANK["associate_senior"] and a.series in rs.p("representative_work.senior_series")) or (
            t == "full_senior" and a.series in rs.p("representative_work.full_senior_series")
        )
        return {
            "exam_and_review": t in rs.p("exam_and_review").get(a.series, ()),
            "unit_county_or_township": a.unit_level in rs.p("papers_not_required_unit_levels"),
            "sector_private": a.sector == "private",
            "representative_scope": rep and a.unit_level in rs.p("representative_work.unit_levels"),
            "unit_township": a.unit_level in rs.p("continuing_education_exempt_unit_levels"),
            "epidemic_quota_exempt": (a.hubei_aid or a.designated_hospital) and t in rs.p("epidemic.aid_levels"),
            "public_post_managed": a.sector == "public_institution" and a.post_management,
            "quota_level": t in rs.p("post_quota.senior_levels") or a.series in rs.p("post_quota.every_level_series"),
            "rural_service_scope": a.unit_level in rs.p("rural_service.unit_levels")
            and a.series in rs.p("rural_service.series")
            and t in rs.p("rural_service.levels"),
        }


def _method(rule_id: str) -> str:
    return rule_id.replace(".", "_")


def evaluate_applicant(a: Applicant, rs: Ruleset) -> tuple[dict, dict[str, bool]]:
    """The decision and every rule's outcome (rule id -> holds), for audits and coverage."""
    d = derive(a, rs)
    rules = _Rules(a, d, rs)
    outcome: dict[str, bool] = {}
    texts: dict[str, str] = {}

    def run(rule_id: str) -> bool:
        if rule_id not in outcome:
            holds, text = getattr(rules, _method(rule_id))()
            outcome[rule_id], texts[rule_id] = bool(holds), text
        return outcome[rule_id]

    for block in rs.block_order:
        run(f"block.{block}")
    blocks = [b for b in rs.block_order if outcome[f"block.{b}"]]
    for route in rs.routes:
        for rule_id in (*route.requires, *route.modifiers):
            run(rule_id)
    open_routes = {r.route: compose.route_open(r, outcome) for r in rs.routes}
    eligible_routes = [name for name, ok in open_routes.items() if ok and not blocks]
    best = eligible_routes[0] if eligible_routes else rs.routes[0].route
    atoms = rules.atoms()
    chosen = compose.choose_conditions(rs, atoms, best)
    for fld, cand in chosen.items():
        for c in rs.conditions[fld]:
            outcome[c.rule] = c is cand

    def finding(rule_id: str, holds: bool | None = None, text: str | None = None, clause: str | None = None) -> dict:
        meta = rs.rules[rule_id]
        out = {"rule": rule_id, "clause": clause or meta["clause"]}
        if "source" in meta and clause is None:
            # "conditions_table": the series' own conditions table, or the national standard.
            out["source"] = rs.table_source(a.series) if meta["source"] == "conditions_table" else meta["source"]
        out["holds"] = outcome[rule_id] if holds is None else holds
        out["text"] = texts[rule_id] if text is None else text
        return out

    route_out = []
    for r in rs.routes:
        findings = [finding(rule_id) for rule_id in r.requires]
        findings += [finding(rule_id) for rule_id in r.modifiers if outcome[rule_id]]
        findings += [
            finding(w, True, f"依{r.clause}，不受“{rs.rules[w]['name']}”限制", clause=r.clause) for w in r.waives
        ]
        findings += [finding(f"block.{b}", False) for b in blocks]
        route_out.append(
            {
                "route": r.route,
                "clause": r.clause,
                "eligible": open_routes[r.route] and not blocks,
                "manual_review": r.manual_review,
                "findings": findings,
            }
        )
    decision = {
        "ruleset": rs.id,
        "ruleset_version": rs.version,
        "notice": rs.notice,
        "effective_from": rs.effective_from.isoformat(),
        "year": a.year,
        "cutoff": rs.cutoff.isoformat(),
        "eligible": bool(eligible_routes),
        "eligible_routes": eligible_routes,
        "blocks": [
            {"block": b, "rule": f"block.{b}", "clause": rs.clause(f"block.{b}"), "text": texts[f"block.{b}"]}
            for b in blocks
        ],
        "routes": route_out,
        "conditions": {fld: c.value for fld, c in chosen.items()},
        "conditions_route": best,
        "conditions_cited": [
            {"condition": fld, "value": c.value, "rule": c.rule, "clause": c.clause} for fld, c in chosen.items()
        ],
    }
    return decision, outcome
