"""Sending the deliveries from background workers: signed, short timeouts, no redirects, retries with backoff.

Each step's deliveries get one ``send_deliveries`` task per subscription, queued in the step's transaction
(the task row commits, or rolls back, with the deliveries: a worker sees it only once the step committed).
A delivery the receiver does not accept (an answer other than 2xx, a redirect included, or no answer within
the timeouts) stays pending with its attempts counted and a next-attempt time 1, 2, 4, … minutes later, and the
task is queued again for that time (``runner.retrying``, the same schedule); after MAX_ATTEMPTS the delivery
is failed and its subscriber's staff can send it again from the delivery log. Every attempt is logged.

Each request (docs/api.md, Webhooks) carries the body as it was written when the event happened and
    X-ZhiCheng-Event: the event kind          X-ZhiCheng-Delivery: the delivery's id (the same on every attempt)
    X-ZhiCheng-Timestamp: Unix seconds        X-ZhiCheng-Signature: sha256=HMAC-SHA256(secret, timestamp + "." + body)

A worker claims a delivery by moving its next-attempt time forward in one conditional UPDATE, so two workers
never send one delivery at once, and no database transaction is held open while the receiver answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import logging
import socket
import ssl
import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from zhicheng.jobs.runner import retry_delay, retrying

from . import addresses
from .models import Attempt, Delivery, DeliveryState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 60
# A claimed delivery whose worker died while sending becomes due again after this.
CLAIM_SECONDS = 300
# Seconds to connect, and to wait for each read of the answer.
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 5
# What is kept of an answer that was not accepted.
ERROR_CHARS = 500
USER_AGENT = "ZhiCheng-Webhooks/1"


class DeliveryNotDone(Exception):
    """Some deliveries of the task were not accepted this time; they are tried again later."""


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: the runner's retry schedule for the same attempt."""
    return retry_delay(FIRST_RETRY_SECONDS, attempts)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def headers(delivery: Delivery, body: bytes, timestamp: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-ZhiCheng-Event": delivery.kind,
        "X-ZhiCheng-Delivery": str(delivery.public_id),
        "X-ZhiCheng-Timestamp": timestamp,
        "X-ZhiCheng-Signature": signature(delivery.subscription.secret, timestamp, body),
    }


def _connection(target: addresses.Target) -> http.client.HTTPConnection:
    """A connection to the address that was checked (not to whatever the name resolves to by the time it connects)."""
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(target.host, target.port, timeout=CONNECT_TIMEOUT, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=CONNECT_TIMEOUT)

    def pinned(address, timeout, source_address=None):
        sock = socket.create_connection((target.address, address[1]), timeout, source_address)
        sock.settimeout(READ_TIMEOUT)
        return sock

    conn._create_connection = pinned
    return conn


def post(delivery: Delivery) -> tuple[int | None, str]:
    """One attempt: (the receiver's status code or None, the error; empty when it accepted)."""
    try:
        target = addresses.check(delivery.subscription.url)
    except addresses.AddressRefused as exc:
        return None, str(exc)[:ERROR_CHARS]
    body = delivery.body.encode()
    conn = _connection(target)
    try:
        conn.request("POST", target.path, body=body, headers=headers(delivery, body, str(int(time.time()))))
        response = conn.getresponse()
        status = response.status
        answer = response.read(ERROR_CHARS).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return None, f"{exc.__class__.__name__}: {exc}"[:ERROR_CHARS]
    except Exception as exc:  # whatever else the request raised, this attempt failed and says why; the others go on
        logger.exception("webhook delivery %s: unexpected error", delivery.pk)
        return None, f"{exc.__class__.__name__}: {exc}"[:ERROR_CHARS]
    finally:
        conn.close()
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        return status, f"HTTP {status}：重定向不跟随（{response.getheader('Location', '')[:200]}），请填写最终接收地址。"[:ERROR_CHARS]
    return status, (answer.strip() or f"HTTP {status}")[:ERROR_CHARS]


def _claim(pk: int, now: dt.datetime) -> bool:
    return Delivery.objects.filter(pk=pk, state=DeliveryState.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS)) == 1


def attempt(delivery: Delivery) -> str:
    """Try once and record it (when it was made: a run over many deliveries takes a while); the delivery's state afterwards."""
    now, started = timezone.now(), time.monotonic()
    status, error = post(delivery)
    took = int((time.monotonic() - started) * 1000)
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "last_status": status, "last_error": error}
    if not error:
        fields |= {"state": DeliveryState.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    elif attempts >= MAX_ATTEMPTS:
        fields |= {"state": DeliveryState.FAILED, "next_attempt_at": None}
        logger.error("webhook delivery %s failed %d times, given up: %s", delivery.pk, attempts, error)
    else:
        fields |= {"next_attempt_at": now + backoff(attempts)}
        logger.warning("webhook delivery %s failed (attempt %d of %d): %s", delivery.pk, attempts, MAX_ATTEMPTS, error)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        Attempt.objects.create(delivery=delivery, at=now, status=status, error=error, duration_ms=took)
    return fields.get("state", DeliveryState.PENDING)


def deliver(ids: list[int] | None = None, now: dt.datetime | None = None) -> dict:
    """Send the pending deliveries that are due (of ``ids``, or all), of active subscriptions, oldest first."""
    now = now or timezone.now()
    due = Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now, subscription__active=True)
    if ids is not None:
        due = due.filter(pk__in=ids)
    outcome = {"delivered": 0, "retrying": 0, "given_up": 0}
    for delivery in due.select_related("subscription").order_by("created_at", "pk"):
        if not _claim(delivery.pk, now):
            continue  # another worker has it
        state = attempt(delivery)
        outcome[{DeliveryState.DELIVERED: "delivered", DeliveryState.FAILED: "given_up"}.get(state, "retrying")] += 1
    return outcome


@retrying(attempts=MAX_ATTEMPTS, first_delay=FIRST_RETRY_SECONDS)
def send_deliveries(ids: list[int]) -> dict:
    """Send these deliveries; raising while some are still pending has the task queued again for later.
    Those of a paused subscription wait, unsent, until it is resumed (which queues them again)."""
    outcome = deliver(ids)
    if Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING, subscription__active=True).exists():
        raise DeliveryNotDone(f"{outcome['retrying']} of {len(ids)} webhook deliveries not accepted; trying again later")
    return outcome


def send_soon(deliveries) -> None:
    """Queue the sending of these (just written) deliveries, one task per subscription; called inside the writer's
    transaction, so the task rows commit, or roll back, with the deliveries."""
    by_subscription = defaultdict(list)
    for d in deliveries:
        by_subscription[d.subscription_id].append(d.pk)
    for ids in by_subscription.values():
        send_deliveries.enqueue(ids)
