"""The archive becomes the engine's facts; the decision is stored with its rule set; re-screening says who changed and why."""

from pathlib import Path

import pytest
from django.core.management import call_command

from zhicheng.audit.models import AuditEntry
from zhicheng.declarations.screening import build_facts, rescreen_year
from zhicheng.demo import applicants as P
from zhicheng.policy import validate_facts
from zhicheng.policy.ruleset import PACKAGE_RULESETS, Registry

from .cycle_helpers import advance

AMENDMENTS = Path(__file__).parent / "fixtures" / "rulesets"


@pytest.mark.django_db
@pytest.mark.parametrize("profile", [
    P.regular_engineer, P.exceptional_full_senior, P.exceptional_next_level, P.green_channel, P.transferred_cadre,
    P.grassroots_long_service, P.township_direct_intermediate, P.non_public_direct, P.epidemic_direct, P.series_transfer,
    P.graduate_recognition, P.postdoc_recognition, P.high_skill_bridge,
])
def test_facts_from_the_archive_open_the_intended_route(make_applicant, profile):
    spec = profile()
    app = make_applicant(spec)
    validate_facts(build_facts(app))
    assert spec["route"] in app.decision["eligible_routes"], app.decision["routes"]
    assert app.ruleset == "nmg-2021-81" and app.decision["ruleset_version"]
    assert AuditEntry.objects.filter(action="application.screen", object_id=str(app.pk)).exists()


@pytest.mark.django_db
def test_rescreening_after_a_rule_change_names_who_changed_and_why(make_applicant, capsys):
    changed, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")   # 中级 since 2012-10: 8 years
    unchanged, _, _ = advance(make_applicant(P.regular_lecturer()), "submitted")  # doctorate: 2 years suffice
    amended = Registry(PACKAGE_RULESETS, AMENDMENTS).for_year(2021)
    assert amended.id == "nmg-2021-81-amended-test"

    changes = rescreen_year(2021, ruleset=amended)

    assert [c.application_id for c in changes] == [changed.pk]
    change = changes[0]
    assert change.before_eligible is True and change.after_eligible is False
    assert any("需满10年" in reason for reason in change.reasons), change.reasons
    changed.refresh_from_db(), unchanged.refresh_from_db()
    assert changed.ruleset == "nmg-2021-81-amended-test" and changed.eligible is False
    assert unchanged.eligible is True

    call_command("rescreen", "2021")  # back under the package's own rule set
    out = capsys.readouterr().out
    assert f"申报{changed.pk}" in out and "不符合（—） → 符合（regular）" in out


@pytest.mark.django_db
def test_a_title_the_archive_records_as_obtained_by_exception_is_the_one_use_of_it(make_applicant):
    """五（四）5: whoever obtained a title by exception enjoys the policy once. The archive's title record says so
    (取得方式：破格) even when the person's own box was left unticked."""
    from zhicheng.core import clock
    from zhicheng.declarations.screening import screen
    from zhicheng.people.models import TitleHeld

    app = make_applicant(P.exceptional_next_level())
    assert "exceptional_next_level" in app.decision["eligible_routes"] and not app.person.exceptional_used
    TitleHeld.objects.filter(person=app.person, level="intermediate").update(via="exceptional")
    assert build_facts(app)["exceptional_used"] is True
    with clock.frozen(clock.dt.date(2021, 6, 2)):
        screen(app)
    assert "exceptional_next_level" not in app.decision["eligible_routes"]
    route = next(r for r in app.decision["routes"] if r["route"] == "exceptional_next_level")
    assert "五（四）5" in str(route), route


@pytest.mark.django_db
def test_a_closed_declaration_keeps_its_decision_and_its_own_title_is_not_read_back(make_applicant):
    """Re-screened after certification, an exceptional (破格) declaration read the 破格 title it had led to as a 破格
    used before (五（四）5) and turned ineligible. Facts are as of the day of the declaration; closed ones are not
    re-screened at all, open ones still are."""
    from zhicheng.declarations.models import Application
    from zhicheng.people.models import TitleHeld, TitleVia

    certified, _, _ = advance(make_applicant(P.exceptional_next_level()), "certified")
    open_one, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")
    assert TitleHeld.objects.filter(person=certified.person, via=TitleVia.EXCEPTIONAL).exists()
    facts = build_facts(Application.objects.get(pk=certified.pk))
    assert all(t["obtained_on"] <= facts["applied_on"] for t in facts["titles"])
    decision = certified.decision
    Application.objects.filter(pk=open_one.pk).update(eligible=False, route="")
    changes = rescreen_year(2021)
    assert [c.application_id for c in changes] == [open_one.pk]
    certified.refresh_from_db()
    assert certified.eligible is True and certified.decision == decision
