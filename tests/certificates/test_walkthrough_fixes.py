"""Defects new users found in the filing (核准备案) and certificate pages, each pinned by a test:

1. a revoked certificate's PDF carries the reason of the revocation, and no empty parentheses;
2. every line of the certificate face stays inside the red frame, however long its values (wrapped, not cut);
3. the filing page offers the batch rendering of certificate PDFs only once certificates exist, and a
   rendering that finds none says why;
4. returning a filing without a reason says that the reason is required and keeps what was typed;
5. a result filed directly by the approving body still carries what 七（五）1 asks for, and cannot pass by a
   returned batch;
6. the filing deadline is one month after the results publicity ended (七（五）1), the year's 12月31日 is the
   date by which filing is completed (三（二））, and the pages say which is which;
7. submitting, approving and returning a filing ask once, with what they do and the counts.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html import unescape

import pytest
from django.urls import reverse

from zhicheng.catalogue.models import Level, Series
from zhicheng.certificates.exchange import approve_exchange, file_exchange
from zhicheng.certificates.filing import approve_filing, filing_warnings, one_month_after, return_filing, submit_filings
from zhicheng.certificates.models import Certificate, Filing, FilingStatus
from zhicheng.certificates.rendering import certificate_pdf
from zhicheng.core import clock
from zhicheng.declarations.holders import regional_hr_department
from zhicheng.declarations.services import GuardFailed, transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.documents.pdf import PAGE
from zhicheng.files.services import store_file
from zhicheng.jobs.models import Job, JobStatus
from zhicheng.jobs.runner import run_job

from ..conftest import staff_of
from ..cycle_helpers import advance

CONFIRM = {"confirm": "yes"}
MM = 72 / 25.4
HEBEI = {"issuer": "河北省人力资源和社会保障厅", "committee": "河北省工程技术系列高级职称评审委员会",
         "number": "冀高职证字〔2016〕第0428号"}


def pdf_words(data: bytes, tmp_path) -> list[tuple[float, float, float, float, str]]:
    """Every word pdftotext finds on the first page, with its box (points, from the top left)."""
    path = tmp_path / "face.pdf"
    path.write_bytes(data)
    xhtml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout
    return [(float(x0), float(y0), float(x1), float(y1), unescape(word)) for x0, y0, x1, y1, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', xhtml)]


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def region_staff():
    return staff_of(regional_hr_department())


def result_publicity_end(app) -> dt.date:
    return app.publicities.filter(kind="result").get().ends_on


def page(response) -> str:
    return unescape(response.content.decode())


# ---- 1. the revoked certificate's PDF --------------------------------------------------------

@pytest.mark.django_db
def test_a_revoked_certificates_pdf_says_why_and_shows_no_empty_parentheses(make_applicant, tmp_path):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    reason = "经查实申报材料中论文系抄袭，依据八（三）撤销；内人社职撤〔2021〕1号"
    with clock.frozen(day):
        transition(app, "revoke", region_staff(), note=reason)  # as the demo revokes: a note, no separate number
    cert = Certificate.objects.get(application=app)
    assert cert.revocation_document_number == ""
    text = flat(pdf_text(certificate_pdf(cert), tmp_path))
    assert f"本证书已于{cert.revoked_on:%Y年%m月%d日}撤销" in text
    assert "撤销（）" not in text and "（）" not in text
    assert f"撤销原因：{reason}" in text


@pytest.mark.django_db
def test_a_long_revocation_reason_is_wrapped_inside_the_frame(make_applicant, tmp_path):
    from zhicheng.certificates.services import revoke_certificate

    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    reason = "经核查，申报人在申报材料中提交的代表作论文系抄袭他人已发表成果，所附获奖证书系伪造，" * 3
    cert = revoke_certificate(Certificate.objects.get(application=app), region_staff(), reason=reason[:200],
                              document_number="内人社职撤〔2021〕4号")
    data = certificate_pdf(cert)
    text = flat(pdf_text(data, tmp_path))
    assert f"本证书已于{cert.revoked_on:%Y年%m月%d日}撤销（内人社职撤〔2021〕4号）" in text
    assert flat(f"撤销原因：{reason[:200]}") in text
    width, height = PAGE
    for x0, y0, x1, y1, word in pdf_words(data, tmp_path):
        if word in ("已撤销",) or word.startswith(f"{cert.revoked_on:%Y年}"):
            continue  # the rotated watermark
        assert 15 * MM <= x0 and x1 <= width - 15 * MM, word


# ---- 2. long values stay inside the frame ------------------------------------------------------

def exchanged_certificate(make_applicant) -> Certificate:
    """The demo's exchange: a 高级工程师 certificate from Hebei, approved by the region."""
    holder = make_applicant(P.regular_engineer()).person
    evidence = store_file("资格证书.pdf", b"%PDF-1.4\n%%EOF\n")
    req = file_exchange(actor=holder.account, origin="province", original_issuer=HEBEI["issuer"], original_number=HEBEI["number"],
                        original_committee=HEBEI["committee"], series=Series.objects.get(code="engineering"),
                        level=Level.ASSOCIATE_SENIOR, title_name="高级工程师", specialty="电气工程",
                        obtained_on=dt.date(2016, 12, 20), evidence=evidence)
    return approve_exchange(req, region_staff(), document_number="内人社职换〔2021〕3号")


