"""Settings of the certificate service, from the environment (documented in docs/certificates.md)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

# The verification page's public address (printed in the QR code) is the site's public address.
from zhicheng.core.site import public_base_url  # noqa: F401

# Lookups per client IP: at most PER_MINUTE in any 60 seconds and PER_HOUR in any hour.
LOOKUPS_PER_MINUTE = int(os.environ.get("ZHICHENG_VERIFY_PER_MINUTE", "10"))
LOOKUPS_PER_HOUR = int(os.environ.get("ZHICHENG_VERIFY_PER_HOUR", "100"))


def signing_key_file() -> Path:
    return Path(os.environ.get("ZHICHENG_SIGNING_KEY_FILE", Path(settings.VAR_DIR) / "signing" / "certificate-ed25519.pem"))


def retired_keys_dir() -> Path:
    return Path(os.environ.get("ZHICHENG_RETIRED_KEYS_DIR", Path(settings.VAR_DIR) / "signing" / "retired"))


def revocation_list_file() -> Path:
    """The append-only copy of the signed revocation list, outside the database (see revocations.py)."""
    return Path(os.environ.get("ZHICHENG_REVOCATION_LIST_FILE", Path(settings.VAR_DIR) / "signing" / "revocations.jsonl"))
