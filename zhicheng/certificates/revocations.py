"""The signed revocation list (八（三）): which certificates were revoked, when, why and under which
document, signed with the certificate signing key so that whoever can write the database cannot undo
a revocation or rewrite its date and reason.

Every revocation adds a version {kind, version, issued_at, previous_sha256, entries} whose entries are
all the revocations so far, sorted by number; each entry names the certificate by its number and a
digest of its signature, so it applies to that signed certificate only (not to a certificate of
another database that happens to carry the same number). A version is kept twice: as a RevocationList
row, and as one line appended (fsynced, 0600) to a file outside the database, ZHICHENG_REVOCATION_LIST_FILE
(default VAR_DIR/signing/revocations.jsonl). The line is written after the transaction commits, so
a revocation that rolls back never reaches the file; a crash in between leaves the file behind the
database, and the next revocation (or `zhicheng certificates sign-revocations`) appends what is missing.

Revocations are never undone, so a certificate is revoked iff a valid signed version lists it: the
database's newest version, or any line of the file. The certificate's status columns are a cache of
that answer; verification compares them and says what differs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.core import appendonly, clock
from zhicheng.core.canonical import canonical_json, sha256_hex
from zhicheng.core.wording import enumeration

from . import conf, signing
from .models import Certificate, CertificateStatus, RevocationList
from .numbering import next_in_sequence

logger = logging.getLogger(__name__)

KIND = "zhicheng.certificate-revocation-list"
# A NumberSequence row used as a lock: versions are made one at a time on every database.
LOCK = "revocation-list"


class RevocationListError(Exception):
    """The signed list does not verify; nothing can be added to it until someone has looked."""


def certificate_digest(cert) -> str:
    """Binds an entry to one signed certificate: its key id and signature (unique per certificate)."""
    return hashlib.sha256(f"{cert.key_id}:{cert.signature}".encode()).hexdigest()


def entry_for(cert) -> dict:
    return {
        "number": cert.number, "certificate_sha256": certificate_digest(cert),
        "revoked_on": cert.revoked_on.isoformat(), "reason": cert.revocation_reason,
        "document_number": cert.revocation_document_number,
    }


@dataclass(frozen=True)
class SignedVersion:
    payload: dict
    key_id: str
    signature: str
    stored_version: int | None = None  # the row's version column, which must say what the payload says

    @property
    def version(self) -> int:
        return self.payload["version"]

    @property
    def sha256(self) -> str:
        return sha256_hex(self.payload)

    def verifies(self, keys) -> bool:
        p = self.payload
        return (isinstance(p, dict) and p.get("kind") == KIND and isinstance(p.get("version"), int)
                and self.stored_version in (None, p["version"]) and isinstance(p.get("entries"), list)
                and signing.check(p, self.key_id, self.signature, keys))

    def line(self) -> bytes:
        return canonical_json({"payload": self.payload, "key_id": self.key_id, "signature": self.signature}) + b"\n"

    @classmethod
    def of_row(cls, row: RevocationList) -> SignedVersion:
        return cls(row.payload, row.key_id, row.signature, row.version)


def _key(entry: dict) -> tuple[str, str]:
    return entry["number"], entry["certificate_sha256"]


# ---- the file -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileState:
    versions: dict[int, str] = field(default_factory=dict)  # version -> sha256 of its payload
    entries: dict[tuple[str, str], dict] = field(default_factory=dict)
    broken_lines: tuple[int, ...] = ()
    unreadable: bool = False

    @property
    def top(self) -> int:
        return max(self.versions, default=0)


def _parse(data: bytes, keys) -> FileState:
    good, broken = [], []
    for n, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            version = SignedVersion(item["payload"], item["key_id"], item["signature"])
            ok = version.verifies(keys)
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok:
            good.append(version)
        else:
            broken.append(n)
    entries = {}
    for version in sorted(good, key=lambda v: v.version):
        entries.update({_key(e): e for e in version.payload["entries"]})
    return FileState({v.version: v.sha256 for v in good}, entries, tuple(broken))


_cache: dict[str, tuple[tuple, FileState]] = {}


def read_file(keys=None) -> FileState:
    """The file's valid versions, parsed once per change of the file (and of the trusted keys):
    the verification page reads this on every lookup. ``keys``: the trusted keys, when the caller has them."""
    path = conf.revocation_list_file()
    try:
        st = path.stat()
    except FileNotFoundError:
        return FileState()
    except OSError:
        return FileState(unreadable=True)
    keys = signing.trusted_public_keys() if keys is None else keys
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino, tuple(sorted(keys)))
    cached = _cache.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        state = _parse(path.read_bytes(), keys)
    except OSError:
        return FileState(unreadable=True)
    _cache[str(path)] = (stamp, state)
    return state


def sync_file() -> int:
    """Append every valid database version newer than the file's newest, in order; the number appended.
    Runs after the revocation commits. Under an exclusive lock of the file, so two processes
    committing one after the other never write the same version twice."""
    path = conf.revocation_list_file()
    with appendonly.locked(path) as fd:
        data = b""
        while chunk := os.pread(fd, 1 << 20, len(data)):
            data += chunk
        keys = signing.trusted_public_keys()
        top = _parse(data, keys).top
        lines = []
        for row in RevocationList.objects.filter(version__gt=top).order_by("version"):
            version = SignedVersion.of_row(row)
            if version.verifies(keys):
                lines.append(version.line())
            else:
                logger.error("revocation list version %s in the database does not verify; not copied to %s", row.version, path)
        if lines:
            # A line torn by a crash stays a line of its own (reported as broken), never glued to the next.
            appendonly.append(fd, (b"\n" if data and not data.endswith(b"\n") else b"") + b"".join(lines))
        return len(lines)


def _sync_after_commit() -> None:
    try:
        sync_file()
    except OSError:
        # The revocation is committed and signed in the database; the next one appends this version too.
        logger.exception("could not append the revocation list to %s", conf.revocation_list_file())


# ---- the state verification reads -----------------------------------------------------------

@dataclass(frozen=True)
class ListState:
    database: SignedVersion | None
    database_verifies: bool
    file: FileState

    def problems(self) -> list[str]:
        """What makes 'not revoked' unprovable for every certificate."""
        problems = []
        if self.database is not None and not self.database_verifies:
            problems.append(_("数据库中的证书撤销清单（第%(version)s版）签名无效，可能被篡改，无法确认证书未被撤销。请向发证机关核实。")
                            % {"version": self.database.stored_version})
        if self.file.unreadable:
            problems.append(_("证书撤销清单文件无法读取，无法确认证书未被撤销。请向发证机关核实。"))
        if self.file.broken_lines:
            problems.append(_("证书撤销清单文件第%(lines)s行签名无效或内容被改动，无法确认证书未被撤销。请向发证机关核实。")
                            % {"lines": enumeration(self.file.broken_lines[:5])})
        return problems

    def database_entries(self) -> dict[tuple[str, str], dict]:
        if self.database is None or not self.database_verifies:
            return {}
        return {_key(e): e for e in self.database.payload["entries"]}


def current(keys=None) -> ListState:
    """One query: the database's newest version; the file from the cache. ``keys``: the trusted keys
    (read from disk), when the caller has them."""
    row = RevocationList.objects.order_by("-version").first()
    database = SignedVersion.of_row(row) if row else None
    keys = signing.trusted_public_keys() if keys is None else keys
    return ListState(database, database is not None and database.verifies(keys), read_file(keys))


@dataclass
class RevocationCheck:
    """One certificate against the signed list: ``entry`` is the signed revocation (None: not revoked)."""

    entry: dict | None
    consistent: bool
    list_intact: bool
    problems: list[str]

    @property
    def revoked_on(self) -> dt.date | None:
        return dt.date.fromisoformat(self.entry["revoked_on"]) if self.entry else None


def check(cert: Certificate, state: ListState | None = None) -> RevocationCheck:
    state = state or current()
    list_problems = state.problems()
    problems = list(list_problems)
    key = (cert.number, certificate_digest(cert))
    in_database, in_file = state.database_entries().get(key), state.file.entries.get(key)
    entry = in_database or in_file
    marked = cert.status == CertificateStatus.REVOKED
    consistent = True
    if in_file and not in_database:
        problems.append(_("数据库中的撤销清单缺少该证书的撤销记录（清单可能被删除或回退），以下按签名文件中的撤销记录显示。"))
    if entry and not marked:
        consistent = False
        problems.append(_("经签名的撤销清单记载该证书已于%(on)s撤销，但数据库中的状态被改为有效：记录被改动，以签名记录为准。")
                        % {"on": entry["revoked_on"]})
    elif marked and not entry:
        consistent = False
        problems.append(_("撤销记录未经签名：数据库显示该证书已撤销，但经签名的撤销清单中没有这条记录，证书状态可能被篡改。请向发证机关核实。"))
    elif entry and (cert.revoked_on is None or cert.revoked_on.isoformat() != entry["revoked_on"]
                    or cert.revocation_reason != entry["reason"] or cert.revocation_document_number != entry["document_number"]):
        consistent = False
        problems.append(_("数据库中的撤销日期、原因或文号与经签名的撤销记录不符，可能被篡改；以下显示的是签名记录。"))
    return RevocationCheck(entry, consistent, not list_problems, problems)


# ---- writing --------------------------------------------------------------------------------

def _new_version(state: ListState, entries: dict[tuple[str, str], dict]) -> RevocationList:
    """Sign and store the next version; its line goes to the file once the transaction commits."""
    known = dict(state.file.versions)
    if state.database is not None:
        known[state.database.version] = state.database.sha256
    version = max(known, default=0) + 1
    previous = known.get(version - 1, "")
    now = clock.now()
    payload = {
        "kind": KIND, "version": version, "issued_at": now.isoformat(), "previous_sha256": previous,
        "entries": [entries[k] for k in sorted(entries)],
    }
    key_id, signature = signing.sign(payload)
    row = RevocationList.objects.create(version=version, issued_at=now, payload=payload, key_id=key_id, signature=signature)
    transaction.on_commit(_sync_after_commit, robust=True)
    return row


def add(cert: Certificate) -> RevocationList:
    """Sign a new version listing ``cert`` (already marked revoked) with every revocation known so far,
    from the signed versions, never from the status column (which anyone with the database can edit).
    Refused while the list itself does not verify: signing on top of it would launder the tampering."""
    with transaction.atomic():
        next_in_sequence(LOCK)
        state = current()
        if problems := state.problems():
            raise RevocationListError(problems[0])
        entries = {**state.file.entries, **state.database_entries()}
        entry = entry_for(cert)
        entries[_key(entry)] = entry
        return _new_version(state, entries)


def sign_existing() -> RevocationList | None:
    """Version 1 for an installation that revoked certificates before revocations were signed: the
    revoked certificates as the database holds them now are taken as they are (trust on first use).
    Only on a first run: nothing when any version exists, in the database or in the file (a database
    whose versions were deleted must not have its status column signed in their place)."""
    with transaction.atomic():
        next_in_sequence(LOCK)
        if RevocationList.objects.exists():
            return None
        # Only the columns read: the migration that calls this runs before later ones add any.
        revoked = list(Certificate.objects.filter(status=CertificateStatus.REVOKED, revoked_on__isnull=False).only(
            "number", "key_id", "signature", "revoked_on", "revocation_reason", "revocation_document_number"))
        state = current()
        if not revoked or state.file.versions or state.file.broken_lines:
            return None
        return _new_version(state, {_key(e): e for e in map(entry_for, revoked)})
