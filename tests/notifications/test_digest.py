"""Staff get one mail a day listing what arrived in their queue, not one mail per declaration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from zhicheng.accounts.models import User
from zhicheng.core import clock
from zhicheng.declarations.services import transition
from zhicheng.demo import applicants as P
from zhicheng.notifications import digest
from zhicheng.notifications.models import Notification, OutgoingMail
from zhicheng.notifications.outbox import deliver

D = dt.date
SITE = "https://zhicheng.example.gov.cn"


@pytest.mark.django_db
def test_one_digest_a_day_lists_each_arrival_of_that_day_once(make_applicant, monkeypatch):
    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", SITE)
    apps = [make_applicant(P.regular_engineer()) for _ in range(3)]
    with clock.frozen(D(2021, 6, 7)):
        for app in apps[:2]:
            transition(app, "submit", app.person.account)
    with clock.frozen(D(2021, 6, 8)):
        transition(apps[2], "submit", apps[2].person.account)
    apps[0].refresh_from_db()
    staff = list(User.objects.filter(organisation_id=apps[0].holder_id, is_active=True))
    assert staff and all(user.email for user in staff)
    assert Notification.objects.filter(recipient__in=staff, key="queue_arrived").count() == 3 * len(staff), "the inbox keeps each"
    assert not OutgoingMail.objects.filter(recipient__in=staff).exists(), "no mail per declaration"

    monkeypatch.setattr(digest, "LISTED", 1)
    assert digest.send_digests(D(2021, 6, 7)) == {"digests": len(staff), "arrivals": 2 * len(staff)}
    for user in staff:
        [first] = OutgoingMail.objects.filter(recipient=user)
        assert first.subject == "2 件申报到达您的待办"
        assert apps[0].person.name in first.body and f"{SITE}/applications/{apps[0].pk}/" in first.body
        assert "另有1件" in first.body and apps[1].person.name not in first.body, "a long day is cut short in the mail"
        assert first.body.rstrip().endswith(f"{SITE}/applications/?queue=1"), "the digest links to the queue"
        assert apps[2].person.name not in first.body, "what arrived the next day waits for the next digest"
    assert digest.send_digests(D(2021, 6, 7)) == {"digests": 0, "arrivals": 0}, "a second run of the day mails nothing"

    monkeypatch.setattr(digest, "LISTED", 100)
    assert digest.send_digests(D(2021, 6, 8)) == {"digests": len(staff), "arrivals": len(staff)}
    assert deliver().sent == 3 + 2 * len(staff), "three applicants' own mails and two digests per staff member"
    for user in staff:
        received = [m for m in mail.outbox if m.to == [user.email]]
        assert [m.subject for m in received] == ["2 件申报到达您的待办", "1 件申报到达您的待办"]
        assert apps[2].person.name in received[1].body
    arrivals = Notification.objects.filter(recipient__in=staff, key="queue_arrived")
    assert all(n.emailed_at and n.mail.key == "queue_digest" and not n.awaits_digest for n in arrivals)


@pytest.mark.django_db
def test_a_recipient_without_an_address_keeps_the_inbox_and_gets_no_digest(make_applicant):
    app = make_applicant(P.regular_engineer())
    with clock.frozen(D(2021, 6, 7)):
        transition(app, "submit", app.person.account)
    app.refresh_from_db()
    User.objects.filter(organisation_id=app.holder_id).update(email="")
    assert digest.send_digests(D(2021, 6, 7))["digests"] == 0
    rows = Notification.objects.filter(application=app, key="queue_arrived")
    assert rows.exists() and not rows.filter(awaits_digest=True).exists()


@pytest.mark.django_db
def test_a_step_that_leaves_the_declaration_with_its_taker_tells_them_nothing(make_applicant):
    """The employer publishing its own declarations was told they had arrived in its queue (they were there)."""
    from ..cycle_helpers import advance

    app, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")
    staff = list(User.objects.filter(organisation_id=app.holder_id, is_active=True))
    assert Notification.objects.filter(recipient__in=staff, application=app, key="queue_arrived").count() == len(staff)
    app, _, _ = advance(app, "employer_publicity")
    assert app.holder_id == staff[0].organisation_id, "the employer still holds it while it is published"
    assert Notification.objects.filter(recipient__in=staff, application=app, key="queue_arrived").count() == len(staff), \
        "no second arrival for the publication"
