"""The cycle's backbone: every channel of 四 end to end, the side paths, and every illegal step."""

from __future__ import annotations

import datetime as dt

import pytest

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.models import AuditEntry
from zhicheng.audit.services import verify_chain
from zhicheng.core import clock
from zhicheng.declarations.models import ApplicationEvent
from zhicheng.declarations.services import GuardFailed, IllegalTransition, deem_overdue_withdrawn, transition
from zhicheng.declarations.states import State
from zhicheng.declarations.workflow import ACTIONS, TABLE
from zhicheng.demo import applicants as P
from zhicheng.notifications.models import Notification
from zhicheng.publicity.services import close_publicity, handle_objection, raise_objection, start_publicity

from .conftest import D, staff_of
from .cycle_helpers import actor_for, advance

S = State
TAIL = [S.COMMITTEE_INTAKE, S.ACCEPTED, S.UNDER_REVIEW, S.PASSED, S.RESULT_PUBLICITY, S.RESULT_PUBLISHED, S.FILED, S.CERTIFIED]

CHANNEL_PATHS = {
    # 四（二）: county unit, competent department, county then city bureau, region committee via the talent centre.
    "local_county_via_centre": (P.regular_county_doctor(), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.DEPARTMENT_REVIEW, S.COUNTY_BUREAU_REVIEW, S.CITY_BUREAU_REVIEW,
        S.ROSTER_PUBLICITY, S.TALENT_CENTRE_REVIEW, *TAIL]),
    # 四（二）: township unit without a competent department goes straight to the county bureau.
    "local_township_no_department": (P.regular_county_doctor(unit="天义镇卫生院"), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.COUNTY_BUREAU_REVIEW, S.CITY_BUREAU_REVIEW,
        S.ROSTER_PUBLICITY, S.TALENT_CENTRE_REVIEW, *TAIL]),
    # 四（二）: city unit, intermediate title, the league/city committee: no talent centre.
    "local_city_intermediate": (P.regular_city_engineer_intermediate(), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.DEPARTMENT_REVIEW, S.CITY_BUREAU_REVIEW, S.ROSTER_PUBLICITY, *TAIL]),
    # 四（三）: region-level unit; the competent department publishes the roster and sends to the committee office.
    "region": (P.regular_engineer(), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.DEPARTMENT_REVIEW, S.ROSTER_PUBLICITY, *TAIL]),
    # 五（三）: a self-review unit's own committee.
    "region_self_review": (P.regular_lecturer(), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.DEPARTMENT_REVIEW, S.ROSTER_PUBLICITY, *TAIL]),
    # 四（四）: a central unit with the entrustment letter and the region's consent.
    "entrusted": (P.entrusted_engineer(), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.ENTRUSTMENT_REVIEW, *TAIL]),
    # 四（五）1-3: private sector through a recommending body.
    "private_city": (P.non_public_direct(), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.RECOMMENDER_REVIEW, S.CITY_BUREAU_REVIEW, S.ROSTER_PUBLICITY, *TAIL]),
    # 四（五）4: private sector, county unit, the local HR bureau as recommending body.
    "private_county_bureau_recommends": (P.high_skill_bridge(), [
        S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.RECOMMENDER_REVIEW, S.COUNTY_BUREAU_REVIEW, S.CITY_BUREAU_REVIEW,
        S.ROSTER_PUBLICITY, *TAIL]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("channel", sorted(CHANNEL_PATHS))
def test_every_channel_runs_from_draft_to_certificate(channel, make_applicant):
    profile, expected = CHANNEL_PATHS[channel]
    app = make_applicant(profile)
    assert app.eligible, app.decision["blocks"]
    audit_before = AuditEntry.objects.count()

    app, passed, _ = advance(app, S.CERTIFIED)

    assert passed == expected
    events = list(app.events.order_by("at", "pk"))
    assert [e.to_state for e in events] == expected[1:]
    assert all(e.actor_id for e in events), "every step names who took it"
    assert AuditEntry.objects.count() - audit_before >= len(expected) - 1
    assert Notification.objects.filter(application=app, recipient=app.person.account).count() == len(expected) - 1
    assert verify_chain().ok


@pytest.mark.django_db
def test_revocation_by_the_region_after_certification(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), S.CERTIFIED)
    regional = User.objects.get(username="org1")
    assert regional.role == Role.REGIONAL_HR_DEPARTMENT
    with clock.frozen(day):
        with pytest.raises(GuardFailed):
            transition(app, "revoke", regional)  # a reason is required
        transition(app, "revoke", regional, note="论文抄袭，内人社职撤〔2021〕1号")
    app.refresh_from_db()
    assert app.state == S.REVOKED and app.holder is None


