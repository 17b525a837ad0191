"""Settings of the v1 API, from the environment (documented in docs/api.md)."""

from __future__ import annotations

import os


def calls_per_minute() -> int:
    """Calls one key may make in any 60 seconds (ZHICHENG_API_CALLS_PER_MINUTE, default 120)."""
    return int(os.environ.get("ZHICHENG_API_CALLS_PER_MINUTE", "120"))
