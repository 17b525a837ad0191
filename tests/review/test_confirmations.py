"""Steps that cannot be undone ask once (issue 14, defect 2): their POST without confirm=yes does not
act but shows what will happen, with the counts; the same POST confirmed acts. Opening and closing a
vote, opening the review, publishing the draw, the draw and its cancellation, 核准备案, revoking a title, exchanging a certificate, starting
and ending a publicity; the minutes' signature page says what it records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.certificates.models import Certificate, CertificateStatus, Filing, FilingStatus
from zhicheng.core import clock
from zhicheng.declarations.holders import regional_hr_department
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.publicity.models import Objection, ObjectionStatus, PublicityOutcome
from zhicheng.review import drawing, meeting as meeting_service
from zhicheng.review.models import DrawStatus, MeetingResult, MeetingStatus, ReviewPlan

from ..conftest import staff_of
from ..cycle_helpers import advance
from .kit import DRAW_DAY, OFFICE_SECRET, REVIEW_DAY, SUPERVISOR_SECRET, totp_now
from .test_pages import pass_second_factor

CONFIRM = {"confirm": "yes"}


def text(response) -> str:
    return response.content.decode()


def confirmation(response) -> str:
    """The confirmation page: shown (200), with the button that posts the step again, confirmed."""
    body = text(response)
    assert response.status_code == 200 and 'id="confirm"' in body and 'name="confirm" value="yes"' in body
    return body


# ---- closing the vote ------------------------------------------------------------------------------

@pytest.fixture
def voting(city_kit, make_applicant):
    """Five present of a committee of five, two declarations on the ballot, one ballot cast."""
    kit = city_kit
    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], apps))
    m = kit.meeting(members)
    with clock.frozen(REVIEW_DAY):
        meeting_service.open_ballot(m, kit.office)
        meeting_service.cast_ballot(m, members[0].user, {app.pk: "yes" for app in apps})
    return kit, m, apps, members


@pytest.mark.django_db
def test_closing_with_missing_ballots_shows_the_counts_and_does_not_close(voting, client):
    kit, m, apps, members = voting
    client.force_login(kit.office)
    with clock.frozen(REVIEW_DAY):
        response = client.post(reverse("meeting_act", args=[m.pk]), {"action": "close"})
    body = confirmation(response)
    m.refresh_from_db()
    assert m.status == MeetingStatus.VOTING and not MeetingResult.objects.exists()
    assert "出席评委5人，已投票1人，4人尚未投票。" in body
    assert "还有4位出席评委没有投票" in body and "未投票的评委计入应参加表决人数" in body and "按未通过记录" in body
    for app in apps:  # per declaration: expected 5, cast 1, missing 4, yes votes needed 4
        assert f"<tr><td>{app.person.name}</td><td>5</td><td>1</td><td>4</td><td>4</td></tr>" in body
    # The confirmation posts the same step again, confirmed; cancelling goes back to the meeting.
    assert '<input type="hidden" name="action" value="close">' in body
    assert f'href="{reverse("meeting_detail", args=[m.pk])}"' in body

    with clock.frozen(REVIEW_DAY):
        response = client.post(reverse("meeting_act", args=[m.pk]), {"action": "close", **CONFIRM}, follow=True)
    assert "表决结束，已计票。" in text(response)
    m.refresh_from_db()
    assert m.status == MeetingStatus.CLOSED
    assert sorted((r.eligible, r.yes, r.passed) for r in MeetingResult.objects.filter(meeting=m)) == [(5, 1, False)] * 2


@pytest.mark.django_db
def test_closing_with_every_ballot_in_still_asks_once_without_the_warning(voting, client):
    kit, m, apps, members = voting
    with clock.frozen(REVIEW_DAY):
        for expert in members[1:]:
            meeting_service.cast_ballot(m, expert.user, {app.pk: "yes" for app in apps})
    client.force_login(kit.office)
    body = confirmation(client.post(reverse("meeting_act", args=[m.pk]), {"action": "close"}))
    assert "出席评委5人，已投票5人，0人尚未投票。" in body and "没有投票" not in body
    m.refresh_from_db()
    assert m.status == MeetingStatus.VOTING


@pytest.mark.django_db
def test_no_confirmation_for_a_close_that_would_be_refused(voting, client):
    """A vote already closed: the second close is refused at once, not asked about."""
    kit, m, _apps, _members = voting
    client.force_login(kit.office)
    client.post(reverse("meeting_act", args=[m.pk]), {"action": "close", **CONFIRM})
    response = client.post(reverse("meeting_act", args=[m.pk]), {"action": "close"}, follow=True)
    assert 'id="confirm"' not in text(response) and "没有正在进行的表决。" in text(response)
    assert MeetingResult.objects.filter(meeting=m).count() == 2


@pytest.mark.django_db
def test_opening_the_vote_asks_first_with_who_is_present(city_kit, client, make_applicant):
    kit = city_kit
    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], apps))
    m = kit.meeting(members[:4])
    client.force_login(kit.office)
    with clock.frozen(REVIEW_DAY):
        body = confirmation(client.post(reverse("meeting_act", args=[m.pk]), {"action": "open"}))
        m.refresh_from_db()
        assert m.status == MeetingStatus.SCHEDULED
        assert "评委会5人，登记出席4人（法定人数4人）：" in body and "表决2份申报" in body
        assert all(e.person.name in body for e in members[:4]) and members[4].person.name not in body
        assert "分组与通过率：综合组 100%。" in body and "出席名单、分组和通过率不能再改" in body
        client.post(reverse("meeting_act", args=[m.pk]), {"action": "open", **CONFIRM})
    m.refresh_from_db()
    assert m.status == MeetingStatus.VOTING


@pytest.mark.django_db
def test_signing_the_minutes_says_what_it_records(voting, client):
    kit, m, apps, members = voting
    from zhicheng.review import minutes as minutes_service

    with clock.frozen(REVIEW_DAY):
        for expert in members[1:]:
            meeting_service.cast_ballot(m, expert.user, {apps[0].pk: "yes", apps[1].pk: "no"})
        meeting_service.close_ballot(m, kit.office)
        minutes_service.generate(m, kit.office)
        pass_second_factor(client, members[0].user)
        body = text(client.get(reverse("minutes_sign", args=[m.pk])))
        assert "签署后不能撤回：本次表决的2份申报将登记评审结果，其中通过1份、未通过1份。" in body
        client.post(reverse("minutes_sign", args=[m.pk]), {"code": totp_now(members[0].user)})
    apps[0].refresh_from_db()
    assert apps[0].state == State.PASSED


@pytest.mark.django_db
def test_opening_the_review_asks_first_and_names_the_declarations(kit, client, make_applicant):
    results = [advance(make_applicant(P.regular_engineer()), State.ACCEPTED) for _ in range(2)]
    apps, day = [a for a, _p, _d in results], max(max(d for _a, _p, d in results), kit.plan.review_starts_on)
    assert {a.committee_id for a in apps} == {kit.committee.pk}
    client.force_login(kit.office)
    url = reverse("review_plan_act", args=[kit.plan.pk])
    with clock.frozen(day):
        body = confirmation(client.post(url, {"action": "open_review"}))
        assert {type(a).objects.get(pk=a.pk).state for a in apps} == {State.ACCEPTED}
        assert f"已受理2份申报：{apps[0].person.name}、{apps[1].person.name}。" in body and "申报人也不能再撤回" in body
        client.post(url, {"action": "open_review", **CONFIRM})
        again = client.post(url, {"action": "open_review"}, follow=True).content.decode()
    assert {type(a).objects.get(pk=a.pk).state for a in apps} == {State.UNDER_REVIEW}
    assert "本方案没有已受理待评审的申报，无需开始评审。" in again and 'name="confirm"' not in again, "nothing left: not asked"


# ---- the draw ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_publishing_the_draw_asks_first_once_both_have_committed(city_kit, client):
    from .kit import PUBLISH_DAY, commitment

    kit = city_kit
    kit.experts(7)
    client.force_login(kit.office)
    with clock.frozen(PUBLISH_DAY):
        draw = drawing.start_draw(kit.plan, kit.office, kit.spec(size=5))
        act = reverse("draw_act", args=[draw.pk])
        drawing.commit(draw, kit.office, commitment(OFFICE_SECRET))
        # The supervisor's commitment is missing: refused at once, not asked.
        response = client.post(act, {"action": "publish", "objection_days": 3}, follow=True)
        assert 'id="confirm"' not in text(response) and "公示前须收到纪检监察机构的承诺值。" in text(response)
        drawing.commit(draw, kit.supervisor, commitment(SUPERVISOR_SECRET))
        body = confirmation(client.post(act, {"action": "publish", "objection_days": 3}))
        draw.refresh_from_db()
        assert draw.status == DrawStatus.COMMITTING and draw.published_at is None
        assert "冻结本评委会专家库7人，公示抽选方案（评委会5人）和双方的承诺值。" in body and "异议期3个工作日，自今天起。" in body
        assert '<input type="hidden" name="objection_days" value="3">' in body
        client.post(act, {"action": "publish", "objection_days": 3, **CONFIRM})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.PUBLISHED and len(draw.pool) == 7


@pytest.mark.django_db
def test_performing_the_draw_asks_first(city_kit, client):
    kit = city_kit
    kit.experts(7)
    draw = kit.start(size=5)
    kit.publish(draw)
    with clock.frozen(DRAW_DAY):
        drawing.reveal(draw, kit.office, OFFICE_SECRET)
        drawing.reveal(draw, kit.supervisor, SUPERVISOR_SECRET)
        client.force_login(kit.office)
        act = reverse("draw_act", args=[draw.pk])
        body = confirmation(client.post(act, {"action": "perform"}))
        draw.refresh_from_db()
        assert draw.status == DrawStatus.PUBLISHED and not draw.members.exists()
        assert f"从已公示的专家库{len(draw.pool)}人中抽选评委会5人" in body and "不能重抽" in body
        client.post(act, {"action": "perform", **CONFIRM})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and draw.members.filter(active=True).count() == 5


@pytest.mark.django_db
def test_cancelling_the_draw_asks_first_and_names_the_members_it_unseats(city_kit, client):
    kit = city_kit
    kit.experts(7)
    draw = kit.seated(size=5)
    client.force_login(kit.office)
    act = reverse("draw_act", args=[draw.pk])
    body = confirmation(client.post(act, {"action": "cancel", "reason": "抽选参数有误"}))
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    assert "作废原因：抽选参数有误" in body and "已抽中的在任评委5人将全部失效。" in body
    assert '<input type="hidden" name="reason" value="抽选参数有误">' in body
    client.post(act, {"action": "cancel", "reason": "抽选参数有误", **CONFIRM})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.CANCELLED and draw.cancel_reason == "抽选参数有误"


# ---- 核准备案 and revocation ----------------------------------------------------------------------

@pytest.mark.django_db
def test_approving_a_filing_asks_first_with_the_roster_count(client, make_applicant):
    from zhicheng.certificates.filing import submit_filings

    apps = [advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)[0] for _ in range(2)]
    review_end = ReviewPlan.objects.get(committee=apps[0].committee, year=2021).review_ends_on
    with clock.frozen(review_end + dt.timedelta(days=5)):
        [filing] = submit_filings(committee=apps[0].committee, year=2021, actor=staff_of(apps[0].committee.office))
        client.force_login(staff_of(regional_hr_department()))
        url = reverse("filing_detail", args=[filing.pk])
        body = confirmation(client.post(url, {"decision": "approve", "document_number": "内人社职备〔2021〕9号"}))
        filing.refresh_from_db()
        assert filing.status == FilingStatus.SUBMITTED
        assert "评审通过人员花名册2人。" in body and "公示期间未收到举报和异议。" in body and "核准备案文号：内人社职备〔2021〕9号" in body
        assert "花名册上2人的申报全部转为“已核准备案”" in body
        client.post(url, {"decision": "approve", "document_number": "内人社职备〔2021〕9号", **CONFIRM})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED and filing.document_number == "内人社职备〔2021〕9号"
    assert {a.state for a in Filing.objects.get(pk=filing.pk).applications.all()} == {State.FILED}


@pytest.mark.django_db
def test_returning_a_filing_asks_once(client, make_applicant):
    """A returned batch cannot be filed any more (the office corrects and submits again): the body is asked once."""
    from zhicheng.certificates.filing import submit_filings

    app = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)[0]
    review_end = ReviewPlan.objects.get(committee=app.committee, year=2021).review_ends_on
    with clock.frozen(review_end + dt.timedelta(days=5)):
        [filing] = submit_filings(committee=app.committee, year=2021, actor=staff_of(app.committee.office))
        client.force_login(staff_of(regional_hr_department()))
        data = {"decision": "return", "reason": "花名册有误，请核对"}
        body = confirmation(client.post(reverse("filing_detail", args=[filing.pk]), data))
        filing.refresh_from_db()
        assert filing.status == FilingStatus.SUBMITTED and "花名册有误，请核对" in body
        client.post(reverse("filing_detail", args=[filing.pk]), {**data, **CONFIRM})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RETURNED


@pytest.mark.django_db
def test_revoking_a_title_asks_first(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    cert = Certificate.objects.get(application=app)
    client.force_login(staff_of(regional_hr_department()))
    url = reverse("certificate_revoke", args=[cert.pk])
    data = {"reason": "伪造获奖证书", "document_number": "内人社职撤〔2021〕5号"}
    body = confirmation(client.post(url, data))
    cert.refresh_from_db()
    assert cert.status != CertificateStatus.REVOKED
    assert cert.number in body and cert.holder_name in body and "撤销原因：伪造获奖证书" in body and "失信黑名单" in body
    client.post(url, {**data, **CONFIRM})
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.REVOKED


def _exchange_request(client, make_applicant):
    """A province's certificate offered for exchange, the regional department logged in to decide it."""
    from zhicheng.catalogue.models import Series
    from zhicheng.certificates.exchange import file_exchange
    from zhicheng.files.services import store_file

    person = make_applicant(P.regular_engineer()).person
    req = file_exchange(actor=person.account, origin="province", original_issuer="陕西省人力资源和社会保障厅",
                        original_number="SX2015-GC-0099", original_committee="陕西省工程系列高级职称评审委员会",
                        series=Series.objects.get(code="engineering"), level="associate_senior", title_name="高级工程师",
                        specialty="土木工程", obtained_on=dt.date(2015, 12, 30), evidence=store_file("原证书.pdf", b"%PDF-1.4\n%%EOF\n"))
    client.force_login(staff_of(regional_hr_department()))
    return req, person, reverse("exchange_detail", args=[req.pk])


