"""Event subscriptions (a URL that receives signed webhooks) and the log of their deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone


class EventKind(models.TextChoices):
    """What a subscriber can be told of: what the declaration workflow does (docs/api.md, Webhooks)."""

    STATE_CHANGED = "declaration.state_changed", "申报状态变更"
    RESULT_RECORDED = "declaration.result_recorded", "评审结果"
    CERTIFICATE_ISSUED = "certificate.issued", "电子证书制发"
    CERTIFICATE_REVOKED = "certificate.revoked", "职称撤销"


class SubscriptionQuerySet(models.QuerySet):
    def for_user(self, user):
        """An organisation's subscriptions are its staff's to see and manage."""
        if user is None or not user.is_authenticated or not user.is_active or user.organisation_id is None:
            return self.none()
        return self.filter(organisation_id=user.organisation_id)


class Subscription(models.Model):
    """A receiver of events. The events follow ``created_by``'s scope: a subscriber is told only of the
    declarations that account sees on the pages (Application.objects.for_user)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    url = models.URLField("接收地址", max_length=500)
    event_kinds = models.JSONField("推送事件", default=list)
    # The HMAC key: the server signs with it, so it is kept as it is; it is shown once, when the subscription is made.
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "事件订阅"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    def speaks_for_its_organisation(self) -> bool:
        """Its creator still works there in a role that subscribes: an account disabled or moved elsewhere takes
        the subscription's events with it (as an API key of that account stops working)."""
        from zhicheng.accounts.permissions import speaks_for

        return speaks_for(self.created_by, self.organisation_id)

    def kind_labels(self) -> list[str]:
        return [EventKind(k).label for k in self.event_kinds if k in EventKind.values]

    def log_counts(self) -> dict[str, int]:
        """Its delivery log in one query: all its deliveries, and how many of them still wait to be sent."""
        return self.deliveries.aggregate(deliveries=Count("pk"), pending=Count("pk", filter=Q(state=DeliveryState.PENDING)))


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待推送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "已停止重试"


class Delivery(models.Model):
    """One event for one subscription. ``public_id`` travels as X-ZhiCheng-Delivery (the same on every attempt,
    so the receiver can drop a repeat); ``event_id`` is the event's, the same for every subscription told of it."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_id = models.UUIDField()
    kind = models.CharField("事件", max_length=40, choices=EventKind.choices)
    # The exact bytes sent and signed (canonical JSON), kept as text so every attempt sends the same body.
    body = models.TextField()
    state = models.CharField("状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    last_status = models.PositiveSmallIntegerField("最近一次响应码", null=True, blank=True)
    last_error = models.CharField("最近一次失败原因", max_length=500, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True, default=timezone.now)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件推送"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.kind} → {self.subscription}"


class Attempt(models.Model):
    """One try at a delivery: when, what the receiver answered (its status code) or what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField("时间")
    status = models.PositiveSmallIntegerField("响应码", null=True, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "推送尝试"
        ordering = ["at", "pk"]
