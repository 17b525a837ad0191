"""Batch filing of a committee's results with the approving body (七（五）1、3; 八（二）2), with the one-month deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.certificates.filing import approve_filing, filing_warnings, one_month_after, submit_filings
from zhicheng.certificates.models import Certificate, Filing, FilingStatus
from zhicheng.certificates.services import CertificateError
from zhicheng.core import clock
from zhicheng.declarations.holders import filing_body, regional_hr_department
from zhicheng.declarations.services import transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.review.models import ReviewPlan

from ..conftest import staff_of
from ..cycle_helpers import advance


def test_one_month_after_keeps_the_day_or_the_month_end():
    assert one_month_after(dt.date(2021, 8, 13)) == dt.date(2021, 9, 13)
    assert one_month_after(dt.date(2021, 1, 31)) == dt.date(2021, 2, 28)
    assert one_month_after(dt.date(2021, 12, 20)) == dt.date(2022, 1, 20)


@pytest.mark.django_db
def test_committee_files_its_published_results_in_one_batch_and_certificates_follow(make_applicant, client):
    apps = [advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)[0] for _ in range(2)]
    committee = apps[0].committee
    office = staff_of(committee.office)
    # 七（五）1: within a month of the end of the review work, whose results publicity (三（二）) it reports on.
    ended = apps[0].publicities.get(kind="result").ends_on

    with clock.frozen(ended + dt.timedelta(days=3)):
        warnings = filing_warnings(office)
        assert [(w.committee, w.waiting, w.due_on) for w in warnings] == [(committee, 2, one_month_after(ended))]
        with pytest.raises(CertificateError, match="办事机构"):
            submit_filings(committee=committee, year=2021, actor=staff_of(regional_hr_department()))
        [filing] = submit_filings(committee=committee, year=2021, actor=office)
        assert filing_warnings(office) == []
    assert filing.filing_body == filing_body(apps[0]) and not filing.late
    assert filing.due_on == one_month_after(ended)
    assert "公示" in filing.report and set(filing.applications.all()) == set(apps)

    region = staff_of(regional_hr_department())
    client.force_login(region)
    pdf = client.get(reverse("filing_detail", args=[filing.pk]), {"download": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("filing_detail", args=[filing.pk]), {"download": "xlsx"}).status_code == 200

    with clock.frozen(ended + dt.timedelta(days=10)):
        with pytest.raises(CertificateError):
            approve_filing(filing, office)
        approve_filing(filing, region, document_number="内人社职备〔2021〕7号")
    for app in apps:
        app.refresh_from_db()
        assert app.state == State.FILED
        with clock.frozen(ended + dt.timedelta(days=12)):
            transition(app, "certify", region)
        cert = Certificate.objects.get(application=app)
        assert cert.approval_document_number == "内人社职备〔2021〕7号"
        assert cert.approval_date == ended + dt.timedelta(days=10)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED


@pytest.mark.django_db
def test_filing_later_than_a_month_is_flagged(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    late_day = one_month_after(app.publicities.get(kind="result").ends_on) + dt.timedelta(days=1)
    office = staff_of(app.committee.office)
    with clock.frozen(late_day):
        [warning] = filing_warnings(office)
        assert warning.overdue and warning.days_left == -1
        [filing] = submit_filings(committee=app.committee, year=2021, actor=office)
    assert filing.late


@pytest.mark.django_db
def test_a_result_never_published_cannot_be_filed(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    app.publicities.filter(kind="result").update(outcome="open")  # as if the publicity had never been closed
    office = staff_of(app.committee.office)
    with clock.frozen(dt.date(2021, 9, 1)), pytest.raises(CertificateError, match="八（二）2"):
        submit_filings(committee=app.committee, year=2021, actor=office)
    assert not Filing.objects.filter(entries__application=app).exists()


@pytest.mark.django_db
def test_filing_queue_page_shows_the_warning(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    client.force_login(staff_of(app.committee.office))
    with clock.frozen(one_month_after(app.publicities.get(kind="result").ends_on) + dt.timedelta(days=2)):
        page = client.get(reverse("filing_queue")).content.decode()
    assert app.committee.name in page and "已逾期2天" in page


@pytest.mark.django_db
def test_filing_is_submitted_and_approved_through_the_pages(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    review_end = ReviewPlan.objects.get(committee=app.committee, year=2021).review_ends_on
    with clock.frozen(review_end + dt.timedelta(days=5)):
        client.force_login(staff_of(app.committee.office))
        asked = client.post(reverse("filing_queue"), {"year": 2021, "report": ""})
        assert asked.status_code == 200 and "确认报送" in asked.content.decode() and not Filing.objects.exists(), "asked once"
        response = client.post(reverse("filing_queue"), {"year": 2021, "report": "", "confirm": "yes"})
        filing = Filing.objects.get(entries__application=app)
        assert response.status_code == 302 and response["Location"] == reverse("filing_detail", args=[filing.pk])
        page = client.get(reverse("filing_detail", args=[filing.pk])).content.decode()
        assert app.person.name in page and "核准备案" in page and 'value="approve"' not in page  # the office cannot approve
        client.force_login(staff_of(regional_hr_department()))
        client.post(reverse("filing_detail", args=[filing.pk]), {"decision": "approve", "document_number": "内人社职备〔2021〕9号",
                                                                "confirm": "yes"})
    filing.refresh_from_db()
    app.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED and filing.document_number == "内人社职备〔2021〕9号" and app.state == State.FILED


@pytest.mark.django_db
def test_a_declaration_in_a_submitted_batch_is_not_filed_on_its_own(make_applicant):
    from zhicheng.declarations.services import GuardFailed

    app, _, _ = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    review_end = ReviewPlan.objects.get(committee=app.committee, year=2021).review_ends_on
    with clock.frozen(review_end + dt.timedelta(days=2)):
        submit_filings(committee=app.committee, year=2021, actor=staff_of(app.committee.office))
        with pytest.raises(GuardFailed, match="整批办理"):
            transition(app, "file", staff_of(regional_hr_department()))
    app.refresh_from_db()
    assert app.state == State.RESULT_PUBLISHED