@pytest.mark.django_db
def test_exchanging_a_certificate_asks_first(client, make_applicant):
    from zhicheng.certificates.models import ExchangeStatus

    with clock.frozen(dt.date(2021, 10, 8)):
        req, person, url = _exchange_request(client, make_applicant)
        data = {"decision": "approve", "document_number": "内人社职换〔2021〕3号", "note": ""}
        body = confirmation(client.post(url, data))
        req.refresh_from_db()
        assert req.status == ExchangeStatus.SUBMITTED and not Certificate.objects.filter(person=person).exists()
        assert "原证书：陕西省人力资源和社会保障厅，编号SX2015-GC-0099，2015-12-30取得。" in body and "核准文号：内人社职换〔2021〕3号" in body
        assert '<input type="hidden" name="decision" value="approve">' in body
        client.post(url, {**data, **CONFIRM})
    req.refresh_from_db()
    assert req.status == ExchangeStatus.APPROVED and req.certificate.person == person


@pytest.mark.django_db
def test_refusing_an_exchange_asks_first_with_the_reason(client, make_applicant):
    from zhicheng.certificates.models import ExchangeStatus

    with clock.frozen(dt.date(2021, 10, 8)):
        req, person, url = _exchange_request(client, make_applicant)
        data = {"decision": "reject", "document_number": "", "note": "原证书编号查无此证"}
        body = confirmation(client.post(url, data))
        req.refresh_from_db()
        assert req.status == ExchangeStatus.SUBMITTED
        assert "不予换发" in body and "理由：原证书编号查无此证" in body and "不能撤回" in body and person.name in body
        without_reason = client.post(url, {**data, "note": ""}, follow=True).content.decode()
        assert "请写明不予换发的理由。" in without_reason, "no reason: refused as before, not asked"
        client.post(url, {**data, **CONFIRM})
    req.refresh_from_db()
    assert req.status == ExchangeStatus.REJECTED and req.decision_note == "原证书编号查无此证"


