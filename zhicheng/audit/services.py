"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from zhicheng.core import clock
from zhicheng.core.canonical import canonical_json, jsonable

from . import conf
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


# Entries recorded inside batched() wait here and are appended together when it ends.
_pending: ContextVar[list | None] = ContextVar("audit_pending", default=None)


def record(action: str, obj=None, *, actor=None, before=None, after=None, summary: str = "",
           object_type: str | None = None, object_id: str | None = None) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction: if the change rolls back, so does its entry.
    Inside batched() the entry is appended (and its seq and hashes set) when the batch ends."""
    entry = AuditEntry(
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
        actor_role=getattr(actor, "role", "system") if actor is not None else "system",
        ip=current.get().ip,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "pk", "")),
        summary=summary[:300],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)
    else:
        _append([entry])
    return entry


@contextmanager
def batched():
    """Collect the entries recorded inside and append them in one INSERT, moving the head once: a step
    over many declarations locks the chain's head once, not once per entry. Use inside the transaction
    of the work the entries describe; an exception discards them with it. Nested uses join the outer one."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
        entries = _pending.get()
    finally:
        _pending.reset(token)
    if entries:
        _append(entries)


def lock_head() -> AuditHead:
    """The chain's head row, locked until the transaction ends: taken by every append, and by the collection's change
    log to number its rows in commit order (zhicheng/collection/changes.py)."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _append(entries: list[AuditEntry]) -> None:
    with transaction.atomic():
        head = lock_head()
        # Microsecond precision survives every backend, so the hash recomputes exactly.
        at, seq, prev_hash = clock.now().astimezone(dt.timezone.utc), head.last_seq, head.last_hash
        for entry in entries:
            seq += 1
            entry.seq, entry.at, entry.prev_hash = seq, at, prev_hash
            entry.entry_hash = prev_hash = compute_hash({name: getattr(entry, name) for name in HASHED_FIELDS})
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        every = conf.checkpoint_every()
        crossed = seq // every > head.last_seq // every
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        if crossed:
            from .checkpoints import checkpoint_after_commit

            # Signed after the commit, outside the request's work; a failure is logged, never undoes the change.
            transaction.on_commit(checkpoint_after_commit, robust=True)


@dataclass
class Walk:
    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    broken_seq: int | None = None
    reason: str = ""


def walk(*, after_seq: int = 0, previous_hash: str = GENESIS, until: int | None = None, batch_size: int = 5000) -> Walk:
    """Recompute the chain from the entry after ``after_seq`` (whose hash is ``previous_hash``) to ``until`` or the end."""
    expected_seq, checked, last_seen = after_seq + 1, 0, after_seq
    while True:
        rows = AuditEntry.objects.filter(seq__gt=last_seen).order_by("seq")
        if until is not None:
            rows = rows.filter(seq__lte=until)
        rows = list(rows[:batch_size].values())
        if not rows:
            break
        for row in rows:
            if row["seq"] != expected_seq:
                return Walk(False, checked, last_seen, previous_hash, expected_seq,
                            f"缺少第 {expected_seq} 条（下一条为第 {row['seq']} 条），记录被删除")
            if row["prev_hash"] != previous_hash:
                return Walk(False, checked, last_seen, previous_hash, row["seq"], "与上一条的链接哈希不符，前序记录被改动或删除")
            if compute_hash(row) != row["entry_hash"]:
                return Walk(False, checked, last_seen, previous_hash, row["seq"], "内容与其哈希不符，该条记录被改动")
            previous_hash, expected_seq, checked = row["entry_hash"], expected_seq + 1, checked + 1
            last_seen = row["seq"]
    if until is not None and last_seen != until:
        return Walk(False, checked, last_seen, previous_hash, last_seen + 1, f"缺少第 {last_seen + 1} 条至第 {until} 条")
    return Walk(True, checked, last_seen, previous_hash)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    # Against the signed checkpoints outside the database (checkpoints.check_against_chain).
    checkpoints: int = 0
    anchored_seq: int = 0
    unanchored: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _chain_only(batch_size: int) -> VerifyResult:
    chain = walk(batch_size=batch_size)
    if not chain.ok:
        return VerifyResult(False, chain.checked, chain.broken_seq, chain.reason)
    checked, previous_hash = chain.checked, chain.last_hash
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq != checked or head.last_hash != previous_hash):
        return VerifyResult(False, checked, checked + 1 if head.last_seq > checked else checked, "链尾与登记的最后一条不符，末尾记录被删除")
    return VerifyResult(True, checked)


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Recompute the hash chain, then hold it against every signed checkpoint in the file outside the database.

    The chain alone finds edits that did not recompute the hashes; the checkpoints find rewrites that did,
    truncation and emptied tables, up to the latest checkpoint. Entries after it are counted in ``unanchored``."""
    from .checkpoints import check_against_chain

    result = _chain_only(batch_size)
    last_seq = AuditEntry.objects.aggregate(last=Max("seq"))["last"] or 0
    report = check_against_chain(last_seq)
    result.checkpoints, result.anchored_seq, result.unanchored = report.checkpoints, report.anchored_seq, report.unanchored
    result.problems, result.warnings = report.problems, report.warnings
    if report.problems and result.ok:
        result.ok, result.first_broken_seq, result.reason = False, report.first_broken_seq, report.problems[0]
    return result
