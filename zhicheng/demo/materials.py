"""What the demo's applicants hand in: achievements in the archive, scans as evidence of their records, the
files of the material checklist, and the records each declaration goes up with.

Every file is a small real document made from the person's archive (PDFs by documents.pdf with the
embedded Chinese font, certificate scans as JPEG and PNG) and stored by files.services.store_file, so
it is checked, kept under its SHA-256 and re-hashed when read like any upload. Every step is the
applicant's own (declarations.services.select_records, checklist.attach and retire), audited as such.
"""

from __future__ import annotations

import re

import datetime as dt
import functools
import io

from reportlab.lib.units import mm

from zhicheng.catalogue.models import CorrectionItem, MaterialItem
from zhicheng.declarations.checklist import attach, checklist, materials_of_version, retire, working_version
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import select_records
from zhicheng.documents import pdf
from zhicheng.documents.fonts import font_path
from zhicheng.files.services import store_file
from zhicheng.people.models import (
    ARCHIVE_MODELS, AnnualAssessment, Award, ContinuingEducation, Education, Honour, Project, ProjectLevel, Publication, TitleHeld,
)

DEMO_MARK = "演示数据：本文件由演示数据生成，内容为虚构。"

# Per series: a representative paper (代表作) and, where the work is project work, a project (五（一）2).
ACHIEVEMENTS = {
    "engineering": ("{s}设计中的若干问题与对策", "内蒙古科技与经济", "{u}{s}技术改造项目"),
    "health": ("{s}常见病诊疗规范在基层医院的应用", "内蒙古医学杂志", ""),
    "school_teacher": ("核心素养导向的初中{s}课堂教学实践", "内蒙古教育", ""),
    "secondary_vocational_teacher": ("{s}专业理实一体化教学改革探索", "职业技术教育", "{u}{s}实训基地建设项目"),
    "higher_education": ("寒区{s}耐久性试验研究", "建筑结构学报", "自治区自然科学基金项目"),
    "agriculture": ("{s}技术在赤峰地区的推广应用", "内蒙古农业科技", "{s}新技术示范推广项目"),
    "economics": ("国有企业{s}的实践与思考", "经济论坛", ""),
}

# The standard deficiencies the demo's checkers name, by the material they concern (catalogue.materials_data).
CORRECTION_MATERIALS = ("annual_assessments", "continuing_education_card", "achievements")

# A draft is work in progress: these items are uploaded first (the certificate, then the assessments). The 评审表 and
# 送审表 are no upload of anyone's: the system prints them from the records a declaration is submitted with.
DRAFT_ITEMS = ("current_title_certificate", "annual_assessments")


# ---- the archive ----------------------------------------------------------------------------------
def add_achievements(person, profile: dict) -> None:
    """The paper and project the person's series and specialty suggest, as archive records."""
    paper, venue, project = ACHIEVEMENTS.get(profile["series"], ("{s}工作实践与体会", "内蒙古科技与经济", ""))
    # The unit's name without its bracketed part (（集团）…), shortened: a cut inside the brackets reads as a typo.
    names = {"s": profile.get("specialty") or "专业技术", "u": re.sub(r"（[^）]*）", "", person.unit.name)[:12]}
    started = max(e[0] for e in profile["work"])
    year = max(2017, started.year + 2)
    # Each person's paper is their own: one title in one journal and year claimed by several demo people as their
    # first-author paper is exactly what the integrity signals flag as a work over-claimed (monitoring). The paper
    # names its case (the author's unit); where colleagues of the same specialty wrote on it, in other words or years.
    base, unit = paper.format(**names), person.unit.name
    years = [y for y in (year, year - 1, year + 1, year - 2) if started.year <= y < 2021] or [year]  # before the demo's year
    candidates = [(f"{base}{case.format(unit)}", dt.date(y, 1 + person.pk % 12, 1)) for y in years
                  for case in ("——以{}为例", "——基于{}的实践", "——{}的经验与启示", "：{}案例分析")]
    title, published_on = next((c for c in candidates if not Publication.objects.filter(
        title=c[0], venue=venue, published_on__year=c[1].year).exists()), candidates[0])
    Publication.objects.create(person=person, title=title, venue=venue, published_on=published_on,
                               authorship="第一作者", representative=True)
    if project:
        Project.objects.create(person=person, name=project.format(**names), role_in_project="主要完成人", level=ProjectLevel.PROVINCIAL,
                               started_on=dt.date(year, 3, 1), ended_on=dt.date(year + 1, 12, 31))


