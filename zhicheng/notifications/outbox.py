"""Sending the e-mail outbox from background workers, with retries and backoff.

Each queued batch of mails gets a ``send_mails`` task. A mail the server refuses stays pending
with its attempts counted and a next-attempt time (5, 10, 20, 40, 80 minutes later), and the
task is queued again for that time (``runner.retrying``); after MAX_ATTEMPTS the mail is marked
failed and shown as such in the back office, which can send it again. The daily sweep sends
whatever is due and has no task waiting for it (e.g. a mail whose task was lost).

A worker claims a mail before sending it by moving its next-attempt time forward in one
conditional UPDATE, so two workers never send one mail twice, and no database transaction is
held open while the mail server answers.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from zhicheng.jobs.runner import retry_delay, retrying

from .models import MailStatus, Notification, OutgoingMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 300
# A claimed mail whose worker died while sending becomes due again after this.
CLAIM_SECONDS = 600
TASK_BATCH = 200


class MailNotSent(Exception):
    """Some mails of the task were refused this time; they are tried again later."""


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th refusal: the runner's retry schedule for the same attempt."""
    return retry_delay(FIRST_RETRY_SECONDS, attempts)


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0  # refused this time, tried again later
    given_up: int = 0  # refused for the MAX_ATTEMPTS-th time: failed


def _claim(pk: int, now: dt.datetime) -> bool:
    return OutgoingMail.objects.filter(pk=pk, status=MailStatus.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS)) == 1


def _send(mail: OutgoingMail, connection, now: dt.datetime, outcome: Delivery) -> None:
    attempts = mail.attempts + 1
    try:
        EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to], connection=connection).send()
    except Exception as exc:  # whatever the mail server or the backend raised, the attempt failed
        try:
            connection.close()  # a broken connection is opened afresh for the next mail
        # Closing a connection that already failed; the send error is what is recorded.
        except Exception:  # nosec B110
            pass
        error = f"{exc.__class__.__name__}: {exc}"[:1000]
        if attempts >= MAX_ATTEMPTS:
            OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED, attempts=attempts, next_attempt_at=None,
                                                           last_error=error)
            outcome.given_up += 1
            logger.error("mail %s to %s failed %d times, given up: %s", mail.pk, mail.to, attempts, error)
        else:
            OutgoingMail.objects.filter(pk=mail.pk).update(attempts=attempts, next_attempt_at=now + backoff(attempts),
                                                           last_error=error)
            outcome.retrying += 1
            logger.warning("mail %s to %s failed (attempt %d of %d): %s", mail.pk, mail.to, attempts, MAX_ATTEMPTS, error)
        return
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.SENT, attempts=attempts, sent_at=now, last_error="")
    Notification.objects.filter(mail_id=mail.pk).update(emailed_at=now)
    outcome.sent += 1


def deliver(ids: list[int] | None = None, now: dt.datetime | None = None) -> Delivery:
    """Send the pending mails that are due (of ``ids``, or all of them)."""
    now = now or timezone.now()
    due = OutgoingMail.objects.filter(status=MailStatus.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    outcome = Delivery()
    connection = get_connection()
    try:
        while True:
            # Claimed and refused mails are no longer due, so each round takes new ones.
            batch = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:TASK_BATCH])
            if not batch:
                return outcome
            for pk in batch:
                if _claim(pk, now):
                    _send(OutgoingMail.objects.get(pk=pk), connection, now, outcome)
    finally:
        try:
            connection.close()
        # The mails are recorded already; a failing close changes nothing.
        except Exception:  # nosec B110
            pass


@retrying(attempts=MAX_ATTEMPTS, first_delay=FIRST_RETRY_SECONDS)
def send_mails(ids: list[int]) -> dict:
    """Send these mails; raising while some are still pending has the task queued again for later."""
    outcome = deliver(ids)
    if OutgoingMail.objects.filter(pk__in=ids, status=MailStatus.PENDING).exists():
        raise MailNotSent(f"{outcome.retrying} of {len(ids)} mails refused; trying again later")
    return asdict(outcome)


def send_soon(ids: list[int]) -> None:
    """Queue the sending of these (just written) mails; called inside the writer's transaction, so the
    task row commits, or rolls back, with the mails."""
    for start in range(0, len(ids), TASK_BATCH):
        send_mails.enqueue(ids[start:start + TASK_BATCH])


def resend(ids: list[int]) -> int:
    """The back office sends failed mails again: each gets MAX_ATTEMPTS new attempts."""
    again = OutgoingMail.objects.filter(pk__in=ids).exclude(status=MailStatus.SENT)
    chosen = list(again.values_list("pk", flat=True))
    again.filter(pk__in=chosen).update(status=MailStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
    send_soon(chosen)
    return len(chosen)
