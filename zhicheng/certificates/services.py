"""Issuing, verifying and revoking certificates; the blacklist.

Issuing and revoking for a declaration run inside the `certify` and `revoke` transitions
(declarations.services.EFFECTS), so they share its transaction and its audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.catalogue.models import Level, TitleName
from zhicheng.core import clock
from zhicheng.core.identifiers import mask_id_number
from zhicheng.people.models import BlacklistEntry, TitleHeld, TitleVia

from . import revocations, signing
from .signals import announce
from .models import Certificate, CertificateKind, CertificateStatus
from .numbering import certificate_numbers

# Version 1 bound the 身份证 number with an unsalted SHA-256 of "number|身份证" and published it with the
# signature: both let anyone search the few million plausible numbers offline (issue 11). Version 2 binds it
# with an HMAC under a random per-certificate salt that never leaves the server, so the public payload and its
# signature can be checked with the public key alone and reveal nothing searchable. Version-1 certificates
# still verify on the server; their payload and signature are no longer published.
PAYLOAD_VERSION = 2


class CertificateError(Exception):
    """A refused certificate operation, said in the reader's language; nothing was changed."""


def legacy_id_digest(number: str, id_number: str) -> str:
    """Version 1's binding: recomputed on the server to check old signatures, never published."""
    return hashlib.sha256(f"{number}|{id_number}".encode()).hexdigest()


def id_commitment(salt: str, number: str, id_number: str) -> str:
    """Version 2's binding: HMAC-SHA256 keyed by the certificate's secret salt (128 random bits)."""
    return hmac.new(bytes.fromhex(salt), f"{number}|{id_number}".encode(), hashlib.sha256).hexdigest()


def _face(cert: Certificate) -> dict:
    return {
        "number": cert.number,
        "kind": cert.kind,
        "holder_name": cert.holder_name,
        "id_number_masked": mask_id_number(cert.id_number),
        "series": cert.series_name,
        "specialty": cert.specialty,
        "title": cert.title_name,
        "level": cert.level,
        "level_label": Level(cert.level).label,
        "committee": cert.committee_name,
        "approval_document_number": cert.approval_document_number,
        "approval_date": cert.approval_date.isoformat(),
        "issuer": cert.issuer_name,
        "issued_on": cert.issued_on.isoformat(),
        "original": cert.original or None,
    }


def payload(cert: Certificate) -> dict:
    """The signed fields, exactly, in the certificate's own payload version: the canonical JSON of this
    dict is what the signature covers. The version itself is signed, so it cannot be swapped."""
    fields = _face(cert)
    if cert.payload_version == 1:
        fields.update({"v": 1, "id_number_digest": legacy_id_digest(cert.number, cert.id_number)})
    elif cert.payload_version == 2:
        fields.update({"v": 2, "id_number_commitment": id_commitment(cert.id_salt, cert.number, cert.id_number)})
    else:
        raise ValueError(f"unknown certificate payload version {cert.payload_version}")
    return fields


def public_signature(cert: Certificate) -> tuple[dict, str, str] | None:
    """(payload, key id, signature) that anyone may have to check the certificate offline; None for
    version 1, whose digest — and whose signature, usable to test guesses — would give the number away."""
    if cert.payload_version == 1:
        return None
    return payload(cert), cert.key_id, cert.signature


def seal(cert: Certificate, key: signing.SigningKey | None = None) -> Certificate:
    """Sign a new certificate with the current payload version and a fresh salt."""
    cert.payload_version, cert.id_salt = PAYLOAD_VERSION, secrets.token_hex(16)
    cert.key_id, cert.signature = signing.sign(payload(cert), key)
    return cert


def new_check_code() -> str:
    return secrets.token_urlsafe(9)[:12]


def title_name_for(series, level: str) -> str:
    name = TitleName.objects.filter(series=series, level=level).values_list("name", flat=True).first()
    return name or f"{series.name}{Level(level).label}"


def _via_for(route: str) -> str:
    if "recognition" in route:
        return TitleVia.RECOGNITION
    if route.startswith("exceptional") or route in ("green_channel", "transferred_cadre"):
        return TitleVia.EXCEPTIONAL
    if route.startswith("transfer"):
        return TitleVia.TRANSFER
    return TitleVia.REVIEW