# ---- ending a publicity --------------------------------------------------------------------------

@pytest.mark.django_db
def test_ending_a_publicity_asks_first_and_says_who_moves_on_and_who_goes_back(client, make_applicant):
    from zhicheng.publicity.services import handle_objection, start_publicity

    apps = [make_applicant(P.regular_engineer()) for _ in range(3)]
    employer = staff_of(apps[0].unit)
    start = dt.date(2021, 6, 7)
    for app in apps:
        advance(app, State.SUBMITTED)
    with clock.frozen(start):
        apps = [type(app).objects.get(pk=app.pk) for app in apps]
        assert len({app.unit_id for app in apps}) == 1
        publicity = start_publicity(kind="employer", publisher=apps[0].unit, applications=apps, actor=employer)
        objection = Objection.objects.create(publicity=publicity, application=apps[2], objector_name="李明", objector_phone="13800001111",
                                             content="该同志的论文系他人代写，有证据可以提供。", raised_at=clock.now())
        handle_objection(objection, employer, substantiated=True, finding="经核实，论文系他人代写。")
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.SUBSTANTIATED
    client.force_login(employer)
    url = reverse("publicity_close", args=[publicity.pk])
    with clock.frozen(publicity.ends_on + dt.timedelta(days=1)):
        body = confirmation(client.post(url))
        publicity.refresh_from_db()
        assert publicity.is_open
        assert "公示名单3人，其中3人的申报仍在公示中。" in body
        assert "2人无异议或异议经核实不属实，将进入下一环节。" in body
        assert "1人的异议经核实属实，将按“公示发现问题，退回”办理。" in body
        client.post(url, CONFIRM)
    publicity.refresh_from_db()
    assert publicity.outcome == PublicityOutcome.OBJECTIONS_HANDLED
    states = {app.pk: type(app).objects.get(pk=app.pk).state for app in apps}
    assert states[apps[2].pk] == State.RETURNED and State.EMPLOYER_PUBLICITY not in states.values()


