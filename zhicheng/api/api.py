"""Public and inter-system API. Lookups share the page's rate limit and log (certificates.lookups)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status

from zhicheng.certificates import lookups, services, signing
from zhicheng.certificates.models import LookupChannel

api = NinjaAPI(
    title="职称申报评审系统 API",
    version="1",
    description="电子证书核验（扫码或证书编号＋姓名）与验签公钥。查询按来源IP限流，超限返回 429。"
                "第2版证书（v=2）返回 signed_payload、key_id 和 signature，可用公钥离线验签；"
                "第1版证书只由服务器核验（signature_valid），不返回签名数据。"
                "撤销状态以经签名的证书撤销清单为准（certificate.revocation_signed）；数据库记录与签名清单不符时"
                "valid 为 false，problems 说明不符之处。",
    urls_namespace="api",
)


class PublicKeyOut(Schema):
    algorithm: str
    key_id: str
    public_key_pem: str
    signed_bytes: str


class VerifyIn(Schema):
    number: str
    name: str
    verifier: str = ""


class VerificationOut(Schema):
    found: bool
    valid: bool = False
    signature_valid: bool = False
    status_consistent: bool = False
    problems: list[str] = []
    certificate: dict | None = None
    signed_payload: dict | None = None
    key_id: str = ""
    signature: str = ""


class Refusal(Schema):
    detail: str


def _out(verification, *, scanned: bool = False) -> VerificationOut:
    if verification is None:
        # A scan sends no name: its miss is the link's (incomplete or altered), as the page says.
        missed = (_("未查到与该二维码相符的证书：链接可能不完整或被改动。请核对证书编号，并填写持证人姓名查询。") if scanned
                  else _("未查到与该证书编号和姓名相符的证书。"))
        return VerificationOut(found=False, problems=[missed])
    cert = verification.certificate
    # Version-1 certificates were checked on the server just now; their payload and signature stay there.
    signed_payload, key_id, signature = services.public_signature(cert) or (None, cert.key_id, "")
    return VerificationOut(
        found=True, valid=verification.valid, signature_valid=verification.signature_valid,
        status_consistent=verification.status_consistent, problems=verification.problems,
        certificate=services.public_fields(verification), signed_payload=signed_payload, key_id=key_id, signature=signature,
    )


@api.get("/certificates/public-key", response=PublicKeyOut, tags=["电子证书"], summary="验签公钥")
def public_key(request):
    key = signing.current_key()
    return PublicKeyOut(algorithm=signing.ALGORITHM, key_id=key.key_id, public_key_pem=signing.public_pem(key.public),
                        signed_bytes="signed_payload 的规范 JSON：键按字典序、UTF-8、无空白（ensure_ascii=false）。"
                                     "第1版证书（v=1）只由服务器核验，不返回 signed_payload 和 signature")


@api.post("/certificates/verify", response={200: VerificationOut, 429: Refusal}, tags=["电子证书"], summary="证书编号＋姓名核验")
def verify(request, body: VerifyIn):
    try:
        verification = lookups.look_up(ip=lookups.client_ip(request), channel=LookupChannel.API, number=body.number,
                                       name=body.name, verifier=body.verifier)
    except lookups.RateLimited as exc:
        return Status(429, Refusal(detail=str(exc)))
    return Status(200, _out(verification))


@api.get("/certificates/{number}/scan", response={200: VerificationOut, 429: Refusal}, tags=["电子证书"], summary="二维码核验码核验")
def scan(request, number: str, code: str):
    try:
        verification = lookups.look_up(ip=lookups.client_ip(request), channel=LookupChannel.API, number=number, check_code=code)
    except lookups.RateLimited as exc:
        return Status(429, Refusal(detail=str(exc)))
    return Status(200, _out(verification, scanned=True))
