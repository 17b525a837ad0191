"""The checkers' side: the post quota in the employer's queue, bulk steps reported one by one, the
one-time correction notice, the exam result, the fee, notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from zhicheng.catalogue.models import CorrectionItem
from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.notifications.models import Notification
from zhicheng.orgs.models import Organisation
from zhicheng.publicity.models import Publicity

from ..conftest import staff_of
from ..cycle_helpers import advance

D = dt.date
COUNTY_CENTRE = "宁城县农牧技术推广中心"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_employer_queue_shows_the_quota_and_refuses_beyond_it_except_the_exempt(client, make_applicant):
    unit = Organisation.objects.get(name=COUNTY_CENTRE)
    unit.senior_posts_set, unit.senior_posts_filled = 20, 20  # no vacancy: 5% of 20 lets one through
    unit.save()
    regular = [advance(make_applicant(P.regular_agronomist(unit=COUNTY_CENTRE)), "employer_publicity")[0] for _ in range(2)]
    exceptional = advance(make_applicant(P.exceptional_next_level()), "employer_publicity")[0]
    assert exceptional.decision["conditions"]["post_quota"] == "exempt"
    ends = max(Publicity.objects.filter(entries__application__unit=unit).values_list("ends_on", flat=True))
    client.force_login(staff_of(unit))
    with clock.frozen(ends + dt.timedelta(days=1)):
        queue = client.get(reverse("application_list") + "?queue=1")
        body = queue.content.decode()
        assert queue.context["quota"]["ceiling"] == 1 and queue.context["quota"]["left"] == 1
        assert "最多推荐" in body and "不受限制（破格等）" in body and "占用限额" in body
        response = client.post(reverse("application_bulk"), {
            "action": "report", "ids": [a.pk for a in (*regular, exceptional)], "next": "/applications/?queue=1"})
    notes = _messages(response)
    assert any(f"已办理2件，共选择3件。已办理的是：{regular[0].person.name}、{exceptional.person.name}。" in n for n in notes)
    refused = [n for n in notes if "本年度最多推荐1人" in n]
    assert len(refused) == 1 and refused[0].startswith(regular[1].person.name)
    for a in (*regular, exceptional):
        a.refresh_from_db()
    assert {a.pk: a.state for a in (*regular, exceptional)} == {regular[0].pk: State.DEPARTMENT_REVIEW, regular[1].pk: State.EMPLOYER_PUBLICITY,
                      exceptional.pk: State.DEPARTMENT_REVIEW}


@pytest.mark.django_db
def test_bulk_publish_reports_what_it_cannot_take(client, make_applicant):
    ready = [advance(make_applicant(P.regular_engineer()), "submitted")[0] for _ in range(2)]
    draft = make_applicant(P.regular_engineer())
    client.force_login(staff_of(ready[0].unit))
    with clock.frozen(D(2021, 6, 8)):
        response = client.post(reverse("application_bulk"), {
            "action": "employer_publish", "ids": [a.pk for a in (*ready, draft)], "working_days": 5, "contact": "0471-6600000",
            "next": "/", "confirm": "yes"})
    notes = _messages(response)
    assert any("已发起公示" in n and "2人" in n for n in notes)
    publicity = Publicity.objects.get(entries__application=ready[0])
    assert publicity.entries.count() == 2 and publicity.ends_on == D(2021, 6, 15), "5 working days over the Dragon Boat holiday"
    assert draft.pk not in set(publicity.entries.values_list("application_id", flat=True))
    response = client.post(reverse("application_bulk"), {"action": "veto", "ids": [ready[0].pk], "next": "/"})
    assert "您不能批量办理该步骤。" in _messages(response)


@pytest.mark.django_db
def test_one_time_correction_notice_from_the_standard_list(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), "department_review")
    department = staff_of(app.holder)
    client.force_login(department)
    url = reverse("application_correction", args=[app.pk])
    with clock.frozen(day):
        form = client.get(url).content.decode()
        assert all(c.text in form for c in CorrectionItem.objects.filter(active=True))
        empty = client.post(url, {"deadline": (day + dt.timedelta(days=5)).isoformat()})
        assert "请列出需要补正的全部事项。" in empty.content.decode()
        past = client.post(url, {"extra": "缺聘书", "deadline": day.isoformat()})
        assert "请给出今天以后的补正截止日期。" in past.content.decode()
        too_long = client.post(url, {"extra": "缺" * 501, "deadline": (day + dt.timedelta(days=5)).isoformat()}).content.decode()
        assert "其他需补正事项最多500字（现有501字）" in too_long and 'name="confirm"' not in too_long
        ticked = list(CorrectionItem.objects.all()[:2])
        data = {"standard": [c.pk for c in ticked], "extra": "论文检索证明不清晰\n\n单位公章模糊",
                "deadline": (day + dt.timedelta(days=10)).isoformat()}
        asked = client.post(url, data)
        question = asked.content.decode()
        assert asked.status_code == 200 and 'name="confirm" value="yes"' in question
        assert app.person.name in question and "告知需补正的事项4项" in question
        assert f"补正截止日期：{day + dt.timedelta(days=10):%Y-%m-%d}" in question and "只能告知一次" in question
        assert all(text in question for text in (ticked[0].text, ticked[1].text, "论文检索证明不清晰", "单位公章模糊"))
        app.refresh_from_db()
        assert app.state == State.DEPARTMENT_REVIEW and not app.correction_notices.exists(), "asking changes nothing"
        client.post(url, {**data, "confirm": "yes"})
    app.refresh_from_db()
    assert app.state == State.CORRECTION_REQUESTED
    assert app.correction_notices.get().items == [ticked[0].text, ticked[1].text, "论文检索证明不清晰", "单位公章模糊"]
    message = Notification.objects.get(application=app, key="correction_requested")
    assert all(item in message.body for item in app.correction_notices.get().items)
    with clock.frozen(day):
        assert client.get(url).status_code == 404, "the holder changed: nothing more to notify from here"


@pytest.mark.django_db
def test_exam_result_is_confirmed_by_the_checker_holding_it(client, make_applicant):
    profile = P.regular_health()
    profile.pop("exam")
    app = make_applicant(profile)
    assert app.decision["conditions"]["exam"] == "required"
    client.force_login(app.person.account)
    with clock.frozen(D(2021, 6, 1)):  # in the declaration period: a draft of a closed year is read only
        client.post(reverse("declaration_autosave", args=[app.pk]), {"exam_score": "合格（2021年卫生高级专业技术资格考试）"})
    app, _, day = advance(app, "submitted")
    assert app.exam_score and app.exam_confirmed_at is None
    client.force_login(staff_of(Organisation.objects.get(name="鄂尔多斯市中心医院")))
    with clock.frozen(day):
        client.post(reverse("application_exam_confirm", args=[app.pk]))
    app.refresh_from_db()
    assert app.exam_confirmed_at is None, "someone who does not hold it cannot confirm"
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        assert "核验考试成绩" in client.get(reverse("application_detail", args=[app.pk])).content.decode()
        client.post(reverse("application_exam_confirm", args=[app.pk]))
    app.refresh_from_db()
    assert app.exam_confirmed_at is not None


@pytest.mark.django_db
def test_fee_recorded_by_the_employer_before_reporting(client, make_applicant):
    app = make_applicant(P.regular_engineer(), fee_paid=False)
    app, _, day = advance(app, "submitted")
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        assert "登记缴费" in client.get(reverse("application_detail", args=[app.pk])).content.decode()
        client.post(reverse("declaration_fee", args=[app.pk]), {"reference": "12"})
        app.refresh_from_db()
        assert app.fee_paid_at is None
        client.post(reverse("declaration_fee", args=[app.pk]), {"reference": "票据0012345"})
    app.refresh_from_db()
    assert app.fee_paid_at and app.fee_reference == "票据0012345" and app.fee_amount > 0


@pytest.mark.django_db
def test_notifications_are_marked_read(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    user = app.person.account
    client.force_login(user)
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    assert unread.count() == 2
    first = unread.order_by("pk").first()
    client.post(reverse("notifications_read"), {"id": [first.pk]})
    assert unread.count() == 1
    client.post(reverse("notifications_read"))
    assert unread.count() == 0
    other = Notification.objects.exclude(recipient=user).filter(read_at__isnull=True).first()
    client.post(reverse("notifications_read"), {"id": [other.pk]})
    other.refresh_from_db()
    assert other.read_at is None, "only one's own messages"


@pytest.mark.django_db
def test_marking_many_messages_read_at_once_is_audited_with_their_ids(client, make_applicant):
    from zhicheng.audit.models import AuditEntry

    app = make_applicant(P.regular_engineer())
    user = app.person.account
    # The entry names them all in its data (its object id, 64 characters, once held twenty of them joined by
    # commas: PostgreSQL refused the entry, and the page answered 500).
    Notification.objects.bulk_create([Notification(recipient=user, key="note", subject=f"第{n}条", body="")
                                       for n in range(30)])
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    client.force_login(user)
    assert client.post(reverse("notifications_read")).status_code == 302
    entry = AuditEntry.objects.filter(action="notifications.read").latest("seq")
    assert entry.after["count"] == unread and len(entry.after["ids"]) == unread >= 30
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
