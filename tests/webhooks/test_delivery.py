"""Delivering webhooks to a local receiver: signed as docs/api.md says, retried with backoff by the job runner
when the receiver fails, logged attempt by attempt, given up after the last attempt, sent again from the page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import staff_of
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.services import transition
from zhicheng.demo import applicants as P
from zhicheng.webhooks import delivery as sending
from zhicheng.webhooks.delivery import DeliveryNotDone, deliver, send_deliveries
from zhicheng.webhooks.models import Attempt, Delivery, DeliveryState, EventKind
from zhicheng.webhooks.services import create_subscription, set_active

from .receiver import Receiver

D = dt.date


def send_tasks():
    return DBTaskResult.objects.filter(task_path=send_deliveries.module_path).order_by("enqueued_at")


def run(task):
    """One attempt of the queued task, run by its function as the worker would, at the time it was queued for."""
    args = task.args_kwargs
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: max(task.run_after or task.enqueued_at, task.enqueued_at))
        return send_deliveries.call(*args["args"], **args["kwargs"])


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    with Receiver() as r:
        yield r


@pytest.fixture
def submitted(make_applicant, receiver):
    """A declaration, its employer's subscription to the local receiver, and the submission that made a delivery."""
    app = make_applicant(P.regular_engineer())
    employer = staff_of(app.unit)
    sub = create_subscription(employer, name="单位人事系统", url=receiver.url, event_kinds=[EventKind.STATE_CHANGED])
    receiver.secret = sub.secret
    with clock.frozen(D(2021, 6, 7)):
        transition(app, "submit", app.person.account)
    return app, employer, sub


@pytest.mark.django_db
def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt(submitted, receiver, client):
    app, employer, sub = submitted
    receiver.answers = [500, 500, 200]
    [delivery] = Delivery.objects.filter(subscription=sub)
    [task] = send_tasks()
    assert task.args_kwargs == {"args": [[delivery.pk]], "kwargs": {}}, "queued with the step, one task for the subscription"
    assert receiver.requests == [], "nothing is sent inside the step"

    with pytest.raises(DeliveryNotDone):
        run(task)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.PENDING, 1, 500)
    second = send_tasks().last()
    assert second.args_kwargs == {"args": [[delivery.pk]], "kwargs": {"attempt": 2}}, "the runner queued the next attempt"
    assert second.run_after - task.enqueued_at >= dt.timedelta(seconds=sending.FIRST_RETRY_SECONDS)
    assert delivery.next_attempt_at <= second.run_after, "the task runs when the delivery is due"
    assert deliver([delivery.pk]) == {"delivered": 0, "retrying": 0, "given_up": 0}, "not before its time"

    with pytest.raises(DeliveryNotDone):
        run(second)
    third = send_tasks().last()
    assert third.args_kwargs["kwargs"] == {"attempt": 3}
    assert third.run_after - second.run_after >= dt.timedelta(seconds=2 * sending.FIRST_RETRY_SECONDS), "each wait twice the one before"

    assert run(third) == {"delivered": 1, "retrying": 0, "given_up": 0}
    assert send_tasks().count() == 3, "nothing more is queued once delivered"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == (DeliveryState.DELIVERED, 3, 200, "")
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None

    # The receiver's view: three identical, signed requests of one delivery; it checked each signature with the secret.
    assert [r["answered"] for r in receiver.requests] == [500, 500, 200]
    assert all(r["verified"] for r in receiver.requests), "the documented verification accepts every attempt"
    assert {r["headers"]["X-ZhiCheng-Delivery"] for r in receiver.requests} == {str(delivery.public_id)}
    assert {r["headers"]["X-ZhiCheng-Event"] for r in receiver.requests} == {"declaration.state_changed"}
    assert {r["body"] for r in receiver.requests} == {delivery.body.encode()}
    body = json.loads(receiver.requests[-1]["body"])
    assert body["kind"] == "declaration.state_changed" and body["id"] == str(delivery.event_id)
    assert body["data"]["declaration"]["id"] == app.pk and body["data"]["step"]["to_state"] == "submitted"
    wrong = dict(receiver.requests[-1]["headers"])
    assert not receiver.verify("whsec_another", wrong, receiver.requests[-1]["body"]), "another secret does not verify"
    assert not receiver.verify(sub.secret, wrong, receiver.requests[-1]["body"] + b" "), "a changed body does not verify"
    old = wrong | {"X-ZhiCheng-Timestamp": str(int(wrong["X-ZhiCheng-Timestamp"]) - 3600)}
    assert not receiver.verify(sub.secret, old, receiver.requests[-1]["body"]), "an old timestamp is refused"

    # The log shows the three attempts, on the page and in the database.
    assert list(Attempt.objects.filter(delivery=delivery).values_list("status", flat=True)) == [500, 500, 200]
    client.force_login(employer)
    page = client.get(reverse("webhook_detail", args=[sub.pk])).content.decode()
    assert page.count("HTTP 500") == 2 and page.count("HTTP 200") == 1 and str(delivery.public_id) in page


