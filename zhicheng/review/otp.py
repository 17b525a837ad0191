"""The experts' second factor: TOTP (RFC 6238, pyotp), enrolled by scanning a QR code.

Codes are checked against real time, not core.clock: the authenticator on the expert's phone
runs on the real clock even when the application's business date is pinned (demo, tests).
"""

from __future__ import annotations

import time

import pyotp
import segno
from django.db import transaction

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


def check(user, code: str) -> bool:
    """True for a valid code not used before (a replayed code is refused)."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is None:
            return False
        counter = _matching_counter(factor, code)
        if counter is None or counter <= factor.last_counter:
            return False
        factor.last_counter = counter
        fields = ["last_counter"]
        if factor.confirmed_at is None:
            factor.confirmed_at = clock.now()
            fields.append("confirmed_at")
            audit("second_factor.enrol", factor, actor=user, after={"user": user.pk}, summary=f"{user}绑定动态口令")
        factor.save(update_fields=fields)
    return True


def pass_in_session(request) -> None:
    request.session[SECOND_FACTOR_SESSION_KEY] = request.user.pk


def set_secret(user, secret: str) -> SecondFactor:
    """A known, confirmed secret (the demo expert's, printed by load_demo)."""
    factor, _ = SecondFactor.objects.update_or_create(user=user, defaults={"secret": secret, "confirmed_at": clock.now()})
    return factor
