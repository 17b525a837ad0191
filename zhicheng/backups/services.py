"""Backing up and restoring an installation: the database, the evidence files, the signed side files, and
where the keys are.

A backup is a directory (0700, files 0600) with a manifest.json written last: a directory without it is an
interrupted backup. The manifest lists every file with its SHA-256 and size, the database engine, the latest
migration of each app, the audit log's head, and each key's path and public-key fingerprint. Private keys are
copied only on request (--include-keys); otherwise they belong in a separate, offline backup, and a restore
refuses to run with keys other than the ones the certificates were signed with.

Order of a backup, so that what is copied agrees with the database snapshot:
- the append-only side files (audit checkpoints, revocation list) first: every line in the copy was written
  before the snapshot, so it refers to rows the snapshot holds;
- the database (SQLite's online backup API, or pg_dump -Fc): consistent while the server runs;
- the evidence files last: a blob is written before its StoredFile row commits, so every row in the snapshot
  finds its blob in the copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
# pg_dump / pg_restore, fixed argument lists, no shell.
import subprocess  # nosec B404
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import connection

from zhicheng.audit import conf as audit_conf
from zhicheng.certificates import conf as certificate_conf
from zhicheng.certificates.signing import fingerprint
from zhicheng.files.services import PRIVATE_DIR, PRIVATE_FILE, private_dirs

FORMAT = "zhicheng-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
KEY_MISMATCH = "签名密钥与备份时不一致，证书将无法验证"


class BackupError(Exception):
    """A refused backup or restore, said in Chinese with what to do; for a restore, nothing was written
    unless the message says otherwise."""


# —— where things are: the application's own settings functions, so that backup and restore use its paths ——

# Side files copied whole; backup-relative name → where the configuration puts it.
SIDE_FILES = {"audit/checkpoints.jsonl": audit_conf.checkpoint_file, "signing/revocations.jsonl": certificate_conf.revocation_list_file}
MEDIA, RETIRED = "media/", "signing/retired/"


@dataclass(frozen=True)
class KeySlot:
    name: str
    label: str
    env_pem: str | None  # a variable that may hold the PEM itself
    path: object  # () -> Path
    mismatch: str


KEYS = (
    KeySlot("certificate", "证书签名密钥", "ZHICHENG_SIGNING_KEY", certificate_conf.signing_key_file, KEY_MISMATCH),
    KeySlot("audit_checkpoint", "审计检查点密钥", None, audit_conf.key_file, "审计检查点密钥与备份时不一致，审计检查点将无法验证"),
)


def _configured_pem(slot: KeySlot) -> tuple[bytes | None, str]:
    """The configured private key's PEM (None when there is none yet) and where it comes from."""
    if slot.env_pem and os.environ.get(slot.env_pem):
        return os.environ[slot.env_pem].encode(), f"环境变量 {slot.env_pem}"
    path = slot.path()
    return (path.read_bytes() if path.exists() else None), str(path)


def private_fingerprint(pem: bytes, where: str) -> str:
    """The fingerprint of the key's public half (its first 16 hex digits are the key id certificates carry)."""
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise BackupError(f"无法读取密钥（{where}）：{exc}。请检查该文件是否为未加密的 PEM 私钥。") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise BackupError(f"{where} 不是 Ed25519 私钥。")
    return fingerprint(private.public_key())


def public_fingerprint(pem: bytes) -> str:
    return fingerprint(serialization.load_pem_public_key(pem))


# —— files ——


def _write_private(path: Path, chunks) -> tuple[str, int]:
    """Write chunks to path (0600, its new folders 0700); its SHA-256 and size."""
    private_dirs(path.parent)
    digest, size = hashlib.sha256(), 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _chunks(path: Path):
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(path):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _complete_lines(path: Path) -> bytes:
    """An append-only JSON-lines file up to its last complete line: a line being appended is left out."""
    data = path.read_bytes()
    return data[: data.rfind(b"\n") + 1]


