"""A small review end to end through the services: draw, panel, opinions, meeting, ballot, minutes, results."""

import pytest

from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.review import drawing, meeting, minutes
from zhicheng.review.models import MeetingResult, Tally, VoteCast

from ..cycle_helpers import advance
from .kit import REVIEW_DAY, totp_now


@pytest.mark.django_db
def test_small_review_from_draw_to_results(city_kit, make_applicant):
    kit = city_kit
    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit.experts(9, login=True)
    draw = kit.seated(size=5)
    assert draw.status == "drawn" and len(draw.record["result"]["committee"]) == 5
    assert drawing.verify_stored(draw).ok
    members = kit.members()
    kit.make_chair(members[0])
    panel = kit.panel("水利组", members[:3], apps)
    kit.opinions(panel)
    m = kit.meeting(members[:4])
    with clock.frozen(REVIEW_DAY):
        meeting.open_ballot(m, kit.office)
        for i, expert in enumerate(members[:4]):
            meeting.cast_ballot(m, expert.user, {apps[0].pk: "yes", apps[1].pk: "yes" if i < 2 else "no"})
        meeting.close_ballot(m, kit.office)
        results = {r.application_id: r for r in MeetingResult.objects.filter(meeting=m)}
        assert results[apps[0].pk].passed and not results[apps[1].pk].passed
        assert VoteCast.objects.filter(meeting=m).count() == 8
        assert sorted(Tally.objects.filter(meeting=m).values_list("yes", "no", "abstain")) == [(2, 2, 0), (4, 0, 0)]
        record = minutes.generate(m, kit.office)
        pushed = minutes.sign(record, members[0].user, totp_now(members[0].user))
    assert sorted(pushed) == sorted([(apps[0].pk, "record_pass"), (apps[1].pk, "record_fail")])
    for app in apps:
        app.refresh_from_db()
    assert apps[0].state == State.PASSED and apps[1].state == State.FAILED
