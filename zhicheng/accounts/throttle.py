"""Wrong passwords are throttled by account and by network address (django-axes).

Applicants log in with their 身份证 number, so axes never stores or logs a username as typed: it keeps a
digest keyed with SECRET_KEY (`account_key`), which nobody without the key can turn back into a number
(an unkeyed hash of an 18-character ID number is searched through in minutes).
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from zhicheng.audit.services import record as audit


def digest(username: str) -> str:
    return salted_hmac("zhicheng.accounts.throttle", username or "", algorithm="sha256").hexdigest()


def account_key(request, credentials=None) -> str:
    """What axes records as the username: the keyed digest of the one typed."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return digest(username or "")


class ThrottleBackend(AxesStandaloneBackend):
    """Refuses every login of a locked account or address before the password is checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # no web request (a command, the test client's login()): there is no address to throttle
        return super().authenticate(request, username=username, password=password, **kwargs)


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits: the account's and the (higher) address's."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                                  for attempts in self.get_user_attempts(request, credentials))
        # The address's count on the account's scale, so that axes compares one number with its limit.
        return max(by_account, by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A login clears its own account's failures only: an attacker's own account must not clear the address.
        count, _ = AccessAttempt.objects.filter(username=get_client_username(request, credentials)).delete()
        return count


def locked_out(request, response=None, credentials=None):
    """The login page again, saying why and for how long (HTTP 429)."""
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "web/login.html", {
        "form": form, "next": request.POST.get("next", ""), "locked_minutes": settings.LOGIN_COOLOFF_MINUTES,
    }, status=429)


# ---- the regional department's unlock page ------------------------------------------------------

def current_locks() -> list[dict]:
    """Accounts and addresses over their limit within the cool-off, newest first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    locks = []
    for field, kind, limit in (("username", "account", settings.AXES_FAILURE_LIMIT),
                               ("ip_address", "address", settings.LOGIN_ADDRESS_FAILURE_LIMIT)):
        rows = (recent.values(field).annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=limit).order_by("-last"))
        for row in rows:
            value = row[field] or ""
            locks.append({"kind": kind, "value": value, "label": value[:12] if kind == "account" else value,
                          "failures": row["failures"], "last": row["last"],
                          "until": row["last"] + settings.AXES_COOLOFF_TIME})
    return sorted(locks, key=lambda lock: lock["last"], reverse=True)


def unlock(actor, *, username: str = "", address: str = "", key: str = "") -> int:
    """Clear the failures of an account (typed username or its recorded key) or of an address; audited."""
    attempts = AccessAttempt.objects.all()
    if username or key:
        key = key or digest(username)
        attempts, what = attempts.filter(username=key), f"账号（记录键{key[:12]}）"
    elif address:
        attempts, what = attempts.filter(ip_address=address), f"地址{address}"
    else:
        return 0
    with transaction.atomic():
        count, _ = attempts.delete()
        audit("auth.unlock", actor=actor, object_type="axes.accessattempt", object_id=key[:64] or address,
              after={"removed": count}, summary=f"解除登录锁定：{what}，清除{count}条失败记录")
    return count