def assert_inside_the_frame(words, *, width, height):
    qr = (width - 35 * MM - 42 * MM, height - 74 * MM, width - 35 * MM, height - 32 * MM)  # x0, top, x1, bottom
    for x0, y0, x1, y1, word in words:
        assert 15 * MM <= x0 and x1 <= width - 15 * MM and 15 * MM <= y0 and y1 <= height - 15 * MM, f"{word} leaves the frame"
        assert x1 <= qr[0] or x0 >= qr[2] or y1 <= qr[1] or y0 >= qr[3], f"{word} runs into the QR code"
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            overlap_x = min(a[2], b[2]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, f"{a[4]} runs over {b[4]}"


@pytest.mark.django_db
def test_an_exchanged_certificate_shows_the_whole_original_number_inside_the_frame(make_applicant, tmp_path):
    cert = exchanged_certificate(make_applicant)
    data = certificate_pdf(cert)
    words = pdf_words(data, tmp_path)
    width, height = PAGE
    assert_inside_the_frame(words, width=width, height=height)
    text = flat("".join(w[4] for w in words))
    assert HEBEI["number"] in text and HEBEI["issuer"] in text and HEBEI["committee"] in text


@pytest.mark.django_db
def test_every_line_of_the_face_wraps_inside_the_frame_at_the_longest_values(make_applicant, tmp_path):
    cert = exchanged_certificate(make_applicant)
    # Each value at the longest its column holds (not saved: the face is drawn from these fields).
    cert.holder_name = "阿拉坦其其格·巴特尔乌力吉图雅" * 3
    cert.holder_name = cert.holder_name[:40]
    cert.specialty = ("电气工程及其自动化（输配电与用电技术方向）" * 3)[:60]
    cert.title_name = ("正高级工程师（教授级高级工程师）" * 3)[:40]
    cert.committee_name = ("河北省工程技术系列电气工程专业高级职称评审委员会（原河北省电力工程高级职称评审委员会）" * 3)[:120]
    cert.issuer_name = ("内蒙古自治区人力资源和社会保障厅（内蒙古自治区公务员局、职称改革工作领导小组办公室）" * 3)[:120]
    cert.approval_document_number = ("内人社职换〔2021〕第0003号（补发）" * 4)[:60]
    cert.original = {**cert.original, "issuer": ("新疆生产建设兵团人力资源和社会保障局（兵团职称改革领导小组办公室）" * 3)[:120],
                     "number": ("兵高职证字〔2016〕第0428-0001号" * 3)[:60]}
    data = certificate_pdf(cert)
    words = pdf_words(data, tmp_path)
    width, height = PAGE
    assert_inside_the_frame(words, width=width, height=height)
    text = flat("".join(w[4] for w in words))
    for value in (cert.holder_name, cert.specialty, cert.title_name, cert.committee_name, cert.issuer_name,
                  cert.approval_document_number, cert.original["issuer"], cert.original["number"]):
        assert flat(value) in text, value


# ---- 3. rendering a batch's certificate PDFs ----------------------------------------------------

@pytest.fixture
def approved_batch(make_applicant):
    """One senior result, submitted by its committee's office and approved by the region; no certificate yet."""
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    day = result_publicity_end(app) + dt.timedelta(days=3)
    with clock.frozen(day):
        [filing] = submit_filings(committee=app.committee, year=2021, actor=staff_of(app.committee.office))
        approve_filing(filing, region_staff(), document_number="内人社职备〔2021〕7号")
    app.refresh_from_db()
    return app, filing, day


@pytest.mark.django_db
def test_the_batch_rendering_is_offered_only_once_certificates_are_issued(client, approved_batch):
    app, filing, day = approved_batch
    client.force_login(region_staff())
    url = reverse("filing_detail", args=[filing.pk])
    before = page(client.get(url))
    assert 'name="filing"' not in before and "生成本批电子证书PDF" not in before
    assert "尚未制发电子证书" in before
    with clock.frozen(day):
        transition(app, "certify", region_staff())
    after = page(client.get(url))
    assert 'name="filing"' in after and "生成本批电子证书PDF" in after and "已制发电子证书1份" in after


@pytest.mark.django_db
def test_a_rendering_that_finds_no_certificate_says_why(client, approved_batch):
    app, filing, _ = approved_batch
    client.force_login(region_staff())
    client.post(reverse("certificate_render"), {"filing": filing.pk})
    job = Job.objects.latest("pk")
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["rendered"] == 0
    assert "尚未制发电子证书" in job.result["summary"] and "七（五）2" in job.result["summary"]
    client.post(reverse("certificate_render"), {"year": 1999})
    job = Job.objects.latest("pk")
    run_job.call(job.pk)
    job.refresh_from_db()
    assert "1999年没有制发的电子证书" in job.result["summary"]


# ---- 4. returning without a reason ----------------------------------------------------------------

@pytest.fixture
def submitted_batch(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    day = result_publicity_end(app) + dt.timedelta(days=3)
    with clock.frozen(day):
        [filing] = submit_filings(committee=app.committee, year=2021, actor=staff_of(app.committee.office))
    return app, filing, day


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["   ", "有误"])
def test_returning_without_a_reason_says_it_is_required_and_keeps_what_was_typed(client, submitted_batch, typed):
    _, filing, day = submitted_batch
    client.force_login(region_staff())
    with clock.frozen(day):
        response = client.post(reverse("filing_detail", args=[filing.pk]), {"decision": "return", "reason": typed, **CONFIRM})
    body = page(response)
    assert response.status_code == 200 and "请写明退回原因" in body
    assert f'value="{typed}"' in body
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


# ---- 5. filing a result directly ------------------------------------------------------------------

@pytest.mark.django_db
def test_a_result_filed_directly_carries_the_roster_the_objections_and_a_report(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    ended = result_publicity_end(app)
    with clock.frozen(ended + dt.timedelta(days=40)):
        transition(app, "file", region_staff())
    filing = Filing.objects.get(entries__application=app)
    assert filing.direct and filing.status == FilingStatus.APPROVED
    assert filing.review_ended_on == ended and filing.due_on == one_month_after(ended) and filing.late
    assert "直接核准备案" in filing.report and "公示" in filing.report and "七（五）" in filing.report
    assert "公示期间未收到举报和异议" in filing.report and app.person.name in filing.report
    client.force_login(region_staff())
    detail = page(client.get(reverse("filing_detail", args=[filing.pk])))
    assert app.person.name in detail and "直接核准备案" in detail and "报送：" not in detail
    listing = page(client.get(reverse("filing_queue")))
    assert "直接核准备案" in listing


@pytest.mark.django_db
def test_a_result_of_a_returned_batch_is_not_filed_around_the_return(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    with clock.frozen(result_publicity_end(app) + dt.timedelta(days=3)):
        [filing] = submit_filings(committee=app.committee, year=2021, actor=staff_of(app.committee.office))
        return_filing(filing, region_staff(), reason="公示期间举报事项处理情况不完整")
        with pytest.raises(GuardFailed, match="七（五）1"):
            transition(app, "file", region_staff())
    app.refresh_from_db()
    assert app.state == State.RESULT_PUBLISHED


# ---- 6. the deadline -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_deadline_is_one_month_after_the_results_publicity_ended(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    ended = result_publicity_end(app)
    office = staff_of(app.committee.office)
    with clock.frozen(ended + dt.timedelta(days=2)):
        [warning] = filing_warnings(office)
        assert (warning.review_ended_on, warning.due_on) == (ended, one_month_after(ended))
        client.force_login(office)
        queue = page(client.get(reverse("filing_queue")))
        assert f"{one_month_after(ended):%Y-%m-%d}" in queue and "结果公示期满" in queue and "2021-12-31" in queue
        [filing] = submit_filings(committee=app.committee, year=2021, actor=office)
    assert (filing.review_ended_on, filing.due_on, filing.late) == (ended, one_month_after(ended), False)
    detail = page(client.get(reverse("filing_detail", args=[filing.pk])))
    assert f"{one_month_after(ended):%Y-%m-%d}" in detail and "2021-12-31" in detail and "三（二）" in detail


# ---- 7. asking once ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_office_is_asked_once_before_submitting_with_the_counts(client, make_applicant):
    apps = [advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)[0] for _ in range(2)]
    office = staff_of(apps[0].committee.office)
    due = one_month_after(result_publicity_end(apps[0]))
    client.force_login(office)
    with clock.frozen(due + dt.timedelta(days=4)):
        asked = page(client.post(reverse("filing_queue"), {"year": 2021, "report": ""}))
        assert not Filing.objects.exists(), "asked, not done"
        assert 'name="confirm" value="yes"' in asked and "2人" in asked and regional_hr_department().name in asked
        assert "已逾期4天" in asked and "逾期报备" in asked
        done = client.post(reverse("filing_queue"), {"year": 2021, "report": "", **CONFIRM})
    filing = Filing.objects.get()
    assert done.status_code == 302 and filing.late and filing.entries.count() == 2


@pytest.mark.django_db
def test_returning_a_filing_is_asked_once_with_what_it_does(client, submitted_batch):
    app, filing, day = submitted_batch
    client.force_login(region_staff())
    url = reverse("filing_detail", args=[filing.pk])
    with clock.frozen(day):
        asked = page(client.post(url, {"decision": "return", "reason": "花名册有误，请核对"}))
        filing.refresh_from_db()
        assert filing.status == FilingStatus.SUBMITTED and 'name="confirm" value="yes"' in asked
        assert "花名册有误，请核对" in asked and "1人" in asked and "重新报送" in asked
        client.post(url, {"decision": "return", "reason": "花名册有误，请核对", **CONFIRM})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RETURNED and filing.return_reason == "花名册有误，请核对"
