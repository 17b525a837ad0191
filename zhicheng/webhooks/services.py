"""Making, pausing, resuming and deleting subscriptions, and sending a failed delivery again; each audited."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhicheng.accounts.permissions import QUEUE_HOLDERS
from zhicheng.audit.services import record as audit
from zhicheng.core.errors import Refusal

from . import addresses
from .delivery import send_deliveries
from .models import Delivery, DeliveryState, EventKind, Subscription

# The staff who subscribe: the bodies that handle declarations, as for API keys (zhicheng/api/auth.py).
SUBSCRIBER_ROLES = QUEUE_HOLDERS


class SubscriptionRefused(Refusal):
    """The subscription cannot be made or changed as asked; the message says why (Chinese)."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def create_subscription(user, *, name: str, url: str, event_kinds: list[str]) -> Subscription:
    """A new subscription of the user's organisation, following the user's scope. Its secret is on the returned
    object only: pages show it once, here, and never again."""
    if user.role not in SUBSCRIBER_ROLES or user.organisation_id is None:
        raise SubscriptionRefused(_("只有办理申报的机构工作人员可以订阅事件推送。"))
    kinds = [k for k in EventKind.values if k in set(event_kinds)]
    if not kinds or len(kinds) != len(set(event_kinds)):
        raise SubscriptionRefused(_("请至少选择一种推送事件。"))
    try:
        addresses.check(url)
    except addresses.AddressRefused as exc:
        raise SubscriptionRefused(str(exc)) from exc
    with transaction.atomic():
        sub = Subscription.objects.create(organisation_id=user.organisation_id, created_by=user, name=name.strip(),
                                          url=url.strip(), event_kinds=kinds, secret=new_secret())
        audit("webhooks.subscribe", sub, actor=user, after={"name": sub.name, "url": sub.url, "events": kinds},
              summary=f"新建事件推送订阅“{sub.name}”：{sub.url}")
    return sub


def _locked(sub: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().get(pk=sub.pk)


def set_active(sub: Subscription, user, active: bool) -> Subscription:
    """Pause (nothing is written for it, nothing sent) or resume (what waited is sent now)."""
    with transaction.atomic():
        sub = _locked(sub)
        if sub.active == active:
            return sub
        sub.active = active
        sub.save(update_fields=["active"])
        audit("webhooks.resume" if active else "webhooks.pause", sub, actor=user, before={"active": not active},
              after={"active": active}, summary=f"{'恢复' if active else '暂停'}事件推送订阅“{sub.name}”")
        if active:
            waiting = list(sub.deliveries.filter(state=DeliveryState.PENDING).values_list("pk", flat=True))
            if waiting:
                send_deliveries.enqueue(waiting)
    return sub


def delete_subscription(sub: Subscription, user) -> int:
    """Delete the subscription with its delivery log; the number of deliveries deleted with it."""
    with transaction.atomic():
        sub = _locked(sub)
        counts = sub.log_counts()
        audit("webhooks.delete", sub, actor=user, before={"name": sub.name, "url": sub.url, "events": sub.event_kinds} | counts,
              summary=f"删除事件推送订阅“{sub.name}”（推送记录{counts['deliveries']}条，其中待推送{counts['pending']}条）")
        sub.delete()
    return counts["deliveries"]


def resend(delivery: Delivery, user) -> Delivery:
    """A failed delivery is sent again (the same body, the same delivery id), with MAX_ATTEMPTS new attempts."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
        if delivery.state != DeliveryState.FAILED:
            raise SubscriptionRefused(_("只有已停止重试的推送可以重新发送。"))
        if not delivery.subscription.active:
            raise SubscriptionRefused(_("订阅已暂停，请先恢复订阅再重新发送。"))
        delivery.state, delivery.attempts, delivery.next_attempt_at = DeliveryState.PENDING, 0, timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit("webhooks.resend", delivery, actor=user, after={"delivery": str(delivery.public_id), "kind": delivery.kind},
              summary=f"重新发送事件推送（{delivery.get_kind_display()}）至“{delivery.subscription.name}”")
        send_deliveries.enqueue([delivery.pk])
    return delivery
