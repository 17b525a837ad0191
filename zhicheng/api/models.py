"""Organisation API keys: what an organisation's own systems call the v1 API with (issue 16, 八（四）2).

A key acts as the staff account that created it: it sees exactly what that account sees on the pages
(`Application.objects.for_user(key.user)` and the other scopes), narrowed further by its scopes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from zhicheng.core import clock

# What every key starts with, so a leaked one is recognisable in logs and by secret scanners.
KEY_MARK = "zck_"
PREFIX_LENGTH = len(KEY_MARK) + 8
MAX_LIFETIME_DAYS = 366  # "at most one year" from today, a leap day included


class Scope(models.TextChoices):
    READ_DECLARATIONS = "read_declarations", "读取申报"
    ACT_DECLARATIONS = "act_declarations", "办理申报（审核、报送等状态变更）"
    READ_RESULTS = "read_results", "读取公示、评审结果、备案与证书"
    EXPORT = "export", "数据导出（归集）"
    WEBHOOKS = "webhooks", "管理事件推送"


def hash_secret(secret: str) -> str:
    """SHA-256 of the whole key. A key is 32 random bytes (256 bits), so nobody can search through the
    possible keys for a given hash however fast the hash is: the slow, salted hashes passwords need
    (argon2) guard low-entropy secrets and would only cost every API call tens of milliseconds here.
    An unsalted hash also lets the key be found by one indexed lookup."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return KEY_MARK + secrets.token_urlsafe(32)


class ApiKeyQuerySet(models.QuerySet):
    def of_organisation(self, organisation_id):
        return self.filter(organisation_id=organisation_id)


class ApiKey(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", verbose_name="所属机构", on_delete=models.PROTECT,
                                     related_name="api_keys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建账号（密钥以其权限范围调用）",
                             on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField("名称（调用系统）", max_length=80)
    prefix = models.CharField("密钥前缀", max_length=PREFIX_LENGTH, db_index=True,
                              help_text="密钥的前几位，用于在列表和日志中辨认密钥；不足以调用接口。")
    secret_hash = models.CharField("密钥摘要（SHA-256）", max_length=64, unique=True)
    scopes = models.JSONField("权限范围", default=list)
    created_at = models.DateTimeField("创建时间")
    expires_on = models.DateField("有效期至", help_text="当日24时（北京时间）后失效；最长一年。")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField("最近调用时间", null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "接口密钥"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    def clean(self):
        errors = {}
        today = clock.today()
        if self.expires_on is not None:
            if self.expires_on <= today:
                errors["expires_on"] = _("有效期须晚于今天。")
            elif self.expires_on > today + dt.timedelta(days=MAX_LIFETIME_DAYS - 1):
                errors["expires_on"] = _("有效期最长一年（至%(day)s）。") % {
                    "day": (today + dt.timedelta(days=MAX_LIFETIME_DAYS - 1)).isoformat()}
        unknown = [s for s in self.scopes or [] if s not in Scope.values]
        if not self.scopes:
            errors["scopes"] = _("请至少选择一项权限范围。")
        elif unknown:
            errors["scopes"] = _("未知的权限范围：%(value)s。") % {"value": "、".join(unknown)}
        if errors:
            raise ValidationError(errors)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_on < clock.today()

    @property
    def usable(self) -> bool:
        return not self.revoked and not self.expired and self.user.is_active

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes or [] if s in Scope.values]
