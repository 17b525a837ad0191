"""Recusal: conflicts from the records and from the expert's own declaration keep the expert away
from the dossier (querysets and pages), out of its panel and off its ballot."""

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.accounts.permissions import SECOND_FACTOR_SESSION_KEY
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import WorkPeriod
from zhicheng.review import meeting, panels, recusal
from zhicheng.review.models import Assignment, ExpertRelation, Recusal, RelationKind

from ..cycle_helpers import advance
from .kit import REVIEW_DAY, D

UNIT = "呼和浩特市市政工程设计研究院"


@pytest.fixture
def setup(city_kit, make_applicant):
    kit = city_kit
    app = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    other = advance(make_applicant(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)[0]
    unit = Organisation.objects.get(name=UNIT)
    e = {
        "same_unit": kit.expert(UNIT, login=True),
        "former": kit.expert("内蒙古大学", login=True),
        "long_ago": kit.expert("包头市中心医院", login=True),
        "work_record": kit.expert("呼和浩特市第一医院", login=True),
        "relative": kit.expert("鄂尔多斯市中心医院", login=True),
        "applicant_was_here": kit.expert("赤峰市农牧科学研究所", login=True),
        "clean1": kit.expert("通辽市农牧业技术推广中心", login=True),
        "clean2": kit.expert("内蒙古自治区农牧业科学院", login=True),
        "clean3": kit.expert("内蒙古自治区人民医院", login=True),
    }
    ExpertRelation.objects.create(expert=e["former"], kind=RelationKind.FORMER_UNIT, former_unit=unit,
                                  started_on=D(2010, 1, 1), ended_on=D(2019, 6, 30))
    ExpertRelation.objects.create(expert=e["long_ago"], kind=RelationKind.FORMER_UNIT, former_unit=unit,
                                  started_on=D(2005, 1, 1), ended_on=D(2016, 6, 30))
    WorkPeriod.objects.create(person=e["work_record"].person, employer_name=UNIT, unit=unit, started_on=D(2015, 1, 1),
                              ended_on=D(2020, 12, 31), unit_level="city", sector="state_enterprise")
    ExpertRelation.objects.create(expert=e["relative"], kind=RelationKind.RELATIVE, relative_name=app.person.name,
                                  relative_id_number=app.person.id_number, relationship="配偶")
    WorkPeriod.objects.create(person=app.person, employer_name="赤峰市农牧科学研究所", unit=e["applicant_was_here"].unit,
                              started_on=D(2010, 1, 1), ended_on=D(2019, 3, 1), unit_level="city", sector="public_institution")
    kit.seated(size=9)
    return kit, app, other, e


def _reasons(kit, expert, app):
    found = Recusal.objects.filter(plan=kit.plan, expert=expert, application=app).first()
    return found.reasons if found else []


@pytest.mark.django_db
def test_conflicts_found_from_the_records(setup):
    kit, app, other, e = setup
    with clock.frozen(REVIEW_DAY):
        recusal.detect(kit.plan, list(e.values()), recusal.plan_applications(kit.plan), kit.office)
    assert _reasons(kit, e["same_unit"], app) == [f"与申报人同一工作单位（{UNIT}）"]
    assert _reasons(kit, e["same_unit"], other) == [f"与申报人同一工作单位（{UNIT}）"]  # both applicants work there
    assert _reasons(kit, e["former"], app) == [f"3年内曾在申报人单位{UNIT}工作（2019年06月离开）"]
    assert _reasons(kit, e["long_ago"], app) == []
    assert _reasons(kit, e["work_record"], app) == [f"3年内曾在申报人单位{UNIT}工作（2020年12月离开）"]
    assert _reasons(kit, e["relative"], app) == ["申报人系评委申报的配偶"]
    assert _reasons(kit, e["relative"], other) == []
    assert _reasons(kit, e["applicant_was_here"], app) == ["申报人3年内曾在评委所在单位赤峰市农牧科学研究所工作"]
    assert _reasons(kit, e["clean1"], app) == []
    entry = AuditEntry.objects.filter(action="review.recusal", object_id=str(Recusal.objects.get(expert=e["relative"]).pk)).get()
    assert "配偶" in entry.summary


def test_colleagues_are_not_conflicted_in_their_own_self_review_committee():
    expert = recusal.ExpertFacts(unit_id=7, unit_name="学院")
    applicant = recusal.ApplicantFacts(1, unit_id=7, unit_name="学院", id_number="x", name="甲")
    day = dt.date(2021, 8, 10)
    assert recusal.conflict_reasons(expert, applicant, self_review_unit_id=None, day=day, years=3) == ["与申报人同一工作单位（学院）"]
    assert recusal.conflict_reasons(expert, applicant, self_review_unit_id=7, day=day, years=3) == []


@pytest.mark.django_db
def test_a_conflicted_expert_is_left_out_of_the_panel_and_sees_nothing(setup, client):
    kit, app, other, e = setup
    panel = kit.panel("市政组", [e["same_unit"], e["clean1"], e["clean2"], e["clean3"]], [app, other])
    assert Assignment.objects.get(expert=e["same_unit"], application=app).recused
    assert not Assignment.objects.get(expert=e["clean1"], application=app).recused
    with clock.frozen(REVIEW_DAY):
        assert not Application.objects.for_user(e["same_unit"].user).exists()
        assert set(Application.objects.for_user(e["clean1"].user)) == {app, other}
        assert not panels.assignments_for(e["same_unit"].user).exists()
        with pytest.raises(panels.PanelError, match="不在您当前可评议的范围内"):
            panels.submit_opinion(Assignment.objects.get(expert=e["same_unit"], application=app), e["same_unit"].user,
                                  recommendation="support", text="好")
        client.force_login(e["same_unit"].user)
        session = client.session
        session[SECOND_FACTOR_SESSION_KEY] = e["same_unit"].user.pk
        session.save()
        assert client.get(reverse("application_detail", args=[app.pk])).status_code == 404
        assignment = Assignment.objects.get(expert=e["same_unit"], application=app)
        assert client.get(reverse("expert_opinion", args=[assignment.pk])).status_code == 404
    assert panel.assignments.filter(recused=False).count() == 6


@pytest.mark.django_db
def test_a_panel_short_of_three_after_recusal_is_refused(setup):
    kit, app, other, e = setup
    with clock.frozen(REVIEW_DAY):
        panel = panels.create_panel(kit.plan, kit.office, "小组", [e["same_unit"], e["former"], e["clean1"], e["clean2"]])
        with pytest.raises(panels.PanelError) as exc:
            panels.assign(panel, kit.office, [app])
    assert exc.value.messages == [f"评议组“小组”的评委回避{app.person.name}的申报后不足3人，请调整评议组。"]
    assert not Assignment.objects.filter(panel=panel).exists()


@pytest.mark.django_db
def test_an_expert_declares_a_conflict_and_the_dossier_disappears(setup):
    kit, app, other, e = setup
    kit.panel("市政组", [e["clean1"], e["clean2"], e["clean3"]], [app, other])
    with clock.frozen(REVIEW_DAY):
        recusal.declare(kit.plan, e["clean1"], app, "申报人是我的研究生同学，关系密切", e["clean1"].user)
        assert set(Application.objects.for_user(e["clean1"].user)) == {other}
        with pytest.raises(recusal.RecusalError, match="已就该申报回避"):
            recusal.declare(kit.plan, e["clean1"], app, "再次", e["clean1"].user)
    found = Recusal.objects.get(expert=e["clean1"], application=app)
    assert found.source == "declared" and found.reasons == ["本人申请：申报人是我的研究生同学，关系密切"]
    assert Assignment.objects.get(expert=e["clean1"], application=app).recused
    assert AuditEntry.objects.filter(action="review.recusal", actor_id=e["clean1"].user.pk).exists()


@pytest.mark.django_db
def test_a_recused_expert_does_not_vote_on_the_declaration(setup):
    kit, app, other, e = setup
    members = list(e.values())
    kit.make_chair(e["clean1"])
    panel = kit.panel("市政组", [e["clean1"], e["clean2"], e["clean3"]], [app, other])
    kit.opinions(panel)
    m = kit.meeting(members)
    with clock.frozen(REVIEW_DAY):
        meeting.open_ballot(m, kit.office)
        assert [a.pk for a in meeting.ballot_paper(m, e["relative"])] == [other.pk]
        assert meeting.ballot_paper(m, e["same_unit"]) == []
        with pytest.raises(meeting.MeetingError, match="须回避"):
            meeting.cast_ballot(m, e["relative"].user, {app.pk: "yes", other.pk: "yes"})
        meeting.cast_ballot(m, e["relative"].user, {other.pk: "no"})
        for key in ("clean1", "clean2", "clean3", "long_ago"):
            meeting.cast_ballot(m, e[key].user, {app.pk: "yes", other.pk: "yes"})
        results = {r.application_id: r for r in meeting.close_ballot(m, kit.office)}
    # 9 present; for app five are recused (same unit, two former-unit, relative, applicant's former unit).
    assert results[app.pk].eligible == 4 and results[app.pk].yes == 4 and results[app.pk].passed
    assert results[other.pk].eligible == 6 and results[other.pk].yes == 4 and results[other.pk].passed  # three recused


@pytest.mark.django_db
def test_the_expert_confirms_a_recusal_on_the_opinion_page(setup, client):
    kit, app, other, e = setup
    panel = kit.panel("市政组", [e["clean1"], e["clean2"], e["clean3"]], [app, other])
    assignment = panel.assignments.get(expert=e["clean1"], application=app)
    client.force_login(e["clean1"].user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = e["clean1"].user.pk
    session.save()
    url = reverse("expert_opinion", args=[assignment.pk])
    data = {"action": "recuse", "reason": "申报人是我的研究生同学"}
    with clock.frozen(REVIEW_DAY):
        asked = client.post(url, data)
        question = asked.content.decode()
        assert asked.status_code == 200 and 'name="confirm" value="yes"' in question and 'value="recuse"' in question
        assert app.person.name in question and "回避事由：申报人是我的研究生同学" in question and "不能撤回" in question
        assert not Recusal.objects.filter(expert=e["clean1"]).exists() and not Assignment.objects.get(pk=assignment.pk).recused
        done = client.post(url, {**data, "confirm": "yes"})
        assert done["Location"] == reverse("expert_tasks")
        assert client.get(url).status_code == 404, "the declaration is gone from the expert's pages"
    assert Recusal.objects.get(expert=e["clean1"], application=app).reasons == ["本人申请：申报人是我的研究生同学"]
    assert Assignment.objects.get(pk=assignment.pk).recused
