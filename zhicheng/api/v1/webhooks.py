"""Event subscriptions and their delivery log: those of the key's organisation, with the scope `webhooks`.

Subscriptions are made, paused and deleted on the pages (their secret is shown once there); the API lets the
organisation's systems read them and watch what was delivered (docs/api.md, Webhooks)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from ninja import Field, Query, Router, Schema

from zhicheng.api.auth import require_scope
from zhicheng.api.errors import ApiError
from zhicheng.api.models import Scope
from zhicheng.webhooks.models import Delivery, DeliveryState, EventKind, Subscription

router = Router()

MAX_ID = 2**63 - 1  # the largest key a row can have


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime
    created_by: str = Field(description="创建账号：推送范围与该账号在页面上所见的申报相同")


class AttemptOut(Schema):
    at: dt.datetime
    status: int | None = Field(description="接收方的 HTTP 响应码；未得到响应时为空")
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: uuid.UUID = Field(description="X-ZhiCheng-Delivery：每次尝试相同，接收方据此去重")
    event_id: uuid.UUID
    event: str
    state: str = Field(description="pending 待推送；delivered 已送达；failed 已停止重试（可在页面上重新发送）")
    attempts: int
    last_status: int | None
    last_error: str
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    body: dict = Field(description="推送的请求体（签名即按其原始字节计算）")
    attempt_log: list[AttemptOut]


class DeliveryFilter(Schema):
    state: DeliveryState | None = None
    event: EventKind | None = None
    before: int | None = Field(None, ge=1, le=MAX_ID, description="只列出编号小于此值的推送（翻页：上一页最后一条的 cursor）")
    limit: int = Field(50, ge=1, le=200)


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_before: int | None = Field(description="下一页的 before 参数；没有更多时为空")


def _subscriptions(request):
    key = require_scope(request, Scope.WEBHOOKS)
    return Subscription.objects.filter(organisation_id=key.organisation_id)


def _subscription(request, pk: int) -> Subscription:
    sub = _subscriptions(request).select_related("created_by").filter(pk=pk).first()
    if sub is None:
        raise ApiError(404, "not_found", "没有该订阅，或它不属于本机构。")
    return sub


def _out(sub: Subscription) -> SubscriptionOut:
    return SubscriptionOut(id=sub.pk, name=sub.name, url=sub.url, events=sub.event_kinds, active=sub.active,
                           created_at=sub.created_at, created_by=sub.created_by.username)


@router.get("/subscriptions", response=list[SubscriptionOut], url_name="webhooks_subscriptions", summary="本机构的事件推送订阅")
def subscriptions(request):
    return [_out(sub) for sub in _subscriptions(request).select_related("created_by")]


@router.get("/subscriptions/{subscription_id}", response=SubscriptionOut, url_name="webhooks_subscription", summary="一个订阅")
def subscription(request, subscription_id: int):
    return _out(_subscription(request, subscription_id))


@router.get("/subscriptions/{subscription_id}/deliveries", response=DeliveryPage, url_name="webhooks_deliveries",
            summary="一个订阅的推送记录（新的在前），每条附各次尝试")
def deliveries(request, subscription_id: int, filters: Query[DeliveryFilter]):
    sub = _subscription(request, subscription_id)
    rows = sub.deliveries.order_by("-pk").prefetch_related("attempt_log")  # by time (Attempt.Meta)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.event:
        rows = rows.filter(kind=filters.event)
    if filters.before:
        rows = rows.filter(pk__lt=filters.before)
    page = list(rows[:filters.limit + 1])
    more = len(page) > filters.limit
    page = page[:filters.limit]
    return DeliveryPage(items=[_delivery(d) for d in page], next_before=page[-1].pk if more else None)


def _delivery(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.public_id, event_id=d.event_id, event=d.kind, state=d.state, attempts=d.attempts, last_status=d.last_status,
        last_error=d.last_error, next_attempt_at=d.next_attempt_at, created_at=d.created_at, delivered_at=d.delivered_at,
        body=json.loads(d.body),
        attempt_log=[AttemptOut(at=a.at, status=a.status, error=a.error, duration_ms=a.duration_ms) for a in d.attempt_log.all()],
    )
