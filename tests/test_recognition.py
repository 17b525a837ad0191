"""考核认定 (五（十二））: graduates and postdocs are assessed and recognised by the committee office that accepted them,
"不需要进行评审": no expert draw, meeting or ballot, no review fee. The checks before the committee stay; the results
publicity, the filing and the certificate go as for a review."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from zhicheng.catalogue.models import FeeStandard
from zhicheng.certificates.models import Certificate, PledgeRecord
from zhicheng.core import clock
from zhicheng.declarations import drafting
from zhicheng.declarations.models import Application
from zhicheng.declarations.progress import steps
from zhicheng.declarations.screening import _store
from zhicheng.declarations.services import GuardFailed, IllegalTransition, available_actions, transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.people.models import TitleVia
from zhicheng.review.models import ReviewPlan
from zhicheng.review.plans import declarations_of

from .api.v1_support import Caller, make_key
from .conftest import D, staff_of
from .cycle_helpers import actor_for, advance

S = State
pytestmark = pytest.mark.django_db

RECOGNITION_TAIL = [S.COMMITTEE_INTAKE, S.ACCEPTED, S.PASSED, S.RESULT_PUBLICITY, S.RESULT_PUBLISHED, S.FILED, S.CERTIFIED]


@pytest.mark.parametrize("profile,route", [(P.graduate_recognition, "graduate_recognition"),
                                           (P.postdoc_recognition, "postdoc_recognition")])
def test_a_recognition_runs_to_its_certificate_without_review_or_fee(profile, route, make_applicant):
    app = make_applicant(profile(), fee_paid=False)
    assert app.eligible and app.route == route
    assert app.fee_amount == 0 and app.fee_not_charged, "no review fee is asked of a recognition (五（十二））"

    app, passed, _ = advance(app, S.CERTIFIED)

    assert passed[-len(RECOGNITION_TAIL):] == RECOGNITION_TAIL
    assert S.UNDER_REVIEW not in passed and app.fee_paid_at is None, "reported without a fee, never under review"
    actions = list(app.events.values_list("action", flat=True))
    assert "recognise" in actions and not {"open_review", "record_pass"} & set(actions)
    recognised = app.events.get(action="recognise")
    assert recognised.from_state == S.ACCEPTED and recognised.to_state == S.PASSED and recognised.actor_organisation_id == app.committee.office_id
    pledge = PledgeRecord.objects.get(application=app)
    assert pledge.archived_at is not None and pledge.review_outcome == "考核合格，予以认定"
    assert Certificate.objects.get(application=app).title_held.via == TitleVia.RECOGNITION


def test_open_review_is_refused_for_a_recognition_and_recognise_for_a_reviewed_route(make_applicant):
    graduate, _, day = advance(make_applicant(P.graduate_recognition()), S.ACCEPTED)
    reviewed, _, later = advance(make_applicant(P.regular_city_engineer_intermediate()), S.ACCEPTED)
    office = actor_for(graduate)
    with clock.frozen(max(day, later)):
        with pytest.raises(IllegalTransition, match="考核认定的申报不需要进行评审"):
            transition(graduate, "open_review", office)
        with pytest.raises(IllegalTransition, match="只有考核认定途径"):
            transition(reviewed, "recognise", actor_for(reviewed))
        with pytest.raises(IllegalTransition, match="只有考核认定途径"):
            transition(reviewed, "refuse_recognition", actor_for(reviewed), note="不符合")
    graduate.refresh_from_db()
    reviewed.refresh_from_db()
    assert graduate.state == reviewed.state == S.ACCEPTED
    assert [t.action for t in available_actions(graduate, office)] == ["recognise", "refuse_recognition", "veto"]
    assert [t.action for t in available_actions(reviewed, actor_for(reviewed))] == ["open_review", "veto"]


def test_the_review_plan_neither_lists_nor_opens_a_recognition(make_applicant):
    graduate, _, _ = advance(make_applicant(P.graduate_recognition()), S.ACCEPTED)
    reviewed, _, _ = advance(make_applicant(P.regular_city_engineer_intermediate(unit=graduate.unit.name)), S.ACCEPTED)
    assert graduate.committee_id == reviewed.committee_id
    plan = ReviewPlan.objects.get(committee=graduate.committee, year=2021)
    assert list(declarations_of(plan).filter(state=S.ACCEPTED)) == [reviewed]


def test_a_recognition_refused_needs_its_reason_and_ends_the_declaration(make_applicant):
    app, _, day = advance(make_applicant(P.postdoc_recognition()), S.ACCEPTED)
    office = actor_for(app)
    with clock.frozen(day):
        with pytest.raises(GuardFailed, match="请填写理由"):
            transition(app, "refuse_recognition", office)
        transition(app, "refuse_recognition", office, note="出站后未在企业工作，不符合认定条件")
    app.refresh_from_db()
    assert app.state == S.FAILED and app.state_display == "不予认定"
    assert PledgeRecord.objects.get(application=app).review_outcome == "不予认定"


def test_the_fee_follows_the_route_while_it_is_unpaid(make_applicant):
    app = make_applicant(P.graduate_recognition(), fee_paid=False)
    regular = {"eligible": True, "routes": [{"route": "regular", "eligible": True}], "ruleset": app.ruleset}
    recognition = {"eligible": True, "routes": [{"route": "graduate_recognition", "eligible": True}], "ruleset": app.ruleset}
    _store(app, regular, None)
    app.refresh_from_db()
    assert app.fee_amount == FeeStandard.objects.get(level=app.level).amount > 0 and not app.fee_not_charged
    _store(app, recognition, None)
    app.refresh_from_db()
    assert app.fee_amount == 0 and app.fee_not_charged
    with pytest.raises(GuardFailed, match="不收评审费"):
        drafting.record_fee_payment(app, app.person.account, "NO-12345")


def test_the_workspace_and_dossier_ask_no_fee_of_a_recognition(client, make_applicant):
    app = make_applicant(P.graduate_recognition(), fee_paid=False)
    client.force_login(app.person.account)
    with clock.frozen(app.plan.declaration_opens):
        workspace = client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
        dossier = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    for page in (workspace, dossier):
        assert "考核认定不需要评审，不收评审费（五（十二））" in page
        assert "登记缴费" not in page and reverse("declaration_fee", args=[app.pk]) not in page


def test_the_unit_reports_a_recognition_unpaid_and_its_page_and_the_api_say_why(client, make_applicant):
    app, _, day = advance(make_applicant(P.graduate_recognition(), fee_paid=False), S.CITY_BUREAU_REVIEW)
    assert app.fee_paid_at is None, "the report's fee_paid guard asked nothing"
    reviewed = make_applicant(P.regular_city_engineer_intermediate(unit=app.unit.name), fee_paid=False)
    reviewed, _, _ = advance(reviewed, S.EMPLOYER_PUBLICITY)
    employer = staff_of(app.unit)
    with clock.frozen(day):
        caller = Caller(client, make_key(employer, ["read_declarations"]))
        assert caller.get(f"/declarations/{app.pk}").json()["fee_charged"] is False
        assert caller.get(f"/declarations/{reviewed.pk}").json()["fee_charged"] is True
        client.force_login(employer)
        listing = client.get(reverse("application_list")).content.decode()
    assert "不收（考核认定）" in listing and "未缴" in listing


def test_the_office_page_offers_recognition_to_the_office_only(client, make_applicant):
    app, _, day = advance(make_applicant(P.graduate_recognition()), S.ACCEPTED)
    office = actor_for(app)
    page_url = reverse("application_detail", args=[app.pk])
    with clock.frozen(day):
        client.force_login(office)
        page = client.get(page_url).content.decode()
        assert 'value="recognise"' in page and 'value="refuse_recognition"' in page and 'value="open_review"' not in page
        assert "已受理待考核认定" in page and "已受理待评审" not in page

        for other in (app.person.account, staff_of(app.unit)):
            client.force_login(other)
            seen = client.get(page_url)
            assert seen.status_code == 200 and 'value="recognise"' not in seen.content.decode()
            client.post(reverse("application_act", args=[app.pk]), {"action": "recognise"})
            app.refresh_from_db()
            assert app.state == S.ACCEPTED, f"{other.role} cannot recognise"

        client.force_login(office)
        done = client.post(reverse("application_act", args=[app.pk]), {"action": "recognise"})
    assert done.status_code == 302, [str(m) for m in get_messages(done.wsgi_request)]
    app.refresh_from_db()
    assert app.state == S.PASSED and app.state_display == "考核合格，予以认定"


def test_a_reviewed_declaration_is_still_offered_the_review(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_city_engineer_intermediate()), S.ACCEPTED)
    client.force_login(actor_for(app))
    with clock.frozen(day):
        page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert 'value="open_review"' in page and 'value="recognise"' not in page and "已受理待评审" in page


def test_the_progress_page_names_assessment_not_review(make_applicant):
    app, _, _ = advance(make_applicant(P.graduate_recognition()), S.ACCEPTED)
    labels = [s.label for s in steps(Application.objects.get(pk=app.pk), app.events.all())]
    assert labels[labels.index("评委会办事机构受理中"):] == [
        "评委会办事机构受理中", "已受理待考核认定", "考核合格，予以认定", "认定结果公示中", "公示期满待核准备案", "已核准备案",
        "已发电子证书"]


def test_the_public_notice_says_recognition_pays_no_fee(client):
    with clock.frozen(D(2021, 6, 1)):
        engineering = client.get(reverse("notice_detail", args=["engineering", "intermediate"])).content.decode()
        senior = client.get(reverse("notice_detail", args=["engineering", "full_senior"])).content.decode()
    assert "考核认定不需要评审，不收评审费（五（十二））" in engineering, "a master's degree is recognised at intermediate (五（十二）2)"
    assert "不收评审费" not in senior


def test_the_migration_stops_older_recognition_drafts_asking_for_the_fee(make_applicant):
    import importlib

    from django.apps import apps

    from zhicheng.audit.models import AuditEntry

    migration = importlib.import_module("zhicheng.declarations.migrations.0007_no_review_fee_on_recognition_routes")
    owing = make_applicant(P.graduate_recognition(), fee_paid=False)
    paid = make_applicant(P.postdoc_recognition())
    reviewed = make_applicant(P.regular_engineer(), fee_paid=False)
    Application.objects.filter(pk__in=[owing.pk, paid.pk]).update(fee_amount=300)  # as drafted before the fee followed the route
    migration.waive(apps, None)
    fees = dict(Application.objects.filter(pk__in=[owing.pk, paid.pk, reviewed.pk]).values_list("pk", "fee_amount"))
    assert fees == {owing.pk: 0, paid.pk: 300, reviewed.pk: reviewed.fee_amount} and reviewed.fee_amount > 0
    entry = AuditEntry.objects.get(action="application.fee_waived")
    assert entry.object_id == str(owing.pk) and entry.before == {"fee_amount": "300.00"}


def test_a_committee_that_only_recognised_has_its_results_date_for_the_filing_deadline(make_applicant):
    """Without a review plan the filing deadline's fallback is the last recorded result: a recognition is one."""
    from zhicheng.certificates.filing import review_ended_on

    app, _, day = advance(make_applicant(P.graduate_recognition()), S.PASSED)
    ReviewPlan.objects.filter(committee=app.committee, year=app.plan.year).delete()  # a committee that only recognises
    recognised = app.events.get(action="recognise").at.astimezone(clock.CHINA).date()
    assert review_ended_on(app.committee, app.plan.year) == recognised
