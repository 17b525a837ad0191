"""The two forms the notice's annex names (附件 1、2; 四（一）), filled from a submitted version of a
declaration: the 《专业技术资格评审表》 (A4, several pages, archived with the pledge, 八（三）) and the
《专业技术资格送审表》 (one A3 landscape sheet, publicised in the unit, 六（一）, and sent to the committee).

Everything printed comes from the records the version went up with (SelectedRecord snapshots), never
from the live archive: a record edited or deleted after submission still prints as it was submitted.
The opinion boxes stay blank for handwriting, signature and seal; where the system knows the fact
(the unit's publicity, the committee's vote) it is printed in the box as well.

``content()`` gathers the facts of many declarations in a fixed number of queries; the PDFs are made
from that plain content alone, and kept under its digest (a second download is read, not rendered).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape  # nosec B406: escape() writes markup, it parses nothing

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (KeepInFrame, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle)

from zhicheng.core import clock
from zhicheng.core.canonical import sha256_hex
from zhicheng.core.identifiers import mask_id_number
from zhicheng.documents.fonts import cjk_font
from zhicheng.people import models as people

from .checklist import route_label
from .models import Application, ApplicationEvent, SelectedRecord, SubmittedPersonFacts

REVIEW_FORM = "review_form"  # 专业技术资格评审表
SUMMARY_FORM = "summary_form"  # 专业技术资格送审表
TITLES = {REVIEW_FORM: "专业技术资格评审表", SUMMARY_FORM: "专业技术资格送审表"}
ISSUER = "内蒙古自治区人力资源和社会保障厅"

# ---- content: plain, hashable facts -------------------------------------------------------------


def _month(value) -> str:
    """2003-07-01 → 2003.07 (the forms' way of writing a date)."""
    return value[:7].replace("-", ".") if isinstance(value, str) and len(value) >= 7 else ""


def _choice(model, field: str, value) -> str:
    if value in (None, ""):
        return ""
    return str(dict(model._meta.get_field(field).flatchoices).get(value, value))


def _yes(value) -> str:
    return "是" if value else "否"


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # share of the table's width
    cell: object  # (snapshot, series names) -> str


def _kinds():
    """Per archive kind: the section's heading, the date it sorts by, its columns."""
    def series(s, names):
        code = s.get("series") or ""
        return names.get(code, code)

    return {
        "education": ("学历（学位）教育", "graduated_on", [
            Column("毕业时间", 0.14, lambda s, n: _month(s.get("graduated_on"))),
            Column("毕业院校", 0.32, lambda s, n: s.get("school", "")),
            Column("所学专业", 0.22, lambda s, n: s.get("major", "")),
            Column("学历", 0.14, lambda s, n: _choice(people.Education, "level", s.get("level"))),
            Column("学习形式", 0.10, lambda s, n: "全日制" if s.get("full_time") else "非全日制"),
            Column("专业相近", 0.08, lambda s, n: _yes(s.get("related_major"))),
        ]),
        "work": ("工作经历", "started_on", [
            Column("起止时间", 0.20, lambda s, n: f"{_month(s.get('started_on'))}—{_month(s.get('ended_on')) or '至今'}"),
            Column("工作单位", 0.38, lambda s, n: s.get("employer_name", "")),
            Column("岗位/职务", 0.18, lambda s, n: s.get("post", "")),
            Column("从事系列", 0.12, series),
            Column("专业技术工作", 0.12, lambda s, n: _yes(s.get("professional"))),
        ]),
        "title": ("专业技术资格（职称）", "obtained_on", [
            Column("资格名称", 0.20, lambda s, n: s.get("title_name", "")),
            Column("系列", 0.10, series),
            Column("层级", 0.10, lambda s, n: _choice(people.TitleHeld, "level", s.get("level"))),
            Column("取得时间", 0.11, lambda s, n: _month(s.get("obtained_on"))),
            Column("取得方式", 0.12, lambda s, n: _choice(people.TitleHeld, "via", s.get("via"))),
            Column("证书编号", 0.18, lambda s, n: s.get("certificate_number", "")),
            Column("评审/发证机构", 0.19, lambda s, n: s.get("issued_by", "")),
        ]),
        "qualification": ("职业资格", "obtained_on", [
            Column("资格名称", 0.40, lambda s, n: s.get("name", "")),
            Column("取得时间", 0.15, lambda s, n: _month(s.get("obtained_on"))),
            Column("证书编号", 0.25, lambda s, n: s.get("certificate_number", "")),
            Column("对应系列与层级", 0.20, lambda s, n: f"{series(s, n)}{_choice(people.Qualification, 'level', s.get('level'))}"),
        ]),
        "continuing_education": ("继续教育", "year", [
            Column("年度", 0.25, lambda s, n: f"{s.get('year', '')}年"),
            Column("学时", 0.25, lambda s, n: f"{s.get('hours', '')}"),
            Column("审验卡号", 0.50, lambda s, n: s.get("card_number", "")),
        ]),
        "assessment": ("年度考核", "year", [
            Column("年度", 0.5, lambda s, n: f"{s.get('year', '')}年"),
            Column("考核结果", 0.5, lambda s, n: _choice(people.AnnualAssessment, "grade", s.get("grade"))),
        ]),
        "publication": ("论文、论著", "published_on", [
            Column("题目", 0.38, lambda s, n: s.get("title", "")),
            Column("期刊/出版社", 0.24, lambda s, n: s.get("venue", "")),
            Column("发表时间", 0.11, lambda s, n: _month(s.get("published_on"))),
            Column("类别", 0.09, lambda s, n: _choice(people.Publication, "kind", s.get("kind"))),
            Column("作者排序", 0.10, lambda s, n: s.get("authorship", "")),
            Column("代表作", 0.08, lambda s, n: _yes(s.get("representative"))),
        ]),
        "award": ("获奖情况", "year", [
            Column("年度", 0.10, lambda s, n: f"{s.get('year', '')}"),
            Column("奖项名称", 0.44, lambda s, n: s.get("name", "")),
            Column("级别", 0.22, lambda s, n: _choice(people.Award, "scope", s.get("scope"))),
            Column("等级", 0.12, lambda s, n: _choice(people.Award, "grade", s.get("grade"))),
            Column("额定获奖", 0.12, lambda s, n: _yes(s.get("rated_winner"))),
        ]),
        "honour": ("荣誉称号", "year", [
            Column("年度", 0.10, lambda s, n: f"{s.get('year', '')}"),
            Column("荣誉名称", 0.45, lambda s, n: s.get("name", "")),
            Column("类别", 0.25, lambda s, n: _choice(people.Honour, "code", s.get("code"))),
            Column("授予机关", 0.20, lambda s, n: s.get("conferred_by", "")),
        ]),
        "project": ("专业技术项目", "started_on", [
            Column("项目名称", 0.46, lambda s, n: s.get("name", "")),
            Column("本人角色", 0.16, lambda s, n: s.get("role_in_project", "")),
            Column("项目级别", 0.16, lambda s, n: _choice(people.Project, "level", s.get("level"))),
            Column("起止时间", 0.22, lambda s, n: f"{_month(s.get('started_on'))}—{_month(s.get('ended_on')) or '至今'}"),
        ]),
        "patent": ("专利", "granted_on", [
            Column("专利名称", 0.46, lambda s, n: s.get("title", "")),
            Column("专利号", 0.24, lambda s, n: s.get("number", "")),
            Column("类型", 0.14, lambda s, n: {"invention": "发明", "utility": "实用新型", "design": "外观设计"}.get(s.get("kind"), s.get("kind", ""))),
            Column("授权时间", 0.16, lambda s, n: _month(s.get("granted_on"))),
        ]),
    }


FORM_RELATED = ("person", "plan", "series", "specialty", "unit__area", "unit__competent_department", "committee", "recommender")


def content(apps: list[Application], versions: dict[int, int], full_id: set[int] = frozenset()) -> dict[int, dict]:
    """What the forms of each declaration say, for the version ``versions[app.pk]`` (a submitted one,
    1 and up): plain text only. The ID number is printed in full for the declarations in ``full_id``
    (the applicant's own), masked otherwise. Apps need FORM_RELATED loaded; the rest costs six
    queries whatever the number of declarations."""
    from zhicheng.catalogue.models import Series, TitleName
    from zhicheng.publicity.models import PublicityEntry, PublicityKind, PublicityOutcome
    from zhicheng.review.meeting import not_voted, present_count
    from zhicheng.review.models import MeetingResult

    ids = [app.pk for app in apps]
    kinds = _kinds()
    snapshots: dict[int, dict[str, list[dict]]] = {pk: {} for pk in ids}
    wanted = {(pk, v) for pk, v in versions.items()}
    rows = (SelectedRecord.objects.filter(application_id__in=ids, version__in=set(versions.values()))
            .order_by("pk").values_list("application_id", "version", "kind", "snapshot"))
    for application_id, version, kind, snapshot in rows:
        if (application_id, version) in wanted and kind in kinds:
            snapshots[application_id].setdefault(kind, []).append(snapshot or {})
    # 民族 and 政治面貌 as the version froze them; live for a version submitted before they were frozen.
    stated = {(pk, v): facts for pk, v, facts in SubmittedPersonFacts.objects.filter(
        application_id__in=ids, version__in=set(versions.values())).values_list("application_id", "version", "facts")}
    series_names = dict(Series.objects.values_list("code", "name"))
    title_names = {(s, lv): name for s, lv, name in TitleName.objects.values_list("series_id", "level", "name")}
    submitted_on: dict[int, list[dt.datetime]] = {}
    for application_id, at in (ApplicationEvent.objects.filter(application_id__in=ids, action__in=("submit", "resubmit"))
                               .order_by("at", "pk").values_list("application_id", "at")):
        submitted_on.setdefault(application_id, []).append(at)
    publicity: dict[int, str] = {}
    outcome_words = {PublicityOutcome.OPEN: "公示中", PublicityOutcome.NO_OBJECTION: "公示无异议",
                     PublicityOutcome.OBJECTIONS_HANDLED: "公示期间的异议已核实处理"}
    for entry in (PublicityEntry.objects.filter(application_id__in=ids, publicity__kind=PublicityKind.EMPLOYER)
                  .select_related("publicity").order_by("publicity__starts_on", "pk")):
        p = entry.publicity
        publicity[entry.application_id] = (f"已于{p.starts_on:%Y年%m月%d日}至{p.ends_on:%Y年%m月%d日}在本单位公示"
                                           f"（{p.working_days}个工作日），{outcome_words.get(p.outcome, p.get_outcome_display())}。")
    results: dict[int, str] = {}
    # As the meeting's minutes count them (review.meeting): present from the attendance, not voted = eligible − cast.
    for r in (MeetingResult.objects.filter(application_id__in=ids).select_related("meeting")
              .annotate(present=present_count("meeting__")).order_by("meeting__held_on", "pk")):
        size = f"评委会{r.meeting.committee_size}人，" if r.meeting.committee_size else ""
        results[r.application_id] = (f"{r.meeting.held_on:%Y年%m月%d日}评审会议：{size}出席{r.present}人，应参加表决{r.eligible}人，"
                                     f"同意{r.yes}票，不同意{r.no}票，弃权{r.abstain}票，未投票{not_voted(r)}人；"
                                     f"{'评审通过' if r.passed else '未通过'}。" + r.note)

    out = {}
    for app in apps:
        version = versions[app.pk]
        person, facts = app.person, stated.get((app.pk, version), {})
        sections = {}
        for kind, (heading, date_field, columns) in kinds.items():
            chosen = sorted(snapshots[app.pk].get(kind, []), key=lambda s: str(s.get(date_field) or ""))
            sections[kind] = {"heading": heading, "headers": [c.header for c in columns], "widths": [c.width for c in columns],
                              "rows": [[str(c.cell(s, series_names) or "") for c in columns] for s in chosen]}
        education = max(snapshots[app.pk].get("education", []), key=lambda s: str(s.get("graduated_on") or ""), default={})
        title = max(snapshots[app.pk].get("title", []), key=lambda s: str(s.get("obtained_on") or ""), default={})
        work = [s.get("started_on") for s in snapshots[app.pk].get("work", []) if s.get("started_on")]
        current_work = max((s for s in snapshots[app.pk].get("work", []) if not s.get("ended_on")),
                           key=lambda s: str(s.get("started_on") or ""), default={})
        dates = submitted_on.get(app.pk, [])
        filled = dates[version - 1] if 0 < version <= len(dates) else app.submitted_at
        out[app.pk] = {
            "year": app.plan.year,
            "version": version,
            "filled_on": f"{filled.astimezone(clock.CHINA):%Y年%m月%d日}" if filled else "",
            "name": person.name,
            "sex": person.get_sex_display(),
            "ethnicity": _choice(people.Person, "ethnicity", facts.get("ethnicity", person.ethnicity)),
            "political_status": _choice(people.Person, "political_status", facts.get("political_status", person.political_status)),
            "post": current_work.get("post", ""),
            "birth": f"{person.birth_date:%Y.%m}",
            "id_number": person.id_number if app.pk in full_id else mask_id_number(person.id_number),
            # A freelancer (二（一）) works for no unit: the box says so and names the service keeping the file (四（五）1).
            "unit": f"自由职业（档案存放于{app.unit.name}）" if app.for_freelancer else app.unit.name,
            "area": app.unit.area.name,
            "competent_department": app.unit.competent_department.name if app.unit.competent_department_id else "",
            "series": app.series.name,
            "specialty": app.specialty.name if app.specialty_id else "",
            "level": app.get_level_display(),
            "applied_title": title_names.get((app.series_id, app.level), app.title_label),
            "channel": app.get_channel_display(),
            "recommender": app.recommender.name if app.recommender_id else "",
            "committee": app.committee.name if app.committee_id else "",
            "route": route_label(app.route) if app.route else "",
            "started_work": _month(min(work)) if work else "",
            "education": {"level": _choice(people.Education, "level", education.get("level")), "school": education.get("school", ""),
                          "major": education.get("major", ""), "graduated": _month(education.get("graduated_on")),
                          "form": ("全日制" if education.get("full_time") else "非全日制") if education else ""},
            "current_title": {"name": title.get("title_name", ""), "obtained": _month(title.get("obtained_on")),
                              "via": _choice(people.TitleHeld, "via", title.get("via"))},
            "exam": app.exam_score,
            "pledge": f"{app.pledge_signed_at.astimezone(clock.CHINA):%Y年%m月%d日 %H:%M}" if app.pledge_signed_at else "",
            "publicity": publicity.get(app.pk, ""),
            "committee_result": results.get(app.pk, ""),
            "sections": sections,
        }
    return out


# ---- drawing ------------------------------------------------------------------------------------

BLACK = colors.black


def _font_style():
    """Every table's own font is the embedded one: reportlab would draw the empty cells in Helvetica, unembedded."""
    return ("FONTNAME", (0, 0), (-1, -1), cjk_font())


def _styles(base: float = 10) -> dict[str, ParagraphStyle]:
    font = cjk_font()
    body = ParagraphStyle("form-body", fontName=font, fontSize=base, leading=base * 1.45, wordWrap="CJK")
    return {
        "body": body,
        "cell": ParagraphStyle("form-cell", parent=body, fontSize=base - 1, leading=(base - 1) * 1.35),
        "label": ParagraphStyle("form-label", parent=body, fontSize=base - 1, leading=(base - 1) * 1.35, alignment=TA_CENTER),
        # Headings stay with what follows them: never the last line of a page.
        "head": ParagraphStyle("form-head", parent=body, fontSize=base + 1.5, leading=(base + 1.5) * 1.5, spaceBefore=3 * mm, spaceAfter=1.5 * mm,
                               keepWithNext=1),
        "subhead": ParagraphStyle("form-subhead", parent=body, fontSize=base - 1, leading=(base - 1) * 1.5, spaceAfter=1 * mm, keepWithNext=1),
        "title": ParagraphStyle("form-title", parent=body, fontSize=base * 2.2, leading=base * 3, alignment=TA_CENTER),
        "cover": ParagraphStyle("form-cover", parent=body, fontSize=base * 3, leading=base * 4, alignment=TA_CENTER),
        "cover-field": ParagraphStyle("form-cover-field", parent=body, fontSize=base * 1.5, leading=base * 2.2),
        "right": ParagraphStyle("form-right", parent=body, fontSize=base - 0.5, leading=(base - 0.5) * 1.5, alignment=TA_RIGHT),
        "centre": ParagraphStyle("form-centre", parent=body, alignment=TA_CENTER),
        "small": ParagraphStyle("form-small", parent=body, fontSize=base - 2, leading=(base - 2) * 1.4),
    }


def _p(value, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: what the applicant typed never becomes markup."""
    # A full-width space would be collapsed with the others like any blank: the printed forms space
    # their labels and date lines with it (年　　月　　日), so it becomes non-breaking spaces of its width.
    return Paragraph(escape(str(value)).replace("\n", "<br/>").replace("\u3000", "\xa0\xa0\xa0"), style)


def _grid(data, widths, *, header: bool = False, extra=()) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    t.setStyle(TableStyle([_font_style(),
        ("GRID", (0, 0), (-1, -1), 0.6, BLACK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *extra,
    ]))
    return t


def _section_table(section: dict, width: float, st: dict, blank_rows: int = 0) -> Table:
    """One archive kind as a table; blank lines keep room for a hand-written addition when empty."""
    widths = [w * width for w in section["widths"]]
    data = [[_p(h, st["label"]) for h in section["headers"]]]
    data += [[_p(v, st["cell"]) for v in row] for row in section["rows"]]
    if not section["rows"]:
        data.append([_p("无", st["cell"])] + [""] * (len(widths) - 1))
        extra = [("SPAN", (0, 1), (-1, 1))]
    else:
        extra = []
    data += [[""] * len(widths) for _ in range(blank_rows)]
    return _grid(data, widths, header=True, extra=extra)


def _vertical(label: str, st) -> Paragraph:
    """A box's label written top to bottom, as on the printed forms."""
    return Paragraph("<br/>".join(escape(ch) for ch in label), st["label"])


def _opinion(label: str, lines: list[str], signer: str, width: float, height: float, st, label_width: float = 12 * mm,
             seal: bool = True) -> Table:
    """An opinion box: the label down the left, what the system knows, room to write, then signature, seal and date."""
    body = [_p(line, st["cell"]) for line in lines if line]
    sign = [_p(f"{signer}（签字）：　　　　　　　　{'（盖章）' if seal else ''}", st["right"]), _p("年　　月　　日", st["right"])]
    t = Table([[_vertical(label, st), body], ["", sign]], colWidths=[label_width, width - label_width],
              rowHeights=[max(height - 14 * mm, 8 * mm), 14 * mm])
    t.setStyle(TableStyle([_font_style(),
        ("BOX", (0, 0), (-1, -1), 0.6, BLACK),
        ("LINEAFTER", (0, 0), (0, -1), 0.6, BLACK),
        ("SPAN", (0, 0), (0, 1)),
        ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
        ("VALIGN", (1, 0), (1, 0), "TOP"),
        ("VALIGN", (1, 1), (1, 1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (1, 0), (1, -1), 8),
    ]))
    return t


def _basic_rows(c: dict, st) -> tuple[list, list]:
    """The basic-data grid (six columns: label, value, label, value, label, value) and its spans."""
    L, V = (lambda s: _p(s, st["label"])), (lambda s: _p(s, st["cell"]))
    edu = c["education"]
    title = c["current_title"]
    rows = [
        [L("姓　　名"), V(c["name"]), L("性　　别"), V(c["sex"]), L("出生年月"), V(c["birth"])],
        [L("民　　族"), V(c["ethnicity"]), L("政治面貌"), V(c["political_status"]), L("现聘岗位"), V(c["post"])],
        [L("身份证号码"), V(c["id_number"]), "", "", L("参加工作时间"), V(c["started_work"])],
        [L("工作单位"), V(c["unit"]), "", "", L("所在地区"), V(c["area"])],
        [L("主管部门"), V(c["competent_department"] or "—"), "", "", "", ""],
        [L("最高学历"), V(edu["level"]), L("毕业时间"), V(edu["graduated"]), L("学习形式"), V(edu["form"])],
        [L("毕业院校"), V(edu["school"]), "", "", L("所学专业"), V(edu["major"])],
        [L("现专业技术资格"), V(title["name"]), "", "", L("取得时间"), V(title["obtained"])],
        [L("申报系列"), V(c["series"]), L("申报专业"), V(c["specialty"] or "—"), L("申报层级"), V(c["level"])],
        [L("申报资格"), V(c["applied_title"]), "", "", "", ""],
        [L("申报渠道"), V(c["channel"]), "", "", "", ""],
        [L("申报途径"), V(c["route"] or "—"), "", "", "", ""],
        [L("评审委员会"), V(c["committee"] or "—"), "", "", "", ""],
    ]
    spans = [("SPAN", (1, r), (3, r)) for r in (2, 3, 6, 7)] + [("SPAN", (1, r), (5, r)) for r in (4, 9, 10, 11, 12)]
    if c["recommender"]:
        rows.append([L("推荐机构"), V(c["recommender"]), "", "", "", ""])
        spans.append(("SPAN", (1, len(rows) - 1), (5, len(rows) - 1)))
    if c["exam"]:
        rows.append([L("考试成绩"), V(c["exam"]), "", "", "", ""])
        spans.append(("SPAN", (1, len(rows) - 1), (5, len(rows) - 1)))
    return rows, spans


def _footer_text(c: dict) -> str:
    return f"{c['name']}　{c['year']}年度 {c['series']}{c['level']}　第{c['version']}次提交版本　填表日期 {c['filled_on']}"


def review_form_pdf(c: dict) -> bytes:
    """《专业技术资格评审表》: A4 portrait, a cover, then the tables and the opinion boxes."""
    st = _styles(10.5)
    width = A4[0] - 40 * mm
    font = cjk_font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"{TITLES[REVIEW_FORM]} {c['name']}", author=ISSUER, initialFontName=font,
                            subject=f"{c['year']}年度 {c['series']}{c['level']}", leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=20 * mm)

    cover_fields = [("姓　　名", c["name"]), ("工作单位", c["unit"]), ("申报系列", c["series"]),
                    ("申报专业", c["specialty"] or "—"), ("申报资格", f"{c['applied_title']}（{c['level']}）"),
                    ("填表日期", c["filled_on"])]
    cover_table = Table([[_p(k, st["cover-field"]), _p(v, st["cover-field"])] for k, v in cover_fields],
                        colWidths=[32 * mm, 100 * mm], rowHeights=[15 * mm] * len(cover_fields), hAlign="CENTER")
    cover_table.setStyle(TableStyle([_font_style(), ("LINEBELOW", (1, 0), (1, -1), 0.8, BLACK), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story = [
        _p(f"{c['year']}年度", st["right"]),
        Spacer(1, 45 * mm),
        _p(TITLES[REVIEW_FORM], st["cover"]),
        Spacer(1, 35 * mm),
        cover_table,
        Spacer(1, 50 * mm),
        _p(f"{ISSUER}制", st["centre"]),
        PageBreak(),
        _p("一、基本情况", st["head"]),
    ]
    rows, spans = _basic_rows(c, st)
    col = [26 * mm, 36 * mm, 20 * mm, 28 * mm, 24 * mm, width - 134 * mm]
    story.append(_grid(rows, col, extra=spans))

    numbered = [
        ("二、学历（学位）教育情况", ["education"]),
        ("三、工作经历", ["work"]),
        ("四、取得专业技术资格（职称）及职业资格情况", ["title", "qualification"]),
        ("五、继续教育及年度考核情况", ["continuing_education", "assessment"]),
        ("六、任现职以来的主要业绩成果", ["publication", "award", "honour", "project", "patent"]),
    ]
    for heading, kinds in numbered:
        story.append(_p(heading, st["head"]))
        for kind in kinds:
            section = c["sections"][kind]
            if len(kinds) > 1:
                story.append(_p(f"（{kinds.index(kind) + 1}）{section['heading']}", st["subhead"]))
            story.append(_section_table(section, width, st))
            story.append(Spacer(1, 2 * mm))

    story.append(_p("七、申报人承诺", st["head"]))
    pledge = ("本人承诺：以上所填内容及所附材料真实、准确、完整，如有弄虚作假，愿按有关规定接受处理（八（三））。"
              + (f"《职称申报诚信承诺书》已于{c['pledge']}在系统中签署。" if c["pledge"] else ""))
    story.append(_opinion("申报人承诺", [pledge], "申报人", width, 34 * mm, st, seal=False))
    story.append(_p("八、审核及评审意见", st["head"]))
    story += [
        _opinion("单位意见", [c["publicity"] or "（公示情况及推荐意见）"], "单位负责人", width, 40 * mm, st),
        Spacer(1, 3 * mm),
        _opinion("主管部门意见" if not c["recommender"] else "推荐机构意见", [], "负责人", width, 36 * mm, st),
        Spacer(1, 3 * mm),
        _opinion("人社部门意见", [], "负责人", width, 36 * mm, st),
        Spacer(1, 3 * mm),
        _opinion("评审委员会意见", [c["committee_result"] or "评委会应到　　人，实到　　人；同意　　票，不同意　　票，弃权　　票。",
                               f"评审委员会：{c['committee']}" if c["committee"] else ""],
                 "评委会主任", width, 44 * mm, st),
    ]

    def page(canvas, document):
        if document.page == 1:
            return
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(20 * mm, 11 * mm, _footer_text(c) + "　（用A4纸，一式2份）")
        canvas.drawRightString(A4[0] - 20 * mm, 11 * mm, f"第 {document.page - 1} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


SUMMARY_PAGE = landscape(A3)
SUMMARY_MARGIN_X, SUMMARY_MARGIN_Y = 14 * mm, 12 * mm


def _summary_sheet(c: dict) -> KeepInFrame:
    """One 送审表 sheet, shrunk to fit the page when the records are many (never a second page)."""
    width, height = SUMMARY_PAGE[0] - 2 * SUMMARY_MARGIN_X, SUMMARY_PAGE[1] - 2 * SUMMARY_MARGIN_Y
    st, small = _styles(11.5), _styles(10)
    L, V = (lambda s: _p(s, st["label"])), (lambda s: _p(s, st["cell"]))
    edu, title = c["education"], c["current_title"]
    w = width / 12
    basic = _grid([
        [L("姓名"), V(c["name"]), L("性别"), V(c["sex"]), L("出生年月"), V(c["birth"]), L("参加工作时间"), V(c["started_work"]),
         L("最高学历"), V(edu["level"]), L("申报资格"), V(c["applied_title"])],
        [L("工作单位"), V(c["unit"]), "", L("民族"), V(c["ethnicity"]), L("毕业院校及专业"), V(f"{edu['school']} {edu['major']}（{edu['graduated']}）"), "", "",
         L("申报系列"), V(c["series"]), ""],
        [L("现专业技术资格"), V(f"{title['name']}（{title['obtained']}，{title['via']}）" if title["name"] else "无"), "", L("政治面貌"),
         V(c["political_status"]),
         L("申报途径"), V(c["route"] or "—"), "", "", L("申报专业"), V(c["specialty"] or "—"), ""],
    ], [w * 1.05, w * 1.2, w * 0.6, w * 0.6, w * 0.9, w * 1.05, w * 1.1, w * 0.9, w * 0.9, w * 1.0, w * 0.9, w * 1.8],
        extra=[("SPAN", (1, 1), (2, 1)), ("SPAN", (6, 1), (8, 1)), ("SPAN", (10, 1), (11, 1)),
               ("SPAN", (1, 2), (2, 2)), ("SPAN", (6, 2), (8, 2)), ("SPAN", (10, 2), (11, 2))])

    left_w, right_w = width * 0.42, width * 0.58

    def block(kinds, inner):
        parts = []
        for kind in kinds:
            section = c["sections"][kind]
            parts += [_p(section["heading"], small["body"]), _section_table(section, inner, small), Spacer(1, 1.5 * mm)]
        return parts

    def middle(row_height=None) -> Table:
        t = Table([[_vertical("学习和工作经历", st), block(["education", "work", "title", "continuing_education", "assessment"], left_w - 14 * mm),
                    _vertical("任现职以来主要业绩", st), block(["publication", "award", "honour", "project", "patent"], right_w - 14 * mm)]],
                  colWidths=[8 * mm, left_w - 8 * mm, 8 * mm, right_w - 8 * mm], rowHeights=[row_height])
        t.setStyle(TableStyle([_font_style(), ("GRID", (0, 0), (-1, -1), 0.6, BLACK), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("VALIGN", (0, 0), (0, 0), "MIDDLE"), ("VALIGN", (2, 0), (2, 0), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
        return t

    box_w, box_h = width / 4, 48 * mm
    boxes = Table([[
        _opinion("单位意见", [c["publicity"] or "（公示情况）"], "单位负责人", box_w, box_h, small, 9 * mm),
        _opinion("主管部门意见" if not c["recommender"] else "推荐机构意见", [], "负责人", box_w, box_h, small, 9 * mm),
        _opinion("人社部门意见", [], "负责人", box_w, box_h, small, 9 * mm),
        _opinion("评委会意见", [c["committee_result"] or "应到　人，实到　人；同意　票，不同意　票，弃权　票。"], "评委会主任",
                 box_w, box_h, small, 9 * mm),
    ]], colWidths=[box_w] * 4)
    boxes.setStyle(TableStyle([_font_style(), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    heading = [
        _p(TITLES[SUMMARY_FORM], st["title"]),
        _p(f"{c['year']}年度　　评审委员会：{c['committee'] or '—'}　　填表日期：{c['filled_on']}", st["centre"]),
        Spacer(1, 3 * mm),
    ]
    room = height - 6 * mm
    # The records' part takes the height the rest leaves, so that the sheet fills the paper as the printed
    # form does; when the records need more, the whole sheet is shrunk to fit instead.
    rest = sum(f.wrap(width, room)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in (*heading, basic, boxes))
    records = middle()
    if records.wrap(width, room)[1] < room - rest - 2 * mm:
        records = middle(room - rest - 2 * mm)
    return KeepInFrame(width, room, [*heading, basic, records, boxes], mode="shrink")


def summary_forms_pdf(contents: list[dict]) -> bytes:
    """《专业技术资格送审表》: one A3 landscape sheet per declaration (one, or a publicity's in one file)."""
    font = cjk_font()
    out = io.BytesIO()
    first = contents[0]
    doc = SimpleDocTemplate(out, pagesize=SUMMARY_PAGE, author=ISSUER, initialFontName=font,
                            title=f"{TITLES[SUMMARY_FORM]} {first['name']}" if len(contents) == 1 else TITLES[SUMMARY_FORM],
                            leftMargin=SUMMARY_MARGIN_X, rightMargin=SUMMARY_MARGIN_X, topMargin=SUMMARY_MARGIN_Y, bottomMargin=SUMMARY_MARGIN_Y)
    story = []
    for c in contents:
        story += [_summary_sheet(c), PageBreak()]

    def page(canvas, document):
        c = contents[min(document.page, len(contents)) - 1]  # one sheet a page
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(SUMMARY_MARGIN_X, 6 * mm, _footer_text(c) + "　（用A3纸，一式15份）")
        canvas.drawRightString(SUMMARY_PAGE[0] - SUMMARY_MARGIN_X, 6 * mm, f"{ISSUER}制")
        canvas.restoreState()

    doc.build(story[:-1], onFirstPage=page, onLaterPages=page)
    return out.getvalue()


def summary_form_pdf(c: dict) -> bytes:
    return summary_forms_pdf([c])


RENDERERS = {REVIEW_FORM: review_form_pdf, SUMMARY_FORM: summary_form_pdf}


@functools.cache
def _renderer_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def form_key(form: str, c: dict) -> str:
    """Everything a form's PDF is made from, as one digest: its content and this module's code."""
    return sha256_hex({"document": form, "renderer": _renderer_digest(), "content": c})


def filename(form: str, c: dict) -> str:
    return f"{form.replace('_', '-')}-{c['year']}-v{c['version']}.pdf"


def form_pdf(form: str, c: dict) -> bytes:
    """The PDF, read from the stored rendering of the same content if there is one, else rendered and kept."""
    from zhicheng.files.services import keep_rendition, stored_rendition

    key = form_key(form, c)
    data = stored_rendition(key)
    if data is None:
        data = RENDERERS[form](c)
        keep_rendition(key, filename(form, c), data)
    return data


def publicity_summary_forms_pdf(contents: list[dict]) -> bytes:
    """Every 送审表 of a publicity in one file, a sheet each, for posting in the unit (六（一））; kept like a single form."""
    from zhicheng.files.services import keep_rendition, stored_rendition

    key = sha256_hex({"document": "summary_forms", "renderer": _renderer_digest(), "contents": contents})
    data = stored_rendition(key)
    if data is None:
        data = summary_forms_pdf(contents)
        keep_rendition(key, "summary-forms.pdf", data)
    return data
