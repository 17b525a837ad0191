"""Ed25519 signatures over the canonical JSON of a certificate's fields.

Key management: the private key is read from ``ZHICHENG_SIGNING_KEY`` (a PEM, for deployments
that inject secrets) or from the PEM file ``ZHICHENG_SIGNING_KEY_FILE`` (default
VAR_DIR/signing/certificate-ed25519.pem), which is generated with mode 0600 on first use.
A retired key's public PEM goes into VAR_DIR/signing/retired/ so the certificates it signed
still verify. Only these keys are trusted: nothing in the database can add one.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from zhicheng.core.canonical import canonical_json

from . import conf

ALGORITHM = "Ed25519"


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: what a backup's manifest records of each key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_id_of(public_key: Ed25519PublicKey) -> str:
    return fingerprint(public_key)[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    key_id: str

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()


def _load_or_create(path) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: when two processes start at once, one writes and the other reads what it wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return pem


@lru_cache(maxsize=4)
def _key_from(source: str, pem: bytes) -> SigningKey:
    private = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{source} 不是 Ed25519 私钥。")
    return SigningKey(private, key_id_of(private.public_key()))


def key_at(path) -> SigningKey:
    """The Ed25519 key in the file at ``path``, created (0600) on first use. Other signers (the audit
    checkpoints) keep their own key this way."""
    return _key_from(str(path), _load_or_create(path))


def current_key() -> SigningKey:
    env = os.environ.get("ZHICHENG_SIGNING_KEY")
    if env:
        return _key_from("ZHICHENG_SIGNING_KEY", env.encode())
    return key_at(conf.signing_key_file())


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    key = current_key()
    keys = {key.key_id: key.public}
    retired = conf.retired_keys_dir()
    if retired.is_dir():
        for pem_file in sorted(retired.glob("*.pem")):
            public = serialization.load_pem_public_key(pem_file.read_bytes())
            if isinstance(public, Ed25519PublicKey):
                keys[key_id_of(public)] = public
    return keys


def sign_bytes(data: bytes, key: SigningKey | None = None) -> tuple[str, str]:
    """(key id, base64 signature) over ``data`` exactly as delivered (a file's bytes: the collection's workbook)."""
    key = key or current_key()
    return key.key_id, base64.b64encode(key.private.sign(data)).decode()


def sign(payload: dict, key: SigningKey | None = None) -> tuple[str, str]:
    """(key id, base64 signature) over the canonical JSON of ``payload``."""
    return sign_bytes(canonical_json(payload), key)


def check(payload: dict, key_id: str, signature: str, keys: dict[str, Ed25519PublicKey] | None = None) -> bool:
    """``keys``: the trusted keys when the caller checks many signatures at once (read once, not per line)."""
    public = (trusted_public_keys() if keys is None else keys).get(key_id)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(signature, validate=True), canonical_json(payload))
    except (InvalidSignature, ValueError):
        return False
    return True
