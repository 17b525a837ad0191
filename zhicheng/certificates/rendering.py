"""The documents of this app, built on zhicheng.documents: the certificate face, the filing
package (report, roster, objection-handling record) and the archived pledge."""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path

from django.utils.timezone import localtime
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import PageBreak, Paragraph, Spacer

from zhicheng.core.canonical import sha256_hex
from zhicheng.core.identifiers import mask_id_number
from zhicheng.core.site import page_url, public_base_url
from zhicheng.documents import pdf
from zhicheng.documents.excel import write_workbook
from zhicheng.documents.fonts import cjk_font

from .models import Certificate, CertificateStatus, Filing

RED = colors.HexColor("#b22222")


def verification_url(cert: Certificate) -> str:
    return page_url("certificate_scan", cert.number, cert.check_code)


def face_rows(cert: Certificate) -> list[tuple[str, str]]:
    """The face's rows, label and value; a value may hold line breaks (the original certificate's number on a line of its own)."""
    rows = [
        ("姓　　名", cert.holder_name),
        ("身份证号码", mask_id_number(cert.id_number)),
        ("系　　列", cert.series_name),
        ("专　　业", cert.specialty or "—"),
        ("资格名称", cert.title_name),
        ("资格级别", cert.get_level_display()),
        ("评审委员会", cert.committee_name or "—"),
        ("核准文号", cert.approval_document_number or "—"),
        ("取得时间", f"{cert.approval_date:%Y年%m月%d日}"),
        ("发证机关", cert.issuer_name),
        ("发证日期", f"{cert.issued_on:%Y年%m月%d日}"),
    ]
    if cert.original:
        o = cert.original
        issuer = f"{o.get('origin_label', '')} {o.get('issuer', '')}".strip()
        rows.append(("原证书", "\n".join(part for part in (issuer, o.get("number", "")) if part)))
    return rows


def revocation_lines(cert: Certificate, *, number_apart: bool = False) -> tuple[str, str]:
    """The face's statement of a revocation: when and under which document (no parentheses without one), and why.
    ``number_apart``: the document number goes with the reason (a number too long for the first line)."""
    document = cert.revocation_document_number.strip()
    when = f"本证书已于{cert.revoked_on:%Y年%m月%d日}撤销"
    reason = cert.revocation_reason.strip()
    details = [f"撤销原因：{reason}"] if reason else []
    if document and number_apart:
        details.append(f"撤销文号：{document}")
    elif document:
        when += f"（{document}）"
    return when, "\n".join(details)


def _revocation_number_apart(cert: Certificate, font: str, size: float, width: float) -> bool:
    when, _ = revocation_lines(cert)
    return _fitted_size(when, font, size, width) < size * 0.8


# ---- the certificate face ----------------------------------------------------------------------
# The red frame's inner line is 15 mm in from each edge; the text keeps 13 mm inside it. The rows run
# from below the certificate number (and the revocation, if any) down to ROWS_FLOOR, above the notes
# and the QR code; values wrap inside their column, and when the rows are too long for that space the
# whole block is drawn smaller, step by step, down to MIN_SCALE (no value is ever cut).

FRAME_INSET = 15 * mm
TEXT_INSET = 28 * mm
LABEL_X, VALUE_X = 35 * mm, 72 * mm
LABEL_SIZE, VALUE_SIZE, REVOCATION_SIZE = 14, 15, 12
ROW_GAP = 4.4 * mm  # between rows: with a 15 pt line this keeps the old pitch of 11 mm
ROWS_TOP = 80 * mm  # from the top: where the rows start when nothing comes before them
REVOCATION_TOP = 67 * mm  # from the top: below the certificate number
ROWS_FLOOR = 78 * mm  # from the bottom: above the QR code (32–74 mm) and the notes (from 58 mm)
MIN_SCALE, SCALE_STEP = 0.5, 0.05


def _paragraph(text: str, font: str, size: float, *, color=colors.black, centred: bool = False) -> Paragraph:
    from xml.sax.saxutils import escape  # nosec B406 - escape() writes markup, it parses nothing

    style = ParagraphStyle("face", fontName=font, fontSize=size, leading=size * 1.25, wordWrap="CJK", textColor=color,
                           alignment=TA_CENTER if centred else TA_LEFT)
    return Paragraph("<br/>".join(escape(line) for line in str(text).split("\n")), style)


