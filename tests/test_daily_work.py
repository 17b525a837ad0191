"""The daily work each app registers: deeming overdue corrections withdrawn as of a day (六（二）),
reminders before the declaration and correction deadlines in working days, and warnings before
the one-month filing limit (七（五）1)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import AnnualPlan
from zhicheng.certificates.daily import WARN_DAYS, warn_filing_deadlines
from zhicheng.certificates.filing import one_month_after
from zhicheng.core import clock
from zhicheng.declarations.daily import send_reminders
from zhicheng.declarations.services import deem_overdue_withdrawn, transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.jobs.schedule import DAILY
from zhicheng.notifications.models import Notification

from .conftest import staff_of
from .cycle_helpers import actor_for, advance

D = dt.date
SITE = "https://zhicheng.example.gov.cn"


def reminders_on(day: dt.date) -> dict:
    with clock.frozen(day):
        return send_reminders(day)


def under_correction(make_applicant, deadline: dt.date):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.DEPARTMENT_REVIEW)
    assert day < deadline
    with clock.frozen(day):
        transition(app, "request_correction", actor_for(app), payload={"items": ["缺聘书", "论文检索证明不清晰"], "deadline": deadline})
    return app


def test_each_app_registers_its_own_daily_work():
    assert {name: task.module_path for name, task in DAILY.items()} == {
        "declarations.deem_overdue_withdrawn": "zhicheng.declarations.daily.deem_overdue_withdrawn",
        "declarations.deadline_reminders": "zhicheng.declarations.daily.deadline_reminders",
        "certificates.filing_deadlines": "zhicheng.certificates.daily.filing_deadlines",
        "notifications.staff_digest": "zhicheng.notifications.daily.staff_digest",
        "notifications.outbox_sweep": "zhicheng.notifications.daily.outbox_sweep",
        "audit.checkpoint": "zhicheng.audit.daily.daily_checkpoint",
        "rectification.overdue_orders": "zhicheng.rectification.daily.overdue_orders",
        "collection.daily_file": "zhicheng.collection.daily.daily_file",
        "statistics.stage_figures": "zhicheng.statistics.daily.daily_stage_figures",
        "webhooks.sweep": "zhicheng.webhooks.daily.sweep",
    }


@pytest.mark.django_db
def test_a_draft_is_reminded_three_working_days_before_the_deadline_once(make_applicant, monkeypatch):
    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", SITE)
    app = make_applicant(P.regular_engineer())
    assert app.plan.declaration_deadline == D(2021, 6, 30)  # a Wednesday
    assert reminders_on(D(2021, 6, 24))["drafts"] == [], "four working days left"
    assert reminders_on(D(2021, 6, 25))["drafts"] == [app.pk], "Friday: Monday, Tuesday and Wednesday left"
    assert reminders_on(D(2021, 6, 25))["drafts"] == [], "the day run again reminds no one twice"
    assert reminders_on(D(2021, 6, 28))["drafts"] == [], "once per deadline"
    [note] = Notification.objects.filter(application=app, key="declaration_deadline_reminder")
    assert note.recipient == app.person.account and "2021年06月30日" in note.subject
    assert note.link == f"{SITE}/applications/{app.pk}/edit/" and note.mail.body.rstrip().endswith(note.link)

    AnnualPlan.objects.filter(pk=app.plan_id).update(declaration_deadline=D(2021, 7, 9))
    assert reminders_on(D(2021, 7, 6))["drafts"] == [app.pk], "a deadline moved later is a new deadline"


@pytest.mark.django_db
def test_the_draft_reminder_counts_working_days_across_a_holiday(make_applicant):
    app = make_applicant(P.regular_engineer())
    # 16 June 2021 is a Wednesday; Monday 14 June was the Dragon Boat Festival.
    AnnualPlan.objects.filter(pk=app.plan_id).update(declaration_deadline=D(2021, 6, 16))
    assert reminders_on(D(2021, 6, 9))["drafts"] == []
    assert reminders_on(D(2021, 6, 10))["drafts"] == [app.pk], "Thursday: Friday 11, Tuesday 15 and Wednesday 16 left"


@pytest.mark.django_db
def test_a_submitted_declaration_is_not_reminded(make_applicant):
    app = make_applicant(P.regular_engineer())
    with clock.frozen(D(2021, 6, 7)):
        transition(app, "submit", app.person.account)
    assert reminders_on(D(2021, 6, 25))["drafts"] == []


@pytest.mark.django_db
def test_a_correction_is_reminded_two_working_days_before_its_deadline_across_the_mid_autumn_festival(make_applicant):
    # 19-21 September 2021 were the Mid-Autumn holidays and Saturday 18 September a working day in their place.
    # (A correction deadline cannot lie after the year's review deadline, 30 September: not across National Day.)
    app = under_correction(make_applicant, D(2021, 9, 22))
    assert reminders_on(D(2021, 9, 16))["corrections"] == [], "17, 18 (a Saturday worked) and 22 September left"
    assert reminders_on(D(2021, 9, 17))["corrections"] == [app.pk], "18 and 22 September left"
    assert reminders_on(D(2021, 9, 20))["corrections"] == []
    [note] = Notification.objects.filter(application=app, key="correction_deadline_reminder")
    assert "缺聘书" in note.body and "2021年09月22日" in note.body and note.link.endswith(f"/applications/{app.pk}/edit/")


@pytest.mark.django_db
def test_a_late_run_sends_no_reminder_for_a_deadline_already_past(make_applicant):
    app = under_correction(make_applicant, D(2021, 6, 25))
    with clock.frozen(D(2021, 6, 28)):
        assert send_reminders(D(2021, 6, 24))["corrections"] == []
    assert not Notification.objects.filter(application=app, key="correction_deadline_reminder").exists()


@pytest.mark.django_db
def test_corrections_are_deemed_withdrawn_as_of_the_day_of_the_run(make_applicant):
    early = under_correction(make_applicant, D(2021, 6, 23))
    late = under_correction(make_applicant, D(2021, 6, 24))
    with clock.frozen(D(2021, 6, 26)):  # two days caught up after an outage
        assert deem_overdue_withdrawn(D(2021, 6, 24)) == [early.pk]
        assert deem_overdue_withdrawn(D(2021, 6, 25)) == [late.pk]
        assert deem_overdue_withdrawn(D(2021, 6, 25)) == [], "a second run finds nothing left"
    for app in (early, late):
        app.refresh_from_db()
        assert app.state == State.DEEMED_WITHDRAWN and app.events.filter(action="deem_withdrawn").count() == 1


@pytest.mark.django_db
def test_filing_deadline_warnings_go_to_the_office_and_the_region_once_each(make_applicant, monkeypatch):
    monkeypatch.setenv("ZHICHENG_PUBLIC_URL", SITE)
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    committee = app.committee
    due = one_month_after(app.publicities.get(kind="result").ends_on)  # 七（五）1, from the end of the results publicity
    due_warning = {"kind": "filing_due", "committee": committee.name, "year": 2021}

    assert warn_filing_deadlines(due - dt.timedelta(days=WARN_DAYS + 1)) == []
    assert warn_filing_deadlines(due - dt.timedelta(days=WARN_DAYS)) == [due_warning]
    assert warn_filing_deadlines(due - dt.timedelta(days=2)) == [], "once before the deadline"
    assert warn_filing_deadlines(due + dt.timedelta(days=1)) == [{**due_warning, "kind": "filing_overdue"}]
    assert warn_filing_deadlines(due + dt.timedelta(days=2)) == []

    office = set(User.objects.filter(organisation=committee.office, is_active=True))
    region = set(User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True))
    warned = Notification.objects.filter(key="filing_due")
    assert office and region and {n.recipient for n in warned} == office | region
    assert warned.count() == len(office | region)
    note = warned.get(recipient=staff_of(committee.office))
    assert f"{WARN_DAYS}天" in note.body and "1人" in note.body and note.link == f"{SITE}/filings/"
    other_office = User.objects.filter(role=Role.COMMITTEE_OFFICE).exclude(organisation=committee.office).first()
    assert not Notification.objects.filter(recipient=other_office, key__startswith="filing_").exists()
