"""Every notification and every e-mail links to the page it is about (issue 14, feature 3): a walk that makes
the code send each kind of message the way it does in use, then follows every link as its recipient."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.certificates.daily import WARN_DAYS, warn_filing_deadlines
from zhicheng.certificates.filing import one_month_after
from zhicheng.core import clock
from zhicheng.declarations.daily import send_reminders
from zhicheng.declarations.services import transition, transition_many
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.notifications.digest import send_digests
from zhicheng.notifications.models import Notification, OutgoingMail
from zhicheng.notifications.services import DEFAULT_TEMPLATES
from zhicheng.publicity.services import close_publicity, raise_objection, start_publicity
from zhicheng.review.models import ReviewPlan

from ..conftest import staff_of
from ..cycle_helpers import actor_for, advance

D = dt.date
SITE = "https://zhicheng.example.gov.cn"

# The page each kind of message is about: where its reader acts on it.
PAGE_OF = {
    "state_changed": {"application_detail", "declaration_edit"},  # the editing page when the applicant must act
    "correction_requested": {"declaration_edit"},
    "queue_arrived": {"application_detail"},
    "queue_arrived_batch": {"application_list"},
    "queue_digest": {"application_list"},
    "objection_raised": {"publicity_detail"},  # where the objection is handled (八（二）3)
    "declaration_deadline_reminder": {"declaration_edit"},
    "correction_deadline_reminder": {"declaration_edit"},
    "filing_due": {"filing_queue"},
    "filing_overdue": {"filing_queue"},
    # rectification (八（一）): the order's page, or the suspension's
    **{key: {"rectification_order_detail"} for key in (
        "rectification_ordered", "rectification_answered", "rectification_decided", "rectification_overdue")},
    **{key: {"suspension_detail"} for key in ("committee_suspended", "committee_suspension_lifted", "committee_approval_revoked")},
    # plan progress (八（二）4): the late committee's written explanation
    **{key: {"plan_explanation_detail"} for key in ("plan_explanation_filed", "plan_explanation_decided")},
}


def test_the_walk_knows_every_kind_of_message():
    assert set(PAGE_OF) == set(DEFAULT_TEMPLATES), "a new kind of message needs its page here and a step in the walk"


def send_every_kind(make_applicant) -> None:
    """Make the code send each kind of message once at least, as it does in use."""
    draft = make_applicant(P.regular_engineer())
    with clock.frozen(D(2021, 6, 25)):
        send_reminders(D(2021, 6, 25))  # three working days before 30 June

    one, two = make_applicant(P.regular_engineer()), make_applicant(P.regular_engineer())
    with clock.frozen(D(2021, 6, 7)):
        for app in (one, two):
            transition(app, "submit", app.person.account)  # the unit's staff: one arrival each
    batch = [make_applicant(P.regular_agronomist()) for _ in range(2)]
    with clock.frozen(D(2021, 6, 7)):
        for app in batch:
            transition(app, "submit", app.person.account)
        transition_many([app.pk for app in batch], "employer_return", staff_of(batch[0].unit), note="材料不全")
    # Two at once into a department's queue (closing their publicity moves both): one message for the batch.
    pair = [advance(make_applicant(P.regular_engineer()), State.SUBMITTED)[0] for _ in range(2)]
    employer = staff_of(pair[0].unit)
    with clock.frozen(D(2021, 6, 9)):
        publicity = start_publicity(kind="employer", publisher=pair[0].unit, applications=pair, actor=employer)
    with clock.frozen(publicity.ends_on + dt.timedelta(days=1)):
        close_publicity(publicity, employer)
    with clock.frozen(D(2021, 6, 30)):
        send_digests(D(2021, 6, 30))

    corrected, _, day = advance(make_applicant(P.regular_engineer()), State.DEPARTMENT_REVIEW)
    with clock.frozen(day):
        transition(corrected, "request_correction", actor_for(corrected), payload={"items": ["缺聘书"], "deadline": D(2021, 7, 2)})
    with clock.frozen(D(2021, 6, 30)):
        send_reminders(D(2021, 6, 30))  # two working days before 2 July

    objected, _, _ = advance(make_applicant(P.regular_engineer()), State.EMPLOYER_PUBLICITY)
    open_publicity = objected.publicities.get(outcome="open")
    with clock.frozen(open_publicity.starts_on):
        raise_objection(publicity=open_publicity, application=objected, name="张三", phone="13900001111",
                        content="该申报人任职年限有误，请核查。")

    filed, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    due = one_month_after(filed.publicities.get(kind="result").ends_on)
    warn_filing_deadlines(due - dt.timedelta(days=WARN_DAYS))
    warn_filing_deadlines(due + dt.timedelta(days=1))
    from ..rectification.helpers import send_every_kind_of_message

    send_every_kind_of_message()
    send_plan_explanation_messages()
    assert draft.pk and one.pk


def send_plan_explanation_messages() -> None:
    """A committee whose review runs past 30 September files its explanation; the region returns it."""
    from zhicheng.monitoring.services import decide_explanation, file_explanation
    from zhicheng.orgs.models import Committee, Organisation, OrgKind

    committee = Committee.objects.select_related("office").get(series__code="accounting", area__level="region",
                                                                self_review_unit__isnull=True)
    ReviewPlan.objects.filter(committee=committee, year=2021).update(review_starts_on=D(2021, 10, 11), review_ends_on=D(2021, 10, 15))
    with clock.frozen(D(2021, 9, 1)):
        explanation = file_explanation(committee, 2021, staff_of(committee.office), text="专家评委库补充推荐尚未完成，评审顺延至10月。")  # filed
    with clock.frozen(D(2021, 9, 2)):
        decide_explanation(explanation, staff_of(Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)),
                           accept=False, reason="未说明补救措施。")  # decided


def opens_for(client, user, link: str, day: dt.date) -> str:
    """The page's name; asserts it opens (200) for ``user`` on ``day``."""
    assert link.startswith(f"{SITE}/"), link
    parts = urlsplit(link)
    client.force_login(user)
    with clock.frozen(day):
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, (link, user.role, response.status_code)
    return resolve(parts.path).url_name