def _fitted_size(text: str, font: str, size: float, width: float, smallest: float = 5) -> float:
    """``size``, or smaller so that ``text`` fits on one line of ``width``."""
    needed = pdfmetrics.stringWidth(text, font, size)
    return size if needed <= width else max(smallest, size * width / needed)


def _draw_fitted(c, text: str, font: str, size: float, x: float, y: float, width: float, *, centred: bool = False) -> None:
    c.setFont(font, _fitted_size(text, font, size, width))
    (c.drawCentredString if centred else c.drawString)(x, y, text)


def _face_layout(cert: Certificate, font: str, page_width: float, page_height: float):
    """The blocks of the face's middle part at the largest scale at which they fit: [(paragraph, x, top, width)]."""
    text_width = page_width - 2 * TEXT_INSET
    value_width = page_width - TEXT_INSET - VALUE_X
    label_width = VALUE_X - LABEL_X - 2 * mm
    rows = face_rows(cert)
    scale = 1.0
    while True:
        blocks, top = [], page_height - ROWS_TOP
        if cert.status == CertificateStatus.REVOKED:
            # The first line stays whole (text extraction and screen readers find it as one); the reason wraps.
            _, reason = revocation_lines(cert, number_apart=_revocation_number_apart(cert, font, REVOCATION_SIZE * scale, text_width))
            top = page_height - REVOCATION_TOP - REVOCATION_SIZE * 1.25 * scale
            if reason:
                p = _paragraph(reason, font, REVOCATION_SIZE * scale, color=RED, centred=True)
                _, h = p.wrap(text_width, page_height)
                blocks.append((p, TEXT_INSET, top, text_width))
                top -= h
            top = min(page_height - ROWS_TOP, top - ROW_GAP * scale)
        for label, value in rows:
            label_p = _paragraph(label, font, LABEL_SIZE * scale)
            value_p = _paragraph(value, font, VALUE_SIZE * scale)
            _, label_h = label_p.wrap(label_width, page_height)
            _, value_h = value_p.wrap(value_width, page_height)
            # The label's first line sits on the value's first baseline.
            blocks.append((label_p, LABEL_X, top - (VALUE_SIZE - LABEL_SIZE) * scale, label_width))
            blocks.append((value_p, VALUE_X, top, value_width))
            top -= max(label_h, value_h) + ROW_GAP * scale
        if top + ROW_GAP * scale >= ROWS_FLOOR or scale <= MIN_SCALE:
            return blocks, scale
        scale = round(scale - SCALE_STEP, 2)


