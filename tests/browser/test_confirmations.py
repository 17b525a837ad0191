"""Steps that cannot be undone ask once, in a real browser: the walk of issue 14 closed a vote with
3 of 18 ballots cast and no warning. Here a meeting of seven present has three ballots in; the office
clicks 结束表决并计票, reads the counts and what missing ballots mean, cancels (nothing changes),
then confirms (the vote closes). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from .test_review import CITY, login, messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_closing_a_vote_with_most_ballots_missing_asks_first(page, region, today, shot, make_applicant):
    from tests.cycle_helpers import advance
    from tests.review.kit import REVIEW_DAY, Kit
    from zhicheng.core import clock
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P
    from zhicheng.review import meeting as meeting_service
    from zhicheng.review.models import Meeting, MeetingResult, MeetingStatus

    apps = [advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0] for _ in range(3)]
    kit = Kit(CITY)
    kit.experts(7, login=True)
    kit.seated(size=7)
    members = kit.members()
    kit.make_chair(members[0])
    kit.opinions(kit.panel("市政组", members[:3], apps))
    m = kit.meeting(members)
    with clock.frozen(REVIEW_DAY):
        meeting_service.open_ballot(m, kit.office)
        for expert in members[:3]:  # three of the seven present vote; four ballots are missing
            meeting_service.cast_ballot(m, expert.user, {app.pk: "yes" for app in apps})

    today(REVIEW_DAY)
    base = region.url
    login(page, base, kit.office.username)
    meeting_url = f"{base}/review/meetings/{m.pk}/"
    page.goto(meeting_url)
    assert "已投票3人 / 出席7人" in messages(page)
    page.click("form:has(input[value=close]) button[type=submit]")

    # The warning: the counts, per declaration too, and what the missing ballots mean.
    warning = page.inner_text("#confirm")
    shot("close-warning")
    assert "出席评委7人，已投票3人，4人尚未投票" in warning
    for app in apps:
        assert app.person.name in page.locator("#confirm tr", has_text=app.person.name).inner_text()
    row = page.locator("#confirm tbody tr").first.inner_text().split()
    assert row[1:] == ["7", "3", "4", "5"]  # expected, cast, missing, yes votes needed
    assert "未投票的评委计入应参加表决人数" in warning and "按未通过记录" in warning
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.VOTING

    # Cancel: back on the meeting page, the vote still open.
    page.click("#confirm a:has-text('取消')")
    page.wait_for_url(meeting_url)
    assert "已投票3人 / 出席7人" in messages(page) and "表决结束，已计票" not in messages(page)
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.VOTING and not MeetingResult.objects.exists()

    # Confirm: the vote closes and is counted; with four ballots missing nobody reaches 5 of 7.
    page.click("form:has(input[value=close]) button[type=submit]")
    page.click("#confirm button[name=confirm]")
    assert "表决结束，已计票" in messages(page)
    shot("closed")
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.CLOSED
    assert sorted((r.eligible, r.yes, r.passed) for r in MeetingResult.objects.all()) == [(7, 3, False)] * 3
