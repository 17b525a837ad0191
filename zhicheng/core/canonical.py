"""Canonical JSON: the byte form that hashes and signatures are computed over."""

import datetime as dt
import decimal
import hashlib
import json
import uuid


def _default(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default).encode()


def sha256_hex(value) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def jsonable(value):
    """Round-trip through canonical JSON so that what is stored equals what was hashed."""
    return json.loads(canonical_json(value))
