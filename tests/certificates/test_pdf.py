"""The certificate PDF: A4, Chinese glyphs from an embedded font, and a QR code that leads to verification."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from zhicheng.certificates.models import Certificate
from zhicheng.certificates.rendering import certificate_pdf, verification_url
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P

from ..cycle_helpers import advance

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "certificates"


@pytest.mark.django_db
def test_certificate_pdf_renders_chinese_and_its_qr_code_leads_to_verification(make_applicant, tmp_path, client):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    cert = Certificate.objects.get(application=app)
    data = certificate_pdf(cert)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(data)

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert cjk and all(" yes " in line for line in cjk), fonts  # every font embedded

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("专业技术资格电子证书", cert.holder_name, "高级工程师", cert.number, cert.approval_document_number,
                     f"{cert.approval_date:%Y年%m月%d日}", cert.key_id):
        assert expected in text, expected
    assert app.person.id_number not in text  # masked on the face

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(ARTIFACTS / "certificate")], check=True)
    png = ARTIFACTS / "certificate.png"
    image = Image.open(png).convert("L")
    width, height = image.size
    assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
    text_area = image.crop((int(width * 0.15), int(height * 0.15), int(width * 0.85), int(height * 0.65)))
    dark = sum(1 for p in text_area.get_flattened_data() if p < 128)
    assert dark > 0.01 * text_area.width * text_area.height, "the text area is blank"

    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == verification_url(cert)
    page = client.get(decoded.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200 and "证书有效，电子签名核验通过" in page.content.decode()


@pytest.mark.django_db
def test_revoked_certificate_prints_as_revoked(make_applicant, tmp_path):
    from zhicheng.certificates.services import revoke_certificate
    from zhicheng.declarations.holders import regional_hr_department

    from ..conftest import staff_of

    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    cert = revoke_certificate(Certificate.objects.get(application=app), staff_of(regional_hr_department()),
                              reason="论文抄袭", document_number="内人社职撤〔2021〕4号")
    pdf = tmp_path / "revoked.pdf"
    pdf.write_bytes(certificate_pdf(cert))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"本证书已于{cert.revoked_on:%Y年%m月%d日}撤销（内人社职撤〔2021〕4号）" in text
