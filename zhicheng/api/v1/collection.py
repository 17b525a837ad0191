"""National data collection (归集): filed results and certificates, incremental and signed.

The format, the cursor and the signature are described in docs/collection.md; the records are built in
zhicheng/collection/records.py from the key's account's scope (certificates.scope.certificates_for).
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status

from zhicheng.api.auth import require_scope
from zhicheng.api.errors import ApiError, ErrorOut
from zhicheng.api.models import Scope
from zhicheng.audit.services import record as audit
from zhicheng.certificates import signing
from zhicheng.collection import records
from zhicheng.files.services import XLSX

router = Router()


class RecordOut(Schema):
    record_id: str
    version: int
    status: Literal["valid", "revoked"]
    status_label: str
    name: str
    id_number: str
    series: str
    series_name: str
    specialty: str
    level: Literal["junior", "assistant", "intermediate", "associate_senior", "full_senior"]
    level_label: str
    title_name: str
    how_obtained: str
    how_obtained_label: str
    committee: str
    approval_document_number: str
    approval_date: str
    certificate_number: str
    issuing_body: str
    issued_on: str
    revoked_on: str | None
    revocation_document_number: str


class RegionOut(Schema):
    code: str
    name: str
    body: str


class BatchOut(Schema):
    format: str
    region: RegionOut
    generated_at: str
    cursor_from: str
    cursor: str
    has_more: bool
    records: list[RecordOut]


class CollectionOut(Schema):
    batch: BatchOut
    algorithm: str
    key_id: str
    signature: str


class PullQuery(Schema):
    cursor: str = ""
    format: Literal["json", "xlsx"] = "json"
    limit: int = records.DEFAULT_LIMIT


@router.get(
    "/titles", response={200: CollectionOut, 400: ErrorOut}, url_name="collection_titles",
    summary="归集：拉取游标之后变更的职称记录（JSON 或 Excel，经 Ed25519 签名）",
    description="返回游标之后新增或变更（如撤销）的职称记录，每次至多 limit 条（1–2000，默认500），以及下次拉取用的 cursor；"
                "has_more 为真时应立即用新游标再拉。接收方按 record_id 以 version 大者为准更新（重复投递幂等）。"
                "format=json：batch 为签名对象，signature 为对 batch 规范 JSON 的 Ed25519 签名；"
                "format=xlsx：工作簿本身的字节由响应头 X-Collection-Signature 签名。格式说明见 docs/collection.md。",
    openapi_extra={"responses": {200: {
        "description": "签名的批次（JSON），或同一批次的 Excel 工作簿",
        "headers": {
            "X-Collection-Cursor": {"description": "下次拉取用的游标（xlsx）", "schema": {"type": "string"}},
            "X-Collection-Key-Id": {"description": "签名密钥编号（xlsx）", "schema": {"type": "string"}},
            "X-Collection-Signature": {"description": "对工作簿字节的 Ed25519 签名，base64（xlsx）", "schema": {"type": "string"}},
        },
        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
    }}},
)
def titles(request, query: Query[PullQuery]):
    key = require_scope(request, Scope.EXPORT)
    try:
        cursor = records.parse_cursor(query.cursor)
    except records.BadCursor as exc:
        raise ApiError(400, "bad_cursor", str(exc), {"cursor": query.cursor[:40]}) from exc
    if not 1 <= query.limit <= records.MAX_LIMIT:
        raise ApiError(400, "bad_limit", f"limit 应在1至{records.MAX_LIMIT}之间。", {"limit": query.limit})
    batch = records.pull(key.user, cursor, query.limit)
    signed = batch.signed()
    audit("collection.pull", actor=key.user, object_type="api.apikey", object_id=str(key.pk),
          after={"key": key.prefix, "format": query.format, "cursor_from": signed["batch"]["cursor_from"],
                 "cursor": signed["batch"]["cursor"], "records": len(batch.records), "has_more": batch.has_more},
          summary=f"归集拉取职称记录{len(batch.records)}条（游标 {signed['batch']['cursor_from']}→{signed['batch']['cursor']}，"
                  f"{query.format}，密钥 {key.prefix}…）")
    if query.format == "xlsx":
        data = records.xlsx(signed["batch"])
        key_id, signature = signing.sign_bytes(data)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="titles-{batch.cursor_from}-{batch.cursor}.xlsx"'
        response["X-Collection-Cursor"] = str(batch.cursor)
        response["X-Collection-Key-Id"] = key_id
        response["X-Collection-Signature"] = signature
        return response
    return Status(200, signed)
