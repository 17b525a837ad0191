"""The staff digest: one mail a day listing the declarations that arrived in the recipient's queue.

The inbox keeps one row per arrival; those rows wait (``awaits_digest``) and the day's run mails
each recipient what arrived up to the end of that day, then ties the rows to that mail. A row is
taken under its lock and only while it still waits, so two runs (two days of a catch-up on two
workers) never mail one arrival twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhicheng.core import clock
from zhicheng.core.site import page_url

from .models import Notification, OutgoingMail
from .outbox import send_soon
from .services import mail_body, render_source, template_sources

# A deadline-day digest can hold thousands of arrivals: the mail lists this many, the queue page has them all.
LISTED = 100


def send_digests(day: dt.date) -> dict:
    waiting = Notification.objects.filter(awaits_digest=True, created_at__lte=clock.end_of_day(day))
    queue_link = page_url("application_list", query="queue=1")
    template = template_sources(["queue_digest"])["queue_digest"]  # read once for every recipient
    mails, arrivals = [], 0
    for recipient_id in waiting.order_by("recipient_id").values_list("recipient_id", flat=True).distinct():
        with transaction.atomic():
            rows = list(waiting.filter(recipient_id=recipient_id).select_for_update(skip_locked=True, of=("self",))
                        .select_related("recipient").order_by("created_at", "pk"))
            if not rows:
                continue  # another run has them
            recipient, ids = rows[0].recipient, [row.pk for row in rows]
            mail = None
            if recipient.is_active and recipient.email:
                subject, body = render_source(template, {
                    "name": recipient.get_full_name() or recipient.username, "day": f"{day:%Y年%m月%d日}",
                    "count": sum(row.arrivals for row in rows),
                    "items": [f"{row.body.strip()}\n   {row.link}" for row in rows[:LISTED]], "more": max(len(rows) - LISTED, 0),
                })
                mail = OutgoingMail.objects.create(recipient=recipient, to=recipient.email, key="queue_digest", subject=subject[:200],
                                                   body=mail_body(body, queue_link))
                mails.append(mail.pk)
                arrivals += sum(row.arrivals for row in rows)
                send_soon([mail.pk])
            Notification.objects.filter(pk__in=ids, awaits_digest=True).update(awaits_digest=False, mail=mail)
    return {"digests": len(mails), "arrivals": arrivals}