def add_evidence(person) -> None:
    """Scans of the diploma and of the title certificates, as the records' evidence."""
    for education in Education.objects.filter(person=person):
        scan = image("毕业证书", [person.name, f"{education.school} {education.major}", f"{education.get_level_display()}",
                                  f"{education.graduated_on:%Y年%m月}毕业"], kind="PNG")
        education.evidence.add(store_file(f"毕业证书-{person.name}.png", scan))
    for title in TitleHeld.objects.filter(person=person):
        title.evidence.add(title_certificate(person, title))


def title_certificate(person, title: TitleHeld):
    scan = image("专业技术资格证书", [person.name, title.title_name, f"取得时间 {title.obtained_on:%Y年%m月}", title.issued_by], kind="JPEG")
    return store_file(f"资格证书-{person.name}-{title.title_name}.jpg", scan)


# ---- the files ------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _font(size: int):
    # Pillow comes with reportlab (its image support); the font is the one the PDFs embed.
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path()), size)


def image(heading: str, lines: list[str], kind: str) -> bytes:
    """A small scan-like certificate: a bordered card with its heading and lines."""
    from PIL import Image, ImageDraw

    card = Image.new("RGB", (480, 320), (250, 246, 236))
    draw = ImageDraw.Draw(card)
    draw.rectangle((8, 8, 471, 311), outline=(150, 30, 30), width=4)
    draw.text((240, 48), heading, font=_font(26), fill=(150, 30, 30), anchor="mm")
    for i, line in enumerate(lines):
        draw.text((40, 100 + 34 * i), line, font=_font(18), fill=(40, 40, 40))
    draw.text((40, 290), DEMO_MARK, font=_font(12), fill=(120, 120, 120))
    out = io.BytesIO()
    if kind == "PNG":
        card.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(out, "PNG")
    else:
        card.save(out, "JPEG", quality=70)
    return out.getvalue()


def _document(title: str, app: Application, rows: list[tuple[str, str]], body: list[str], note: str = "") -> bytes:
    person = app.person
    story = [pdf.text(title, "title"),
             pdf.key_values([("姓名", person.name), ("工作单位", app.unit.name), ("申报资格", f"{app.plan.year}年度 {app.title_label}"),
                             *rows], widths=(42 * mm, 128 * mm)),
             *[pdf.text(paragraph) for paragraph in body]]
    if note:
        story.append(pdf.text(note, "heading"))
    story.append(pdf.text(DEMO_MARK, "small"))
    return pdf.flowing_pdf(pdf.DocumentMeta(title=f"{title}（{person.name}）"), story)


def archive_of(person) -> dict:
    """The person's records by model, each in its model's order: read once for all the files of a declaration."""
    return {model: list(model.objects.filter(person=person)) for model in ARCHIVE_MODELS.values()}


def item_file(item: MaterialItem, app: Application, archive: dict | None = None, note: str = "") -> tuple[str, bytes]:
    """The file an applicant gives for one item of the checklist: (name, content)."""
    person = app.person
    archive = archive or archive_of(person)

    titles = archive[TitleHeld]
    code = item.code
    if code == "current_title_certificate" and titles and not note:
        return f"{item.name}-{person.name}.jpg", image("专业技术资格证书", [person.name, titles[0].title_name,
                                                                     f"取得时间 {titles[0].obtained_on:%Y年%m月}", titles[0].issued_by], "JPEG")
    if code == "qualification_certificates":
        name = {"health": "医师资格证书", "school_teacher": "教师资格证书"}.get(app.series.code, "职业资格证书")
        return f"{name}-{person.name}.png", image(name, [person.name, f"{app.series.name}系列", "资格证书编号 2021150000" + str(person.pk)],
                                                  "PNG")
    rows: list[tuple[str, str]] = []
    body: list[str] = []
    if code == "continuing_education_card":
        rows = [(f"{c.year}年度", f"{c.hours}学时，已审验") for c in archive[ContinuingEducation]]
    elif code == "annual_assessments":
        rows = [(f"{a.year}年度", a.get_grade_display()) for a in archive[AnnualAssessment]]
    elif code == "papers":
        body = [f"代表作：{p}" for p in archive[Publication]] or ["任现职以来的专业技术工作报告（代替论文，五（一）2）"]
    elif code == "achievements":
        body = [str(r) for model in (Award, Honour, Project, Publication) for r in archive[model]] or ["任现职以来的工作方案与总结"]
    elif code == "work_summary":
        body = [f"本人自{titles[-1].obtained_on:%Y年} 起从事{app.series.name}专业技术工作，" if titles else "本人从事专业技术工作以来，",
                "认真履行岗位职责，完成了本单位的主要专业技术任务，取得了一定成绩。", "本人签字：" + person.name]
    elif code == "exam_certificate":
        rows = [("考试成绩", app.exam_score or "合格")]
    elif code == "entrustment_letter":
        body = [f"兹委托内蒙古自治区人力资源和社会保障厅对我单位{person.name}同志进行{app.title_label}评审。", f"{app.unit.name}人力资源部"]
    elif code == "rural_service_proof":
        body = [f"{person.name}同志曾在农村牧区基层服务一年以上，特此证明。", "苏木乡镇人民政府（盖章）"]
    else:
        body = [item.requirement or item.name]
    return f"{item.name}-{person.name}.pdf", _document(item.name, app, rows, body, note)


