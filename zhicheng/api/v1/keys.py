"""The calling key itself (whoami)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from zhicheng.api.models import Scope

router = Router()


class ScopeOut(Schema):
    code: str
    label: str


class KeyMeOut(Schema):
    name: str
    prefix: str
    organisation_id: int
    organisation: str
    account: str
    account_name: str
    role: str
    scopes: list[ScopeOut]
    expires_on: dt.date
    created_at: dt.datetime


@router.get("/me", response=KeyMeOut, url_name="keys_me", summary="当前密钥：所属机构、账号、权限范围、有效期")
def me(request):
    key = request.auth
    return KeyMeOut(
        name=key.name, prefix=key.prefix, organisation_id=key.organisation_id, organisation=key.organisation.name,
        account=key.user.username, account_name=str(key.user), role=key.user.role,
        scopes=[ScopeOut(code=s, label=Scope(s).label) for s in key.scopes if s in Scope.values],
        expires_on=key.expires_on, created_at=key.created_at,
    )
