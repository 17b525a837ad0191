"""Building A4 PDFs: flowing documents (rosters, reports, minutes) and drawn pages (certificates)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .fonts import cjk_font

PAGE = A4


def styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    # wordWrap="CJK" breaks lines between any two Chinese characters.
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=11, alignment=TA_CENTER, textColor=colors.HexColor("#444444")),
        "heading": ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=12),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12),
    }


def qr_png(data: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_image_reader(data: str) -> ImageReader:
    return ImageReader(io.BytesIO(qr_png(data)))


def text(value: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped: user data never becomes markup)."""
    # escape() writes markup, it parses nothing.
    from xml.sax.saxutils import escape  # nosec B406

    return Paragraph(escape(str(value)).replace("\n", "<br/>"), styles()[style])


def table(header: list[str], rows: list[list], col_widths: list[float] | None = None) -> Table:
    data = [[text(h, "cell") for h in header]] + [[text("" if v is None else v, "cell") for v in row] for row in rows]
    t = Table(data, colWidths=col_widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return t


def key_values(pairs: list[tuple[str, str]], widths: tuple[float, float] = (40 * mm, 130 * mm)) -> Table:
    t = Table([[text(k, "cell"), text(v, "cell")] for k, v in pairs], colWidths=list(widths))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
                           ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f3f3"))]))
    return t


@dataclass
class DocumentMeta:
    title: str
    author: str = "内蒙古自治区人力资源和社会保障厅 职称申报评审系统"
    subject: str = ""
    wide: bool = False  # landscape, for rosters with many columns


def flowing_pdf(meta: DocumentMeta, story: list, footer: str = "") -> bytes:
    """Render flowables on A4 pages with a page-numbered footer."""
    out = io.BytesIO()
    pagesize = landscape(A4) if meta.wide else A4
    doc = SimpleDocTemplate(out, pagesize=pagesize, title=meta.title, author=meta.author, subject=meta.subject,
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    font = cjk_font()

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(pagesize[0] - 18 * mm, 10 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    doc.build([*story, Spacer(1, 1)], onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()
