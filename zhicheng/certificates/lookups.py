"""Public lookups: by QR code (number + check code) or by number + name, rate-limited per IP
and logged, so the holder can see who verified their certificate and when."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from zhicheng.audit.context import current
from zhicheng.core import clock

from . import conf
from .models import Certificate, VerificationLookup
from .services import Verification, verify


class RateLimited(Exception):
    def __init__(self):
        super().__init__(_("查询过于频繁：同一网络地址每分钟最多查询%(minute)d次、每小时最多%(hour)d次，请稍后再试。")
                         % {"minute": conf.LOOKUPS_PER_MINUTE, "hour": conf.LOOKUPS_PER_HOUR})


def client_ip(request) -> str:
    return current.get().ip or request.META.get("REMOTE_ADDR", "")


def check_rate(ip: str) -> None:
    now = clock.now()
    # Counted in the database on the (ip, at) index: no row travels, however many lookups the hour holds.
    used = VerificationLookup.objects.filter(ip=ip, at__gt=now - dt.timedelta(hours=1)).aggregate(
        hour=Count("pk"), minute=Count("pk", filter=Q(at__gt=now - dt.timedelta(minutes=1))))
    if used["hour"] >= conf.LOOKUPS_PER_HOUR or used["minute"] >= conf.LOOKUPS_PER_MINUTE:
        raise RateLimited()


def look_up(*, ip: str, channel: str, number: str, name: str = "", check_code: str = "", verifier: str = "") -> Verification | None:
    """The certificate's verification when the number matches the name or the QR check code; None otherwise.
    Raises RateLimited before touching anything when the IP has used up its lookups."""
    check_rate(ip)
    number = number.strip()
    cert = Certificate.objects.select_related("series").filter(number=number).first() if number else None
    matched = cert is not None and (
        (check_code and secrets.compare_digest(check_code.encode(), cert.check_code.encode()))
        or (name.strip() and name.strip() == cert.holder_name)
    )
    VerificationLookup.objects.create(at=clock.now(), ip=ip, channel=channel, number=number[:40],
                                      certificate=cert if matched else None, verifier=verifier.strip()[:80], found=bool(matched))
    return verify(cert) if matched else None


def masked_ip(ip: str) -> str:
    """What the holder sees of a verifier's address: enough to tell lookups apart, not to identify a person."""
    if "." in ip:
        return ".".join(ip.split(".")[:2] + ["*", "*"])
    return ip.split(":")[0] + ":*" if ip else ""
