"""The second factor: TOTP (RFC 6238, pyotp), enrolled by scanning a QR code. Every expert has one, and
staff where settings.STAFF_SECOND_FACTOR requires it (accounts.permissions.second_factor_required).

Codes are checked against real time, not core.clock: the authenticator on the phone runs on the real
clock even when the application's business date is pinned (demo, tests). So are the attempt limits:
after settings.TOTP_FAILURE_LIMIT wrong codes in a row the account's factor refuses every code, right
or wrong, for settings.TOTP_LOCK_MINUTES (a six-digit code falls to a few hundred thousand guesses).
"""

from __future__ import annotations

import datetime as dt
import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhicheng.accounts.permissions import SECOND_FACTOR_SESSION_KEY
from zhicheng.audit.services import record as audit
from zhicheng.core import clock

from .models import SecondFactor

ISSUER = "内蒙古职称评审"
STEP = 30


def factor_of(user) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user).first()


def start_enrolment(user) -> SecondFactor:
    """A new secret until the expert confirms it; a confirmed one is never shown again."""
    factor = factor_of(user)
    if factor is None:
        factor = SecondFactor.objects.create(user=user, secret=pyotp.random_base32(32))
    return factor


def provisioning_uri(factor: SecondFactor) -> str:
    return pyotp.TOTP(factor.secret).provisioning_uri(name=factor.user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4)


def _matching_counter(factor: SecondFactor, code: str) -> int | None:
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(factor.secret)
    now = int(time.time())
    for drift in (0, -1, 1):  # one step either side for clock skew
        counter = now // STEP + drift
        if totp.at(counter * STEP) == code:
            return counter
    return None


def _lock_period() -> dt.timedelta:
    return dt.timedelta(minutes=settings.TOTP_LOCK_MINUTES)


def locked_until(user) -> dt.datetime | None:
    """When the factor accepts codes again, if wrong codes have locked it now."""
    until = SecondFactor.objects.filter(user=user).values_list("locked_until", flat=True).first()
    return until if until is not None and until > timezone.now() else None


def check(user, code: str) -> bool:
    """True for a valid code not used before (a replayed code is refused), while the factor is not locked."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is None:
            return False
        now = timezone.now()
        if factor.locked_until is not None and factor.locked_until > now:
            return False
        counter = _matching_counter(factor, code)
        if counter is None or counter <= factor.last_counter:
            _count_failure(factor, user, now)
            return False
        factor.last_counter = counter
        factor.failures, factor.last_failure_at, factor.locked_until = 0, None, None
        fields = ["last_counter", "failures", "last_failure_at", "locked_until"]
        if factor.confirmed_at is None:
            factor.confirmed_at = clock.now()
            fields.append("confirmed_at")
            audit("second_factor.enrol", factor, actor=user, after={"user": user.pk}, summary=f"{user}绑定动态口令")
        factor.save(update_fields=fields)
    return True


def _count_failure(factor: SecondFactor, user, now: dt.datetime) -> None:
    """Wrong codes within one lock period of each other count together; the limit locks the factor (audited)."""
    if factor.last_failure_at is None or now - factor.last_failure_at > _lock_period():
        factor.failures = 0
    factor.failures += 1
    factor.last_failure_at = now
    if factor.failures >= settings.TOTP_FAILURE_LIMIT:
        factor.locked_until, factor.failures = now + _lock_period(), 0
        audit("second_factor.locked", factor, actor=user, after={"locked_until": factor.locked_until},
              summary=f"{user}动态口令连续错误{settings.TOTP_FAILURE_LIMIT}次，锁定{settings.TOTP_LOCK_MINUTES}分钟")
    factor.save(update_fields=["failures", "last_failure_at", "locked_until"])


def pass_in_session(request) -> None:
    request.session[SECOND_FACTOR_SESSION_KEY] = request.user.pk


def set_secret(user, secret: str) -> SecondFactor:
    """A known, confirmed secret (the demo expert's, printed by load_demo)."""
    factor, _ = SecondFactor.objects.update_or_create(user=user, defaults={"secret": secret, "confirmed_at": clock.now()})
    return factor
