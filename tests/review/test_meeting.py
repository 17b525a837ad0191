"""The meeting: two-thirds quorum and pass threshold at their boundaries, the secret ballot (no
proxy, no late votes, who-voted apart from what-was-voted), and groups with their own pass rates."""

import pytest

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.services import GuardFailed, transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.review import meeting
from zhicheng.review.meeting import Row, decide, has_quorum, quorum, reaches_two_thirds
from zhicheng.review.models import GroupKind, MeetingResult, Tally, VoteCast

from ..cycle_helpers import advance
from .kit import REVIEW_DAY


# ---- the arithmetic --------------------------------------------------------------------------

@pytest.mark.parametrize("present, sits", [(17, True), (16, False), (25, True), (0, False)])
def test_quorum_of_a_committee_of_25(present, sits):
    assert quorum(25) == 17
    assert has_quorum(present, 25) is sits


@pytest.mark.parametrize("yes, present, passes", [
    (12, 17, True), (11, 17, False), (12, 18, True), (11, 18, False), (17, 25, True), (16, 25, False), (2, 3, True), (1, 3, False),
])
def test_two_thirds_of_those_present(yes, present, passes):
    assert reaches_two_thirds(yes, present) is passes


def test_a_group_pass_rate_caps_the_share_that_passes():
    rows = [Row(1, "grassroots", 9, 9), Row(2, "grassroots", 9, 8), Row(3, "grassroots", 9, 7), Row(4, "grassroots", 9, 5),
            Row(5, "general", 9, 6), Row(6, "general", 9, 6)]
    outcome = decide(rows, {"grassroots": 50, "general": 100})
    assert {pk for pk, (_, passed, _) in outcome.items() if passed} == {1, 2, 5, 6}
    assert outcome[3] == (True, False, "超出本组通过率50%（本组4份，至多通过2份）")
    assert outcome[4] == (False, False, "同意5票，未达到应参加表决9人的三分之二（6票）")


def test_a_tie_at_the_cut_does_not_pass_when_not_all_fit():
    rows = [Row(1, "general", 9, 9), Row(2, "general", 9, 8), Row(3, "general", 9, 8)]
    outcome = decide(rows, {"general": 67})  # 67% of 3 → at most 2
    assert [outcome[pk][1] for pk in (1, 2, 3)] == [True, False, False]
    assert decide(rows, {"general": 100})[3][1] is True


def test_shares_not_raw_counts_rank_when_recusals_differ():
    rows = [Row(1, "general", 6, 6), Row(2, "general", 9, 8)]  # 100% against 89%
    outcome = decide(rows, {"general": 50})
    assert outcome[1][1] and not outcome[2][1]


def test_a_declaration_nobody_present_may_vote_on_fails_and_the_minutes_say_why():
    # Every present expert recused: 0 eligible voters. It does not pass, and the minutes say why.
    outcome = decide([Row(1, "general", 0, 0), Row(2, "general", 9, 8)], {"general": 100})
    reached, passed, note = outcome[1]
    assert (reached, passed) == (False, False) and note == "出席专家均须回避，无人可参加表决，按未通过记录"
    assert outcome[2][:2] == (True, True)


# ---- the meeting of a committee of 25 -----------------------------------------------------------

@pytest.fixture
def sitting(kit, make_applicant):
    """The senior engineering committee, 25 drawn from 26, two declarations under review, panels done."""
    apps = [advance(make_applicant(P.regular_engineer(unit="内蒙古自治区建筑勘察设计研究院")), State.UNDER_REVIEW)[0] for _ in range(2)]
    kit.experts(26, login=True)
    kit.seated()
    members = kit.members()
    assert len(members) == 25
    kit.make_chair(members[0])
    kit.opinions(kit.panel("土木组", members[:3], apps))
    return kit, apps, members


@pytest.mark.django_db
@pytest.mark.parametrize("present", [17, 18])
def test_quorum_and_threshold_at_the_boundaries(sitting, present):
    kit, apps, members = sitting
    m = kit.meeting(members[:16])
    with clock.frozen(REVIEW_DAY):
        with pytest.raises(meeting.MeetingError) as exc:
            meeting.open_ballot(m, kit.office)
        assert "出席评委16人，不足评委会25人的三分之二（至少17人），不能开会表决（七（四））。" in exc.value.messages
        meeting.record_attendance(m, kit.office, [e.pk for e in members[:present]])
        meeting.open_ballot(m, kit.office)
        for i, expert in enumerate(members[:present]):
            meeting.cast_ballot(m, expert.user, {apps[0].pk: "yes" if i < 12 else "no", apps[1].pk: "yes" if i < 11 else "abstain"})
        results = {r.application_id: r for r in meeting.close_ballot(m, kit.office)}
    assert (results[apps[0].pk].eligible, results[apps[0].pk].yes, results[apps[0].pk].passed) == (present, 12, True)
    assert (results[apps[1].pk].eligible, results[apps[1].pk].yes, results[apps[1].pk].passed) == (present, 11, False)
    assert results[apps[1].pk].note == f"同意11票，未达到应参加表决{present}人的三分之二（12票）"


