"""The network address a request comes from, one answer for the audit log and every per-address limit."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR; behind settings.TRUSTED_PROXIES proxies that each append the address they saw to
    X-Forwarded-For, the one the outermost of them saw (what a client writes there is ignored), so that
    the people behind one HTTPS proxy do not share one address's limits."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            try:
                return str(ipaddress.ip_address(hops[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")
