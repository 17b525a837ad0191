"""The bulletin as a PDF (reportlab, the embedded CJK font): the document number, title, body and the frozen items,
which hold bodies' names only (services.bulletin_items)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from zhicheng.documents import pdf

HEADER = ["编号", "单位", "评委会", "发现方式", "问题及要求", "期限/日期", "处理结果"]


def bulletin_pdf(bulletin) -> bytes:
    story = [
        pdf.text("内蒙古自治区人力资源和社会保障厅", "subtitle"),
        pdf.text(bulletin.document_number, "subtitle"),
        pdf.text(bulletin.title, "title"),
        pdf.text(bulletin.body),
        Spacer(1, 4 * mm),
        pdf.text("通报事项", "heading"),
        pdf.table(HEADER, [[i["reference"], i["party"], i["committee"], i["source"], i["matter"], i["deadline"], i["outcome"]]
                           for i in bulletin.items],
                  col_widths=[20 * mm, 28 * mm, 28 * mm, 16 * mm, 44 * mm, 18 * mm, 20 * mm]),
        Spacer(1, 6 * mm),
        pdf.text(f"内蒙古自治区人力资源和社会保障厅　{bulletin.published_on:%Y年%m月%d日}" if bulletin.published_on else "（草稿）"),
    ]
    return pdf.flowing_pdf(pdf.DocumentMeta(title=f"{bulletin.title}（{bulletin.document_number}）", subject="全区通报（八（一））"),
                           story, footer=bulletin.document_number)
