"""Signed checkpoints of the audit chain, kept outside the database.

The hash chain alone shows edits made by someone who does not recompute the hashes. Whoever can
write the database can recompute them, so the chain is anchored outside it: a checkpoint records
the sequence number and hash of the chain's last entry, the time, and the hash of the previous
checkpoint, signed with an Ed25519 key the database does not hold (``conf.key_file()``). Each is
appended as one JSON line to an append-only file (``conf.checkpoint_file()``) and published at
/audit/checkpoints/ so that outsiders and the supervisor keep copies.

Because every entry's hash covers the previous entry's, a checkpoint's hash commits to the whole
chain up to its entry: rewriting, removing or inserting any earlier entry changes it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field

from django.utils import timezone

# Signed as certificates are (Ed25519 over canonical JSON), with a key of its own loaded the same way.
from zhicheng.certificates import signing
from zhicheng.certificates.signing import SigningKey, key_at, public_pem
from zhicheng.core import appendonly
from zhicheng.core.canonical import sha256_hex

from . import conf
from .models import AuditEntry, AuditHead
from .services import GENESIS, walk

logger = logging.getLogger(__name__)

FORMAT = 1
PAYLOAD_FIELDS = ("v", "seq", "entry_hash", "at", "prev")


class CheckpointError(Exception):
    """A checkpoint cannot be signed; the message says why and what to do."""


def current_key() -> SigningKey:
    path = conf.key_file()
    return key_at(path)


def public_key_pem() -> str:
    return public_pem(current_key().public)


def checkpoint_hash(payload: dict) -> str:
    return sha256_hex(payload)


@dataclass(frozen=True)
class Checkpoint:
    line: int  # 1-based line number in the file
    payload: dict
    key_id: str
    signature: str

    @property
    def seq(self) -> int:
        return self.payload["seq"]

    @property
    def entry_hash(self) -> str:
        return self.payload["entry_hash"]

    @property
    def at(self) -> str:
        return self.payload["at"]

    @property
    def hash(self) -> str:
        return checkpoint_hash(self.payload)


def _signature_valid(checkpoint: Checkpoint, key: SigningKey) -> bool:
    return signing.check(checkpoint.payload, checkpoint.key_id, checkpoint.signature, {key.key_id: key.public})


def parse_line(number: int, text: str) -> Checkpoint | None:
    """The checkpoint on one line, or None if the line is not a well-formed checkpoint."""
    try:
        data = json.loads(text)
        payload = {name: data[name] for name in PAYLOAD_FIELDS}
        if payload["v"] != FORMAT or not isinstance(payload["seq"], int) or payload["seq"] < 1:
            return None
        if not all(isinstance(payload[name], str) for name in ("entry_hash", "at", "prev")):
            return None
        return Checkpoint(number, payload, str(data["key_id"]), str(data["signature"]))
    except (ValueError, KeyError, TypeError):
        return None


def read_lines() -> list[str] | None:
    """The file's lines (None when there is no file)."""
    path = conf.checkpoint_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return [line for line in text.splitlines() if line.strip()]


def read_checkpoints() -> list[Checkpoint]:
    """The well-formed lines, in file order, for listing; verify() judges them."""
    return [cp for number, text in enumerate(read_lines() or [], 1) if (cp := parse_line(number, text))]


# ---- signing --------------------------------------------------------------------------------

def _last_in(fd) -> Checkpoint | None:
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "r", encoding="utf-8") as existing:
        lines = [line for line in existing.read().splitlines() if line.strip()]
    if not lines:
        return None
    last = parse_line(len(lines), lines[-1])
    if last is None or not _signature_valid(last, current_key()):
        raise CheckpointError(f"检查点文件最后一行（第 {len(lines)} 行）不是本系统签署的检查点，拒绝在其后追加。"
                              "请运行 zhicheng audit verify 查明原因，并从监督机构保存的副本恢复检查点文件。")
    return last


def take_checkpoint() -> Checkpoint | None:
    """Sign the chain's current head and append it to the file; None when nothing was added since the last one.

    Before signing, the entries added since the previous checkpoint are checked against it, so a chain
    rewritten in the database is refused rather than signed (it would anchor the forgery)."""
    # One signer at a time (web processes, workers, the command): the new line names the last one.
    with appendonly.locked(conf.checkpoint_file()) as fd:
        last = _last_in(fd)
        head = AuditHead.objects.filter(pk=1).first()
        head_seq = head.last_seq if head else 0
        after_seq, previous_hash = (last.seq, last.entry_hash) if last else (0, GENESIS)
        if head_seq < after_seq:
            raise CheckpointError(f"审计日志只有 {head_seq} 条，少于上一检查点签署的 {after_seq} 条：记录被删除。"
                                  "已拒绝签署新检查点，请运行 zhicheng audit verify。")
        if after_seq:
            at_last = AuditEntry.objects.filter(seq=after_seq).values_list("entry_hash", flat=True).first()
            if at_last != previous_hash:
                raise CheckpointError(f"第 {after_seq} 条与上一检查点签署的哈希不符：审计日志被改写。"
                                      "已拒绝签署新检查点，请运行 zhicheng audit verify。")
        if head_seq == after_seq:
            return None  # nothing appended since the last checkpoint (or nothing at all)
        segment = walk(after_seq=after_seq, previous_hash=previous_hash, until=head.last_seq)
        if not segment.ok or segment.last_hash != head.last_hash:
            raise CheckpointError(f"上一检查点之后的审计记录校验失败（第 {segment.broken_seq or head.last_seq} 条）。"
                                  "已拒绝签署新检查点，请运行 zhicheng audit verify。")
        key = current_key()
        payload = {
            "v": FORMAT, "seq": head.last_seq, "entry_hash": head.last_hash,
            "at": timezone.now().astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "prev": last.hash if last else GENESIS,
        }
        key_id, signature = signing.sign(payload, key)
        line = json.dumps({**payload, "key_id": key_id, "signature": signature}, ensure_ascii=False, sort_keys=True)
        appendonly.append(fd, (line + "\n").encode())
        return Checkpoint((last.line if last else 0) + 1, payload, key_id, signature)


