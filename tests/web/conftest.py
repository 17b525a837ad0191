"""The English catalogue is built by `make install`; a plain `pytest` run builds it here when it is
missing or older than the .po, with the same msgfmt."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "zhicheng" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def ensure_catalogue() -> None:
    mo = PO.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime:
        return
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt not found: install Debian's gettext (make system-deps)")
    subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(PO)], check=True)


@pytest.fixture(scope="session", autouse=True)
def english_catalogue():
    ensure_catalogue()
    from django.utils import translation

    translation.trans_real._translations = {}  # pick up a catalogue built in this run
    translation.trans_real._default = None
