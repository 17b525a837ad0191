"""The demo's freelance professional (二（一）) and the talent exchange service keeping their file (四（五）1;
DemoLoader.OVERSIGHT_PARTS, after the others, so that the people made before keep their names and numbers).

包头市人才交流服务中心 keeps freelancers' personnel files: it is a unit without a competent department, so it
checks and publicises their declarations (六（一）) and reports them to the Baotou bureau (四（二）). Its staff log in as
``talent_exchange``; a freelance structural engineer with a screened draft for 工程师 logs in as ``freelancer`` and can
submit it in the declaration window (DEMO_TODAY before 30 June), after which the service has it in its queue.
"""

from __future__ import annotations

import datetime as dt

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import AnnualPlan, Series, Specialty
from zhicheng.core import clock
from zhicheng.declarations.screening import screen
from zhicheng.declarations.services import start_declaration
from zhicheng.orgs.models import Area, Organisation, OrgKind, Sector, UnitLevel
from zhicheng.people.models import EmploymentRelation, Project, ProjectLevel, Publication, WorkPeriod

from . import materials
from .ids import credit_code

SERVICE = "包头市人才交流服务中心"
SERVICE_AREA = "150200"
LOGINS = ("talent_exchange", "freelancer")
d = dt.date


def freelance_engineer() -> dict:
    """A structural engineer working on their own since 2015 after a design institute: 助理工程师 2014, bachelor 2012,
    so 工程师 on the regular route (bachelor, assistant title held 4 years)."""
    return {
        "route": "regular", "series": "engineering", "level": "intermediate", "unit": SERVICE, "specialty": "土木工程",
        "education": [("bachelor", d(2012, 7, 1), True, "内蒙古科技大学", "土木工程")],
        "work": [(d(2012, 7, 20), d(2015, 3, 31), True, "engineering"), (d(2015, 4, 1), None, True, "engineering")],
        "titles": [("engineering", "assistant", d(2014, 9, 1))],
        "person": {"employment_relation": EmploymentRelation.FREELANCE},
    }


def service() -> Organisation:
    """The Baotou service keeping freelancers' files: a city-level public institution without a competent department."""
    org, _ = Organisation.objects.get_or_create(name=SERVICE, defaults={
        "kind": OrgKind.UNIT, "area": Area.objects.get(code=SERVICE_AREA), "level": UnitLevel.CITY,
        "sector": Sector.PUBLIC_INSTITUTION, "credit_code": credit_code(900, SERVICE_AREA, "12"), "keeps_freelancer_files": True,
        "phone": "0472-5117890",
    })
    return org


def demo(loader) -> None:
    org = service()
    loader._account("talent_exchange", Role.EMPLOYER_HR, organisation=org, first_name=f"{SERVICE}（演示）")
    profile = freelance_engineer()
    plan = AnnualPlan.objects.get(year=2021)
    with clock.frozen(d(2021, 6, 1)):
        person = loader._new_person(org, 1989, **profile["person"])
        loader._archive(person, profile)
        # Their own work since 2015 has no employer: not the service that keeps the file.
        WorkPeriod.objects.filter(person=person, ended_on__isnull=True).update(employer_name="自由职业（结构设计咨询）", unit=None,
                                                                                 sector=Sector.PRIVATE)
        materials.add_achievements(person, profile)
        # Those name the person's unit as the case: a freelancer's cases are their clients' works, not the service's.
        Publication.objects.filter(person=person).update(title="土木工程设计中的若干问题与对策——以包头市既有住宅抗震加固设计为例")
        Project.objects.filter(person=person).update(name="包头市昆都仑区既有住宅抗震加固设计", level=ProjectLevel.COMMISSIONED)
        materials.add_evidence(person)
        account = loader._account("freelancer", Role.APPLICANT, person=person, first_name=person.name)
        series = Series.objects.get(code="engineering")
        app = start_declaration(person=person, plan=plan, series=series, level=profile["level"], actor=account,
                                specialty=Specialty.objects.filter(series=series, name=profile["specialty"]).first())
        app.fee_paid_at = clock.now()
        app.save()
        decision = screen(app, actor=account)
        loader._check_route(profile, decision, app)
        materials.hand_in(app, account)  # every item the declaration needs: the freelancer signs the pledge and submits
    loader.out(f"  自由职业：{person.name}（档案存放于{SERVICE}）的{app.title_label}申报草稿待提交")


def logins() -> list[tuple[str, str, str]]:
    """The two logins for load_demo to print, where the part made them."""
    users = {u.username: u for u in User.objects.filter(username__in=LOGINS).select_related("organisation", "person__unit")}
    rows = []
    if "talent_exchange" in users:
        rows.append(("talent_exchange", Role.EMPLOYER_HR.label,
                     f"{users['talent_exchange'].organisation.name}（存放自由职业人员档案，四（五）1）"))
    if "freelancer" in users:
        rows.append(("freelancer", Role.APPLICANT.label,
                     f"自由职业，档案存放于{users['freelancer'].person.unit.name}；草稿待提交（申报期5月15日至6月30日内）"))
    return rows
