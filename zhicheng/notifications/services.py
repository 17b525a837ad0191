"""Queueing notifications inside the caller's transaction and delivering them after commit."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone

from .models import Notification, NotificationTemplate

# The texts the department starts with; an admin-edited NotificationTemplate with the same key wins.
DEFAULT_TEMPLATES = {
    "state_changed": (
        "您的职称申报有新进展：{{ state }}",
        "{{ name }}，您好：\n您申报的{{ title }}（{{ year }}年度）已{{ action }}，当前状态：{{ state }}。\n"
        "{% if note %}说明：{{ note }}\n{% endif %}请登录职称申报评审系统查看详情。",
    ),
    "correction_requested": (
        "请在{{ deadline }}前补正职称申报材料",
        "{{ name }}，您好：\n您申报的{{ title }}材料需要补正，全部事项如下（一次告知）：\n"
        "{% for item in items %}{{ forloop.counter }}. {{ item }}\n{% endfor %}"
        "请于{{ deadline }}前补正并重新提交，逾期视为放弃申报（六（二））。",
    ),
    "queue_arrived": (
        "有新的职称申报待您处理",
        "{{ applicant }}申报的{{ title }}已到达您的待办：{{ state }}。",
    ),
    "objection_raised": (
        "公示收到实名异议：{{ applicant }}",
        "“{{ publicity }}”收到对{{ applicant }}的实名异议，请核实处理并记录结果；"
        "异议处理完毕前不能按无异议结束公示（八（二）3）。公示期至{{ ends_on }}。",
    ),
}


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    # Keyed by the text itself, so an edited template is compiled afresh and never served stale.
    return Template(source)


def render(key: str, context: dict) -> tuple[str, str]:
    template = NotificationTemplate.objects.filter(key=key).first()
    subject, body = (template.subject, template.body) if template else DEFAULT_TEMPLATES[key]
    ctx = Context(context, autoescape=False)
    return _compiled(subject).render(ctx).strip(), _compiled(body).render(ctx)


def queue(recipients, key: str, context: dict, application=None) -> list[Notification]:
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return []
    subject, body = render(key, context)
    rows = Notification.objects.bulk_create(
        [Notification(recipient=r, key=key, subject=subject, body=body, application=application) for r in recipients]
    )
    if getattr(settings, "NOTIFICATIONS_EMAIL_ON_COMMIT", True):
        ids = [n.pk for n in rows if n.pk]
        transaction.on_commit(lambda: deliver_email(ids))
    return rows


def deliver_email(ids: list[int] | None = None) -> int:
    """Send pending e-mails; a failure leaves the row pending for the next run of `send_notifications`."""
    pending = Notification.objects.filter(emailed_at__isnull=True).select_related("recipient")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = 0
    for note in pending:
        if not note.recipient.email:
            continue
        try:
            send_mail(note.subject, note.body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
        except OSError:
            continue
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