# —— the database ——


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _pg_tool(name: str) -> str:
    """The newest installed pg_dump/pg_restore (it must be at least the server's version), else the one on PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    found = str(versions[-1]) if versions else shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian: apt-get install postgresql-client）。")
    return found


def _pg_env() -> dict[str, str]:
    """The connection in libpq's variables, so that the password never appears on a command line."""
    s = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for variable, value in (("PGHOST", s.get("HOST")), ("PGPORT", s.get("PORT")), ("PGUSER", s.get("USER")),
                            ("PGPASSWORD", s.get("PASSWORD")), ("PGDATABASE", s.get("NAME")),
                            ("PGSSLMODE", (s.get("OPTIONS") or {}).get("sslmode"))):
        if value:
            env[variable] = str(value)
    return env


def _run_pg(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)  # nosec B603
    if done.returncode != 0:
        raise BackupError(f"{what}失败（{Path(args[0]).name} 退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def latest_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _dump_database(target: Path) -> str:
    if _engine() == "sqlite":
        name = "database.sqlite3"
        os.close(os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target / name)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
            source.close()
        return name
    name = "database.pgdump"
    _run_pg([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target / name)], "导出数据库")
    (target / name).chmod(PRIVATE_FILE)
    return name


def _load_database(dump: Path, engine: str, force: bool) -> None:
    connection.close()
    if engine == "sqlite":
        # Read-only: the backup is never changed by restoring it (it may sit on read-only media).
        source = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        args += ["--clean", "--if-exists"]
    _run_pg([*args, "--dbname", connection.settings_dict["NAME"], str(dump)], "恢复数据库")


# —— backup ——


def backup(target: Path, *, include_keys: bool = False) -> dict:
    """Write a backup of this installation into the new or empty directory ``target``; its manifest."""
    from zhicheng.audit.models import AuditHead

    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录：请指定一个新目录，以免与旧备份混在一起。")
    private_dirs(target)
    target.chmod(PRIVATE_DIR)
    files: dict[str, dict] = {}

    def keep(name: str, sha256: str, size: int) -> None:
        files[name] = {"sha256": sha256, "size": size}

    for name, location in SIDE_FILES.items():
        path = location()
        if path.exists():
            keep(name, *_write_private(target / name, [_complete_lines(path)]))

    keys = []
    for slot in KEYS:
        pem, where = _configured_pem(slot)
        if pem is None:
            continue
        entry = {"name": slot.name, "location": where, "fingerprint": private_fingerprint(pem, where), "included": None}
        if include_keys:
            entry["included"] = f"keys/{slot.name}.pem"
            keep(entry["included"], *_write_private(target / entry["included"], [pem]))
        keys.append(entry)
    retired = certificate_conf.retired_keys_dir()
    for pem_file in sorted(retired.glob("*.pem")) if retired.is_dir() else []:
        name = RETIRED + pem_file.name
        keep(name, *_write_private(target / name, [pem_file.read_bytes()]))
        keys.append({"name": "retired_certificate", "location": str(pem_file),
                     "fingerprint": public_fingerprint(pem_file.read_bytes()), "included": name})

    # Read before the dump: the chain only grows, so the snapshot holds at least this head.
    head = AuditHead.objects.filter(pk=1).first()
    migrations = latest_migrations()
    database_file = _dump_database(target)
    keep(database_file, *file_sha256(target / database_file))

    media = Path(settings.MEDIA_ROOT)
    for path in sorted(media.rglob("*")) if media.is_dir() else []:
        if path.is_file() and path.suffix != ".part":  # .part: an upload being written, not yet a blob
            name = MEDIA + path.relative_to(media).as_posix()
            keep(name, *_write_private(target / name, _chunks(path)))

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "database": {"engine": _engine(), "file": database_file, "migrations": migrations},
        "audit_head": {"seq": head.last_seq if head else 0, "hash": head.last_hash if head else "0" * 64},
        "keys": keys,
        "files": dict(sorted(files.items())),
    }
    tmp = target / (MANIFEST + ".tmp")
    _write_private(tmp, [json.dumps(manifest, ensure_ascii=False, indent=2).encode()])
    tmp.replace(target / MANIFEST)
    return manifest