def checkpoint_after_commit() -> None:
    """The automatic checkpoint every conf.checkpoint_every() entries: after the entries are committed."""
    try:
        take_checkpoint()
    except CheckpointError as exc:
        logger.error("审计检查点未签署：%s", exc)


# ---- verifying ------------------------------------------------------------------------------

@dataclass
class CheckpointReport:
    checkpoints: int = 0  # signed lines that passed every check
    anchored_seq: int = 0  # the latest checkpoint's entry, whose hash matched
    unanchored: int = 0  # entries after it
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    first_broken_seq: int | None = None


def check_against_chain(chain_length: int) -> CheckpointReport:
    """Check every line of the file (signature, order, links) and each checkpoint's entry in the database.

    ``chain_length`` is the last sequence number present in the database."""
    report = CheckpointReport()
    lines = read_lines()
    if lines is None:
        if chain_length > conf.checkpoint_every():
            report.warnings.append(
                f"检查点文件 {conf.checkpoint_file()} 不存在，而审计日志已有 {chain_length} 条：整条链都没有库外锚定，"
                "改写后重新计算哈希不会被发现。若该文件曾经存在，它被删除或未随系统迁移，请从监督机构保存的副本恢复；"
                "否则请运行 zhicheng audit checkpoint。")
        report.unanchored = chain_length
        return report
    key = current_key()
    signed: list[Checkpoint] = []
    previous: Checkpoint | None = None
    for number, text in enumerate(lines, 1):
        checkpoint = parse_line(number, text)
        if checkpoint is None:
            report.problems.append(f"检查点文件第 {number} 行格式不对，不是检查点。")
            continue
        if not _signature_valid(checkpoint, key):
            report.problems.append(f"检查点文件第 {number} 行（第 {checkpoint.seq} 条）签名无效：该检查点是伪造的或被改动过。")
            continue
        expected_prev = previous.hash if previous else GENESIS
        if checkpoint.payload["prev"] != expected_prev:
            report.problems.append(f"检查点文件第 {number} 行与上一个检查点不衔接：其间的检查点被删除、插入或改动。")
        elif previous and checkpoint.seq < previous.seq:
            report.problems.append(f"检查点文件第 {number} 行的序号（{checkpoint.seq}）小于上一个检查点的（{previous.seq}）。")
        signed.append(checkpoint)
        previous = checkpoint
    if not signed:
        report.unanchored = chain_length
        return report

    stored = dict(AuditEntry.objects.filter(seq__in={cp.seq for cp in signed}).values_list("seq", "entry_hash"))
    latest = max(signed, key=lambda cp: cp.seq)
    if latest.seq > chain_length:
        missing_from = chain_length + 1
        message = (f"第 {missing_from} 条至第 {latest.seq} 条缺失：检查点（文件第 {latest.line} 行，{latest.at}）签署时审计日志已有 "
                   f"{latest.seq} 条，数据库中现只有 {chain_length} 条。")
        if chain_length == 0:
            message += "审计日志表和链尾表均为空，可能被整表清空（TRUNCATE 或 DELETE）。"
        report.problems.append(message)
        report.first_broken_seq = missing_from
    matched_seq = 0
    for checkpoint in sorted(signed, key=lambda cp: cp.seq):
        have = stored.get(checkpoint.seq)
        if have is None:
            if checkpoint.seq <= chain_length:
                report.problems.append(f"第 {checkpoint.seq} 条缺失，该条由检查点（文件第 {checkpoint.line} 行，{checkpoint.at}）签署。")
                report.first_broken_seq = min(report.first_broken_seq or checkpoint.seq, checkpoint.seq)
            continue
        if have != checkpoint.entry_hash:
            report.problems.append(
                f"第 {checkpoint.seq} 条的哈希与检查点（文件第 {checkpoint.line} 行，{checkpoint.at}）签署的不符："
                f"第 {matched_seq + 1} 条至第 {checkpoint.seq} 条之间有记录被改写、删除或插入后重新计算了哈希。")
            report.first_broken_seq = min(report.first_broken_seq or matched_seq + 1, matched_seq + 1)
            break  # every later checkpoint differs as well: the first one locates the rewrite
        matched_seq = checkpoint.seq
    report.checkpoints = len(signed)
    report.anchored_seq = matched_seq
    report.unanchored = max(0, chain_length - latest.seq)
    return report
