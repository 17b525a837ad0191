"""Append-only files outside the database (signed audit checkpoints, the signed revocation list).

One writer at a time across processes and machines sharing the folder (an exclusive flock); every
line reaches the disk before the caller goes on (fsync), and so does a new file's name."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked(path: Path) -> Iterator[int]:
    """The file opened for reading and appending (0600 in a 0700 folder, created if need be), under an
    exclusive lock until the block ends. Yields the descriptor."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if created:
            _fsync_dir(path.parent)
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def append(fd: int, data: bytes) -> None:
    os.write(fd, data)
    os.fsync(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