# —— restore ——


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name and name == path.as_posix()


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} 中没有 {MANIFEST}：这不是一份完整的备份（备份中断时不会写出清单）。")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{MANIFEST} 已损坏，无法读取：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}（本程序读取 {FORMAT}）。")
    return manifest


def verify_backup(source: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size and SHA-256, and nothing else is."""
    source = Path(source)
    listed = manifest["files"]
    problems = []
    for name, expected in listed.items():
        if not _safe_name(name):
            problems.append(f"{name}：路径不合法")
            continue
        path = source / name
        if not path.is_file():
            problems.append(f"{name}：缺失")
            continue
        sha256, size = file_sha256(path)
        if (sha256, size) != (expected["sha256"], expected["size"]):
            problems.append(f"{name}：内容与清单记录的 SHA-256 不符")
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"{name}：不在清单中" for name in sorted(present - set(listed))]
    if manifest["database"]["file"] not in listed:
        problems.append(f"{manifest['database']['file']}：数据库文件不在清单中")
    if problems:
        raise BackupError("备份校验失败，未写入任何数据：" + "；".join(problems[:10])
                          + (f"；另有 {len(problems) - 10} 处" if len(problems) > 10 else "") + "。请换用另一份完好的备份。")


def _destination(name: str) -> Path | None:
    if name in SIDE_FILES:
        return SIDE_FILES[name]()
    if name.startswith(MEDIA):
        return Path(settings.MEDIA_ROOT) / name[len(MEDIA):]
    if name.startswith(RETIRED):
        return certificate_conf.retired_keys_dir() / name[len(RETIRED):]
    return None  # the database and the private keys are placed on their own


def _check_compatible(manifest: dict) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [f"{app}.{name}" for app, name in manifest["database"]["migrations"].items() if (app, name) not in known]
    if unknown:
        raise BackupError("备份来自较新的程序版本（本程序没有这些迁移：" + "、".join(unknown[:5])
                          + "）：请先安装与备份时相同或更新的版本再恢复。")
    if manifest["database"]["engine"] != _engine():
        raise BackupError(f"备份的数据库是 {manifest['database']['engine']}，当前配置的是 {_engine()}：请把 DATABASE_URL 指向同类数据库。")


def _check_fresh(manifest: dict) -> None:
    occupied = []
    tables = connection.introspection.table_names()
    if tables:
        occupied.append(f"数据库已有 {len(tables)} 张数据表")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        occupied.append(f"文件目录 {media} 不是空的")
    for name in manifest["files"]:
        if name in SIDE_FILES and SIDE_FILES[name]().exists():
            occupied.append(f"{SIDE_FILES[name]()} 已存在")
    if occupied:
        raise BackupError("恢复只写入全新的空数据库和空目录，但" + "；".join(occupied)
                          + "。请新建空数据库（修改 DATABASE_URL）和空目录（MEDIA_ROOT、ZHICHENG_VAR_DIR）后重试；确认要覆盖现有数据时加 --force。")


def _plan_keys(source: Path, manifest: dict) -> list[tuple[Path, Path]]:
    """Check the configured keys against the manifest's fingerprints; the included keys to put in place."""
    to_place, slots = [], {slot.name: slot for slot in KEYS}
    for entry in manifest["keys"]:
        slot = slots.get(entry["name"])
        if slot is None:
            continue  # retired public keys are restored with the files
        pem, where = _configured_pem(slot)
        if pem is None:
            if entry["included"]:
                to_place.append((source / entry["included"], slot.path()))
                continue
            raise BackupError(f"{KEY_MISMATCH if slot.name == 'certificate' else slot.mismatch}：找不到{slot.label}（{where}）。"
                              f"请先从离线密钥备份中取回备份时 {entry['location']} 处的密钥（公钥指纹 {entry['fingerprint']}），"
                              f"放到 {where}（权限 0600），再执行恢复。")
        found = private_fingerprint(pem, where)
        if found != entry["fingerprint"]:
            raise BackupError(f"{slot.mismatch}：当前配置的{slot.label}（{where}）公钥指纹为 {found}，备份时为 {entry['fingerprint']}"
                              f"（{entry['location']}）。请换上备份时的密钥后重试，不要用新密钥替代。")
    return to_place


@dataclass
class Checks:
    audit_entries: int = 0
    audit_problem: str = ""
    certificates: int = 0
    certificates_verified: int = 0
    certificate_problems: list[str] = field(default_factory=list)
    files: int = 0
    files_rehashed: int = 0
    file_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.audit_problem or self.certificate_problems or self.file_problems)

    def summary(self) -> list[str]:
        lines = [f"审计日志：{self.audit_entries} 条，" + (self.audit_problem or "哈希链校验通过，含备份时的最后一条。"),
                 f"证书：{self.certificates} 张，签名与状态核验通过 {self.certificates_verified} 张。",
                 f"材料文件：{self.files} 个，重新计算 SHA-256 一致 {self.files_rehashed} 个。"]
        lines += [f"  证书 {p}" for p in self.certificate_problems[:10]]
        lines += [f"  文件 {p}" for p in self.file_problems[:10]]
        return lines


