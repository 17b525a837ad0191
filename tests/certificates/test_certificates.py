"""Issuing, verifying and tampering with certificates; revocation and the blacklist (七（五）2; 八（三））."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from zhicheng.audit.services import verify_chain
from zhicheng.catalogue.models import AnnualPlan, Series
from zhicheng.certificates import signing
from zhicheng.certificates.models import Certificate, CertificateStatus, Filing
from zhicheng.certificates.services import CertificateError, payload, revoke_certificate, verify
from zhicheng.core import clock
from zhicheng.declarations.services import GuardFailed, start_declaration
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.people.models import BlacklistEntry, TitleHeld

from ..conftest import staff_of
from ..cycle_helpers import advance


@pytest.fixture
def certified(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    return app, day


def _api_verify(client, number, name, **extra):
    return client.post("/api/certificates/verify", data=json.dumps({"number": number, "name": name}),
                       content_type="application/json", **extra)


@pytest.mark.django_db
def test_certify_issues_a_signed_certificate_with_the_title_in_the_archive(certified):
    app, _ = certified
    cert = Certificate.objects.get(application=app)
    filing = Filing.objects.get(entries__application=app)
    issued = Certificate.objects.get(application=app).issued_on
    # region 150000, year, level 4 (副高级), series 09 (工程 is ninth in the catalogue), sequence
    assert cert.number[:13] == f"150000{issued.year}409" and len(cert.number) == 19 and cert.number.isdigit()
    assert cert.holder_name == app.person.name and cert.title_name == "高级工程师" and cert.series_name == "工程"
    assert cert.approval_document_number == filing.document_number and cert.approval_date == filing.approved_on
    assert cert.committee_name == app.committee.name
    held = TitleHeld.objects.get(person=app.person, certificate_number=cert.number)
    assert held.level == app.level and cert.title_held == held
    assert verify(cert).valid
    assert verify_chain().ok


@pytest.mark.django_db
def test_numbers_follow_the_scheme_and_are_never_reused(make_applicant):
    first, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    second, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    a, b = Certificate.objects.get(application=first), Certificate.objects.get(application=second)
    assert a.number[:13] == b.number[:13]  # same region, year, level, series
    assert int(b.number[13:]) == int(a.number[13:]) + 1
    with pytest.raises(PermissionError):
        a.delete()


@pytest.mark.django_db
def test_public_api_verifies_and_any_altered_field_fails(client, certified):
    app, _ = certified
    cert = Certificate.objects.get(application=app)
    body = _api_verify(client, cert.number, cert.holder_name).json()
    assert body["found"] and body["valid"] and body["signature_valid"]
    assert body["certificate"]["id_number_masked"] != app.person.id_number
    assert app.person.id_number not in json.dumps(body, ensure_ascii=False)

    # The signature checks out independently with the published key over the canonical JSON.
    key = client.get("/api/certificates/public-key").json()
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    import base64

    from zhicheng.core.canonical import canonical_json

    load_pem_public_key(key["public_key_pem"].encode()).verify(base64.b64decode(body["signature"]), canonical_json(body["signed_payload"]))

    for field, value in [("title_name", "正高级工程师（改）"), ("approval_date", dt.date(2020, 1, 1)),
                         ("id_number", "150121198001011235"), ("holder_name", "李四")]:
        original = getattr(cert, field)
        Certificate.objects.filter(pk=cert.pk).update(**{field: value})
        name = value if field == "holder_name" else cert.holder_name
        altered = _api_verify(client, cert.number, name).json()
        assert altered["found"] and not altered["valid"] and not altered["signature_valid"], field
        assert "篡改" in altered["problems"][0]
        Certificate.objects.filter(pk=cert.pk).update(**{field: original})
    assert _api_verify(client, cert.number, cert.holder_name).json()["valid"]


@pytest.mark.django_db
def test_a_wrong_name_finds_nothing(client, certified):
    cert = Certificate.objects.get(application=certified[0])
    assert _api_verify(client, cert.number, "不是本人").json() == {
        "found": False, "valid": False, "signature_valid": False, "status_consistent": False,
        "problems": ["未查到与该证书编号和姓名相符的证书。"], "certificate": None, "signed_payload": None, "key_id": "", "signature": ""}


@pytest.mark.django_db
def test_revoked_certificate_shows_revoked_and_blacklists_the_holder(client, certified):
    app, day = certified
    cert = Certificate.objects.get(application=app)
    from zhicheng.declarations.holders import regional_hr_department

    regional = staff_of(regional_hr_department())
    with clock.frozen(day):
        with pytest.raises(CertificateError):
            revoke_certificate(cert, regional, reason="论文抄袭", document_number="")
        with pytest.raises(CertificateError):
            revoke_certificate(cert, staff_of(app.committee.office), reason="论文抄袭", document_number="内人社职撤〔2021〕9号")
        revoke_certificate(cert, regional, reason="代表作系抄袭他人论文", document_number="内人社职撤〔2021〕9号")
    app.refresh_from_db()
    cert.refresh_from_db()
    assert app.state == State.REVOKED and cert.status == CertificateStatus.REVOKED
    assert not TitleHeld.objects.filter(person=app.person, certificate_number=cert.number).exists()
    entry = BlacklistEntry.objects.get(person=app.person)
    assert entry.listed_on == day and entry.document_number == "内人社职撤〔2021〕9号"

    body = _api_verify(client, cert.number, cert.holder_name).json()
    assert body["found"] and body["signature_valid"] and not body["valid"]
    assert body["certificate"]["status"] == "revoked"
    assert body["certificate"]["revoked_on"] == day.isoformat()
    assert body["certificate"]["revocation_reason"] == "代表作系抄袭他人论文"
    page = client.get(reverse("certificate_verify"), {"number": cert.number, "name": cert.holder_name}).content.decode()
    assert "该证书已撤销" in page and "内人社职撤〔2021〕9号" in page

    # Quietly setting it back to valid in the database does not make it valid again.
    Certificate.objects.filter(pk=cert.pk).update(status=CertificateStatus.VALID, revoked_on=None)
    body = _api_verify(client, cert.number, cert.holder_name).json()
    assert not body["valid"] and not body["status_consistent"]
    assert verify_chain().ok


@pytest.mark.django_db
def test_revoke_transition_from_the_workflow_also_revokes_and_blacklists(certified):
    from zhicheng.declarations.holders import regional_hr_department
    from zhicheng.declarations.services import transition

    app, day = certified
    with clock.frozen(day):
        transition(app, "revoke", staff_of(regional_hr_department()), note="伪造业绩证明",
                   payload={"document_number": "内人社职撤〔2021〕2号"})
    cert = Certificate.objects.get(application=app)
    assert cert.status == CertificateStatus.REVOKED and cert.revocation_document_number == "内人社职撤〔2021〕2号"
    assert BlacklistEntry.objects.filter(person=app.person, reason="伪造业绩证明").exists()


@pytest.mark.django_db
def test_blacklisted_person_is_refused_for_three_years_and_accepted_in_the_fourth(make_applicant):
    app = make_applicant(P.regular_engineer())
    person, series = app.person, Series.objects.get(code="engineering")
    BlacklistEntry.objects.create(person=person, listed_on=dt.date(2021, 9, 6), reason="论文抄袭", document_number="内人社职撤〔2021〕1号")
    for year in (2022, 2023, 2024, 2025):
        # No rule set needs to exist for these years: the refusal is the declaration's own.
        AnnualPlan.objects.get_or_create(year=year, defaults={"notice_number": f"{year}年度通知", "ruleset": f"none-{year}",
                                                              **AnnualPlan.defaults_for(year)})
    for year in (2022, 2023, 2024):
        with clock.frozen(dt.date(year, 6, 1)), pytest.raises(GuardFailed) as refused:
            start_declaration(person=person, plan=AnnualPlan.objects.get(year=year), series=series, level="full_senior",
                              actor=person.account)
        assert "八（三）" in str(refused.value) and "2022年至2024年" in str(refused.value)
    with clock.frozen(dt.date(2025, 6, 1)):
        later = start_declaration(person=person, plan=AnnualPlan.objects.get(year=2025), series=series, level="full_senior",
                                  actor=person.account)
    assert later.state == State.DRAFT and later.plan.year == 2025


@pytest.mark.django_db
def test_the_signing_key_is_published_on_a_page(client):
    key = signing.current_key()
    page = client.get(reverse("signing_key")).content.decode()
    assert key.key_id in page and "BEGIN PUBLIC KEY" in page
    assert client.get(reverse("signing_key"), {"format": "pem"}).content.decode() == signing.public_pem(key.public)


@pytest.mark.django_db
def test_payload_is_what_is_signed(certified):
    cert = Certificate.objects.get(application=certified[0])
    assert signing.check(payload(cert), cert.key_id, cert.signature)
    assert not signing.check({**payload(cert), "level": "junior"}, cert.key_id, cert.signature)