@pytest.mark.django_db
def test_the_secret_ballot(sitting):
    kit, apps, members = sitting
    m = kit.meeting(members[:20])
    choices = {apps[0].pk: "yes", apps[1].pk: "no"}
    with clock.frozen(REVIEW_DAY):
        with pytest.raises(meeting.MeetingError, match="表决尚未开始"):
            meeting.cast_ballot(m, members[0].user, choices)
        # nobody may act on the declarations by hand while the committee meets in the system
        with pytest.raises(GuardFailed, match="以无记名投票表决结果为准"):
            transition(apps[0], "record_pass", kit.office)
        meeting.open_ballot(m, kit.office)
        with pytest.raises(meeting.MeetingError, match="不得委托他人代为投票"):
            meeting.cast_ballot(m, kit.office, choices)
        with pytest.raises(meeting.MeetingError, match="未登记出席"):
            meeting.cast_ballot(m, members[22].user, choices)
        with pytest.raises(meeting.MeetingError, match="每一份申报都作出选择"):
            meeting.cast_ballot(m, members[0].user, {apps[0].pk: "yes"})
        with pytest.raises(meeting.MeetingError, match="同意、不同意或弃权"):
            meeting.cast_ballot(m, members[0].user, {apps[0].pk: "yes", apps[1].pk: "maybe"})
        meeting.cast_ballot(m, members[0].user, choices)
        with pytest.raises(meeting.MeetingError, match="已经投过票"):
            meeting.cast_ballot(m, members[0].user, choices)
        meeting.cast_ballot(m, members[1].user, {apps[0].pk: "no", apps[1].pk: "yes"})
        meeting.close_ballot(m, kit.office)
        with pytest.raises(meeting.MeetingError, match="表决已经结束，不再接受投票"):
            meeting.cast_ballot(m, members[2].user, choices)
    # Who voted and what was voted live apart: no stored row joins a voter to a choice.
    assert {f.name for f in VoteCast._meta.get_fields()} == {"id", "meeting", "expert", "application"}
    assert {f.name for f in Tally._meta.get_fields()} == {"id", "meeting", "application", "yes", "no", "abstain"}
    assert VoteCast.objects.filter(meeting=m).count() == 4
    assert sorted(Tally.objects.filter(meeting=m).values_list("yes", "no")) == [(1, 1), (1, 1)]
    for entry in AuditEntry.objects.filter(action="meeting.ballot_cast"):
        assert set(entry.after) == {"expert", "applications"}
    assert MeetingResult.objects.filter(meeting=m, passed=False).count() == 2  # 1 yes of 20 present


@pytest.mark.django_db
def test_grassroots_applicants_in_their_own_group(city_kit, make_applicant):
    kit = city_kit
    general = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    grassroots = [advance(make_applicant(P.regular_city_engineer_intermediate(unit="察素齐镇农业技术服务站")), State.UNDER_REVIEW)[0]
                  for _ in range(2)]
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("综合组", members[:3], [general, *grassroots]))
    m = kit.meeting(members[:4], rates={GroupKind.GENERAL: 100, GroupKind.GRASSROOTS: 50, GroupKind.PRIVATE_SECTOR: None})
    with clock.frozen(REVIEW_DAY):
        meeting.open_ballot(m, kit.office)
        for i, expert in enumerate(members[:4]):
            meeting.cast_ballot(m, expert.user, {general.pk: "yes", grassroots[0].pk: "yes", grassroots[1].pk: "yes" if i < 3 else "no"})
        results = {r.application_id: r for r in meeting.close_ballot(m, kit.office)}
    assert results[general.pk].group == GroupKind.GENERAL and results[general.pk].passed
    assert results[grassroots[0].pk].group == GroupKind.GRASSROOTS and results[grassroots[0].pk].passed
    assert results[grassroots[1].pk].reached_two_thirds and not results[grassroots[1].pk].passed
    assert results[grassroots[1].pk].note == "超出本组通过率50%（本组2份，至多通过1份）"


@pytest.mark.django_db
def test_the_ballot_waits_for_panels_chair_and_meeting_day(city_kit, make_applicant):
    kit = city_kit
    app = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    kit.experts(5, login=True)
    kit.seated(size=5)
    members = kit.members()
    m = kit.meeting(members)
    with clock.frozen(REVIEW_DAY):
        problems = meeting.opening_problems(m)
    assert "主任委员须出席并主持会议：请确定出席的主任委员。" in problems
    assert f"{app.person.name}的申报尚未分配评议组。" in problems
    kit.make_chair(members[0])
    kit.panel("组", members[:3], [app])
    with clock.frozen(REVIEW_DAY):
        assert meeting.opening_problems(m) == [f"{app.person.name}的申报只有0份评议意见，评议组至少3人提出意见后方可表决。"]
    with clock.frozen(REVIEW_DAY.replace(day=11)):
        assert "表决须在会议当日（2021年08月10日）、评审期内进行。" in meeting.opening_problems(m)


@pytest.mark.django_db
def test_the_office_is_offered_to_record_a_result_by_hand_only_where_the_committee_did_not_meet_here(sitting, client):
    """Without a meeting in the system the office records 评审通过/未通过 from the dossier (a meeting held
    outside it); once one is scheduled, the signed ballot records them, and the dossier offers neither."""
    from django.urls import reverse

    from zhicheng.declarations.services import available_actions

    kit, apps, members = sitting
    client.force_login(kit.office)
    with clock.frozen(REVIEW_DAY):
        offered = {t.action for t in available_actions(apps[0], kit.office)}
        assert {"record_pass", "record_fail", "veto"} <= offered
        assert "评审通过" in client.get(reverse("application_detail", args=[apps[0].pk])).content.decode()
        kit.meeting(members[:20])
        offered = {t.action for t in available_actions(apps[0], kit.office)}
        assert "veto" in offered and not offered & {"record_pass", "record_fail"}
        page = client.get(reverse("application_detail", args=[apps[0].pk])).content.decode()
        assert 'value="record_pass"' not in page and 'value="record_fail"' not in page and 'value="veto"' in page
        assert "“评审通过”尚不能办理：评审会议已安排，评审结果以无记名投票表决结果为准" in page