def issue_for_applications(apps, actor, now: dt.datetime, filings: dict) -> list[Certificate]:
    """七（五）2: the region's e-certificates for declarations that were filed (``filings``: each one's
    approved filing); each title enters the holder's archive. Numbers are taken per prefix in one go
    and given in the order of ``apps``; each certificate is signed as it is made."""
    from zhicheng.declarations.holders import regional_hr_department

    if not apps:
        return []
    issuer = getattr(actor, "organisation", None) or regional_hr_department()
    names = {(t.series_id, t.level): t.name for t in TitleName.objects.filter(
        series_id__in={app.series_id for app in apps}, level__in={app.level for app in apps})}
    by_prefix: dict[tuple, list] = {}
    for app in apps:
        by_prefix.setdefault((app.series_id, app.level), []).append(app)
    numbers = {}
    for group in by_prefix.values():
        first = group[0]
        for app, number in zip(group, certificate_numbers(issuer.area.code, now.year, first.level, first.series, len(group))):
            numbers[app.pk] = number
    held, certificates = [], []
    for app in apps:
        filing, title = filings[app.pk], names.get((app.series_id, app.level)) or f"{app.series.name}{Level(app.level).label}"
        held.append(TitleHeld(
            person=app.person, series=app.series.code, level=app.level, title_name=title, obtained_on=filing.approved_on,
            via=_via_for(app.route or ""), certificate_number=numbers[app.pk], issued_by=app.committee.name,
        ))
    TitleHeld.objects.bulk_create(held)
    for app, title_held in zip(apps, held):
        filing = filings[app.pk]
        certificates.append(seal(Certificate(
            number=title_held.certificate_number, kind=CertificateKind.REVIEW, person=app.person, application=app,
            title_held=title_held, holder_name=app.person.name, id_number=app.person.id_number, series=app.series,
            series_name=app.series.name, specialty=app.specialty.name if app.specialty else "", title_name=title_held.title_name,
            level=app.level, committee_name=app.committee.name, approval_document_number=filing.document_number,
            approval_date=filing.approved_on, issuer=issuer, issuer_name=issuer.name, issued_on=now.date(), check_code=new_check_code(),
        )))
    Certificate.objects.bulk_create(certificates)
    announce(cert.number for cert in certificates)
    for app, cert in zip(apps, certificates):
        audit("certificate.issue", cert, actor=actor, after={"number": cert.number, "application": app.pk, "key_id": cert.key_id},
              summary=f"制发职称电子证书 {cert.number}：{app.person.name} {cert.title_name}")
    return certificates


# ---- verification -----------------------------------------------------------------------

@dataclass
class Verification:
    """The answer of the verification page and API. ``revocation`` is the certificate checked against
    the signed revocation list, which — not the status column — says whether it is revoked."""

    certificate: Certificate
    signature_valid: bool
    revocation: revocations.RevocationCheck
    problems: list[str] = field(default_factory=list)

    @property
    def status_consistent(self) -> bool:
        return self.revocation.consistent

    @property
    def authentic(self) -> bool:
        return self.signature_valid and self.revocation.consistent and self.revocation.list_intact

    @property
    def revoked(self) -> bool:
        return self.revocation.entry is not None

    @property
    def valid(self) -> bool:
        return self.authentic and not self.revoked

    @property
    def status_label(self) -> str:
        if self.revoked:
            return CertificateStatus.REVOKED.label
        if self.certificate.status == CertificateStatus.REVOKED:
            return _("已撤销（撤销记录未经签名）")
        return CertificateStatus.VALID.label


def verify(cert: Certificate) -> Verification:
    """Recompute the signed fields from the database and check the signature; check the revocation
    status against the signed revocation list (a revocation cannot be quietly undone or rewritten)."""
    problems = []
    keys = signing.trusted_public_keys()  # the key files, read once for the signature and the revocation list
    signature_valid = signing.check(payload(cert), cert.key_id, cert.signature, keys)
    if not signature_valid:
        problems.append(_("证书信息与签名不符：证书内容可能被篡改。"))
    revocation = revocations.check(cert, revocations.current(keys))
    return Verification(cert, signature_valid, revocation, problems + revocation.problems)


