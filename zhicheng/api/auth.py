"""How a v1 call authenticates: `Authorization: Bearer <organisation API key>`.

`key_auth` is the v1 api's default auth. It finds the key by its SHA-256, refuses an unknown, expired
or revoked key or one whose account can no longer work (401 JSON), applies the key's rate limit
(429 JSON with Retry-After) and writes one audit entry for the call, with the key. `request.auth` is
the ApiKey; operations act as `request.auth.user` (its `for_user` scopes) and check their scope with
`require_scope(request, Scope.X)`.

The rate limit counts the key's own audit entries of the last minute, as registrations count theirs
(people.services): the entry every call writes anyway is the counter, so no other store is needed.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count, Min
from ninja.security import HttpBearer

from zhicheng.accounts.permissions import QUEUE_HOLDERS, speaks_for
from zhicheng.audit.models import AuditEntry
from zhicheng.audit.services import record as audit
from zhicheng.core import clock

from . import conf
from .errors import ApiError
from .models import KEY_MARK, ApiKey, Scope, hash_secret

CALL_ACTION = "api.call"
OBJECT_TYPE = "api.apikey"
WINDOW = dt.timedelta(minutes=1)
# Roles whose staff hold keys: the bodies that handle declarations (not experts, not the read-only supervisor).
KEY_HOLDER_ROLES = QUEUE_HOLDERS


def _unauthorised(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})


def check_rate(key: ApiKey) -> None:
    """Raise 429 when the key has used its calls of the last minute; Retry-After says when one frees up."""
    limit = conf.calls_per_minute()
    now = clock.now()
    used = AuditEntry.objects.filter(action=CALL_ACTION, object_type=OBJECT_TYPE, object_id=str(key.pk),
                                     at__gt=now - WINDOW).aggregate(n=Count("pk"), first=Min("at"))
    if used["n"] >= limit:
        wait = max(1, math.ceil((used["first"] + WINDOW - now).total_seconds()))
        raise ApiError(429, "rate_limited",
                       f"调用过于频繁：每个密钥每分钟最多调用{limit}次，请{wait}秒后再试。",
                       {"limit_per_minute": limit, "retry_after": wait}, headers={"Retry-After": str(wait)})


def record_call(request, key: ApiKey) -> None:
    """The call's one audit entry: who (the key's account), which key, what was asked."""
    path = request.get_full_path()[:200]
    audit(CALL_ACTION, actor=key.user, object_type=OBJECT_TYPE, object_id=str(key.pk),
          after={"key": key.prefix, "method": request.method, "path": path},
          summary=f"接口调用 {request.method} {path}（密钥“{key.name}” {key.prefix}…）")


class KeyAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiKey:
        token = token.strip()
        if not token.startswith(KEY_MARK):
            raise _unauthorised("unauthenticated", "密钥格式不正确：应为以 zck_ 开头的机构接口密钥。")
        key = (ApiKey.objects.select_related("user", "organisation")
               .filter(secret_hash=hash_secret(token)).first())
        if key is None:
            raise _unauthorised("unauthenticated", "密钥无效。")
        if key.revoked:
            raise _unauthorised("key_revoked", f"该密钥已于{key.revoked_at.astimezone(clock.CHINA):%Y-%m-%d %H:%M}撤销。")
        if key.expired:
            raise _unauthorised("key_expired", f"该密钥已于{key.expires_on.isoformat()}到期。")
        user = key.user
        if not speaks_for(user, key.organisation_id):
            raise _unauthorised("account_inactive", "创建该密钥的账号已停用或已调离本机构，密钥随之失效。")
        user.organisation = key.organisation  # the same row, read with the key: for_user(user) needs not read it again
        check_rate(key)
        record_call(request, key)
        now = clock.now()
        if key.last_used_at is None or now - key.last_used_at > WINDOW:
            # At most one write a minute per key: the list page's "last used" need be no finer.
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return key


key_auth = KeyAuth()


def require_scope(request, scope: Scope | str) -> ApiKey:
    """The calling key, if it holds `scope`; otherwise 403 scope_missing."""
    key = request.auth
    if not key.has_scope(scope):
        label = Scope(scope).label
        raise ApiError(403, "scope_missing", f"该密钥没有“{label}”权限范围，不能进行此操作；请机构管理员新建具备该范围的密钥。",
                       {"required_scope": str(scope)})
    return key
