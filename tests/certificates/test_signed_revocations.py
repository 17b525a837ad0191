"""Signed revocations (issue 12, finding 4): a revocation cannot be undone or rewritten in the database
without the signing key, and the verification page and API say so when someone tried."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.audit.services import compute_hash
from zhicheng.certificates import revocations, signing
from zhicheng.certificates.models import Certificate, CertificateStatus, RevocationList
from zhicheng.certificates.services import CertificateError, revoke_certificate, verify
from zhicheng.core import clock
from zhicheng.core.canonical import canonical_json
from zhicheng.declarations.holders import regional_hr_department
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P

from ..conftest import staff_of
from ..cycle_helpers import advance

REASON, DOCUMENT = "代表作系抄袭他人论文", "内人社职撤〔2021〕9号"


@pytest.fixture
def list_file(tmp_path, monkeypatch):
    path = tmp_path / "signing" / "revocations.jsonl"
    monkeypatch.setenv("ZHICHENG_REVOCATION_LIST_FILE", str(path))
    return path


@pytest.fixture
def certify(make_applicant):
    def make():
        app, _, day = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
        return Certificate.objects.get(application=app), day
    return make


@pytest.fixture
def revoke(list_file, django_capture_on_commit_callbacks):
    """Revoke as the regional department and let the commit hooks run (the file is written after commit)."""
    def run(cert, day, reason=REASON, document_number=DOCUMENT):
        with clock.frozen(day), django_capture_on_commit_callbacks(execute=True):
            revoke_certificate(cert, staff_of(regional_hr_department()), reason=reason, document_number=document_number)
        cert.refresh_from_db()
        return cert
    return run


def _api(client, cert):
    return client.post("/api/certificates/verify", data=json.dumps({"number": cert.number, "name": cert.holder_name}),
                       content_type="application/json").json()


def _page(client, cert):
    return client.get(reverse("certificate_verify"), {"number": cert.number, "name": cert.holder_name}).content.decode()


def _lines(path):
    return [json.loads(line) for line in path.read_bytes().splitlines()]


@pytest.mark.django_db
def test_a_revocation_is_signed_in_the_database_and_in_the_file(client, certify, revoke, list_file, django_assert_max_num_queries,
                                                               monkeypatch):
    parse = revocations._parse
    cert, day = certify()
    other, _ = certify()
    revoke(cert, day)

    row = RevocationList.objects.get()
    assert row.version == 1 and row.key_id == signing.current_key().key_id
    assert signing.check(row.payload, row.key_id, row.signature)
    assert row.payload["entries"] == [{"number": cert.number, "certificate_sha256": revocations.certificate_digest(cert),
                                       "revoked_on": day.isoformat(), "reason": REASON, "document_number": DOCUMENT}]
    assert _lines(list_file) == [{"payload": row.payload, "key_id": row.key_id, "signature": row.signature}]
    assert stat.S_IMODE(list_file.stat().st_mode) == 0o600

    body = _api(client, cert)
    assert body["found"] and body["signature_valid"] and body["status_consistent"] and not body["valid"]
    assert body["problems"] == []
    assert body["certificate"]["status"] == "revoked" and body["certificate"]["revocation_signed"]
    assert (body["certificate"]["revoked_on"], body["certificate"]["revocation_reason"]) == (day.isoformat(), REASON)
    page = _page(client, cert)
    assert "该证书已撤销" in page and DOCUMENT in page and 'role="alert"' not in page

    body = _api(client, other)
    assert body["valid"] and body["problems"] == [] and body["certificate"]["status"] == "valid"
    # The lookup stays cheap: rate limit, certificate, lookup log, and one query for the list; the file
    # is parsed once per change, not per lookup.
    parsed = []
    monkeypatch.setattr(revocations, "_parse", lambda *args: parsed.append(1) or parse(*args))
    for _ in range(3):
        with django_assert_max_num_queries(4):
            page = _page(client, other)
        assert "证书有效，电子签名核验通过" in page and 'role="alert"' not in page
    assert parsed == []
    list_file.write_bytes(list_file.read_bytes() + b"\n")
    assert _api(client, other)["valid"] and parsed == [1]


@pytest.mark.django_db
def test_an_edited_revocation_date_or_reason_shows_the_signed_one_with_a_warning(client, certify, revoke):
    cert, day = certify()
    revoke(cert, day)
    Certificate.objects.filter(pk=cert.pk).update(revoked_on=day.replace(year=2019), revocation_reason="误撤销",
                                                  revocation_document_number="内人社职撤〔2019〕1号")

    body = _api(client, cert)
    assert not body["valid"] and not body["status_consistent"]
    assert body["certificate"]["revoked_on"] == day.isoformat() and body["certificate"]["revocation_reason"] == REASON
    assert body["certificate"]["revocation_document_number"] == DOCUMENT
    assert any("与经签名的撤销记录不符" in p for p in body["problems"])
    page = _page(client, cert)
    assert "该证书已撤销" in page and "与经签名的撤销记录不符" in page and REASON in page and DOCUMENT in page
    assert "误撤销" not in page and "2019" not in page


def _erase_from_audit_chain(entry: AuditEntry) -> None:
    """What an operator of the database can do: delete one entry and re-hash everything after it, as raw SQL
    (past the ORM's refusals), with PostgreSQL's append-only triggers switched off by the tables' owner."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_audithead DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
        previous = AuditEntry.objects.filter(seq__lt=entry.seq).order_by("-seq").values_list("entry_hash", flat=True).first()
        seq, last_hash = entry.seq - 1, previous
        for row in AuditEntry.objects.filter(seq__gt=entry.seq).order_by("seq").values():
            seq += 1
            row.update(seq=seq, prev_hash=last_hash)
            last_hash = compute_hash(row)
            cursor.execute("UPDATE audit_auditentry SET seq = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
                           [seq, row["prev_hash"], last_hash, row["id"]])
        cursor.execute("UPDATE audit_audithead SET last_seq = %s, last_hash = %s", [seq, last_hash])


@pytest.mark.django_db
def test_undoing_a_revocation_in_the_database_and_the_audit_chain_still_answers_revoked(client, certify, revoke):
    cert, day = certify()
    revoke(cert, day)
    entry = AuditEntry.objects.get(action="certificate.revoke", object_id=str(cert.pk))
    _erase_from_audit_chain(entry)
    assert not AuditEntry.objects.filter(action="certificate.revoke", object_id=str(cert.pk)).exists()
    Certificate.objects.filter(pk=cert.pk).update(status=CertificateStatus.VALID, revoked_on=None, revocation_reason="",
                                                  revocation_document_number="")

    body = _api(client, cert)
    assert body["found"] and body["signature_valid"] and not body["valid"] and not body["status_consistent"]
    assert body["certificate"]["status"] == "revoked" and body["certificate"]["revoked_on"] == day.isoformat()
    assert any("状态被改为有效" in p for p in body["problems"])
    page = _page(client, cert)
    assert "该证书已撤销" in page and "状态被改为有效" in page and DOCUMENT in page


@pytest.mark.django_db
def test_deleting_the_newest_list_versions_from_the_database_is_caught_by_the_file(client, certify, revoke):
    first, day = certify()
    second, later = certify()
    revoke(first, day)
    revoke(second, later, reason="伪造业绩证明", document_number="内人社职撤〔2021〕10号")
    assert list(RevocationList.objects.order_by("version").values_list("version", flat=True)) == [1, 2]

    RevocationList.objects.filter(version=2).delete()
    Certificate.objects.filter(pk=second.pk).update(status=CertificateStatus.VALID, revoked_on=None)
    body = _api(client, second)
    assert not body["valid"] and body["certificate"]["status"] == "revoked"
    assert body["certificate"]["revocation_reason"] == "伪造业绩证明"
    assert any("清单可能被删除或回退" in p for p in body["problems"])
    # The first revocation is in the version left in the database: no warning there.
    assert _api(client, first)["problems"] == []

    RevocationList.objects.all().delete()
    assert _api(client, first)["certificate"]["status"] == "revoked"
    with pytest.raises(CommandError, match="被删除或回退"):
        call_command("certificates", "sign-revocations")


@pytest.mark.django_db
def test_a_list_line_signed_with_another_key_is_never_answered_valid(client, certify, revoke, list_file):
    cert, day = certify()
    other, _ = certify()
    revoke(cert, day)
    line = _lines(list_file)[0]
    forged = {**line["payload"], "entries": []}  # the revocation taken out, re-signed by someone without the key
    intruder = Ed25519PrivateKey.generate()
    for key_id in (signing.key_id_of(intruder.public_key()), signing.current_key().key_id):
        list_file.write_bytes(canonical_json({"payload": forged, "key_id": key_id,
                                              "signature": base64.b64encode(intruder.sign(canonical_json(forged))).decode()}) + b"\n")
        body = _api(client, other)
        assert body["signature_valid"] and not body["valid"]
        assert any("撤销清单文件第1行签名无效" in p for p in body["problems"])
        page = _page(client, other)
        assert "核验未通过" in page and "证书有效" not in page and "撤销清单文件第1行签名无效" in page
        assert _api(client, cert)["certificate"]["status"] == "revoked"  # still in the database's signed version
    with pytest.raises(CertificateError, match="撤销清单"):
        revoke(other, day)


@pytest.mark.django_db
def test_a_status_set_to_revoked_without_a_signed_revocation_is_not_believed(client, certify, list_file):
    cert, day = certify()
    Certificate.objects.filter(pk=cert.pk).update(status=CertificateStatus.REVOKED, revoked_on=day, revocation_reason=REASON)
    body = _api(client, cert)
    assert not body["valid"] and not body["status_consistent"] and not body["certificate"]["revocation_signed"]
    assert any("撤销记录未经签名" in p for p in body["problems"])
    page = _page(client, cert)
    assert "核验未通过" in page and "撤销记录未经签名" in page


@pytest.mark.django_db
def test_a_tampered_database_version_is_reported_and_blocks_new_revocations(client, certify, revoke):
    cert, day = certify()
    other, _ = certify()
    revoke(cert, day)
    row = RevocationList.objects.get()
    RevocationList.objects.filter(pk=row.pk).update(payload={**row.payload, "entries": []})
    body = _api(client, other)
    assert not body["valid"] and any("数据库中的证书撤销清单（第1版）签名无效" in p for p in body["problems"])
    with pytest.raises(CertificateError, match="撤销清单校验未通过"):
        revoke(other, day)
    assert not Certificate.objects.get(pk=other.pk).status == CertificateStatus.REVOKED  # nothing half done


@pytest.mark.django_db
def test_each_version_carries_the_signed_revocations_not_the_status_column(certify, revoke):
    first, day = certify()
    planted, _ = certify()
    third, _ = certify()
    revoke(first, day)
    Certificate.objects.filter(pk=planted.pk).update(status=CertificateStatus.REVOKED, revoked_on=day, revocation_reason="伪造")
    revoke(third, day)
    latest = RevocationList.objects.get(version=2)
    assert [e["number"] for e in latest.payload["entries"]] == sorted([first.number, third.number])
    assert latest.payload["previous_sha256"] == revocations.SignedVersion.of_row(RevocationList.objects.get(version=1)).sha256


@pytest.mark.django_db
def test_the_file_gets_only_committed_versions_and_catches_up_after_a_crash(client, certify, revoke, list_file):
    cert, day = certify()
    second, _ = certify()
    with clock.frozen(day):
        with pytest.raises(RuntimeError), transaction.atomic():
            revoke_certificate(cert, staff_of(regional_hr_department()), reason=REASON, document_number=DOCUMENT)
            raise RuntimeError("rolled back after signing")
        assert not list_file.exists() and not RevocationList.objects.exists()
        cert.refresh_from_db()
        # Committed, but the process died before writing the file (the commit hook never ran).
        revoke_certificate(cert, staff_of(regional_hr_department()), reason=REASON, document_number=DOCUMENT)
    assert not list_file.exists() and _api(client, cert)["problems"] == []
    revoke(second, day)
    assert [line["payload"]["version"] for line in _lines(list_file)] == [1, 2]


@pytest.mark.django_db
def test_certificates_revoked_before_signing_get_version_one(client, certify, list_file, capsys):
    cert, day = certify()
    Certificate.objects.filter(pk=cert.pk).update(status=CertificateStatus.REVOKED, revoked_on=day, revocation_reason=REASON,
                                                  revocation_document_number=DOCUMENT)
    call_command("certificates", "sign-revocations")
    assert "已签发撤销清单第 1 版" in capsys.readouterr().out
    assert [line["payload"]["version"] for line in _lines(list_file)] == [1]
    body = _api(client, cert)
    assert body["problems"] == [] and body["certificate"]["status"] == "revoked" and body["certificate"]["revocation_signed"]
    call_command("certificates", "sign-revocations")
    assert "撤销清单完好" in capsys.readouterr().out and RevocationList.objects.count() == 1


@pytest.mark.django_db
def test_an_entry_for_another_certificate_with_the_same_number_does_not_apply(client, certify, list_file):
    """A list from another database (a test run beside the demo, a restored copy) names its own certificates."""
    cert, day = certify()
    payload = {"kind": revocations.KIND, "version": 1, "issued_at": "2021-09-06T10:00:00+08:00", "previous_sha256": "",
               "entries": [{"number": cert.number, "certificate_sha256": "0" * 64, "revoked_on": day.isoformat(),
                            "reason": REASON, "document_number": DOCUMENT}]}
    key_id, signature = signing.sign(payload)
    list_file.parent.mkdir(parents=True)
    list_file.write_bytes(canonical_json({"payload": payload, "key_id": key_id, "signature": signature}) + b"\n")
    body = _api(client, cert)
    assert body["valid"] and body["problems"] == []
    assert verify(cert).valid