@pytest.mark.django_db
def test_one_time_correction_then_resubmission(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), S.DEPARTMENT_REVIEW)
    department = actor_for(app)
    items = ["缺2019年度考核表", "继续教育审验卡未盖章", "论文检索证明不清晰"]
    with clock.frozen(day):
        transition(app, "request_correction", department, payload={"items": items, "deadline": day + dt.timedelta(days=10)})
    app.refresh_from_db()
    assert app.state == S.CORRECTION_REQUESTED and app.holder is None
    notice = Notification.objects.filter(application=app, key="correction_requested").get()
    assert all(item in notice.body for item in items), "all deficiencies in one notice"
    with clock.frozen(day + dt.timedelta(days=3)):
        transition(app, "resubmit", app.person.account)
    app.refresh_from_db()
    assert app.state == S.DEPARTMENT_REVIEW and app.version == 2
    with clock.frozen(day + dt.timedelta(days=4)):
        with pytest.raises(GuardFailed, match="一次"):
            transition(app, "request_correction", actor_for(app), payload={"items": ["再补一项"], "deadline": day + dt.timedelta(days=20)})


@pytest.mark.django_db
def test_correction_not_made_in_time_is_deemed_withdrawn(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), S.DEPARTMENT_REVIEW)
    deadline = day + dt.timedelta(days=5)
    with clock.frozen(day):
        transition(app, "request_correction", actor_for(app), payload={"items": ["缺聘书"], "deadline": deadline})
    with clock.frozen(deadline):
        assert deem_overdue_withdrawn() == []
    with clock.frozen(deadline + dt.timedelta(days=1)):
        with pytest.raises(GuardFailed, match="视为放弃"):
            transition(app, "resubmit", app.person.account)
        assert deem_overdue_withdrawn() == [app.pk]
    app.refresh_from_db()
    assert app.state == S.DEEMED_WITHDRAWN
    assert app.events.last().actor is None and app.events.last().actor_role == Role.SYSTEM


@pytest.mark.django_db
def test_applicant_withdraws_before_review_but_not_after(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), S.ROSTER_PUBLICITY)
    with clock.frozen(day):
        transition(app, "withdraw", app.person.account)
    app.refresh_from_db()
    assert app.state == S.WITHDRAWN

    other, _, day = advance(make_applicant(P.regular_engineer()), S.UNDER_REVIEW)
    with clock.frozen(day), pytest.raises(IllegalTransition):
        transition(other, "withdraw", other.person.account)


@pytest.mark.django_db
def test_committee_office_returns_what_is_out_of_scope(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), S.COMMITTEE_INTAKE)
    with clock.frozen(day):
        transition(app, "return_out_of_scope", actor_for(app), note="超出本评委会受理范围")
    app.refresh_from_db()
    assert app.state == S.RETURNED


@pytest.mark.django_db
def test_a_reason_is_at_most_a_page(client, make_applicant):
    """A return's reason reaches the applicant in a notice: 5,000 characters are refused with the count, before any
    question is asked, and the declaration stays where it was."""
    from django.urls import reverse

    app, _, day = advance(make_applicant(P.regular_engineer()), S.COMMITTEE_INTAKE)
    office = actor_for(app)
    with clock.frozen(day):
        with pytest.raises(GuardFailed, match="理由最多1000字（现有5000字）"):
            transition(app, "return_out_of_scope", office, note="超" * 5000)
        client.force_login(office)
        page = client.post(reverse("application_act", args=[app.pk]), {"action": "return_out_of_scope", "note": "超" * 5000},
                           follow=True).content.decode()
        assert "理由最多1000字（现有5000字），请精简。" in page and 'maxlength="1000"' in page
    app.refresh_from_db()
    assert app.state == S.COMMITTEE_INTAKE


@pytest.mark.django_db
def test_failed_review_and_result_overturned_by_objection(make_applicant):
    failing, _, day = advance(make_applicant(P.regular_engineer()), S.UNDER_REVIEW)
    with clock.frozen(day):
        transition(failing, "record_fail", actor_for(failing))
    failing.refresh_from_db()
    assert failing.state == S.FAILED

    app, _, day = advance(make_applicant(P.regular_engineer()), S.RESULT_PUBLICITY)
    publicity = app.publicities.get(kind="result")
    office_staff = staff_of(publicity.publisher)
    with clock.frozen(publicity.starts_on):
        objection = raise_objection(publicity=publicity, application=app, name="张三", phone="13900001111",
                                    content="该申报人代表作与他人已发表论文高度重复，请核查。")
    with clock.frozen(publicity.ends_on + dt.timedelta(days=1)):
        with pytest.raises(Exception, match="未核实"):
            close_publicity(publicity, office_staff)
        handle_objection(objection, office_staff, substantiated=True, finding="经查重，代表作重复率62%，情况属实。")
        report = close_publicity(publicity, office_staff)
    app.refresh_from_db()
    assert report.taken_out == [app.pk] and app.state == S.FAILED


