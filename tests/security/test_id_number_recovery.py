"""Finding 1 (issue 11): a full 身份证 number must not be recoverable from what the public verification
API and pages answer. The attack: with the name and certificate number someone looked up, and the masked
number's first and last characters, try area codes × birth dates × sequence numbers offline against
whatever the answer carries — a digest to match, or a signature to test guesses with."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
from functools import lru_cache

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.urls import reverse
from openpyxl import Workbook
from stdnum.cn import ric

from zhicheng.certificates import signing
from zhicheng.certificates.history import HEADER, import_history
from zhicheng.certificates.models import Certificate
from zhicheng.certificates.services import verify
from zhicheng.core.canonical import canonical_json
from zhicheng.demo.ids import id_number

NAME = "乌日娜"
BIRTH = dt.date(1983, 5, 17)
HOLDER_ID = id_number("150102", BIRTH, 123)
NUMBER = "2015150004090123"
# A small instance of the search: five Hohhot districts, two months of birth dates, every sequence number.
AREAS = ("150102", "150103", "150104", "150105", "150121")
DAYS = tuple(BIRTH - dt.timedelta(days=30) + dt.timedelta(days=i) for i in range(61))
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643


@lru_cache(maxsize=8)
def candidates(masked: str, days: tuple = DAYS) -> tuple[str, ...]:
    """Every valid 身份证 number in the range that fits the masked one's first and last characters."""
    found = []
    for area in AREAS:
        for day in days:
            head = f"{area}{day:%Y%m%d}"
            partial = sum(int(d) * w for d, w in zip(head, WEIGHTS))
            for seq in range(1000):
                body = f"{head}{seq:03d}"
                total = partial + sum(int(d) * w for d, w in zip(body[14:], WEIGHTS[14:]))
                check = "10X98765432"[total % 11]
                if body[0] == masked[0] and check == masked[-1]:
                    found.append(body + check)
    return tuple(found)


def search_digests(answer_text: str, number: str, masked: str) -> list[str]:
    """Candidates whose SHA-256 binding (with or without the certificate number) appears anywhere in the answer."""
    published = set(HEX64.findall(answer_text))
    return [c for c in candidates(masked)
            if hashlib.sha256(f"{number}|{c}".encode()).hexdigest() in published or hashlib.sha256(c.encode()).hexdigest() in published]


def search_with_signature(face: dict, signature: str, public_pem: str, number: str, masked: str, days) -> list[str]:
    """Without any digest in the answer, the signature still tests guesses: rebuild the version-1 payload
    for each candidate and ask the public key."""
    key, raw = load_pem_public_key(public_pem.encode()), base64.b64decode(signature)
    found = []
    for c in candidates(masked, days):
        guess = {**face, "v": 1, "id_number_digest": hashlib.sha256(f"{number}|{c}".encode()).hexdigest()}
        try:
            key.verify(raw, canonical_json(guess))
        except InvalidSignature:
            continue
        found.append(c)
    return found


def _import_one(actor) -> Certificate:
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append([NAME, HOLDER_ID, "工程", "副高级", "高级工程师", dt.date(2015, 12, 20), "内蒙古自治区工程系列高级职称评审委员会", NUMBER])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    assert import_history(out, actor, today=dt.date(2021, 9, 15)).ok
    return Certificate.objects.get(number=NUMBER)


def _as_issued_before(cert: Certificate) -> dict:
    """Re-sign the certificate exactly as the code before issue 11 did (written out here, not taken from
    the services), and return the payload its public answer carried."""
    old = {
        "v": 1, "number": cert.number, "kind": cert.kind, "holder_name": cert.holder_name,
        "id_number_masked": cert.id_number[0] + "*" * 16 + cert.id_number[-1],
        "id_number_digest": hashlib.sha256(f"{cert.number}|{cert.id_number}".encode()).hexdigest(),
        "series": cert.series_name, "specialty": cert.specialty, "title": cert.title_name, "level": cert.level,
        "level_label": "副高级", "committee": cert.committee_name, "approval_document_number": cert.approval_document_number,
        "approval_date": cert.approval_date.isoformat(), "issuer": cert.issuer_name, "issued_on": cert.issued_on.isoformat(),
        "original": cert.original or None,
    }
    key_id, signature = signing.sign(old)
    Certificate.objects.filter(pk=cert.pk).update(payload_version=1, id_salt="", key_id=key_id, signature=signature)
    cert.refresh_from_db()
    return old


def _public_answers(client, cert: Certificate) -> dict[str, str]:
    """Everything the public gets for this certificate: both API calls and both pages."""
    verify_api = client.post("/api/certificates/verify", data=json.dumps({"number": cert.number, "name": cert.holder_name}),
                             content_type="application/json")
    scan_api = client.get(f"/api/certificates/{cert.number}/scan", {"code": cert.check_code})
    form_page = client.get(reverse("certificate_verify"), {"number": cert.number, "name": cert.holder_name})
    scan_page = client.get(reverse("certificate_scan", args=[cert.number, cert.check_code]))
    for response in (verify_api, scan_api, form_page, scan_page):
        assert response.status_code == 200
    for body in (verify_api.json(), scan_api.json()):
        assert body["found"] and body["valid"] and body["signature_valid"], body
    for page in (form_page, scan_page):
        assert "证书有效，电子签名核验通过" in page.content.decode()
    return {"POST /api/certificates/verify": verify_api.content.decode(), "GET /api/certificates/{number}/scan": scan_api.content.decode(),
            "/verify/": form_page.content.decode(), "/verify/{number}/{code}/": scan_page.content.decode()}


