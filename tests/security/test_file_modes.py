"""Finding 10 (issue 11): the SQLite database, var/, keys and evidence files are readable by the
application's own account only — they used to be created 0644/0755, readable by every local user."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from zhicheng.files.services import read_verified, store_file

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def permissive_umask():
    """The umask most shells start with: the code must not rely on a stricter one."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.django_db
def test_evidence_files_and_their_folders_are_owner_only(settings, permissive_umask):
    stored = store_file("学位证书.pdf", PDF)
    blob = settings.MEDIA_ROOT / "blobs" / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    assert mode(blob) == 0o600
    for folder in (settings.MEDIA_ROOT, settings.MEDIA_ROOT / "blobs", blob.parent.parent, blob.parent):
        assert mode(folder) == 0o700, folder
    assert read_verified(stored) == PDF


def test_a_fresh_installation_creates_its_database_keys_and_var_owner_only(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "MEDIA_ROOT", "ZHICHENG_UMASK", "ZHICHENG_SIGNING_KEY", "ZHICHENG_SIGNING_KEY_FILE")}
    env.update(ZHICHENG_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="zhicheng.settings")
    code = ("from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('CREATE TABLE probe (x integer)'); c.execute('INSERT INTO probe VALUES (1)')\n"
            "from zhicheng.certificates import signing\n"
            "signing.current_key()\n"
            "import os; print(oct(os.umask(0)))\n")
    # Started with the usual 022 umask, as a shell or a service manager would.
    done = subprocess.run([sys.executable, "-m", "zhicheng.cli", "shell", "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, preexec_fn=lambda: os.umask(0o022))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("0o77")
    database = var / "zhicheng.sqlite3"
    assert mode(var) == 0o700
    assert mode(database) == 0o600 and mode(var / "secret_key") == 0o600
    for journal in (var / "zhicheng.sqlite3-wal", var / "zhicheng.sqlite3-shm"):
        if journal.exists():  # SQLite may have folded the WAL back on close
            assert mode(journal) == 0o600, journal
    assert mode(var / "signing") == 0o700 and mode(var / "signing" / "certificate-ed25519.pem") == 0o600
