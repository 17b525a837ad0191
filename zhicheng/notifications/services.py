"""Queueing notifications inside the caller's transaction; their e-mail is sent by a background worker.

Every message is an in-app inbox row with an absolute link to the page it is about. Its e-mail
is an outbox row (``notifications.outbox``), written in the same transaction together with the
task that sends it, so a web request never talks to the mail server and a rolled-back step
sends nothing. Arrivals in a staff queue are not mailed one by one: they wait for the
recipient's daily digest (``notifications.digest``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _noop

from zhicheng.core.site import page_url

from .models import Notification, NotificationTemplate, OutgoingMail
from .outbox import send_soon

# The texts the department starts with; an admin-edited NotificationTemplate with the same key wins.
# They are written in Chinese, and shown in a reader's other language through the catalogue (shown()).
DEFAULT_TEMPLATES = {
    "state_changed": (
        _noop("您的职称申报有新进展：{{ state }}"),
        _noop("{{ name }}，您好：\n"
              "您申报的{{ title }}（{{ year }}年度）已{{ action }}，当前状态：{{ state }}。\n"
              "{% if note %}说明：{{ note }}\n"
              "{% endif %}请登录职称申报评审系统查看详情。"),
    ),
    "correction_requested": (
        _noop("请在{{ deadline }}24时前补正职称申报材料"),
        _noop("{{ name }}，您好：\n"
              "您申报的{{ title }}材料需要补正，全部事项如下（一次告知）：\n"
              "{% for item in items %}{{ forloop.counter }}. {{ item }}\n"
              "{% endfor %}请于{{ deadline }}24时（北京时间）前补正并重新提交，逾期视为放弃申报（六（二））。"),
    ),
    "queue_arrived": (
        _noop("有新的职称申报待您处理"),
        _noop("{{ applicant }}申报的{{ title }}已到达您的待办：{{ state }}。"),
    ),
    "queue_arrived_batch": (
        _noop("{{ count }} 件职称申报到达您的待办"),
        _noop("{{ count }}件职称申报已到达您的待办：\n"
              "{% for item in items %}{{ forloop.counter }}. {{ item }}\n"
              "{% endfor %}{% if more %}另有{{ more }}件，请在待办中查看。\n"
              "{% endif %}"),
    ),
    "queue_digest": (
        _noop("{{ count }} 件申报到达您的待办"),
        _noop("{{ name }}，您好：\n"
              "截至{{ day }}，有{{ count }}件职称申报到达您的待办：\n"
              "{% for item in items %}{{ forloop.counter }}. {{ item }}\n"
              "{% endfor %}{% if more %}另有{{ more }}件，请在待办中查看。\n"
              "{% endif %}"),
    ),
    "objection_raised": (
        _noop("公示收到实名异议：{{ applicant }}"),
        _noop("“{{ publicity }}”收到对{{ applicant }}的实名异议，请核实处理并记录结果；异议处理完毕前不能按无异议结束公示（八（二）3）。公示期至{{ ends_on }}。"),
    ),
    "declaration_deadline_reminder": (
        _noop("您的职称申报尚未提交，{{ deadline }}截止"),
        _noop("{{ name }}，您好：\n"
              "您填报的{{ title }}（{{ year }}年度）尚未提交。本年度申报于{{ deadline }}24时（北京时间）截止，逾期不再受理（三（二））。请尽快完善材料并提交。"),
    ),
    "correction_deadline_reminder": (
        _noop("请在{{ deadline }}前完成职称申报材料补正"),
        _noop("{{ name }}，您好：\n"
              "您申报的{{ title }}尚待补正，补正截止日期为{{ deadline }}。需补正的事项：\n"
              "{% for item in items %}{{ forloop.counter }}. {{ item }}\n"
              "{% endfor %}逾期未补正的，视为放弃申报（六（二））。"),
    ),
    "filing_due": (
        _noop("{{ committee }}{{ year }}年度评审结果应于{{ due_on }}前报送核准备案"),
        _noop("{{ committee }}{{ year }}年度评审结果公示于{{ review_ended_on }}期满，尚有{{ waiting }}人的评审结果未报送核准备案。评审结果应在评审工作结束（结果公示期满）一个月内报送（七（五）1），即{{ due_on }}前，还剩{{ days_left }}天。"),
    ),
    "filing_overdue": (
        _noop("{{ committee }}{{ year }}年度评审结果核准备案已逾期"),
        _noop("{{ committee }}{{ year }}年度评审结果公示于{{ review_ended_on }}期满，评审结果应于{{ due_on }}前报送核准备案（七（五）1），现已逾期{{ days_overdue }}天，尚有{{ waiting }}人的评审结果未报送。"),
    ),
}
# Messages that wait for the recipient's daily digest instead of a mail of their own.
DIGESTED_KEYS = frozenset({"queue_arrived", "queue_arrived_batch"})


@dataclass
class Message:
    recipient: object
    key: str
    context: dict
    application: object = None
    link: str = ""  # absolute; the declaration's page when empty and there is one, else the inbox
    once_key: str = ""  # a recipient gets a message with this key once only
    arrivals: int = 1  # declarations a queue-arrival message stands for (a batch step sends one for many)


def mail_enabled() -> bool:
    # The demo loader and the benchmarks write in-app messages only.
    return getattr(settings, "NOTIFICATIONS_EMAIL_ON_COMMIT", True)


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    # Keyed by the text itself, so an edited template is compiled afresh and never served stale.
    return Template(source)


def template_sources(keys) -> dict[str, tuple[str, str]]:
    """(subject, body) of each key: the admin-edited template where there is one, else the default; one query."""
    keys = set(keys)
    edited = {t.key: (t.subject, t.body) for t in NotificationTemplate.objects.filter(key__in=keys)}
    return {key: edited.get(key) or DEFAULT_TEMPLATES[key] for key in keys}


def render_source(source: tuple[str, str], context: dict) -> tuple[str, str]:
    ctx = Context(context, autoescape=False)
    return _compiled(source[0]).render(ctx).strip(), _compiled(source[1]).render(ctx)


def render(key: str, context: dict) -> tuple[str, str]:
    return render_source(template_sources([key])[key], context)


def mail_body(body: str, link: str) -> str:
    """Every mail ends with the address of the page it is about."""
    return f"{body.rstrip()}\n\n查看详情：{link}\n"


def _link(message: Message) -> str:
    if message.link:
        return message.link
    if message.application is not None:
        return page_url("application_detail", message.application.pk)
    return page_url("notifications")


def _create(messages: list[Message], sources: dict) -> list[Notification]:
    mailing = mail_enabled()
    rows, mails = [], []
    for m in messages:
        subject, body = render_source(sources[m.key], m.context)
        link = _link(m)
        reachable = mailing and m.recipient.is_active and bool(m.recipient.email)
        digest = reachable and m.key in DIGESTED_KEYS
        mail = None
        if reachable and not digest:
            mail = OutgoingMail(recipient=m.recipient, to=m.recipient.email, key=m.key, subject=subject[:200],
                                body=mail_body(body, link))
            mails.append(mail)
        rows.append(Notification(recipient=m.recipient, key=m.key, subject=subject[:200], body=body, link=link,
                                 application=m.application, once_key=m.once_key, awaits_digest=digest, mail=mail,
                                 arrivals=m.arrivals, context=_kept_context(m, sources)))
    OutgoingMail.objects.bulk_create(mails)
    return Notification.objects.bulk_create(rows)  # takes each mail's primary key, set just above


def _kept_context(message: Message, sources: dict) -> dict | None:
    """The values of a message written from a default text, kept to show it in the reader's language."""
    if sources[message.key] is not DEFAULT_TEMPLATES.get(message.key):
        return None  # an edited text has no translation: it is shown as written
    try:
        return json.loads(json.dumps(message.context, cls=DjangoJSONEncoder))
    except TypeError:
        return None