@pytest.mark.django_db
def test_the_old_public_answer_gave_the_number_away_and_the_new_ones_do_not(client, scene):
    cert = _import_one(scene["roles"].regional_hr)
    masked = cert.id_number[0] + "*" * 16 + cert.id_number[-1]
    old_payload = _as_issued_before(cert)
    old_answer = json.dumps({"signed_payload": old_payload, "key_id": cert.key_id, "signature": cert.signature}, ensure_ascii=False)

    space = candidates(masked)
    assert HOLDER_ID in space and all(c[-1] == ric.calc_check_digit(c) for c in space[::500])
    # The attack worked on what the API used to answer: exactly one number fits, the holder's.
    assert search_digests(old_answer, cert.number, masked) == [HOLDER_ID]
    # Stripping the digest alone would not have been enough: the signature over it tests guesses too.
    face = {k: v for k, v in old_payload.items() if k not in ("v", "id_number_digest")}
    public_pem = signing.public_pem(signing.current_key().public)
    near = tuple(BIRTH + dt.timedelta(days=i) for i in range(-3, 4))
    assert search_with_signature(face, cert.signature, public_pem, cert.number, masked, near) == [HOLDER_ID]

    # The same certificate (version 1, issued before) still verifies — on the server, and says so —
    # but nothing in any public answer lets the search find the number.
    assert verify(cert).valid
    answers = _public_answers(client, cert)
    for where, text in answers.items():
        assert cert.id_number not in text, where
        assert search_digests(text, cert.number, masked) == [], where
        assert cert.signature not in text and old_payload["id_number_digest"] not in text, where
    body = json.loads(answers["POST /api/certificates/verify"])
    assert body["signed_payload"] is None and body["signature"] == "" and body["certificate"]["v"] == 1


@pytest.mark.django_db
def test_a_new_certificate_is_checked_offline_with_the_public_key_and_reveals_nothing(client, scene):
    cert = _import_one(scene["roles"].regional_hr)
    assert cert.payload_version == 2 and len(cert.id_salt) == 32
    masked = cert.id_number[0] + "*" * 16 + cert.id_number[-1]
    answers = _public_answers(client, cert)
    for where, text in answers.items():
        assert cert.id_number not in text and cert.id_salt not in text, where
        assert search_digests(text, cert.number, masked) == [], where

    # Offline: the published key and the answer alone, as docs/certificates.md describes.
    body = json.loads(answers["GET /api/certificates/{number}/scan"])
    assert body["signed_payload"]["v"] == 2 and "id_number_digest" not in body["signed_payload"]
    key = client.get("/api/certificates/public-key").json()
    assert key["key_id"] == body["key_id"]
    public = load_pem_public_key(key["public_key_pem"].encode())
    offline = json.dumps(body["signed_payload"], sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    public.verify(base64.b64decode(body["signature"]), offline)
    # The signature is no oracle: no candidate's version-1 or unsalted binding verifies under it.
    face = {k: v for k, v in body["signed_payload"].items() if k not in ("v", "id_number_commitment")}
    assert search_with_signature(face, body["signature"], key["public_key_pem"], cert.number, masked,
                                 tuple(BIRTH + dt.timedelta(days=i) for i in range(-3, 4))) == []
    # Any change to what was signed fails offline.
    with pytest.raises(InvalidSignature):
        public.verify(base64.b64decode(body["signature"]), canonical_json({**body["signed_payload"], "title": "正高级工程师"}))


@pytest.mark.django_db
def test_the_version_is_signed_and_the_binding_still_catches_a_changed_number(scene):
    cert = _import_one(scene["roles"].regional_hr)
    assert verify(cert).valid
    # Downgrading a new certificate to version 1 in the database does not pass.
    Certificate.objects.filter(pk=cert.pk).update(payload_version=1)
    cert.refresh_from_db()
    assert not verify(cert).signature_valid
    Certificate.objects.filter(pk=cert.pk).update(payload_version=2)
    # Nor does another 身份证 number with the same first and last characters, or another salt.
    other = next(c for c in candidates(HOLDER_ID[0] + "*" * 16 + HOLDER_ID[-1]) if c != HOLDER_ID)
    for change in ({"id_number": other}, {"id_salt": "00" * 16}):
        Certificate.objects.filter(pk=cert.pk).update(**change)
        cert.refresh_from_db()
        assert not verify(cert).signature_valid, change
    # A version-1 certificate whose 身份证 number was changed fails too.
    Certificate.objects.filter(pk=cert.pk).update(id_number=HOLDER_ID)
    cert.refresh_from_db()
    _as_issued_before(cert)
    assert verify(cert).valid
    Certificate.objects.filter(pk=cert.pk).update(id_number=other)
    cert.refresh_from_db()
    assert not verify(cert).signature_valid
