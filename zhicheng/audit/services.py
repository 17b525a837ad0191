"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction

from zhicheng.core import clock
from zhicheng.core.canonical import canonical_json, jsonable

from .context import current
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "actor_role", "ip", "action", "object_type", "object_id",
    "summary", "before", "after", "prev_hash",
)


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(fields: dict) -> str:
    body = {name: fields[name] for name in HASHED_FIELDS}
    body["at"] = _timestamp(body["at"])
    return hashlib.sha256(canonical_json(body)).hexdigest()


def record(action: str, obj=None, *, actor=None, before=None, after=None, summary: str = "",
           object_type: str | None = None, object_id: str | None = None) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction: if the change rolls back, so does its entry."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        fields = {
            "seq": head.last_seq + 1,
            # Microsecond precision survives every backend, so the hash recomputes exactly.
            "at": clock.now().astimezone(dt.timezone.utc),
            "actor_id": getattr(actor, "pk", None),
            "actor_name": getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
            "actor_role": getattr(actor, "role", "system") if actor is not None else "system",
            "ip": current.get().ip,
            "action": action,
            "object_type": object_type or (obj._meta.label_lower if obj is not None else ""),
            "object_id": str(object_id if object_id is not None else getattr(obj, "pk", "")),
            "summary": summary[:300],
            "before": jsonable(before) if before is not None else None,
            "after": jsonable(after) if after is not None else None,
            "prev_hash": head.last_hash,
        }
        entry = AuditEntry(**fields, entry_hash=compute_hash(fields))
        entry.save()
        head.last_seq, head.last_hash = entry.seq, entry.entry_hash
        head.save(update_fields=["last_seq", "last_hash"])
        return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    previous_hash, expected_seq, checked = GENESIS, 1, 0
    last_seen = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last_seen).order_by("seq")[:batch_size].values())
        if not rows:
            break
        for row in rows:
            if row["seq"] != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 条（下一条为第 {row['seq']} 条），记录被删除")
            if row["prev_hash"] != previous_hash:
                return VerifyResult(False, checked, row["seq"], "与上一条的链接哈希不符，前序记录被改动或删除")
            if compute_hash(row) != row["entry_hash"]:
                return VerifyResult(False, checked, row["seq"], "内容与其哈希不符，该条记录被改动")
            previous_hash, expected_seq, checked = row["entry_hash"], expected_seq + 1, checked + 1
            last_seen = row["seq"]
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq != checked or head.last_hash != previous_hash):
        return VerifyResult(False, checked, checked + 1 if head.last_seq > checked else checked, "链尾与登记的最后一条不符，末尾记录被删除")
    return VerifyResult(True, checked)
