"""The pledge archive, exchanges from elsewhere, the rate limit, and the holder's own pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.catalogue.models import Series
from zhicheng.certificates import conf
from zhicheng.certificates.exchange import approve_exchange, file_exchange
from zhicheng.certificates.integrity import pledge_intact
from zhicheng.certificates.models import (Certificate, CertificateKind, ExchangeStatus, PledgeRecord,
                                          VerificationLookup)
from zhicheng.certificates.services import CertificateError, verify
from zhicheng.core import clock
from zhicheng.declarations.holders import regional_hr_department
from zhicheng.declarations.services import transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.files.services import store_file
from zhicheng.people.models import TitleHeld

from ..conftest import staff_of
from ..cycle_helpers import actor_for, advance

PLEDGE = "本人承诺所提交的申报材料真实、准确、完整。"


@pytest.mark.django_db
def test_pledge_is_kept_as_signed_and_archived_after_review(make_applicant, client):
    app = make_applicant(P.regular_engineer())
    record = PledgeRecord.objects.get(application=app)
    assert record.text == PLEDGE and record.signer == app.person.account and record.sha256 == app.pledge_sha256
    assert record.archived_at is None and pledge_intact(record)

    app, _, _ = advance(app, State.PASSED)
    record.refresh_from_db()
    assert record.archived_at is not None and record.review_outcome == "评审通过"
    assert AuditEntry.objects.filter(action="pledge.archive", object_id=str(record.pk)).exists()

    client.force_login(app.person.account)
    response = client.get(reverse("pledge_pdf", args=[app.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(make_applicant(P.regular_engineer()).person.account)
    assert client.get(reverse("pledge_pdf", args=[app.pk])).status_code == 404

    PledgeRecord.objects.filter(pk=record.pk).update(text=PLEDGE + "（已改）")
    record.refresh_from_db()
    assert not pledge_intact(record)


@pytest.mark.django_db
def test_fraud_veto_fails_at_once_and_archives_the_pledge(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.UNDER_REVIEW)
    with clock.frozen(day):
        transition(app, "veto", actor_for(app), note="学术不端：代表作抄袭")
    app.refresh_from_db()
    assert app.state == State.FAILED
    assert PledgeRecord.objects.get(application=app).review_outcome == "评审未通过"


@pytest.mark.django_db
def test_certificate_from_elsewhere_is_checked_and_exchanged(make_applicant):
    person = make_applicant(P.regular_engineer()).person
    scan = store_file("原证书.pdf", b"%PDF-1.4\n%%EOF\n")
    with clock.frozen(dt.date(2021, 10, 8)):
        request = file_exchange(actor=person.account, origin="province", original_issuer="陕西省人力资源和社会保障厅",
                                original_number="SX2015-GC-0099", original_committee="陕西省工程系列高级职称评审委员会",
                                series=Series.objects.get(code="engineering"), level="associate_senior", title_name="高级工程师",
                                specialty="土木工程", obtained_on=dt.date(2015, 12, 30), evidence=scan)
        assert request.competent_body == regional_hr_department()  # senior: the region (七（五）4)
        with pytest.raises(CertificateError):
            approve_exchange(request, staff_of(person.unit), document_number="内人社职换〔2021〕3号")
        cert = approve_exchange(request, staff_of(regional_hr_department()), document_number="内人社职换〔2021〕3号")
    request.refresh_from_db()
    assert request.status == ExchangeStatus.APPROVED and request.certificate == cert
    assert cert.kind == CertificateKind.EXCHANGE and cert.number.startswith("1500002021409")
    assert cert.original["number"] == "SX2015-GC-0099" and cert.original["issuer"] == "陕西省人力资源和社会保障厅"
    assert TitleHeld.objects.filter(person=person, certificate_number=cert.number, obtained_on=dt.date(2015, 12, 30)).exists()
    assert verify(cert).valid
    with pytest.raises(CertificateError, match="已换发"):
        file_exchange(actor=person.account, origin="province", original_issuer="陕西省人力资源和社会保障厅",
                      original_number="SX2015-GC-0099", original_committee="x", series=cert.series, level="associate_senior",
                      title_name="高级工程师", specialty="", obtained_on=dt.date(2015, 12, 30), evidence=scan)


@pytest.mark.django_db
def test_exchange_form_files_a_request(client, make_applicant):
    person = make_applicant(P.regular_engineer()).person
    client.force_login(person.account)

    def post(obtained_on):
        return client.post(reverse("exchange_new"), {
            "origin": "army", "original_issuer": "中国人民解放军某部政治工作部", "original_committee": "军队工程系列中级职称评审委员会",
            "original_number": "JD2012-0456", "series": Series.objects.get(code="engineering").pk, "level": "intermediate",
            "title_name": "工程师", "specialty": "", "obtained_on": obtained_on,
            "evidence": SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        })

    early = post("1900-01-01")
    assert early.status_code == 200 and "早于您年满14周岁" in early.content.decode(), "a title before the holder could work"
    assert not person.exchange_requests.exists()
    response = post("2012-11-01")
    assert response.status_code == 302
    request = person.exchange_requests.get()
    assert request.origin == "army" and request.competent_body.kind == "hr_bureau"  # intermediate: the league/city bureau


@pytest.mark.django_db
def test_lookups_are_rate_limited_per_ip_with_a_chinese_429(client, make_applicant, monkeypatch):
    monkeypatch.setattr(conf, "LOOKUPS_PER_MINUTE", 3)
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    cert = Certificate.objects.get(application=app)
    body = json.dumps({"number": cert.number, "name": cert.holder_name, "verifier": "某某公司人力资源部"})
    for _ in range(3):
        assert client.post("/api/certificates/verify", body, content_type="application/json").status_code == 200
    refused = client.post("/api/certificates/verify", body, content_type="application/json")
    assert refused.status_code == 429 and "查询过于频繁" in refused.json()["detail"]
    page = client.get(reverse("certificate_verify"), {"number": cert.number, "name": cert.holder_name})
    assert page.status_code == 429 and "查询过于频繁" in page.content.decode()
    other_ip = client.post("/api/certificates/verify", body, content_type="application/json", REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200


@pytest.mark.django_db
def test_holder_sees_their_certificates_and_who_verified_them(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    cert = Certificate.objects.get(application=app)
    client.get(reverse("certificate_verify"), {"number": cert.number, "name": cert.holder_name, "verifier": "呼和浩特某设计院"},
               REMOTE_ADDR="192.168.7.9")
    client.get(reverse("certificate_scan", args=[cert.number, cert.check_code]))
    assert VerificationLookup.objects.filter(certificate=cert).count() == 2

    client.force_login(app.person.account)
    page = client.get(reverse("my_certificates")).content.decode()
    assert cert.number in page and "呼和浩特某设计院" in page and "192.168.*.*" in page and "扫码核验" in page
    pdf = client.get(reverse("certificate_pdf", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    client.force_login(make_applicant(P.regular_engineer()).person.account)
    assert client.get(reverse("certificate_pdf", args=[cert.pk])).status_code == 404


@pytest.mark.django_db
def test_revoke_page_is_for_the_region_only(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    cert = Certificate.objects.get(application=app)
    region = staff_of(regional_hr_department())
    client.force_login(region)
    # A one-letter reason (published on the verification page, the holder blacklisted) went on to the confirmation.
    bare = client.post(reverse("certificate_revoke", args=[cert.pk]), {"reason": "x", "document_number": "", "confirm": "yes"})
    body = bare.content.decode()
    assert "撤销原因至少写4个字（现在1个字）" in body and "请填写处理文号。" in body and "确认撤销" not in body
    cert.refresh_from_db()
    assert cert.status == "valid"
    response = client.post(reverse("certificate_revoke", args=[cert.pk]),
                           {"reason": "伪造获奖证书", "document_number": "内人社职撤〔2021〕5号", "confirm": "yes"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "revoked"
    client.force_login(app.person.account)
    assert client.get(reverse("certificate_revoke", args=[cert.pk])).status_code == 403


def test_openapi_lists_the_public_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/certificates/verify", "/api/certificates/public-key", "/api/certificates/{number}/scan"} <= set(schema["paths"])
    assert client.get("/api/docs").status_code == 200


def _shaanxi_exchange(person, number: str):
    """An exchange request for a senior engineer's certificate from Shaanxi (the two decision tests below)."""
    return file_exchange(actor=person.account, origin="province", original_issuer="陕西省人力资源和社会保障厅",
                         original_number=number, original_committee="陕西省工程系列高级职称评审委员会",
                         series=Series.objects.get(code="engineering"), level="associate_senior", title_name="高级工程师",
                         specialty="土木工程", obtained_on=dt.date(2015, 12, 30), evidence=store_file("原证书.pdf", b"%PDF-1.4\n%%EOF\n"))