@pytest.mark.django_db
def test_a_redirect_is_not_followed_the_delivery_is_given_up_and_staff_send_it_again(submitted, receiver, client):
    app, employer, sub = submitted
    receiver.answers = [302]
    [delivery] = Delivery.objects.filter(subscription=sub)
    for n in range(1, sending.MAX_ATTEMPTS + 1):
        deliver([delivery.pk], now=Delivery.objects.get(pk=delivery.pk).next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (DeliveryState.FAILED, sending.MAX_ATTEMPTS, None)
    assert "重定向不跟随" in delivery.last_error and delivery.last_status == 302
    assert {r["path"] for r in receiver.requests} == {"/hooks/zhicheng"}, "the redirect's target was never asked"
    assert len(receiver.requests) == sending.MAX_ATTEMPTS
    assert deliver() == {"delivered": 0, "retrying": 0, "given_up": 0}, "a failed delivery is not tried again by itself"

    client.force_login(employer)
    detail = client.get(reverse("webhook_detail", args=[sub.pk]), {"state": "failed"}).content.decode()
    assert "重新发送" in detail and str(delivery.public_id) in detail
    response = client.post(reverse("webhook_act", args=[sub.pk]), {"action": "resend", "delivery": delivery.pk})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
    assert send_tasks().last().args_kwargs == {"args": [[delivery.pk]], "kwargs": {}}
    assert AuditEntry.objects.filter(action="webhooks.resend", actor_id=employer.pk).exists()
    receiver.answers = [200]
    receiver.requests.clear()
    assert deliver() == {"delivered": 1, "retrying": 0, "given_up": 0}
    assert receiver.requests[0]["headers"]["X-ZhiCheng-Delivery"] == str(delivery.public_id), "the same delivery id again"
    assert Attempt.objects.filter(delivery=delivery).count() == sending.MAX_ATTEMPTS + 1, "the log keeps every attempt"


@pytest.mark.django_db
def test_a_paused_subscriptions_waiting_deliveries_go_out_when_it_is_resumed(submitted, receiver):
    app, employer, sub = submitted
    [delivery] = Delivery.objects.filter(subscription=sub)
    set_active(sub, employer, False)
    [task] = send_tasks()
    assert run(task) == {"delivered": 0, "retrying": 0, "given_up": 0}, "paused: not sent, and the task does not retry"
    assert receiver.requests == []
    set_active(sub, employer, True)
    resumed = send_tasks().last()
    assert resumed.args_kwargs == {"args": [[delivery.pk]], "kwargs": {}}
    assert run(resumed)["delivered"] == 1 and len(receiver.requests) == 1
    assert list(AuditEntry.objects.filter(object_type="webhooks.subscription", object_id=str(sub.pk))
                .order_by("seq").values_list("action", flat=True)) == ["webhooks.subscribe", "webhooks.pause", "webhooks.resume"]


@pytest.mark.django_db
def test_an_address_that_turned_internal_is_not_asked(submitted, receiver, settings):
    """The address is checked again before each attempt: once loopback is no longer allowed, nothing is sent."""
    app, employer, sub = submitted
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    [delivery] = Delivery.objects.filter(subscription=sub)
    assert deliver([delivery.pk])["retrying"] == 1
    delivery.refresh_from_db()
    assert delivery.last_status is None and "服务端请求伪造" in delivery.last_error
    assert receiver.requests == []


@pytest.mark.django_db
def test_the_daily_sweep_sends_what_lost_its_task_and_forgets_old_deliveries(submitted, receiver):
    from zhicheng.webhooks.daily import LOG_DAYS, sweep

    app, employer, sub = submitted
    [delivery] = Delivery.objects.filter(subscription=sub)
    send_tasks().delete()  # the task was lost
    old = Delivery.objects.create(subscription=sub, event_id=delivery.event_id, kind=delivery.kind, body=delivery.body,
                                  state=DeliveryState.DELIVERED, created_at=timezone.now() - dt.timedelta(days=LOG_DAYS + 1))
    assert sweep.call("2021-06-08") == {"delivered": 1, "retrying": 0, "given_up": 0, "removed": 1}
    assert len(receiver.requests) == 1 and receiver.requests[0]["verified"]
    assert not Delivery.objects.filter(pk=old.pk).exists() and Delivery.objects.get(pk=delivery.pk).state == DeliveryState.DELIVERED