def public_fields(verification: Verification) -> dict:
    """What anyone who looks the certificate up sees: the face, masked, with the status and the revocation
    as signed — never the binding of the 身份证 number (see public_signature for what can be checked offline)."""
    cert, entry = verification.certificate, verification.revocation.entry
    fields = _face(cert)
    fields.update({
        "v": cert.payload_version,
        "status": CertificateStatus.REVOKED.value if verification.revoked else cert.status, "status_label": verification.status_label,
        "revoked_on": entry["revoked_on"] if entry else None,
        "revocation_reason": entry["reason"] if entry else "",
        "revocation_document_number": entry["document_number"] if entry else "",
        "revocation_signed": entry is not None,
    })
    return fields


# ---- revocation and the blacklist (八（三）) -------------------------------------------------

def _require_region(actor) -> None:
    if actor is None or actor.role != Role.REGIONAL_HR_DEPARTMENT:
        raise CertificateError(_("只有自治区人力资源和社会保障厅可以撤销职称（八（三））。"))


def blacklist(person, actor, *, reason: str, document_number: str, on: dt.date) -> BlacklistEntry:
    entry = BlacklistEntry.objects.create(person=person, listed_on=on, reason=reason[:200], document_number=document_number[:60])
    audit("blacklist.add", entry, actor=actor, after={"person": person.pk, "listed_on": on, "bars": [on.year + 1, on.year + 3]},
          summary=f"{person.name}记入失信黑名单，{on.year + 1}—{on.year + 3}年不得申报（八（三））")
    return entry


def _mark_revoked(cert: Certificate, actor, *, reason: str, document_number: str, on: dt.date) -> None:
    before = {"status": cert.status}
    cert.status, cert.revoked_on = CertificateStatus.REVOKED, on
    cert.revocation_reason, cert.revocation_document_number = reason[:200], document_number[:60]
    held = cert.title_held
    cert.title_held = None
    cert.save(update_fields=["status", "revoked_on", "revocation_reason", "revocation_document_number", "title_held"])
    if held is not None:
        held.delete()  # a revoked title no longer counts in the archive; the certificate row keeps the record
    try:
        revocations.add(cert)
    except revocations.RevocationListError as exc:
        raise CertificateError(_("证书撤销清单校验未通过，暂不能撤销，请联系系统管理员核查：%(problem)s") % {"problem": exc}) from exc
    announce([cert.number])
    audit("certificate.revoke", cert, actor=actor, before=before,
          after={"status": cert.status, "revoked_on": on, "reason": reason, "document_number": document_number},
          summary=f"撤销职称电子证书 {cert.number}（{document_number}）：{reason}")


def revoke_for_application(app, actor, *, reason: str, document_number: str, on: dt.date) -> None:
    """Effect of the `revoke` transition: the certificate (if issued) is revoked, the person blacklisted."""
    cert = Certificate.objects.filter(application=app).first()
    if cert is not None:
        _mark_revoked(cert, actor, reason=reason, document_number=document_number, on=on)
    blacklist(app.person, actor, reason=reason, document_number=document_number, on=on)


def revoke_certificate(cert: Certificate, actor, *, reason: str, document_number: str) -> Certificate:
    """八（三）: the regional HR department revokes a title obtained by fraud, with reason and document number."""
    from zhicheng.declarations.services import transition

    _require_region(actor)
    if not reason.strip() or not document_number.strip():
        raise CertificateError(_("撤销须写明原因和处理文号。"))
    if cert.status == CertificateStatus.REVOKED:
        raise CertificateError(_("该证书已撤销。"))
    if cert.application_id:
        transition(cert.application_id, "revoke", actor, note=f"{reason.strip()}（{document_number.strip()}）",
                   payload={"reason": reason.strip(), "document_number": document_number.strip()})
    else:
        with transaction.atomic():
            _mark_revoked(cert, actor, reason=reason.strip(), document_number=document_number.strip(), on=clock.today())
            blacklist(cert.person, actor, reason=reason.strip(), document_number=document_number.strip(), on=clock.today())
    cert.refresh_from_db()
    return cert