def certificate_pdf(cert: Certificate) -> bytes:
    """A4, Chinese font embedded, QR code to the verification page. Every value stays inside the frame."""
    font = cjk_font()
    width, height = pdf.PAGE
    out = io.BytesIO()
    c = pdf_canvas.Canvas(out, pagesize=pdf.PAGE, initialFontName=font)
    c.setTitle(f"职称电子证书 {cert.number}")
    c.setAuthor(cert.issuer_name)
    c.setSubject("专业技术资格电子证书")
    text_width = width - 2 * TEXT_INSET

    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(FRAME_INSET, FRAME_INSET, width - 2 * FRAME_INSET, height - 2 * FRAME_INSET)

    c.setFillColor(RED)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 50 * mm, "专业技术资格电子证书")
    c.setFillColor(colors.black)
    _draw_fitted(c, f"证书编号：{cert.number}", font, 13, width / 2, height - 62 * mm, text_width, centred=True)

    blocks, scale = _face_layout(cert, font, width, height)
    if cert.status == CertificateStatus.REVOKED:
        # A plain line that text extraction and screen readers find, and the watermark for the eye.
        when, _ = revocation_lines(cert, number_apart=_revocation_number_apart(cert, font, REVOCATION_SIZE * scale, text_width))
        c.setFillColor(RED)
        _draw_fitted(c, when, font, REVOCATION_SIZE * scale, width / 2, height - REVOCATION_TOP - REVOCATION_SIZE * scale,
                     text_width, centred=True)
        c.setFillColor(colors.black)
    for paragraph, x, top, block_width in blocks:
        _, h = paragraph.wrap(block_width, height)
        paragraph.drawOn(c, x, top - h)

    qr_size = 42 * mm
    qr_x = width - 35 * mm - qr_size
    c.drawImage(pdf.qr_image_reader(verification_url(cert)), qr_x, 32 * mm, qr_size, qr_size)
    c.setFont(font, 10)
    c.drawCentredString(qr_x + qr_size / 2, 28 * mm, "扫码核验真伪")
    notes_width = qr_x - 3 * mm - TEXT_INSET
    for y, line in ((58, "本证书为电子证书，与纸质证书具有同等效力。"),
                    (52, "核验：扫描右侧二维码，或在核验页面输入证书编号和姓名。"),
                    (46, f"核验页面：{page_url('certificate_verify')}"),
                    (40, f"电子签名：Ed25519，密钥编号 {cert.key_id}"),
                    (34, f"签名值：{cert.signature[:44]}"),
                    (29, f"　　　　{cert.signature[44:]}")):
        _draw_fitted(c, line, font, 9, TEXT_INSET, y * mm, notes_width)

    if cert.status == CertificateStatus.REVOKED:
        c.saveState()
        c.setFillColor(RED)
        c.setFont(font, 60)
        c.translate(width / 2, height / 2)
        c.rotate(30)
        c.drawCentredString(0, 0, "已撤销")
        stamp = f"{cert.revoked_on:%Y年%m月%d日} {cert.revocation_document_number}".strip()
        _draw_fitted(c, stamp, font, 14, 0, -20 * mm, 130 * mm, centred=True)
        c.restoreState()
    c.showPage()
    c.save()
    return out.getvalue()


@functools.cache
def _renderer_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def certificate_pdf_key(cert: Certificate) -> str:
    """What the certificate's PDF is made from, as one digest: every field of the certificate, the
    public address in its QR code, and this module's code. A stored PDF under this key is current."""
    fields = {f.attname: getattr(cert, f.attname) for f in cert._meta.concrete_fields if f.attname != "created_at"}
    return sha256_hex({"document": "certificate-pdf", "renderer": _renderer_digest(), "public_url": public_base_url(),
                       "certificate": fields})


def kept_certificate_pdf(cert: Certificate) -> bytes:
    """The PDF made by a batch rendering if it is still current, otherwise rendered now."""
    from zhicheng.files.services import stored_rendition

    return stored_rendition(certificate_pdf_key(cert)) or certificate_pdf(cert)


# ---- the filing package (七（五）1) -----------------------------------------------------------

ROSTER_HEADER = ["序号", "姓名", "性别", "身份证号码", "工作单位", "系列", "专业", "评审通过资格", "层级"]


def roster_rows(filing: Filing, masked: bool = True) -> list[list]:
    from zhicheng.certificates.services import title_name_for

    rows = []
    apps = [e.application for e in filing.entries.select_related("application__person", "application__unit",
                                                                  "application__series", "application__specialty")]
    for i, app in enumerate(sorted(apps, key=lambda a: a.pk), start=1):
        rows.append([i, app.person.name, app.person.get_sex_display(),
                     mask_id_number(app.person.id_number) if masked else app.person.id_number, app.unit.name,
                     app.series.name, app.specialty.name if app.specialty else "", title_name_for(app.series, app.level),
                     app.get_level_display()])
    return rows


def objection_rows(filing: Filing) -> list[list]:
    from zhicheng.publicity.models import Objection

    objections = (Objection.objects.filter(application__filing_entries__filing=filing, publicity__kind="result")
                  .select_related("application__person", "publicity").order_by("raised_at"))
    return [[i, o.application.person.name, f"{o.raised_at:%Y-%m-%d}", o.content, o.get_status_display(), o.finding,
             f"{o.handled_at:%Y-%m-%d}" if o.handled_at else ""] for i, o in enumerate(objections, start=1)]