@pytest.mark.django_db
def test_fraud_veto_during_review(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), S.UNDER_REVIEW)
    with clock.frozen(day):
        transition(app, "veto", actor_for(app), note="学术不端：伪造获奖证书")
    app.refresh_from_db()
    assert app.state == S.FAILED


# ---- illegal transitions change nothing --------------------------------------------------

def _snapshot(app):
    app.refresh_from_db()
    return (app.state, app.holder_id, app.version, app.updated_at, ApplicationEvent.objects.filter(application=app).count(),
            AuditEntry.objects.count(), Notification.objects.count())


def _users_by_role(app):
    """A user of every role; staff ones from the organisation holding the declaration where possible."""
    users = {Role.APPLICANT: app.person.account}
    for role in Role:
        if role in (Role.APPLICANT, Role.SYSTEM):
            continue
        holder_staff = User.objects.filter(role=role, organisation_id=app.holder_id).first() if app.holder_id else None
        users[role] = holder_staff or User.objects.filter(role=role).order_by("pk").first() or User.objects.create(
            username=f"any-{role}", role=role)
        assert users[role] is not None
    users[Role.SYSTEM] = None
    return users


@pytest.mark.django_db
def test_every_illegal_transition_is_refused_and_changes_nothing(make_applicant):
    """Every state × action × role the table does not allow. On PostgreSQL each (state, action) is tried with one of
    its illegal roles, a different one each time: the refusal is decided in Python from the table, the same on both
    engines (SQLite tries them all), and what is PostgreSQL's own — the row lock taken and the savepoint rolled
    back — is the same for every role; trying all thirteen there took two minutes of CI."""
    from django.db import connection

    app = make_applicant(P.regular_engineer())
    app, _, _ = advance(app, S.SUBMITTED)
    every_role = connection.vendor != "postgresql"
    refused = tried = 0
    for state in State:
        # Put the declaration in each state (test set-up only) and try every action from every role.
        type(app).objects.filter(pk=app.pk).update(state=state)
        app.refresh_from_db()
        users = _users_by_role(app)
        legal_pairs = {(t.action, role) for t in TABLE if state in t.sources for role in t.who}
        # Any change an attempt made would still be there at the end of the state's round.
        before = _snapshot(app)
        for action in ACTIONS:
            illegal = [(role, user) for role, user in users.items() if (action, role) not in legal_pairs]
            if not every_role and illegal:
                illegal = [illegal[tried % len(illegal)]]
            tried += 1
            for role, user in illegal:
                with clock.frozen(D(2021, 6, 20)), pytest.raises(IllegalTransition):
                    transition(app, action, user)
                refused += 1
        assert _snapshot(app) == before, state
    assert refused > (1000 if every_role else 500)


@pytest.mark.django_db
def test_right_role_but_not_holding_is_refused(make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), S.SUBMITTED)
    other_unit_staff = User.objects.filter(role=Role.EMPLOYER_HR).exclude(organisation=app.unit).first()
    before = _snapshot(app)
    with clock.frozen(day), pytest.raises(IllegalTransition, match="办理范围"):
        transition(app, "employer_return", other_unit_staff, note="x")
    assert _snapshot(app) == before


@pytest.mark.django_db
def test_guard_failures_change_nothing(make_applicant):
    app = make_applicant(P.regular_engineer(), pledge=False)
    before = _snapshot(app)
    with clock.frozen(D(2021, 6, 7)), pytest.raises(GuardFailed, match="诚信承诺书"):
        transition(app, "submit", app.person.account)
    assert _snapshot(app) == before


@pytest.mark.django_db
def test_report_waits_for_publicity_and_objections(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), S.SUBMITTED)
    employer = staff_of(app.unit)
    with clock.frozen(D(2021, 6, 8)):
        publicity = start_publicity(kind="employer", publisher=app.unit, applications=[app], actor=employer)
    assert publicity.ends_on == D(2021, 6, 15)  # 6-14 is the Dragon Boat Festival
    with clock.frozen(D(2021, 6, 15)), pytest.raises(GuardFailed, match="公示期"):
        transition(app, "report", employer)
    with clock.frozen(D(2021, 6, 10)):
        objection = raise_objection(publicity=publicity, application=app, name="李四", phone="13800002222",
                                    content="申报人近三年年度考核有一年为基本合格，与材料不符。")
    with clock.frozen(D(2021, 6, 16)):
        with pytest.raises(GuardFailed, match="异议"):
            transition(app, "report", employer)
        handle_objection(objection, employer, substantiated=False, finding="经核查档案，三年考核均为合格，异议不属实。")
        transition(app, "report", employer)
    app.refresh_from_db()
    assert app.state == S.DEPARTMENT_REVIEW
