"""Verifiable randomness: canonical hashes, commit-reveal seeds, counter-mode sampling.

Everything here is defined byte for byte so that an auditor can redo it with any SHA-256
implementation:

* canonical JSON: keys sorted, no spaces, UTF-8, integers only (floats are refused, so no
  hash depends on how a machine prints a float);
* a commitment is SHA-256 of the secret's UTF-8 bytes, as lowercase hex;
* the seed follows RFC 3797: every source is written canonically and followed by "/", the
  sources are concatenated in a fixed order, and the seed is SHA-256 of that key string;
* random integers come from SHA-256(seed || label || counter) blocks, read as 64-bit
  big-endian words, with rejection sampling so that no value is favoured; a bound above
  2^64 takes as many consecutive words as it needs, the first the most significant.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

PARTIES = {"office": "评委会办事机构", "supervisor": "纪检监察机构"}
SECRET_PATTERN = re.compile(r"^[0-9a-f]{32,128}$")
COMMITMENT_PATTERN = re.compile(r"^[0-9a-f]{64}$")  # a commitment as submitted: SHA-256, lowercase hex
WORD = 2**64


def canonical_json(value: Any) -> bytes:
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("canonical JSON holds integers only")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_floats(item)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def commitment(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_secret(party: str, secret: str) -> str | None:
    """A Chinese complaint when a revealed secret is too weak to keep its commitment hiding."""
    if not SECRET_PATTERN.match(secret):
        return f"{PARTIES.get(party, party)}的秘密值应为32至128位小写十六进制数（至少128位随机性）"
    return None


def seed_key(reveals: dict[str, str], public_values: list[int] | None) -> str:
    """The RFC 3797 key string: office secret, supervisor secret, then the public numbers
    (decimal, in the order drawn, separated by '.'), each source followed by '/'."""
    sources = [reveals["office"], reveals["supervisor"]]
    if public_values is not None:
        sources.append(".".join(str(int(v)) for v in public_values))
    return key_string(sources)


def key_string(sources: list[str]) -> str:
    """RFC 3797's key string: each source, in the fixed order, followed by '/'."""
    return "".join(source + "/" for source in sources)


def seed_from_key(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class Stream:
    """Counter-mode SHA-256 over (seed, label); each purpose gets its own label."""

    def __init__(self, seed: bytes, label: str):
        self.prefix = seed + label.encode("utf-8") + b"\x00"
        self.words = self._words()

    def _words(self) -> Iterator[int]:
        counter = 0
        while True:
            block = hashlib.sha256(self.prefix + counter.to_bytes(8, "big")).digest()
            for offset in range(0, 32, 8):
                yield int.from_bytes(block[offset : offset + 8], "big")
            counter += 1

    def below(self, bound: int) -> int:
        """Uniform integer in [0, bound): a value is k consecutive words read as one
        big-endian number (k = 1 up to 2^64, more for larger bounds, as the exact
        probabilities of dependent rounding need); values at or above the largest multiple
        of `bound` below 2^(64k) are rejected, so every residue is equally likely."""
        if bound < 1:
            raise ValueError("bound out of range")
        width = max(1, -(-(bound - 1).bit_length() // 64))
        span = WORD**width
        limit = span - span % bound
        while True:
            value = 0
            for _ in range(width):
                value = (value << 64) | next(self.words)
            if value < limit:
                return value % bound

    def shuffle(self, items: list) -> list:
        """Fisher–Yates from the end: position i swaps with a uniform j in [0, i]."""
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result