def filing_pdf(filing: Filing) -> bytes:
    from zhicheng.publicity.models import Publicity

    title = f"{filing.committee.name}{filing.year}年度职称评审结果核准备案材料"
    story = [
        pdf.text(title, "title"),
        pdf.text("一、核准备案报告", "heading"),
        pdf.text(filing.report),
        Spacer(1, 4 * mm),
        pdf.key_values([
            ("报送单位", filing.committee.office.name) if not filing.direct
            else ("报送方式", f"未经评委会办事机构报送，由{filing.filing_body.name}直接核准备案"),
            ("核准备案机关", filing.filing_body.name),
            ("评审工作结束日期", f"{filing.review_ended_on:%Y年%m月%d日}（评审结果公示期满）"),
            ("应报送日期", f"{filing.due_on:%Y年%m月%d日}前（评审结果公示期满后一个月内，七（五）1）"),
            ("直接核准备案日期" if filing.direct else "报送日期",
             f"{filing.submitted_on:%Y年%m月%d日}" + ("（逾期）" if filing.late else "")),
            ("状态", filing.get_status_display()),
            ("核准备案文号", filing.document_number or "—"),
        ]),
        PageBreak(),
        pdf.text(f"二、{'高级' if filing.committee.is_region_level else ''}专业技术资格评审通过人员花名册", "heading"),
        pdf.table(ROSTER_HEADER, roster_rows(filing), [12 * mm, 22 * mm, 12 * mm, 44 * mm, 70 * mm, 24 * mm, 26 * mm, 32 * mm, 19 * mm]),
        PageBreak(),
        pdf.text("三、公示期间举报事项处理情况", "heading"),
    ]
    publicities = Publicity.objects.filter(kind="result", entries__application__filing_entries__filing=filing).distinct()
    for p in publicities:
        story.append(pdf.text(f"{p.title}：{p.starts_on:%Y年%m月%d日}至{p.ends_on:%Y年%m月%d日}（{p.working_days}个工作日），"
                              f"{p.get_outcome_display()}。"))
    objections = objection_rows(filing)
    if objections:
        story.append(pdf.table(["序号", "被举报人", "收到日期", "举报内容", "核实结果", "处理意见", "处理日期"], objections,
                               [12 * mm, 22 * mm, 24 * mm, 80 * mm, 24 * mm, 75 * mm, 24 * mm]))
    else:
        story.append(pdf.text("公示期间未收到举报和异议。"))
    return pdf.flowing_pdf(pdf.DocumentMeta(title=title, wide=True), story, footer=title)


def roster_xlsx(filing: Filing) -> bytes:
    return write_workbook([("评审通过人员花名册", ROSTER_HEADER, roster_rows(filing, masked=False))])


# ---- the archived pledge (八（三）) -------------------------------------------------------------

def pledge_pdf(record) -> bytes:
    from .integrity import pledge_intact

    app = record.application
    title = "职称申报诚信承诺书（归档件）"
    selected = app.selected_records.filter(version=app.version).order_by("kind", "record_id")
    story = [
        pdf.text(title, "title"),
        pdf.text(record.text),
        Spacer(1, 6 * mm),
        pdf.key_values([
            ("承诺人", app.person.name),
            ("身份证号码", mask_id_number(app.person.id_number)),
            ("签署时间", f"{localtime(record.signed_at):%Y-%m-%d %H:%M:%S}"),
            ("签署账户", record.signer.username),
            ("承诺书摘要（SHA-256）", record.sha256),
            ("摘要核对", "一致" if pledge_intact(record) else "不一致：承诺书文本或申报记录已被改动"),
            ("归档时间", f"{localtime(record.archived_at):%Y-%m-%d %H:%M}" if record.archived_at else "尚未归档（评审结束后归档）"),
        ]),
        pdf.text("专业技术资格评审表（摘要）", "heading"),
        pdf.key_values([
            ("申报年度", f"{app.plan.year}年"),
            ("工作单位", app.unit.name),
            ("申报系列与层级", app.title_label),
            ("专业", app.specialty.name if app.specialty else "—"),
            ("评审委员会", app.committee.name if app.committee else "—"),
            ("评审结论", record.review_outcome or app.get_state_display()),
        ]),
        pdf.text("所选业绩成果（提交时冻结）", "heading"),
        pdf.table(["类别", "内容"], [[s.kind, (s.snapshot or {}).get("summary", "")] for s in selected],
                  [30 * mm, 140 * mm]) if selected else pdf.text("无"),
    ]
    return pdf.flowing_pdf(pdf.DocumentMeta(title=title), story, footer=f"{app.person.name} {app.plan.year}年{app.title_label}")