@pytest.mark.django_db
def test_every_message_links_to_the_page_it_is_about_and_the_page_opens(client, make_applicant, monkeypatch):
    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", SITE)
    send_every_kind(make_applicant)

    notes = list(Notification.objects.select_related("recipient", "mail").order_by("pk"))
    assert {n.key for n in notes} == set(PAGE_OF) - {"queue_digest"}, "the walk sent every kind (the digest is mail only)"
    checked = set()
    for n in notes:
        if (n.key, n.recipient.role) in checked:
            continue  # one of each kind for each role: the pages are the same for the others
        checked.add((n.key, n.recipient.role))
        name = opens_for(client, n.recipient, n.link, n.created_at.astimezone(clock.CHINA).date())
        assert name in PAGE_OF[n.key], (n.key, name)
        if name in ("application_detail", "declaration_edit"):
            assert resolve(urlsplit(n.link).path).kwargs["pk"] == n.application_id, "the declaration's own page"
        if n.mail_id and n.mail.key == n.key:
            assert n.mail.body.rstrip().endswith(n.link), "its e-mail ends with the same link"
        elif n.mail_id:
            assert n.mail.key == "queue_digest" and n.link in n.mail.body, "the digest lists the arrival with its link"

    digests = list(OutgoingMail.objects.filter(key="queue_digest").select_related("recipient"))
    assert digests
    for mail in digests:
        link = mail.body.rstrip().rsplit("\n", 1)[-1].removeprefix("查看详情：")
        assert opens_for(client, mail.recipient, link, D(2021, 6, 30)) in PAGE_OF["queue_digest"]
        assert all(f"{SITE}/applications/" in line for line in mail.body.splitlines() if line.startswith("   "))
    # Every mail of every kind ends with a link to a page of the site.
    for mail in OutgoingMail.objects.all():
        last = mail.body.rstrip().rsplit("\n", 1)[-1]
        assert last.startswith(f"查看详情：{SITE}/"), (mail.key, last)
        resolve(urlsplit(last.removeprefix("查看详情：")).path)


@pytest.mark.django_db
def test_an_objection_sends_the_publisher_to_the_publicity_where_it_is_handled(client, make_applicant, monkeypatch):
    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", SITE)
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.EMPLOYER_PUBLICITY)
    publicity = app.publicities.get(outcome="open")
    with clock.frozen(publicity.starts_on):
        raise_objection(publicity=publicity, application=app, name="李四", phone="13800002222", content="该申报人学历信息与档案不符，请核实。")
    staff = set(User.objects.filter(organisation=publicity.publisher, is_active=True, role=Role.EMPLOYER_HR))
    notes = Notification.objects.filter(key="objection_raised")
    assert {n.recipient for n in notes} == staff
    for n in notes:
        assert n.link == f"{SITE}/publicities/{publicity.pk}/" and n.application_id == app.pk
    client.force_login(next(iter(staff)))
    with clock.frozen(publicity.starts_on):
        page = client.get(f"/publicities/{publicity.pk}/").content.decode()
    assert "学历信息与档案不符" in page, "the objection is on the page the message links to"


@pytest.mark.django_db
def test_the_inbox_links_to_this_site_however_it_is_reached(client, make_applicant, monkeypatch):
    """Messages keep the absolute link their e-mail needs; the inbox opens its path on the site as reached now
    (the demo's messages were written for port 8000, and make run may serve another)."""
    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", "http://127.0.0.1:8000")
    app, _, day = advance(make_applicant(P.regular_engineer()), "submitted")
    note = Notification.objects.filter(recipient=app.person.account).exclude(link="").order_by("pk").first()
    assert note.link.startswith("http://127.0.0.1:8000/")
    client.force_login(app.person.account)
    with clock.frozen(day):
        page = client.get(reverse("notifications")).content.decode()
    path = urlsplit(note.link).path
    assert f'href="{path}' in page and "127.0.0.1:8000" not in page
