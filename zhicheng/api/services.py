"""Creating and revoking organisation API keys; both audited. The secret is returned once, never stored."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.audit.services import record as audit
from zhicheng.core import clock

from .auth import KEY_HOLDER_ROLES
from .models import PREFIX_LENGTH, ApiKey, Scope, hash_secret, new_secret


def can_hold_keys(user) -> bool:
    return user.is_active and user.role in KEY_HOLDER_ROLES and user.organisation_id is not None


def create_key(actor, *, name: str, scopes: list[str], expires_on: dt.date) -> tuple[ApiKey, str]:
    """A new key of the actor's organisation, acting as the actor. Returns the key and its secret, which
    is shown once: only its SHA-256 is kept."""
    if not can_hold_keys(actor):
        raise PermissionDenied(_("只有办理申报的机构（用人单位、主管部门、人社部门、推荐机构、人才服务中心、评委会办事机构、自治区人社厅）的工作人员可以创建接口密钥。"))
    secret = new_secret()
    key = ApiKey(organisation_id=actor.organisation_id, user=actor, name=(name or "").strip(),
                 prefix=secret[:PREFIX_LENGTH], secret_hash=hash_secret(secret),
                 scopes=[s for s in Scope.values if s in set(scopes or [])], expires_on=expires_on,
                 created_at=clock.now())
    if not key.name:
        raise ValidationError({"name": _("请填写密钥名称（调用它的系统）。")})
    key.full_clean(exclude=["organisation", "user", "revoked_by"])
    with transaction.atomic():
        key.save()
        audit("api.key_create", key, actor=actor,
              after={"name": key.name, "prefix": key.prefix, "scopes": key.scopes, "expires_on": key.expires_on},
              summary=f"创建接口密钥“{key.name}”（{key.prefix}…），权限：{'、'.join(key.scope_labels())}，有效期至{key.expires_on}")
    return key, secret


def revoke_key(actor, key_id: int) -> ApiKey:
    """Revoke a key of the actor's organisation at once: the next call with it gets 401."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id, organisation_id=actor.organisation_id).first()
        if key is None or not can_hold_keys(actor):
            raise PermissionDenied(_("该密钥不属于您的机构。"))
        if key.revoked:
            raise ValidationError(_("该密钥已撤销。"))
        key.revoked_at, key.revoked_by = clock.now(), actor
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit("api.key_revoke", key, actor=actor, after={"prefix": key.prefix},
              summary=f"撤销接口密钥“{key.name}”（{key.prefix}…）")
    return key