def _in_language(value):
    """A label of the domain (a state, a step, a level …) in the reader's language; other values as they are."""
    if isinstance(value, str):
        return gettext(value) if value else value
    if isinstance(value, list):
        return [_in_language(v) for v in value]
    return value


def shown(notification: Notification) -> tuple[str, str]:
    """(subject, body) in the active language: as written (Chinese), or the catalogue's translation of its default
    text rendered with the same values, their labels translated and the declaration's title in that language."""
    source = DEFAULT_TEMPLATES.get(notification.key)
    if notification.context is None or source is None or translation.get_language().startswith("zh"):
        return notification.subject, notification.body
    translated = (gettext(source[0]), gettext(source[1]))
    if translated == source:
        return notification.subject, notification.body
    from zhicheng.core import wording

    context = {name: _in_language(value) for name, value in notification.context.items() if name != "note"}
    context["note"] = notification.context.get("note", "")  # what a person wrote stays as written
    if notification.application is not None and "title" in context:
        context["title"] = wording.title_label(notification.application)
    return render_source(translated, context)


def queue_messages(messages) -> list[Notification]:
    """Write the messages (skipping once-only ones already sent) and queue their e-mails; returns the new rows."""
    messages = [m for m in messages if m.recipient is not None]
    once = {m.once_key for m in messages if m.once_key}
    if once:
        sent = set(Notification.objects.filter(once_key__in=once).values_list("recipient_id", "once_key"))
        messages = [m for m in messages if not m.once_key or (m.recipient.pk, m.once_key) not in sent]
    if not messages:
        return []
    sources = template_sources(m.key for m in messages)
    # No savepoint of its own: inside a transition this runs on every step, and only once-only
    # messages can meet a unique-key conflict worth recovering from.
    with transaction.atomic(savepoint=False):
        rows = _create_once_only(messages, sources) if once else _create(messages, sources)
        send_soon([row.mail_id for row in rows if row.mail_id])
    return rows


def _create_once_only(messages: list[Message], sources: dict) -> list[Notification]:
    try:
        with transaction.atomic():
            return _create(messages, sources)
    except IntegrityError:
        # A once-only message written at the same moment by another run (two days of a catch-up in parallel).
        rows = []
        for m in messages:
            try:
                with transaction.atomic():
                    rows += _create([m], sources)
            except IntegrityError:
                if not m.once_key:
                    raise
        return rows


def queue(recipients, key: str, context: dict, application=None, *, link: str = "", once_key: str = "") -> list[Notification]:
    return queue_messages([Message(r, key, context, application, link, once_key) for r in recipients if r is not None])