@pytest.mark.django_db
def test_a_supervisor_in_the_deciding_department_reads_an_exchange_but_cannot_decide_it(client, make_applicant):
    """The supervisor's account belongs to the regional department, which decides senior exchanges (七（五）4):
    it sees the request without the buttons, its POST is refused with a message, and the service refuses it too."""
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role

    person = make_applicant(P.regular_engineer()).person
    supervisor = User.objects.create(username="supervisor-x", role=Role.SUPERVISOR, organisation=regional_hr_department())
    with clock.frozen(dt.date(2021, 10, 8)):
        req = _shaanxi_exchange(person, "SX2015-GC-0099")
        url = reverse("exchange_detail", args=[req.pk])
        client.force_login(supervisor)
        page = client.get(url).content.decode()
        assert "SX2015-GC-0099" in page and 'value="approve"' not in page
        answer = client.post(url, {"decision": "approve", "document_number": "内人社职换〔2021〕3号", "confirm": "yes"}, follow=True)
        assert "监督账号只能查看，不能办理。" in answer.content.decode()
        with pytest.raises(CertificateError):
            approve_exchange(req, supervisor, document_number="内人社职换〔2021〕3号")
        client.force_login(staff_of(regional_hr_department()))
        assert 'value="approve"' in client.get(url).content.decode(), "the department's own staff see the buttons"
    req.refresh_from_db()
    assert req.status == ExchangeStatus.SUBMITTED and not Certificate.objects.filter(person=person).exists()


