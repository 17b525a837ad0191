"""Where a webhook may be sent: never into the region's own network (server-side request forgery).

A receiver's URL is HTTPS to a host whose every address is public. Plain HTTP is allowed only to the
loopback addresses, and only when settings.WEBHOOKS_ALLOW_LOOPBACK is on (tests, a receiver on the same
machine). The check runs when the subscription is made and again before every attempt, on the addresses
the request then connects to (delivery.py connects to the address checked, so a name that resolves
elsewhere between the check and the request — DNS rebinding — is no way in).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class AddressRefused(ValueError):
    """The URL may not receive webhooks; the message (Chinese) says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP address the request connects to


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, loopback_ok: bool) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return loopback_ok
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise AddressRefused(_("无法解析接收地址的主机名 %(host)s。") % {"host": host}) from exc
    return sorted({info[4][0] for info in infos})


def check(url: str) -> Target:
    """The URL's target, its address checked; AddressRefused when the URL may not receive webhooks."""
    loopback_ok = getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(_("接收地址格式不正确。")) from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("https", "http") or not host:
        raise AddressRefused(_("接收地址须以 https:// 开头。"))
    if parts.username or parts.password:
        raise AddressRefused(_("接收地址不能包含用户名或密码，请用签名密钥核验来源。"))
    port = port or (443 if scheme == "https" else 80)
    addresses = resolve(host, port)
    refused = [a for a in addresses if not _allowed(ipaddress.ip_address(a.split("%")[0]), loopback_ok)]
    if refused or not addresses:
        raise AddressRefused(_("接收地址 %(host)s 指向内网、本机或保留地址（%(addresses)s），为防止服务端请求伪造，不能作为推送地址。")
                             % {"host": host, "addresses": "、".join(refused) or "-"})
    if scheme == "http" and not (loopback_ok and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)):
        raise AddressRefused(_("接收地址须使用 https://（明文 http 只允许本机测试地址，且须由系统设置开启）。"))
    # Sent as ASCII: what is not already percent-encoded is encoded (a Chinese path, a space).
    safe = "/%:@!$&'()*+,;=~-._"
    path = quote(parts.path or "/", safe=safe) + (f"?{quote(parts.query, safe=safe + '?')}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
