"""The minutes: a PDF of attendance, opinions, tallies and results, signed by the chair with the
second factor; only then do the results enter the workflow (record_pass / record_fail)."""

import hashlib

import pypdfium2
import pyotp
import pytest

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.models import ApplicationEvent
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.files.services import read_verified
from zhicheng.review import meeting, minutes, otp
from zhicheng.review.models import MeetingStatus

from ..cycle_helpers import advance
from .kit import REVIEW_DAY, totp_now


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


@pytest.fixture
def closed(city_kit, make_applicant):
    kit = city_kit
    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit.experts(7, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], apps))
    m = kit.meeting(members[:4])
    with clock.frozen(REVIEW_DAY):
        meeting.open_ballot(m, kit.office)
        for i, expert in enumerate(members[:4]):
            meeting.cast_ballot(m, expert.user, {apps[0].pk: "yes", apps[1].pk: "yes" if i < 2 else "no"})
        meeting.close_ballot(m, kit.office)
    return kit, apps, members, m


@pytest.mark.django_db
def test_minutes_record_attendance_opinions_tallies_and_results(closed):
    kit, apps, members, m = closed
    with clock.frozen(REVIEW_DAY):
        record = minutes.generate(m, kit.office)
    data = read_verified(record.file)
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == record.sha256
    text = pdf_text(data)
    for expected in ("评审会议纪要", "出席情况", "评议组意见", "表决结果", members[0].person.name, members[4].person.name, "缺席",
                     apps[0].person.name, "业绩突出，符合条件", "通过", "未通过", "无记名投票"):
        assert expected in text, expected


@pytest.mark.django_db
def test_only_the_chair_signs_with_a_fresh_code_and_then_results_are_recorded(closed):
    kit, apps, members, m = closed
    with clock.frozen(REVIEW_DAY):
        record = minutes.generate(m, kit.office)
        with pytest.raises(minutes.MinutesError, match="主任委员本人签署"):
            minutes.sign(record, members[1].user, totp_now(members[1].user))
        with pytest.raises(minutes.MinutesError, match="动态口令不正确"):
            minutes.sign(record, members[0].user, "000000" if totp_now(members[0].user) != "000000" else "111111")
        code = totp_now(members[0].user)
        pushed = minutes.sign(record, members[0].user, code)
    assert sorted(pushed) == sorted([(apps[0].pk, "record_pass"), (apps[1].pk, "record_fail")])
    record.refresh_from_db()
    m.refresh_from_db()
    assert record.signed_by == members[0].user and record.signed_at is not None and m.status == MeetingStatus.SIGNED
    for app, state in ((apps[0], State.PASSED), (apps[1], State.FAILED)):
        app.refresh_from_db()
        assert app.state == state
        event = ApplicationEvent.objects.filter(application=app).latest("at")
        assert event.actor is None and record.sha256[:16] in event.note and "无记名投票" in event.note
    assert AuditEntry.objects.filter(action="meeting.minutes_sign", actor_id=members[0].user.pk).exists()
    with clock.frozen(REVIEW_DAY), pytest.raises(minutes.MinutesError, match="已签署"):
        minutes.sign(record, members[0].user, code)
    with clock.frozen(REVIEW_DAY), pytest.raises(minutes.MinutesError, match="签署后不能重新生成"):
        minutes.generate(m, kit.office)


@pytest.mark.django_db
def test_a_used_code_cannot_be_replayed(closed):
    _, _, members, _ = closed
    user = members[2].user
    code = totp_now(user)
    assert otp.check(user, code)
    assert not otp.check(user, code)


@pytest.mark.django_db
def test_enrolment_is_confirmed_by_the_first_code(closed):
    _, _, members, _ = closed
    user = members[3].user
    user.second_factor.delete()
    factor = otp.start_enrolment(user)
    assert factor.confirmed_at is None and otp.start_enrolment(user).secret == factor.secret
    assert "otpauth://totp/" in otp.provisioning_uri(factor) and "<svg" in otp.qr_svg(otp.provisioning_uri(factor))
    assert otp.check(user, pyotp.TOTP(factor.secret).now())
    factor.refresh_from_db()
    assert factor.confirmed_at is not None
