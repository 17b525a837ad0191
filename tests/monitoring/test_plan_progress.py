"""Plan progress (三（二）) and the late committees' explanations (八（二）4): late and on-time committees by the
deadline, the explanation filed, accepted, returned and refused, the pages and their scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.demo import applicants as P
from zhicheng.files.services import store_file
from zhicheng.monitoring.models import ExplanationDecision, PlanExplanation
from zhicheng.monitoring.progress import CommitteeProgress, _late_reasons, late_committees, year_progress
from zhicheng.monitoring.services import decide_explanation, file_explanation
from zhicheng.notifications.models import Notification
from zhicheng.orgs.models import Committee, Organisation, OrgKind
from zhicheng.review.models import ReviewPlan

from ..conftest import staff_of
from ..cycle_helpers import advance
from ..web.helpers import pdf_bytes

pytestmark = pytest.mark.django_db

BEFORE, AFTER = dt.date(2021, 9, 1), dt.date(2021, 10, 8)  # the 2021 plan's review deadline is 30 September


def _committee(series):
    return Committee.objects.select_related("office").get(series__code=series, area__level="region", self_review_unit__isnull=True)


def _regional():
    return staff_of(Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))


def _move_plan(committee, ends_on):
    ReviewPlan.objects.filter(committee=committee, year=2021).update(review_starts_on=ends_on - dt.timedelta(days=4), review_ends_on=ends_on)


def _by_committee(today):
    return {p.committee.pk: p for p in year_progress(2021, today=today)}


def test_a_plan_running_past_the_deadline_is_late_before_it_comes():
    accounting = _committee("accounting")
    assert not _by_committee(BEFORE)[accounting.pk].late  # reviewing in August, nothing arrived
    _move_plan(accounting, dt.date(2021, 10, 15))
    progress = _by_committee(BEFORE)[accounting.pk]
    assert progress.late and "2021-10-15" in progress.late_reasons[0] and "三（二）" in progress.late_reasons[0]
    assert progress.stage == "plan_filed" and progress.explanation_due
    assert [p.committee.pk for p in late_committees(2021)] == [accounting.pk]


def test_a_committee_with_nothing_to_review_is_not_late_after_the_deadline():
    idle = [p for p in year_progress(2021, today=AFTER) if not p.arrived]
    assert idle and not any(p.late for p in idle)  # plans filed, nothing arrived: nothing to finish


def test_the_deadline_passed_with_the_review_unfinished(make_applicant):
    b, _, _ = advance(make_applicant(P.regular_city_engineer_intermediate()), "committee_intake")
    progress = _by_committee(BEFORE)[b.committee_id]
    assert (progress.arrived, progress.pending, progress.late) == (1, 1, False)
    progress = _by_committee(AFTER)[b.committee_id]
    assert progress.late and "已过" in progress.late_reasons[0]


def test_a_review_finished_and_publicised_in_time_is_on_time(make_applicant):
    d, _, _ = advance(make_applicant(P.regular_county_doctor()), "result_published")
    progress = _by_committee(AFTER)[d.committee_id]
    assert progress.stage == "finished" and progress.finished_on <= progress.deadline and not progress.late
    d, _, _ = advance(d, "filed")
    assert _by_committee(AFTER)[d.committee_id].stage == "filed"


def test_finished_after_the_deadline_is_late():
    committee = _committee("health")
    progress = CommitteeProgress(committee=committee, year=2021, deadline=dt.date(2021, 9, 30), finished_on=dt.date(2021, 10, 9))
    assert "2021-10-09" in _late_reasons(progress, AFTER)[0]
    progress.finished_on = dt.date(2021, 9, 30)
    assert _late_reasons(progress, AFTER) == []


def test_a_meeting_or_publicity_set_after_the_deadline_is_late():
    committee = _committee("health")
    plan = ReviewPlan.objects.get(committee=committee, year=2021)
    progress = CommitteeProgress(committee=committee, year=2021, deadline=dt.date(2021, 9, 30), plan=plan, arrived=1,
                                 meeting_on=dt.date(2021, 10, 12))
    assert "评审会议" in _late_reasons(progress, BEFORE)[0]
    progress.publicity_until = dt.date(2021, 10, 11)
    assert "公示至" in _late_reasons(progress, BEFORE)[0]


# ---- the explanation ----------------------------------------------------------------------------------------

@pytest.fixture
def late():
    committee = _committee("accounting")
    _move_plan(committee, dt.date(2021, 10, 15))
    return committee, staff_of(committee.office), _regional()


def _file(committee, office, text="专家评委库补充推荐尚未完成，评审顺延至10月。"):
    with clock.frozen(BEFORE):
        return file_explanation(committee, 2021, office, text=text, files=[store_file("说明.pdf", pdf_bytes("说明"))])


def test_the_late_committees_office_files_its_explanation(late):
    committee, office, regional = late
    explanation = _file(committee, office)
    assert explanation.decision == ExplanationDecision.PENDING and explanation.evidence.count() == 1
    assert "2021-10-15" in explanation.late_reasons[0]
    assert AuditEntry.objects.filter(action="monitoring.file_explanation", object_id=str(explanation.pk), actor_id=office.pk).exists()
    assert Notification.objects.filter(recipient=regional, key="plan_explanation_filed",
                                       link__endswith=reverse("plan_explanation_detail", args=[explanation.pk])).exists()
    progress = _by_committee(BEFORE)[committee.pk]
    assert progress.late and progress.live_explanation == explanation and not progress.explanation_due


def test_an_explanation_is_refused_when_not_late_or_filed_twice(late):
    committee, office, _ = late
    on_time = _committee("health")
    with pytest.raises(ValidationError, match="未逾期"), clock.frozen(BEFORE):
        file_explanation(on_time, 2021, staff_of(on_time.office), text="无")
    _file(committee, office)
    with pytest.raises(ValidationError, match="不能重复报送"):
        _file(committee, office)
    with pytest.raises(ValidationError, match="本评委会办事机构"), clock.frozen(BEFORE):
        file_explanation(committee, 2021, staff_of(on_time.office), text="代报")
    assert PlanExplanation.objects.count() == 1


def test_accepted_and_the_office_told(late):
    committee, office, regional = late
    explanation = _file(committee, office)
    decided = decide_explanation(explanation, regional, accept=True)
    assert (decided.decision, decided.decided_by, decided.return_reason) == (ExplanationDecision.ACCEPTED, regional, "")
    assert AuditEntry.objects.filter(action="monitoring.decide_explanation", object_id=str(explanation.pk)).exists()
    told = Notification.objects.get(recipient=office, key="plan_explanation_decided")
    assert told.link.endswith(reverse("plan_explanation_detail", args=[explanation.pk])) and "已接受" in told.body
    with pytest.raises(ValidationError, match="不能再次审阅"):
        decide_explanation(explanation, regional, accept=False, reason="再看看")
    with pytest.raises(ValidationError, match="不能重复报送"):
        _file(committee, office)  # an accepted explanation closes the matter


def test_returned_with_its_reason_and_filed_again(late):
    committee, office, regional = late
    explanation = _file(committee, office)
    with pytest.raises(ValidationError, match="理由"):
        decide_explanation(explanation, regional, accept=False, reason=" ")
    with pytest.raises(ValidationError, match="人社厅审阅"):
        decide_explanation(explanation, office, accept=True)
    decided = decide_explanation(explanation, regional, accept=False, reason="请附专家补充推荐函。")
    assert decided.decision == ExplanationDecision.RETURNED and decided.return_reason == "请附专家补充推荐函。"
    assert "请附专家补充推荐函" in Notification.objects.get(recipient=office, key="plan_explanation_decided").body
    assert _by_committee(BEFORE)[committee.pk].explanation_due  # asked again
    again = _file(committee, office, text="已补充推荐函。")
    assert again.pk != explanation.pk and again.decision == ExplanationDecision.PENDING


# ---- the pages --------------------------------------------------------------------------------------------

def test_the_office_files_on_its_progress_page_and_the_region_decides_after_confirming(client, late):
    committee, office, regional = late
    client.force_login(office)
    with clock.frozen(BEFORE):
        page = client.get(reverse("plan_progress") + "?year=2021")
        assert committee.name in page.content.decode() and 'name="text"' in page.content.decode()
        assert _committee("health").name not in page.content.decode()  # an office sees its own committee only
        upload = pdf_bytes("补充说明")
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(reverse("plan_explanation_new", args=[committee.pk]), {
            "year": "2021", "text": "评委补充后于10月评审。", "evidence_files": [SimpleUploadedFile("补充说明.pdf", upload, "application/pdf")]})
    explanation = PlanExplanation.objects.get(committee=committee)
    assert response["Location"] == reverse("plan_explanation_detail", args=[explanation.pk])
    assert explanation.evidence.get().original_name == "补充说明.pdf"
    evidence_url = reverse("plan_explanation_evidence", args=[explanation.pk, explanation.evidence.get().sha256])
    assert client.get(evidence_url).content == upload

    client.force_login(regional)
    url = reverse("plan_explanation_decide", args=[explanation.pk])
    asked = client.post(url, {"decision": "return", "reason": "请补充专家名单。"})
    assert asked.status_code == 200 and "确认退回" in asked.content.decode()
    assert PlanExplanation.objects.get(pk=explanation.pk).decision == ExplanationDecision.PENDING  # only asked
    done = client.post(url, {"decision": "return", "reason": "请补充专家名单。", "confirm": "yes"})
    assert done["Location"] == reverse("plan_explanation_detail", args=[explanation.pk])
    assert PlanExplanation.objects.get(pk=explanation.pk).decision == ExplanationDecision.RETURNED
    again = client.post(url, {"decision": "accept", "confirm": "yes"}, follow=True)
    assert "不能再次审阅" in again.content.decode()


def test_another_office_cannot_see_or_file_for_the_committee(client, late):
    committee, office, _ = late
    explanation = _file(committee, office)
    other = staff_of(_committee("health").office)
    client.force_login(other)
    assert client.get(reverse("plan_explanation_detail", args=[explanation.pk])).status_code == 404
    assert client.post(reverse("plan_explanation_new", args=[committee.pk]), {"year": "2021", "text": "代报"}).status_code == 404
    assert committee.name not in client.get(reverse("plan_progress") + "?year=2021").content.decode()


def test_a_refused_filing_says_why_on_the_page(client):
    on_time = _committee("health")
    client.force_login(staff_of(on_time.office))
    with clock.frozen(BEFORE):
        response = client.post(reverse("plan_explanation_new", args=[on_time.pk]), {"year": "2021", "text": "无"}, follow=True)
    assert "未逾期" in response.content.decode() and not PlanExplanation.objects.exists()


def test_the_progress_page_costs_the_same_queries_for_more_late_committees(client, late):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    committee, office, regional = late
    _file(committee, office)
    client.force_login(regional)

    def count():
        with CaptureQueriesContext(connection) as ctx, clock.frozen(BEFORE):
            assert client.get(reverse("plan_progress") + "?year=2021").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    social = _committee("social_work")
    _move_plan(social, dt.date(2021, 10, 20))
    _file(social, staff_of(social.office))
    assert count() == before


def test_the_signals_page_lists_with_a_bounded_number_of_queries(client, make_applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhicheng.catalogue.models import MaterialItem
    from zhicheng.declarations.models import ApplicationMaterial

    client.force_login(_regional())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("integrity_signals") + "?year=2021")
        return len(ctx.captured_queries), page.content.decode()

    empty, body = count()
    assert "未发现" in body
    shared = store_file("代表作.pdf", pdf_bytes("代表作"))
    apps = [advance(make_applicant(P.regular_county_doctor()), "submitted")[0] for _ in range(3)]
    for app in apps:
        ApplicationMaterial.objects.create(application=app, item=MaterialItem.objects.order_by("pk").first(), file=shared, first_version=1, uploaded_by=app.person.account,
                                           uploaded_at=clock.now())
    queries, body = count()
    assert all(app.person.name in body for app in apps) and "代表作.pdf" in body
    assert queries <= empty + 3  # the file, the declarations and their people: once, however many there are


def test_the_signals_page_is_for_the_supervisor_and_the_region_only(client):
    client.force_login(staff_of(_committee("health").office))
    assert client.get(reverse("integrity_signals")).status_code == 403


def test_the_dashboard_card_for_whoever_may_see_plan_progress(late):
    from django.template.loader import render_to_string

    from zhicheng.monitoring.progress import dashboard_card

    committee, office, regional = late
    with clock.frozen(BEFORE):
        assert dashboard_card(staff_of(Organisation.objects.filter(kind=OrgKind.UNIT).first()), 2021) is None
        assert dashboard_card(staff_of(_committee("health").office), 2021)["late"] == []  # another office: not its committee
        card = dashboard_card(regional, 2021)
        assert [p.committee for p in card["late"]] == [committee] and card["unexplained"] == 1
        assert "书面说明未报送" in render_to_string("monitoring/_dashboard.html", {"plan_progress": card})
        explanation = _file(committee, office)
        card = dashboard_card(office, 2021)
        html = render_to_string("monitoring/_dashboard.html", {"plan_progress": card})
    assert card["unexplained"] == 0 and reverse("plan_explanation_detail", args=[explanation.pk]) in html and committee.name in html
