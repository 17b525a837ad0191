"""The in-app inbox: what a user has not read yet, and marking messages read."""

from __future__ import annotations

from django.db import transaction

from zhicheng.audit.services import record as audit
from zhicheng.core import clock

from .models import Notification


# An entry names at most this many of the messages marked read at once (all of them, in practice).
MAX_IDS_AUDITED = 500


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: list[int] | None = None) -> int:
    """Mark the user's own messages read (all of them when ids is None); one audit entry per action."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    with transaction.atomic():
        marked = list(rows.values_list("pk", flat=True))
        if marked:
            Notification.objects.filter(pk__in=marked).update(read_at=clock.now())
            # Which messages go into the entry's data: its object id holds one id (64 characters), not a list.
            audit("notifications.read", None, actor=user, object_type="notifications.notification", object_id="",
                  after={"count": len(marked), "ids": marked[:MAX_IDS_AUDITED]}, summary=f"已读消息{len(marked)}条")
    return len(marked)
