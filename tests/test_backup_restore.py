"""The restore drill (issue 12, finding 7): the demo is backed up with `zhicheng backup` and restored with
`zhicheng restore` into a fresh database and fresh folders, as processes, on the database the tests run on;
the restored installation passes `zhicheng audit verify`, every certificate verifies and every evidence file
re-hashes. A restore with another signing key, or from a backup with a damaged file, writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest

from tests.processes import database_url, process_env, run

# transaction=True: the demo the drill loads is committed, and flushed after each test like other process tests.
pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

# Set in a developer's shell they would point every process at the same keys and files.
LOCATION_VARIABLES = ("ZHICHENG_SIGNING_KEY", "ZHICHENG_SIGNING_KEY_FILE", "ZHICHENG_RETIRED_KEYS_DIR", "ZHICHENG_AUDIT_KEY_FILE",
                      "ZHICHENG_AUDIT_CHECKPOINT_FILE", "ZHICHENG_REVOCATION_LIST_FILE")


def installation_env(var: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in process_env().items() if k not in LOCATION_VARIABLES}
    env.update(DATABASE_URL=url, ZHICHENG_VAR_DIR=str(var), MEDIA_ROOT=str(var / "media"))
    return env


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def backed_up(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded into the test database (once: it takes a while) and backed up by the real commands."""
    from zhicheng.certificates.models import Certificate
    from zhicheng.files.models import StoredFile

    root = tmp_path_factory.mktemp("backup-drill")
    env = installation_env(root / "source", database_url())
    loaded = run("load_demo", "--i-know-this-is-not-production", env={**env, "ZHICHENG_TODAY": "2021-09-15"}, timeout=240)
    assert loaded.returncode == 0, loaded.stderr
    for name, flags in (("backup", ()), ("backup-with-keys", ("--include-keys",))):
        done = run("backup", *flags, str(root / name), env=env)
        assert done.returncode == 0, done.stderr
    with django_db_blocker.unblock():
        counts = {"certificates": Certificate.objects.count(), "files": StoredFile.objects.count()}
    return {"source": root / "source", "backup": root / "backup", "backup_with_keys": root / "backup-with-keys", **counts}


@pytest.fixture
def fresh(tmp_path):
    """A new, empty target: a database nobody has written to and an empty var folder."""
    from django.db import connection

    var = tmp_path / "restored"
    if connection.vendor == "sqlite":
        yield var, f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    s = connection.settings_dict
    name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    params = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432, "user": s["USER"], "password": s["PASSWORD"] or None,
              "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield var, database_url().rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables_in(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not os.path.exists(path):
            return []
        with sqlite3.connect(path) as db:
            return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    import psycopg

    with psycopg.connect(url) as db:
        return [row[0] for row in db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]


def private_keys_of(var: Path) -> list[Path]:
    return sorted((var / "signing").glob("*.pem"))


def put_keys_back(source: Path, target: Path) -> None:
    """What the operator does from the offline key backup before restoring."""
    (target / "signing").mkdir(parents=True, mode=0o700)
    for key in private_keys_of(source):
        shutil.copy2(key, target / "signing" / key.name)


def test_the_demo_restores_into_a_fresh_database_and_folder_and_verifies(backed_up, fresh):
    var, url = fresh
    backup, source = backed_up["backup"], backed_up["source"]
    manifest = json.loads((backup / "manifest.json").read_text())

    # The backup: owner-only, every file listed with its hash, the keys by fingerprint and not copied.
    assert mode(backup) == 0o700
    assert all(mode(p) == 0o600 for p in backup.rglob("*") if p.is_file())
    assert all(mode(p) == 0o700 for p in backup.rglob("*") if p.is_dir())
    assert sum(name.startswith("media/") for name in manifest["files"]) == backed_up["files"]
    assert [k["name"] for k in manifest["keys"]][:1] == ["certificate"] and all(not k["included"] for k in manifest["keys"])
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in backup.rglob("*") if p.is_file())
    assert manifest["audit_head"]["seq"] > 0 and manifest["database"]["migrations"]["certificates"]
    for name, location in (("audit/checkpoints.jsonl", source / "audit" / "checkpoints.jsonl"),
                           ("signing/revocations.jsonl", source / "signing" / "revocations.jsonl")):
        assert (name in manifest["files"]) == location.exists(), name

    put_keys_back(source, var)
    env = installation_env(var, url)
    restored = run("restore", str(backup), env=env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    certificates, files = backed_up["certificates"], backed_up["files"]
    assert certificates > 0 and files > 0
    assert f"证书：{certificates} 张，签名与状态核验通过 {certificates} 张。" in restored.stdout
    assert f"材料文件：{files} 个，重新计算 SHA-256 一致 {files} 个。" in restored.stdout
    assert "核验全部通过" in restored.stdout

    verified = run("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    again = run("restore", str(backup), env=env)
    assert again.returncode != 0 and "恢复只写入全新的空数据库和空目录" in again.stderr, "a restore never overwrites data unasked"
    for name in manifest["files"]:
        if name.startswith("media/"):
            assert (var / name).read_bytes() == (source / name).read_bytes()
    for name in ("audit/checkpoints.jsonl", "signing/revocations.jsonl"):
        if name in manifest["files"]:
            assert (var / name).read_bytes() == (backup / name).read_bytes()


def test_a_restore_with_another_signing_key_is_refused_and_writes_nothing(backed_up, fresh):
    var, url = fresh
    put_keys_back(backed_up["source"], var)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    (var / "signing" / "certificate-ed25519.pem").write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    refused = run("restore", str(backed_up["backup"]), env=installation_env(var, url))
    assert refused.returncode != 0
    assert "签名密钥与备份时不一致，证书将无法验证" in refused.stderr
    assert tables_in(url) == [] and not (var / "media").exists()


def test_a_damaged_file_in_the_backup_is_refused_before_anything_is_written(backed_up, fresh, tmp_path):
    var, url = fresh
    put_keys_back(backed_up["source"], var)
    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up["backup"], damaged)
    blob = next(p for p in sorted((damaged / "media").rglob("*")) if p.is_file())
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    refused = run("restore", str(damaged), env=installation_env(var, url))
    assert refused.returncode != 0
    assert "备份校验失败" in refused.stderr and blob.relative_to(damaged).as_posix() in refused.stderr
    assert tables_in(url) == [] and not (var / "media").exists()


def test_a_single_machine_backup_with_its_keys_restores_where_no_key_is(backed_up, fresh):
    var, url = fresh
    backup, source = backed_up["backup_with_keys"], backed_up["source"]
    manifest = json.loads((backup / "manifest.json").read_text())
    assert all(k["included"] for k in manifest["keys"])
    restored = run("restore", str(backup), env=installation_env(var, url))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    certificates = backed_up["certificates"]
    assert f"证书：{certificates} 张，签名与状态核验通过 {certificates} 张。" in restored.stdout
    for key in private_keys_of(source):
        assert (var / "signing" / key.name).read_bytes() == key.read_bytes() and mode(var / "signing" / key.name) == 0o600
