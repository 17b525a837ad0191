"""Where the audit checkpoints and their signing key live, from the environment.

Both are outside the database on purpose: whoever can write the database can rewrite the chain
and recompute every hash, but cannot sign a checkpoint or edit a file on another machine.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def key_file() -> Path:
    return Path(os.environ.get("ZHICHENG_AUDIT_KEY_FILE", Path(settings.VAR_DIR) / "signing" / "audit-checkpoint-ed25519.pem"))


def checkpoint_file() -> Path:
    return Path(os.environ.get("ZHICHENG_AUDIT_CHECKPOINT_FILE", Path(settings.VAR_DIR) / "audit" / "checkpoints.jsonl"))


def checkpoint_every() -> int:
    """A checkpoint is signed after the chain has grown by this many entries (besides the daily one)."""
    return max(1, int(os.environ.get("ZHICHENG_AUDIT_CHECKPOINT_EVERY", "1000")))
