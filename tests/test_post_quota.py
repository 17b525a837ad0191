"""五（五）2（2）–（3）: senior declarations of a unit under post management stay within vacancies plus 5%."""

import datetime as dt

import pytest

from zhicheng.core import clock
from zhicheng.declarations.guards import post_quota_ceiling, quota_used
from zhicheng.declarations.services import GuardFailed, transition
from zhicheng.demo import applicants as P
from zhicheng.publicity.services import start_publicity

from .conftest import staff_of
from .cycle_helpers import advance

UNIT = "宁城县农牧技术推广中心"  # 20 senior posts set, 18 filled: 2 vacancies + 1 (5% of 20) = 3


@pytest.mark.django_db
def test_fourth_senior_declaration_is_refused_but_an_exceptional_one_is_exempt(make_applicant):
    apps = [advance(make_applicant(P.regular_agronomist(unit=UNIT)), "submitted")[0] for _ in range(4)]
    exempt = advance(make_applicant(P.exceptional_next_level()), "submitted")[0]
    unit, employer = apps[0].unit, staff_of(apps[0].unit)
    assert post_quota_ceiling(unit) == 3
    assert exempt.decision["conditions"]["post_quota"] == "exempt"
    with clock.frozen(dt.date(2021, 6, 8)):
        start_publicity(kind="employer", publisher=unit, applications=[*apps, exempt], actor=employer)
    with clock.frozen(dt.date(2021, 6, 16)):
        for app in apps[:3]:
            transition(app, "report", employer)
        assert quota_used(unit, apps[0].plan) == 3
        with pytest.raises(GuardFailed, match="最多推荐3人"):
            transition(apps[3], "report", employer)
        transition(exempt, "report", employer)
    exempt.refresh_from_db()
    assert exempt.state == "department_review"


@pytest.mark.django_db
def test_a_freelancer_whose_file_the_unit_keeps_holds_none_of_its_posts(make_applicant):
    """五（五）2 counts a unit's own people against its senior posts; a freelancer (二（一）) whose file it keeps (四（五）1)
    holds none of them: the engine says the quota does not apply, and the guard and the count follow it."""
    from zhicheng.declarations.screening import screen
    from zhicheng.people.models import EmploymentRelation

    apps = [advance(make_applicant(P.regular_agronomist(unit=UNIT)), "submitted")[0] for _ in range(4)]
    freelancer = apps[3]
    freelancer.person.employment_relation = EmploymentRelation.FREELANCE
    freelancer.person.save(update_fields=["employment_relation"])
    screen(freelancer)
    freelancer.refresh_from_db()
    assert freelancer.decision["conditions"]["post_quota"] == "not_applicable"
    unit, employer = apps[0].unit, staff_of(apps[0].unit)
    with clock.frozen(dt.date(2021, 6, 8)):
        start_publicity(kind="employer", publisher=unit, applications=apps, actor=employer)
    with clock.frozen(dt.date(2021, 6, 16)):
        transition(freelancer, "report", employer)
        for app in apps[:3]:
            transition(app, "report", employer)
        assert quota_used(unit, apps[0].plan) == 3, "the freelancer's declaration takes none of the three places"
