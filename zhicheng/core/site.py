"""The address the site is reached at from outside: what links in e-mails, notifications and
certificates' QR codes point to. Set ZHICHENG_PUBLIC_URL in every real deployment."""

from __future__ import annotations

import os

from django.urls import reverse


def public_base_url() -> str:
    return os.environ.get("ZHICHENG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def absolute_url(path: str) -> str:
    return public_base_url() + path


def page_url(name: str, *args, query: str = "") -> str:
    """The absolute address of a named page, e.g. page_url("application_detail", 12)."""
    return absolute_url(reverse(name, args=args) + (f"?{query}" if query else ""))