def check_installation(audit_head: dict | None = None) -> Checks:
    """The checks after a restore (and usable on any installation): the audit chain verifies (and holds the
    head recorded at backup time), every certificate verifies, every stored file re-hashes to its record."""
    from zhicheng.audit.models import AuditEntry
    from zhicheng.audit.services import verify_chain
    from zhicheng.certificates.models import Certificate
    from zhicheng.certificates.services import verify
    from zhicheng.files.models import StoredFile
    from zhicheng.files.services import FileIntegrityError, read_verified

    checks = Checks()
    chain = verify_chain()
    checks.audit_entries = chain.checked
    if not chain.ok:
        checks.audit_problem = f"哈希链自第 {chain.first_broken_seq} 条起校验失败（{chain.reason}）。"
    elif audit_head and audit_head["seq"] and not AuditEntry.objects.filter(seq=audit_head["seq"], entry_hash=audit_head["hash"]).exists():
        checks.audit_problem = f"缺少备份时的最后一条（第 {audit_head['seq']} 条）或其哈希不符。"
    for cert in Certificate.objects.order_by("pk").iterator():
        checks.certificates += 1
        result = verify(cert)
        if result.authentic:
            checks.certificates_verified += 1
        else:
            checks.certificate_problems.append(f"{cert.number}：{''.join(result.problems)}")
    for stored in StoredFile.objects.order_by("pk").iterator():
        checks.files += 1
        try:
            read_verified(stored)
            checks.files_rehashed += 1
        except FileNotFoundError:
            checks.file_problems.append(f"{stored.sha256}（{stored.original_name}）：文件缺失")
        except (OSError, FileIntegrityError):
            checks.file_problems.append(f"{stored.sha256}（{stored.original_name}）：内容与登记的 SHA-256 不符")
    return checks


@dataclass
class Restored:
    manifest: dict
    migrated: int
    checks: Checks


def restore(source: Path, *, force: bool = False) -> Restored:
    """Restore the backup in ``source`` into the configured database and folders, then check the result.
    Everything that can refuse (the backup's integrity, versions, an occupied target, the keys) is checked
    before anything is written."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    source = Path(source)
    manifest = read_manifest(source)
    verify_backup(source, manifest)
    _check_compatible(manifest)
    if not force:
        _check_fresh(manifest)
    keys_to_place = _plan_keys(source, manifest)

    _load_database(source / manifest["database"]["file"], manifest["database"]["engine"], force)
    for name in manifest["files"]:
        destination = _destination(name)
        if destination is not None:
            _write_private(destination, _chunks(source / name))
    for included, destination in keys_to_place:
        _write_private(destination, [included.read_bytes()])

    # A backup from an older version is brought up to this version's schema, as an upgrade would.
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        call_command("migrate", verbosity=0)
    return Restored(manifest, len(pending), check_installation(manifest["audit_head"]))