def entrustment_letter(app: Application):
    item = MaterialItem.objects.get(code="entrustment_letter")
    return store_file(*item_file(item, app))


# ---- the declaration ------------------------------------------------------------------------------
def select_archive(app: Application, account, archive: dict) -> None:
    """The applicant picks every record of their archive for the declaration, kind by kind."""
    for kind, model in ARCHIVE_MODELS.items():
        if archive[model]:
            select_records(app, account, kind, [r.pk for r in archive[model]])


def _wanted(row) -> bool:
    """The items an applicant gives: what the checklist requires, and the optional ones they have."""
    return row.applies and row.by_applicant and (row.required or row.item.code in ("papers", "qualification_certificates"))


def hand_in(app: Application, account, *, draft: bool = False) -> None:
    """Records selected and a file for each item the declaration needs (only the first few for a draft)."""
    archive = archive_of(app.person)
    select_archive(app, account, archive)
    titles = archive[TitleHeld]
    for row in checklist(app):
        if not _wanted(row) or row.files or (draft and row.item.code not in DRAFT_ITEMS):
            continue
        if row.item.code == "qualification_certificates" and app.series.code not in ("health", "school_teacher"):
            continue
        if row.item.code == "current_title_certificate" and titles:
            stored = titles[0].evidence.first() or title_certificate(app.person, titles[0])
        elif row.item.code == "entrustment_letter" and app.entrustment_letter_id:
            stored = app.entrustment_letter
        else:
            stored = store_file(*item_file(row.item, app, archive))
        attach(app, account, row.item, stored)


def deficiencies(app: Application) -> list[str]:
    """The standard deficiencies a checker names for this declaration: those of CORRECTION_MATERIALS it has files for."""
    given = {m.item.code for m in materials_of_version(app, app.version)}
    codes = [code for code in CORRECTION_MATERIALS if code in given]
    texts = dict(CorrectionItem.objects.filter(active=True, material__code__in=codes).values_list("material__code", "text"))
    return [texts[code] for code in codes if code in texts]


def named_items(items: list[str]) -> list[MaterialItem]:
    return [c.material for c in CorrectionItem.objects.filter(text__in=items, material__isnull=False).select_related("material")]


def take_down(app: Application, account, items: list[str]) -> None:
    """On reading the notice the applicant takes down the files it names; the rest stay for the next version."""
    app.refresh_from_db(fields=["state", "version"])
    named = {item.pk for item in named_items(items)}
    for material in materials_of_version(app, working_version(app)):
        if material.item_id in named:
            retire(material, account)


def replace(app: Application, account, items: list[str]) -> None:
    """Before resubmitting: a new file for each item the notice named (taken down first where still up)."""
    take_down(app, account, items)
    archive = archive_of(app.person)
    for item in named_items(items):
        attach(app, account, item, store_file(*item_file(item, app, archive, note="补正：按一次性补正告知重新提供")))


def plan_attachment(plan):
    """The attachment a demo review plan was filed with (七（三）): the review forms and the experts recommended."""
    title = f"{plan.committee.name}{plan.year}年度评审实施方案附件"
    story = [pdf.text(title, "title"),
             pdf.text("一、专业技术资格送审表（申报人员各一份，按花名册顺序装订）。"),
             pdf.text("二、评委推荐名单：由本评委会专家评委库随机抽选产生，抽选记录另见抽选公示。"),
             pdf.text(DEMO_MARK, "small")]
    return store_file(f"{title}.pdf", pdf.flowing_pdf(pdf.DocumentMeta(title=title), story))
