"""An organisation's event subscriptions: list and make (the secret shown once), pause, resume, delete (asked
once), and the delivery log with every attempt, where a failed delivery can be sent again."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page
from zhicheng.core import confirm
from zhicheng.core.params import object_id

from . import services
from .delivery import MAX_ATTEMPTS
from .forms import SubscriptionForm
from .models import DeliveryState, Subscription

LOG_ROWS = 100


def _subscriptions(user):
    return Subscription.objects.for_user(user).select_related("created_by")


@page("webhook_list")
def webhook_list(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sub = services.create_subscription(request.user, **form.cleaned_data)
        except services.SubscriptionRefused as exc:
            form.add_error("url", str(exc))
        else:
            # The secret is on this answer only: the page must not be cached or kept.
            response = render(request, "webhooks/created.html", {"sub": sub})
            response["Cache-Control"] = "private, no-store"
            return response
    subscriptions = _subscriptions(request.user).annotate(
        pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
    )
    return render(request, "webhooks/list.html", {"form": form, "subscriptions": subscriptions})


@page("webhook_detail")
def webhook_detail(request, pk: int):
    sub = get_object_or_404(_subscriptions(request.user), pk=pk)
    state = request.GET.get("state", "")
    deliveries = sub.deliveries.prefetch_related("attempt_log")  # in the order of Attempt.Meta: by time
    if state in DeliveryState.values:
        deliveries = deliveries.filter(state=state)
    return render(request, "webhooks/detail.html", {
        "sub": sub, "deliveries": deliveries[:LOG_ROWS], "state": state, "states": DeliveryState.choices,
        "max_attempts": MAX_ATTEMPTS, "rows": LOG_ROWS,
    })


@page("webhook_act")
@require_POST
def webhook_act(request, pk: int):
    sub = get_object_or_404(_subscriptions(request.user), pk=pk)
    action = request.POST.get("action")
    back = redirect("webhook_detail", sub.pk)
    if action in ("pause", "resume"):
        services.set_active(sub, request.user, action == "resume")
        messages.success(request, _("订阅“%(name)s”已恢复推送，暂停期间待推送的事件随即发出。") % {"name": sub.name} if action == "resume"
                         else _("订阅“%(name)s”已暂停：暂停期间发生的事件不再推送给它。") % {"name": sub.name})
        return back
    if action == "delete":
        if not confirm.confirmed(request):
            return confirm.ask(request, _delete_question(sub))
        count = services.delete_subscription(sub, request.user)
        messages.success(request, _("订阅“%(name)s”已删除，连同推送记录%(n)d条。") % {"name": sub.name, "n": count})
        return redirect("webhook_list")
    if action == "resend":
        delivery_id = object_id(request.POST.get("delivery"))
        delivery = sub.deliveries.filter(pk=delivery_id).first() if delivery_id else None
        if delivery is None:
            messages.error(request, _("没有找到这条推送记录。"))
            return back
        try:
            services.resend(delivery, request.user)
        except services.SubscriptionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已重新排队发送，最多再尝试%(n)d次。") % {"n": MAX_ATTEMPTS})
        return back
    messages.error(request, _("未知的操作。"))
    return back


def _delete_question(sub: Subscription) -> confirm.Question:
    counts = sub.log_counts()
    return confirm.Question(
        title=_("删除事件推送订阅"), subject=_("%(name)s：%(url)s") % {"name": sub.name, "url": sub.url},
        facts=[_("推送记录：%(n)d条，其中待推送%(p)d条") % {"n": counts["deliveries"], "p": counts["pending"]},
               _("创建人：%(user)s") % {"user": sub.created_by}],
        consequence=_("删除不能恢复：此后的事件不再推送到该地址，待推送的事件不再发送，推送记录一并删除。如只想暂时停止，请改用“暂停”。"),
        button=_("确认删除"), cancel_url=reverse("webhook_detail", args=[sub.pk]),
    )