@pytest.mark.django_db
def test_a_publicity_not_yet_over_is_refused_at_once_not_asked(client, make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.EMPLOYER_PUBLICITY)
    publicity = app.publicities.get()
    client.force_login(staff_of(publicity.publisher))
    with clock.frozen(publicity.ends_on):
        response = client.post(reverse("publicity_close", args=[publicity.pk]), follow=True)
    assert 'id="confirm"' not in text(response) and "期满后方可结束" in text(response)
    publicity.refresh_from_db()
    assert publicity.is_open


# ---- starting a publicity, publishing results (the queue's and the dossier's publishing steps) ---------------

@pytest.mark.django_db
@pytest.mark.parametrize("before, action, publisher, state", [
    (State.SUBMITTED, "employer_publish", "unit", State.EMPLOYER_PUBLICITY),
    (State.PASSED, "publish_result", "office", State.RESULT_PUBLICITY),
])
def test_publishing_asks_first_and_names_who_goes_public(client, make_applicant, before, action, publisher, state):
    apps = [advance(make_applicant(P.regular_engineer()), before) for _ in range(2)]
    day = max(d for _a, _p, d in apps)
    apps = [a for a, _p, _d in apps]
    clerk = staff_of(apps[0].unit if publisher == "unit" else apps[0].committee.office)
    client.force_login(clerk)
    data = {"action": action, "ids": [a.pk for a in apps], "title": "", "working_days": 5, "contact": "0471-6600000",
            "next": "/applications/?queue=1"}
    with clock.frozen(day):
        body = confirmation(client.post(reverse("application_bulk"), data))
        assert {type(a).objects.get(pk=a.pk).state for a in apps} == {before}, "nothing published yet"
        assert f"选择2份申报：{apps[0].person.name}、{apps[1].person.name}。" in body
        from zhicheng.publicity.workdays import publicity_end

        end = publicity_end(day, 5)
        assert f"公示5个工作日，自今天起至{end:%Y-%m-%d}；受理异议：0471-6600000。" in body, "the last day said before publishing"
        assert f"转入“{state.label}”" in body and "不能撤回" in body
        assert body.count('<input type="hidden" name="ids"') == 2 and 'href="/applications/?queue=1"' in body
        response = client.post(reverse("application_bulk"), {**data, **CONFIRM}, follow=True)
    assert "已发起公示" in text(response)
    assert {type(a).objects.get(pk=a.pk).state for a in apps} == {state}


@pytest.mark.django_db
def test_the_publishing_question_says_how_many_can_go_in_before_asking(client, make_applicant):
    """Four ticked, two already in a publicity: the question said 选择4份 and only the result said two could not."""
    waiting = [advance(make_applicant(P.regular_engineer()), State.SUBMITTED) for _ in range(2)]
    published = [advance(make_applicant(P.regular_engineer()), State.EMPLOYER_PUBLICITY) for _ in range(2)]
    day = max(d for _a, _p, d in waiting + published)
    apps = [a for a, _p, _d in waiting + published]
    client.force_login(staff_of(apps[0].unit))
    data = {"action": "employer_publish", "ids": [a.pk for a in apps], "title": "", "working_days": 5, "contact": "",
            "next": "/applications/?queue=1"}
    with clock.frozen(day):
        body = confirmation(client.post(reverse("application_bulk"), data))
        assert "选择4份申报" in body and "其中2份可以列入本次公示；2份已不在待公示的环节" in body
        data["ids"] = [a.pk for a in apps[:2]]
        assert "可以列入本次公示" not in confirmation(client.post(reverse("application_bulk"), data)), "all can: nothing to add"