@pytest.mark.django_db
def test_a_refused_exchange_decision_keeps_what_was_typed(client, make_applicant):
    """Approving without a number or refusing with too short a reason redirected with a message and lost the
    note and number the officer had written; the refusal is now shown on the form holding both."""
    person = make_applicant(P.regular_engineer()).person
    with clock.frozen(dt.date(2021, 10, 8)):
        req = _shaanxi_exchange(person, "SX2015-GC-0100")
        url = reverse("exchange_detail", args=[req.pk])
        client.force_login(staff_of(regional_hr_department()))
        approve = client.post(url, {"decision": "approve", "document_number": "", "note": "原证书经陕西省核验属实"})
        body = approve.content.decode()
        assert approve.status_code == 200 and "请填写核准文号。" in body and "原证书经陕西省核验属实" in body
        reject = client.post(url, {"decision": "reject", "document_number": "内人社职换〔2021〕4号", "note": "不符"})
        body = reject.content.decode()
        assert "请写明不予换发的理由。" in body and "内人社职换〔2021〕4号" in body and 'value="approve"' in body
    req.refresh_from_db()
    assert req.status == ExchangeStatus.SUBMITTED


@pytest.mark.django_db
def test_a_lookup_that_finds_nothing_keeps_the_number_and_says_which_way_was_used(client):
    """A search that found nothing came back with an empty form (the number and name retyped to correct one
    character), and a QR link that found nothing spoke of a number and a name the scanner never typed."""
    typed = client.get(reverse("certificate_verify"), {"number": "1500002021409009999", "name": "董额尔敦"}).content.decode()
    assert "未查到与该证书编号和姓名相符的证书。" in typed
    assert 'value="1500002021409009999"' in typed and 'value="董额尔敦"' in typed
    scanned = client.get(reverse("certificate_scan", args=["1500002021409009999", "wrongcode123"])).content.decode()
    assert "未查到与该二维码相符的证书" in scanned and "编号和姓名相符" not in scanned
    assert 'value="1500002021409009999"' in scanned
    junk = client.get(reverse("certificate_scan", args=["9" * 200, "x"])).content.decode()
    assert 'value="999' not in junk and "未查到与该二维码相符的证书" in junk


@pytest.mark.django_db
def test_the_apis_scan_miss_speaks_of_the_code_not_a_name(client):
    """The API's QR check answered a miss with 'no certificate matches the number and name', though a scan sends no name."""
    scanned = client.get("/api/certificates/1500002021409009999/scan", {"code": "wrongcode123"}).json()
    assert scanned["found"] is False and "未查到与该二维码相符的证书" in scanned["problems"][0]
    typed = client.post("/api/certificates/verify", json.dumps({"number": "1500002021409009999", "name": "董额尔敦"}),
                        content_type="application/json").json()
    assert typed["problems"] == ["未查到与该证书编号和姓名相符的证书。"]
