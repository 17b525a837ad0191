"""The e-mail outbox: no mail server inside a web request, retries with backoff, failures given up
and shown in the back office, and the link every message carries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhicheng.accounts.models import User
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.services import transition
from zhicheng.demo import applicants as P
from zhicheng.notifications import outbox
from zhicheng.notifications.models import MailStatus, Notification, OutgoingMail
from zhicheng.notifications.outbox import MailNotSent, deliver, send_mails
from zhicheng.notifications.services import queue

from ..cycle_helpers import actor_for, advance

D = dt.date
REFUSING = "tests.notifications.backends.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SITE = "https://zhicheng.example.gov.cn"


def send_tasks():
    return DBTaskResult.objects.filter(task_path=send_mails.module_path).order_by("enqueued_at")


@pytest.fixture
def user(db):
    return User.objects.create(username="mail-test", email="zhangsan@example.cn", first_name="张三")


def one_message(user):
    [note] = queue([user], "state_changed", {"name": "张三", "title": "工程系列高级工程师", "year": 2021, "action": "提交",
                                             "state": "已提交", "note": ""})
    return note


@pytest.mark.django_db
def test_a_step_talks_to_no_mail_server_it_queues_the_mail_with_its_task(make_applicant, django_capture_on_commit_callbacks,
                                                                        monkeypatch):
    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", SITE)
    app = make_applicant(P.regular_engineer())
    with django_capture_on_commit_callbacks(execute=True), clock.frozen(D(2021, 6, 7)):
        transition(app, "submit", app.person.account)
    assert mail.outbox == [], "nothing is sent inside the request, not even on commit"

    note = Notification.objects.get(application=app, recipient=app.person.account)
    queued = note.mail
    assert queued.status == MailStatus.PENDING and queued.to == app.person.account.email
    [task] = [t for t in send_tasks() if queued.pk in t.args_kwargs["args"][0]]
    assert task.status == "READY"

    assert send_mails.call(*task.args_kwargs["args"]) == {"sent": 1, "retrying": 0, "given_up": 0}
    [sent] = mail.outbox
    assert sent.to == [app.person.account.email] and sent.subject == note.subject
    assert f"{SITE}/applications/{app.pk}/" in sent.body
    note.refresh_from_db()
    queued.refresh_from_db()
    assert note.emailed_at is not None and queued.status == MailStatus.SENT and queued.attempts == 1


@pytest.mark.django_db
def test_a_refused_mail_is_tried_again_with_growing_waits_then_sent(user, settings):
    settings.EMAIL_BACKEND = REFUSING
    note = one_message(user)
    pk = note.mail_id
    before = timezone.now()
    with pytest.raises(MailNotSent):
        send_mails.call([pk])
    row = OutgoingMail.objects.get(pk=pk)
    assert row.status == MailStatus.PENDING and row.attempts == 1 and "SMTPServerDisconnected" in row.last_error
    first_wait = dt.timedelta(seconds=outbox.FIRST_RETRY_SECONDS)
    assert before + first_wait <= row.next_attempt_at <= timezone.now() + first_wait
    retry = send_tasks().last()
    assert retry.args_kwargs == {"args": [[pk]], "kwargs": {"attempt": 2}}, "the task is queued again for its next attempt"
    assert retry.run_after >= row.next_attempt_at

    assert deliver([pk]).sent == 0, "not before its time"
    second = row.next_attempt_at
    assert deliver([pk], now=second).retrying == 1
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == second + 2 * first_wait, "each wait twice the one before"

    settings.EMAIL_BACKEND = LOCMEM
    assert deliver([pk], now=row.next_attempt_at).sent == 1
    row.refresh_from_db()
    assert row.status == MailStatus.SENT and row.attempts == 3 and row.last_error == ""
    assert [m.to for m in mail.outbox] == [["zhangsan@example.cn"]]
    note.refresh_from_db()
    assert note.emailed_at == row.sent_at


@pytest.mark.django_db
def test_after_the_last_attempt_a_mail_is_failed_and_the_back_office_can_send_it_again(user, settings, client):
    settings.EMAIL_BACKEND = REFUSING
    pk = one_message(user).mail_id
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        deliver([pk], now=OutgoingMail.objects.get(pk=pk).next_attempt_at)
    row = OutgoingMail.objects.get(pk=pk)
    assert row.status == MailStatus.PENDING and row.attempts == outbox.MAX_ATTEMPTS - 1
    tasks = send_tasks().count()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: row.next_attempt_at)
        result = send_mails.call([pk], attempt=outbox.MAX_ATTEMPTS)
    assert result == {"sent": 0, "retrying": 0, "given_up": 1}
    assert send_tasks().count() == tasks, "no further attempt is queued"
    row.refresh_from_db()
    assert row.status == MailStatus.FAILED and row.attempts == outbox.MAX_ATTEMPTS and row.next_attempt_at is None
    assert deliver().sent == 0

    admin = User.objects.create_superuser("outbox-admin", "admin@example.cn", "x" * 12)
    client.force_login(admin)
    listing = client.get(reverse("admin:notifications_outgoingmail_changelist"), {"status": "failed"})
    assert listing.status_code == 200 and "zhangsan@example.cn" in listing.content.decode()
    client.post(reverse("admin:notifications_outgoingmail_changelist"), {"action": "send_again", "_selected_action": [pk]})
    row.refresh_from_db()
    assert row.status == MailStatus.PENDING and row.attempts == 0
    assert send_tasks().last().args_kwargs["args"] == [[pk]]
    assert AuditEntry.objects.filter(action="notifications.resend", actor_id=admin.pk).exists()
    settings.EMAIL_BACKEND = LOCMEM
    assert deliver().sent == 1


@pytest.mark.django_db
def test_a_claimed_mail_is_not_sent_by_a_second_worker(user):
    pk = one_message(user).mail_id
    now = timezone.now()
    assert outbox._claim(pk, now)
    assert not outbox._claim(pk, now), "the second worker's claim finds it taken"
    assert deliver([pk], now=now).sent == 0
    later = now + dt.timedelta(seconds=outbox.CLAIM_SECONDS)
    assert deliver([pk], now=later).sent == 1, "a claim whose worker died runs out"


@pytest.mark.django_db
def test_without_mail_delivery_only_the_inbox_is_written(user, settings):
    settings.NOTIFICATIONS_EMAIL_ON_COMMIT = False
    note = one_message(user)
    assert note.mail_id is None and not OutgoingMail.objects.exists() and not send_tasks().exists()


@pytest.mark.django_db
def test_every_message_links_to_its_page(make_applicant, monkeypatch):
    from zhicheng.certificates import conf

    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", SITE + "/")
    assert conf.public_base_url() == SITE, "certificates' QR codes follow the same address"
    app, _, day = advance(make_applicant(P.regular_engineer()), "department_review")
    department = actor_for(app)
    with clock.frozen(day):
        transition(app, "request_correction", department, payload={"items": ["缺聘书"], "deadline": day + dt.timedelta(days=5)})
    correction = Notification.objects.get(application=app, key="correction_requested")
    assert correction.link == f"{SITE}/applications/{app.pk}/edit/", "the applicant corrects on the editing page"
    assert correction.mail.body.rstrip().endswith(correction.link)
    arrived = Notification.objects.filter(application=app, key="queue_arrived").first()
    assert arrived.link == f"{SITE}/applications/{app.pk}/"
    edited_elsewhere = queue([department], "objection_raised", {"publicity": "公示", "applicant": "张三", "ends_on": "2021年6月30日"},
                             application=app)[0]
    assert edited_elsewhere.link == f"{SITE}/applications/{app.pk}/", "a caller that gives no link gets the declaration's page"
    assert queue([department], "objection_raised", {"publicity": "公示", "applicant": "张三", "ends_on": ""})[0].link == \
        f"{SITE}/notifications/", "and with no declaration, the inbox"
