"""Loading the demo region: idempotent, and every declaration moved by the domain functions."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.catalogue import materials_data
from zhicheng.catalogue.models import AnnualPlan, Level, Series, Specialty, TitleName
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.screening import screen
from zhicheng.declarations.services import GuardFailed, sign_pledge, start_declaration
from zhicheng.declarations.states import State, is_recognition
from zhicheng.orgs.models import Committee, Organisation, OrgKind
from zhicheng.people.models import (
    AnnualAssessment, BlacklistEntry, ContinuingEducation, Education, Ethnicity, Honour, Award, Person, PoliticalStatus, TitleHeld, WorkPeriod,
)
from zhicheng.review.models import Expert, PlanStatus, ReviewPlan, ServiceYear
from zhicheng.review.pool import apply_title

from . import applicants as A
from . import materials
from .cycle import Driver, Intent, schedule_2021
from .ids import id_number
from .region import load_areas, load_catalogue, load_committees, load_organisations

# The published demo password; load_demo refuses production databases.
DEMO_PASSWORD = "zhicheng2021"  # nosec B105
# The demo experts' TOTP secret (enter it in any authenticator app) and the draw's two secrets:
# published here so that anyone can re-run the demo draw. A real office and supervisor keep theirs.
# Published on purpose, demo only.
DEMO_TOTP_SECRET = "ZHICHENGDEMOEXPERTSECRETKEY23456"  # nosec B105
DEMO_OFFICE_SECRET = "5eed" * 16
DEMO_SUPERVISOR_SECRET = "c0de" * 16
DEMO_DAY = dt.date(2021, 9, 15)
DEMO_MAIL_DOMAIN = "demo.zhicheng.local"
# The logins load_demo prints (friendly_logins), in its order; the login page lists those present.
DEMO_LOGINS = ("applicant", "declarant", "freelancer", "employer", "talent_exchange", "department", "city_bureau", "county_bureau",
               "recommender", "talent_centre", "committee_office", "regional_hr", "supervisor", "economics_office", "expert", "admin")
LATE = {State.DRAFT: dt.date(2021, 6, 28), State.SUBMITTED: dt.date(2021, 9, 1)}
LATEST = {State.DRAFT: dt.date(2021, 6, 28), State.SUBMITTED: dt.date(2021, 9, 13)}
P = A  # profiles

# (profile, kwargs, target state, not_before, correct_once). Every route and every state appears.
CASTING = [
    # —— the main wave, run through to certificates ——
    (P.regular_engineer, {}, State.CERTIFIED, {}, False),
    (P.regular_engineer, {}, State.CERTIFIED, {}, True),
    (P.regular_lecturer, {}, State.CERTIFIED, {}, False),
    (P.regular_teacher, {}, State.CERTIFIED, {}, False),
    (P.regular_vocational_teacher, {}, State.CERTIFIED, {}, False),
    (P.regular_city_engineer_intermediate, {}, State.CERTIFIED, {}, False),
    (P.regular_agronomist, {}, State.CERTIFIED, {}, False),
    (P.exceptional_full_senior, {}, State.CERTIFIED, {}, False),
    (P.exceptional_next_level, {}, State.CERTIFIED, {}, False),
    (P.township_direct_intermediate, {}, State.CERTIFIED, {}, False),
    (P.graduate_recognition, {}, State.CERTIFIED, {}, False),
    (P.non_public_direct, {}, State.CERTIFIED, {}, False),
    (P.postdoc_recognition, {}, State.CERTIFIED, {}, False),
    (P.series_transfer, {}, State.CERTIFIED, {}, False),
    (P.transferred_cadre, {}, State.CERTIFIED, {}, False),
    (P.grassroots_long_service, {}, State.CERTIFIED, {}, False),
    (P.epidemic_direct, {}, State.CERTIFIED, {}, False),
    (P.regular_health, {}, State.CERTIFIED, {}, False),
    (P.regular_county_doctor, {}, State.CERTIFIED, {}, False),
    (P.entrusted_engineer, {}, State.CERTIFIED, {}, False),
    (P.green_channel, {}, State.CERTIFIED, {}, False),
    (P.high_skill_bridge, {}, State.CERTIFIED, {}, False),
    (P.regular_engineer, {"unit": "包头钢铁（集团）有限责任公司"}, State.REVOKED, {}, False),
    (P.regular_health, {"unit": "包头市中心医院"}, State.FILED, {}, False),
    (P.regular_agronomist, {"unit": "通辽市农牧业技术推广中心"}, State.FILED, {}, False),
    (P.regular_engineer, {"unit": "呼和浩特市市政工程设计研究院"}, State.RESULT_PUBLISHED, {}, False),
    (P.regular_teacher, {"unit": "敖汉旗第一中学"}, State.RESULT_PUBLISHED, {}, False),
    (P.regular_health, {"unit": "呼和浩特市第一医院"}, State.RESULT_PUBLICITY, {}, False),
    (P.regular_lecturer, {}, State.RESULT_PUBLICITY, {}, False),
    (P.regular_agronomist, {"unit": "宁城县农牧技术推广中心"}, State.PASSED, {}, False),
    (P.regular_engineer, {"unit": "内蒙古自治区建筑勘察设计研究院"}, State.PASSED, {}, False),
    (P.regular_teacher, {"unit": "上都镇中心学校"}, State.FAILED, {}, False),
    (P.regular_engineer, {"unit": "包头钢铁（集团）有限责任公司"}, State.FAILED, {}, False),
    (P.regular_economist, {}, State.UNDER_REVIEW, {}, False),
    (P.regular_economist, {}, State.UNDER_REVIEW, {}, False),
    (P.regular_economist, {"unit": "内蒙古自治区建筑勘察设计研究院"}, State.UNDER_REVIEW, {}, False),
    (P.regular_vocational_teacher, {}, State.ACCEPTED, {}, False),
    (P.regular_city_engineer_intermediate, {}, State.ACCEPTED, {}, False),
    (P.regular_health, {"unit": "土默特左旗人民医院"}, State.COMMITTEE_INTAKE, {}, False),
    (P.graduate_recognition, {}, State.COMMITTEE_INTAKE, {}, False),
    (P.regular_teacher, {"unit": "呼和浩特市第二中学"}, State.TALENT_CENTRE_REVIEW, {}, False),
    (P.regular_county_doctor, {"unit": "凉城县人民医院"}, State.TALENT_CENTRE_REVIEW, {}, False),
    (P.regular_engineer, {}, State.WITHDRAWN, {}, False),
    (P.regular_agronomist, {}, State.DEEMED_WITHDRAWN, {}, True),
    (P.regular_city_engineer_intermediate, {}, State.RETURNED, {}, False),
    (P.non_public_direct, {"unit": "包头市稀宝新材料科技有限公司", "recommender": "包头稀土高新区职称申报受理服务点"}, State.CERTIFIED, {}, False),
    (P.regular_health, {"unit": "鄂尔多斯市中心医院"}, State.CERTIFIED, {}, False),
    (P.regular_teacher, {"unit": "正蓝旗蒙古族中学"}, State.CERTIFIED, {}, False),
    (P.entrusted_engineer, {"unit": "国网内蒙古东部电力有限公司"}, State.CERTIFIED, {}, False),
    (P.regular_engineer, {"unit": "呼和浩特市社会工作协会"}, State.RETURNED, {}, False),
    # —— the late wave, still in the declaration stages on the demo day ——
    (P.regular_engineer, {}, State.SUBMITTED, LATE, False),
    (P.regular_health, {"unit": "呼和浩特市第一医院"}, State.SUBMITTED, LATE, False),
    (P.regular_teacher, {}, State.SUBMITTED, LATE, False),
    (P.regular_health, {"unit": "呼和浩特市第一医院"}, State.EMPLOYER_PUBLICITY, LATEST, False),
    (P.regular_engineer, {}, State.EMPLOYER_PUBLICITY, LATEST, False),
    (P.non_public_direct, {}, State.RECOMMENDER_REVIEW, LATE, False),
    (P.non_public_direct, {"unit": "包头市稀宝新材料科技有限公司", "recommender": "包头稀土高新区职称申报受理服务点"}, State.RECOMMENDER_REVIEW, LATE, False),
    (P.entrusted_engineer, {}, State.ENTRUSTMENT_REVIEW, LATE, False),
    (P.regular_health, {"unit": "呼和浩特市第一医院"}, State.DEPARTMENT_REVIEW, LATE, False),
    (P.regular_teacher, {"unit": "敖汉旗第一中学"}, State.DEPARTMENT_REVIEW, LATE, False),
    (P.regular_engineer, {}, State.DEPARTMENT_REVIEW, LATE, False),
    (P.regular_health, {"unit": "呼和浩特市第一医院"}, State.CORRECTION_REQUESTED, LATE, True),
    (P.regular_teacher, {}, State.CORRECTION_REQUESTED, LATE, True),
    (P.regular_county_doctor, {}, State.COUNTY_BUREAU_REVIEW, LATE, False),
    (P.high_skill_bridge, {}, State.COUNTY_BUREAU_REVIEW, LATE, False),
    (P.regular_health, {"unit": "包头市中心医院"}, State.CITY_BUREAU_REVIEW, LATE, False),
    (P.regular_economist, {}, State.CITY_BUREAU_REVIEW, LATE, False),
    (P.regular_health, {"unit": "呼和浩特市第一医院"}, State.ROSTER_PUBLICITY, LATE, False),
    (P.regular_agronomist, {}, State.ROSTER_PUBLICITY, LATE, False),
    (P.regular_engineer, {}, State.ROSTER_PUBLICITY, LATE, False),
    (P.exceptional_next_level, {}, State.ROSTER_PUBLICITY, LATE, False),
    (P.regular_county_doctor, {"unit": "土默特左旗人民医院"}, State.ROSTER_PUBLICITY, LATE, False),
    (P.regular_lecturer, {}, State.DEPARTMENT_REVIEW, LATE, False),
    (P.regular_health, {"unit": "内蒙古自治区综合疾病预防控制中心"}, State.ROSTER_PUBLICITY, LATE, False),
    (P.township_direct_intermediate, {}, State.COUNTY_BUREAU_REVIEW, LATE, False),
    (P.grassroots_long_service, {}, State.CITY_BUREAU_REVIEW, LATE, False),
    (P.epidemic_direct, {}, State.DEPARTMENT_REVIEW, LATE, False),
    (P.series_transfer, {}, State.SUBMITTED, LATE, False),
    (P.postdoc_recognition, {}, State.CITY_BUREAU_REVIEW, LATE, False),
    (P.green_channel, {}, State.EMPLOYER_PUBLICITY, LATEST, False),
    (P.transferred_cadre, {}, State.CITY_BUREAU_REVIEW, LATE, False),
    # —— drafts: eligible ones never submitted, and one per block ——
    (P.regular_engineer, {}, State.DRAFT, {}, False),
    (P.regular_health, {}, State.DRAFT, {}, False),
    *[((lambda b=b: P.blocked(b)), {}, State.DRAFT, {}, False) for b in P.BLOCKS],
]


# ---- the production guard -----------------------------------------------------------------
# The demo creates a superuser with the published password and experts with the published TOTP secret:
# it must never land in a real deployment's database.
NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


def production_reasons(*, debug: bool, environ, database: dict) -> list[str]:
    """Why the database looks like a production one (in Chinese), or nothing."""
    reasons = []
    if not debug and environ.get("SECRET_KEY"):
        reasons.append("DEBUG 已关闭且 SECRET_KEY 来自环境变量（生产配置）")
    if "postgresql" in database["ENGINE"] and "demo" not in str(database["NAME"] or "").lower():
        reasons.append(f"数据库是 PostgreSQL 库“{database['NAME']}”，库名不含 demo")
    return reasons


def describe_database(database: dict) -> str:
    """Which database, without its password."""
    if "postgresql" in database["ENGINE"]:
        return f"PostgreSQL 库“{database['NAME']}”（{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}）"
    return f"SQLite 文件 {database['NAME']}"


# The age at which one typically completes each education level: a demo applicant is never younger at graduation.
GRADUATION_AGE = {"secondary_vocational": 18, "high_school": 18, "associate": 21, "bachelor": 22, "master": 25, "doctorate": 28}


def latest_birth_year(profile: dict) -> int:
    """The latest year of birth the profile's archive is plausible for: graduation at its level's usual age, work from
    18, a first title from 21."""
    years = [graduated.year - GRADUATION_AGE.get(level, 22) for level, graduated, *_ in profile["education"]]
    years += [started.year - 18 for started, *_ in profile["work"]]
    years += [obtained.year - 21 for _series, _level, obtained in profile["titles"]]
    return min(years, default=1992)


class DemoLoader:
    def __init__(self, out=print, seed: int = 2021):
        self.out = out
        # Reproducible invented demo data, not a secret.
        self.rng = random.Random(seed)  # nosec B311
        self.serial = 0
        self.password_hash = make_password(DEMO_PASSWORD)

    # ---- people ---------------------------------------------------------------------------
    def _new_person(self, unit: Organisation, birth_year: int, **fields) -> Person:
        self.serial += 1
        name = self.rng.choice(A.SURNAMES) + self.rng.choice(A.GIVEN)
        birth = dt.date(birth_year, 1 + self.serial % 12, 1 + self.serial % 28)
        area_code = unit.area.code[:6] if unit.area.code != "150000" else "150102"
        number = id_number(area_code, birth, self.serial * 2 + self.rng.randint(0, 1))
        # From the serial, not the generator: the demo's names and numbers stay what they were.
        fields.setdefault("ethnicity", Ethnicity.E02 if self.serial % 5 == 0 else Ethnicity.E01)
        fields.setdefault("political_status", (PoliticalStatus.CPC_MEMBER, PoliticalStatus.MASSES, PoliticalStatus.MASSES)[self.serial % 3])
        return Person.objects.create(name=name, id_number=number, unit=unit, phone=f"139{self.serial:08d}", **fields)

    def _account(self, username: str, role: str, *, organisation=None, person=None, first_name="") -> User:
        user, created = User.objects.get_or_create(username=username, defaults={
            "role": role, "organisation": organisation, "person": person, "first_name": first_name, "password": self.password_hash,
            "email": f"{username}@{DEMO_MAIL_DOMAIN}",
        })
        return user

    def _archive(self, person: Person, profile: dict) -> None:
        unit = person.unit
        for level, graduated, full_time, school, major in profile["education"]:
            Education.objects.create(person=person, level=level, graduated_on=graduated, full_time=full_time, school=school, major=major)
        for started, ended, professional, series in profile["work"]:
            level = profile.get("work_level", unit.level)
            WorkPeriod.objects.create(
                person=person, employer_name=unit.name if ended is None else "原工作单位", unit=unit if ended is None else None,
                started_on=started, ended_on=ended, professional=professional, series=series or "",
                unit_level=level, sector=unit.sector, post="专业技术岗位" if professional else "管理岗位",
            )
        for series, level, obtained in profile["titles"]:
            # The title's own name (工程师, 主治医师...), never the series with a level code.
            title = TitleName.objects.filter(series__code=series, level=level).order_by("pk").first()
            TitleHeld.objects.create(person=person, series=series, level=level, obtained_on=obtained,
                                     title_name=title.name if title else f"{Series.objects.get(code=series).name}{Level(level).label}",
                                     issued_by="内蒙古自治区人力资源和社会保障厅")
        for code, year, name in profile.get("honours", []):
            Honour.objects.create(person=person, code=code, year=year, name=name)
        for name, scope, grade, year in profile.get("awards", []):
            Award.objects.create(person=person, name=name, scope=scope, grade=grade, year=year, rated_winner=True)
        for year in (2018, 2019, 2020):
            AnnualAssessment.objects.create(person=person, year=year, grade="excellent" if year == 2020 else "competent")
            ContinuingEducation.objects.create(person=person, year=year, hours=90)
        if profile.get("blacklisted"):
            BlacklistEntry.objects.create(person=person, listed_on=profile["blacklisted"], reason="论文抄袭", document_number="内人社职撤〔2019〕3号")

    # ---- region ---------------------------------------------------------------------------
    def load_region(self):
        areas = load_areas()
        load_catalogue(2021)
        orgs = load_organisations(areas)
        committees = load_committees(areas, orgs)
        for org in Organisation.objects.exclude(kind=OrgKind.UNIT):
            role = {OrgKind.REGIONAL_HR_DEPARTMENT: Role.REGIONAL_HR_DEPARTMENT}.get(org.kind, org.kind)
            self._account(f"org{org.pk}", role, organisation=org, first_name=org.name[:30])
        for org in Organisation.objects.filter(kind=OrgKind.UNIT):
            self._account(f"org{org.pk}", Role.EMPLOYER_HR, organisation=org, first_name=f"{org.name[:24]}人事处")
        return areas, orgs, committees

    def load_experts(self, orgs, count: int = 320):
        """The pools: each expert's title is a title record of the person, their category comes from the unit."""
        if Expert.objects.exists():
            return
        units = list(Organisation.objects.filter(kind=OrgKind.UNIT).select_related("area"))
        committees = list(Committee.objects.select_related("series"))
        series = list({c.series_id: c.series for c in committees}.values())  # each once, in the committees' order
        for i in range(count):
            self._pool_expert(series[i % len(series)], self.rng.choice(units), i, committees)

    def _pool_expert(self, series, unit, i: int, committees) -> Expert:
        person = self._new_person(unit, self.rng.randint(1960, 1980))
        level = "full_senior" if i % 3 == 0 else "associate_senior"
        title = TitleName.objects.filter(series=series, level=level).first()
        TitleHeld.objects.create(person=person, series=series.code, level=level, obtained_on=dt.date(2005 + i % 12, 12, 1),
                                 title_name=title.name if title else f"{series.name}{Level(level).label}",
                                 issued_by="内蒙古自治区人力资源和社会保障厅")
        available = self.rng.random() > 0.05
        expert = Expert(person=person, unit=unit, series=series, available=available,
                        unavailable_reason="" if available else "本年度外出访学",
                        specialty=Specialty.objects.filter(series=series).order_by("pk")[i % 3:i % 3 + 1].first())
        apply_title(expert)
        expert.save()
        pools = [c for c in committees if c.series_id == series.pk]
        expert.committees.set(pools)
        # Rotation: some served last year, a few the last three years running (七（四）5).
        years = (2018, 2019, 2020) if i % 17 == 0 else (2020,) if i % 4 == 0 else ()
        ServiceYear.objects.bulk_create([ServiceYear(expert=expert, committee=c, year=y) for c in pools for y in years])
        return expert

    def review_plans(self, committees):
        for committee in committees.values():
            september = committee.series.code == "economics"
            plan, created = ReviewPlan.objects.get_or_create(committee=committee, year=2021, defaults={
                "status": PlanStatus.APPROVED, "place": "呼和浩特市",
                "filed_on": dt.date(2021, 9, 1) if september else dt.date(2021, 7, 20),
                "approved_on": dt.date(2021, 9, 3) if september else dt.date(2021, 7, 23),
                "review_starts_on": dt.date(2021, 9, 13) if september else dt.date(2021, 8, 9),
                "review_ends_on": dt.date(2021, 9, 17) if september else dt.date(2021, 8, 13),
                "declarations_summary": "本年度受理的申报见所附花名册。",
                "composition": "从本评委会专家评委库中随机抽选评委，基层一线和非公有制领域专家不少于规定人数，至少三分之一轮换。",
                "procedure": "评议组审阅材料并提出书面意见；评审会议听取评议组意见后无记名投票，同意票达到出席评委三分之二为通过。",
                "measures": "封闭评审；评委回避；纪检监察部门全程监督；评审结果公示不少于5个工作日。",
            })
            if created:  # filed with what 七（三） asks beside the roster: the review forms and the experts recommended
                plan.attachments.add(materials.plan_attachment(plan))

    # ---- declarations ---------------------------------------------------------------------
    def load_declarations(self, orgs) -> Driver:
        plan = AnnualPlan.objects.get(year=2021)
        # The material checklist and the standard deficiencies the applicants and checkers work from
        # (seeded by a migration; a flushed database has lost them). Never overwrites an edited list.
        materials_data.load()
        intents = {}
        with clock.frozen(dt.date(2021, 6, 1)):
            for index, (profile_fn, kwargs, target, not_before, correct_once) in enumerate(CASTING):
                profile = profile_fn(**kwargs)
                unit = Organisation.objects.get(name=profile["unit"])
                # Drawn as before (the generator's stream keeps the demo's names), then no later than the archive allows.
                birth_year = min(self.rng.randint(1970, 1992), latest_birth_year(profile))
                person = self._new_person(unit, birth_year, **profile.get("person", {}),
                                          rural_service_years=profile.get("rural_service_years", 0))
                self._archive(person, profile)
                materials.add_achievements(person, profile)
                materials.add_evidence(person)
                # Applicants log in with their 身份证 number, as the ones who register do.
                account = self._account(person.id_number, Role.APPLICANT, person=person, first_name=person.name)
                series = Series.objects.get(code=profile["series"])
                recommender = Organisation.objects.get(name=profile["recommender"]) if profile.get("recommender") else (
                    Organisation.objects.filter(kind=OrgKind.RECOMMENDING_BODY).first() if unit.sector == "private" else None)
                try:
                    app = start_declaration(
                        person=person, plan=plan, series=series, level=profile["level"], actor=account,
                        specialty=Specialty.objects.filter(series=series, name=profile.get("specialty")).first(), recommender=recommender,
                    )
                except GuardFailed:
                    continue  # the blacklisted profile: refused at the start (八（三）), so it has no draft
                for field_name, value in profile.get("application", {}).items():
                    setattr(app, field_name, value)
                if profile.get("entrusted"):
                    app.entrustment_letter = materials.entrustment_letter(app)
                if profile.get("exam"):
                    app.exam_score, app.exam_confirmed_at = profile["exam"], clock.now()
                # Everyone else pays before the unit reports; a recognition is not reviewed and pays nothing (五（十二））.
                if (target != State.DRAFT or profile.get("block") is None) and not is_recognition(profile.get("route")):
                    app.fee_paid_at = clock.now()
                app.save()
                decision = screen(app, actor=account)
                self._check_route(profile, decision, app)
                materials.hand_in(app, account, draft=target == State.DRAFT)
                if target != State.DRAFT:
                    sign_pledge(app, account, "本人承诺所提交的申报材料真实、准确、完整……")
                intents[app.pk] = Intent(target=target, not_before=dict(not_before), correct_once=correct_once)
        driver = Driver(intents, applicants=materials)
        driver.run(schedule_2021())
        return driver

    def _check_route(self, profile, decision, app):
        if profile.get("block"):
            blocks = {b["block"] for b in decision["blocks"]}
            if profile["block"] not in blocks:
                self.out(f"  ! {app.person.name}: 期望被{profile['block']}阻止，引擎结论 {sorted(blocks)}")
        elif profile["route"] and not any(r["route"] == profile["route"] and r["eligible"] for r in decision["routes"]):
            self.out(f"  ! {app.person.name}: 期望途径 {profile['route']} 不符合；阻止 {[b['block'] for b in decision['blocks']]}")

    def review_demo(self):
        """The economics committee's review in progress on the demo day (15 September 2021): pool filed
        with the region, committee drawn by commit-reveal, panels with their dossiers (recusals found),
        first opinions written, the meeting set for 16 September."""
        from zhicheng.review import drawing, meeting, otp, panels, pool

        committee = Committee.objects.select_related("series", "office").get(series__code="economics")
        plan = ReviewPlan.objects.get(committee=committee, year=2021)
        office = User.objects.filter(organisation=committee.office).order_by("pk").first()
        regional = User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_superuser=False).order_by("pk").first()
        supervisor = self._account("supervisor", Role.SUPERVISOR, organisation=regional.organisation, first_name="纪检监察（演示）")
        self._top_up_pool(committee)
        with clock.frozen(dt.date(2021, 8, 20)):
            filing = pool.file_pool(committee, 2021, office)
        with clock.frozen(dt.date(2021, 8, 23)):
            pool.acknowledge_filing(filing, regional)
        spec = drawing.default_spec(plan) | {
            "quotas": {"grassroots": {"true": {"min": 5}}, "private_sector": {"true": {"min": 2}}}, "employer_cap": 3,
        }
        with clock.frozen(dt.date(2021, 9, 3)):
            draw = drawing.start_draw(plan, office, spec)
            drawing.commit(draw, office, hashlib.sha256(DEMO_OFFICE_SECRET.encode()).hexdigest())
            drawing.commit(draw, supervisor, hashlib.sha256(DEMO_SUPERVISOR_SECRET.encode()).hexdigest())
            drawing.publish(draw, office, 3)
        with clock.frozen(dt.date(2021, 9, 10)):
            drawing.reveal(draw, office, DEMO_OFFICE_SECRET)
            drawing.reveal(draw, supervisor, DEMO_SUPERVISOR_SECRET)
            drawing.perform(draw, office)
            members = [m.expert for m in drawing.sitting_members(plan).order_by("expert__pk")]
            drawing.set_chair(draw.members.get(expert=members[0]), office)
        # Every drawn member has a login (the chair is ``expert``, the others expert2 … expert25), so that the meeting can
        # reach its quorum of two thirds and pass declarations (七（四））: only an expert's own login votes.
        for i, expert in enumerate(members):
            user = self._account("expert" if i == 0 else f"expert{i + 1}", Role.EXPERT, first_name=expert.person.name)
            expert.user = user
            expert.save(update_fields=["user"])
            otp.set_secret(user, DEMO_TOTP_SECRET)
        dossiers = list(Application.objects.filter(committee=committee, state=State.UNDER_REVIEW).order_by("pk"))
        with clock.frozen(dt.date(2021, 9, 13)):
            panel = panels.create_panel(plan, office, "工商管理组", members[:7])
            panels.assign(panel, office, dossiers)
            panels.create_panel(plan, office, "金融与人力资源组", members[7:14])
            m = meeting.schedule(plan, office, held_on=dt.date(2021, 9, 16), place="内蒙古自治区人力资源和社会保障厅评审中心")
            meeting.configure_groups(m, office, {"general": 100, "grassroots": 80, "private_sector": None})
        with clock.frozen(dt.date(2021, 9, 14)):
            for assignment in panel.assignments.filter(recused=False, expert__in=members[1:4]).select_related("expert__user"):
                if assignment.expert.user_id:
                    panels.submit_opinion(assignment, assignment.expert.user, recommendation="support",
                                          text="业绩材料完整，企业管理成果突出，符合高级经济师评审条件。")

    def _top_up_pool(self, committee):
        """Enough economics experts, grassroots and private-sector ones among them, for a committee of 25."""
        committees = list(Committee.objects.select_related("series"))
        units = list(Organisation.objects.filter(kind=OrgKind.UNIT).select_related("area").order_by("pk"))
        grassroots = [u for u in units if u.level in ("county", "township")]
        private = [u for u in units if u.sector == "private"]
        candidates = grassroots + private + units
        for i in range(44 - committee.pool.count()):  # each new expert joins this committee's pool
            self._pool_expert(committee.series, candidates[i % len(candidates)], 1000 + i, committees)

    # ---- logins ---------------------------------------------------------------------------
    # Supervision, statistics, interconnection and the exchange of certificates each add their part of the demo, in this
    # order (signals before the spot checks they weight, findings before the orders they give; the exchange last, so
    # that the people made before keep their names): dotted paths of functions taking the loader.
    OVERSIGHT_PARTS: tuple[str, ...] = (
        "zhicheng.monitoring.demo.demo",
        "zhicheng.supervision.demo.demo",  # after the signals it weights by
        "zhicheng.rectification.demo.demo",  # after the spot checks: orders from their findings
        "zhicheng.webhooks.demo.demo",
        "zhicheng.certificates.demo.demo",
        "zhicheng.demo.freelance.demo",  # after the exchange: a freelancer and the service keeping their file (四（五）1)
    )

    def oversight_demo(self):
        for dotted in self.OVERSIGHT_PARTS:
            import_string(dotted)(self)

    def friendly_logins(self) -> list[tuple[str, str, str]]:
        """One login per role, each attached to the organisation with the fullest queue of that kind."""
        logins = []

        def busiest(kind, **filters):
            orgs = Organisation.objects.filter(kind=kind, **filters)
            return max(orgs, key=lambda o: (Application.objects.filter(holder=o).count(), -o.pk))

        plan = [
            ("employer", Role.EMPLOYER_HR, busiest(OrgKind.UNIT)),
            ("department", Role.COMPETENT_DEPARTMENT, busiest(OrgKind.COMPETENT_DEPARTMENT)),
            ("city_bureau", Role.HR_BUREAU, busiest(OrgKind.HR_BUREAU, level="city")),
            ("county_bureau", Role.HR_BUREAU, busiest(OrgKind.HR_BUREAU, level="county")),
            ("recommender", Role.RECOMMENDING_BODY, busiest(OrgKind.RECOMMENDING_BODY)),
            ("talent_centre", Role.TALENT_SERVICE_CENTRE, Organisation.objects.get(kind=OrgKind.TALENT_SERVICE_CENTRE)),
            ("committee_office", Role.COMMITTEE_OFFICE, busiest(OrgKind.COMMITTEE_OFFICE)),
            ("regional_hr", Role.REGIONAL_HR_DEPARTMENT, Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)),
            ("supervisor", Role.SUPERVISOR, Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)),
        ]
        for username, role, org in plan:
            self._account(username, role, organisation=org, first_name=f"{org.name[:20]}（演示）")
            logins.append((username, Role(role).label, org.name))
        # Two applicants by name: one waiting for corrections, one with a draft to submit (in the window only).
        for username, apps, where in (
            ("declarant", Application.objects.filter(state=State.DRAFT, eligible=True), "草稿待提交（申报期5月15日至6月30日内）"),
            ("applicant", Application.objects.filter(state=State.CORRECTION_REQUESTED), "有待补正的申报"),
        ):
            app = apps.select_related("person__account").order_by("pk").first()
            if app and not User.objects.filter(username=username).exists():
                account = app.person.account
                account.username = username
                account.save(update_fields=["username"])
            logins.insert(0, (username, Role.APPLICANT.label, where))
        logins += import_string("zhicheng.demo.freelance.logins")()
        economics = Organisation.objects.get(committee__series__code="economics")
        if not any(name == economics.name for _, _, name in logins):
            self._account("economics_office", Role.COMMITTEE_OFFICE, organisation=economics, first_name=f"{economics.name[:20]}（演示）")
            logins.append(("economics_office", Role.COMMITTEE_OFFICE.label, economics.name))
        logins.append(("expert", Role.EXPERT.label, f"经济系列高评委主任委员（9月13日至17日评审）；动态口令密钥 {DEMO_TOTP_SECRET}"
                       + self._other_experts()))
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", f"admin@{DEMO_MAIL_DOMAIN}", DEMO_PASSWORD, role=Role.REGIONAL_HR_DEPARTMENT,
                                          organisation=Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))
        logins.append(("admin", "后台管理员", "/admin/"))
        return logins

    @staticmethod
    def _other_experts() -> str:
        """The other drawn members' logins (expert2 …), said on the chair's line: one login a role is printed and listed."""
        numbers = sorted(int(name[6:]) for name in User.objects.filter(role=Role.EXPERT, username__regex=r"^expert[0-9]+$")
                         .values_list("username", flat=True))
        if not numbers:
            return ""
        return (f"；评委会其余{len(numbers)}位评委的登录名为 expert{numbers[0]} 至 expert{numbers[-1]}，密码和动态口令密钥同上"
                f"（{len(numbers) + 1}人均可登录投票，出席三分之二即达法定人数）")

    def run(self) -> list[tuple[str, str, str]]:
        with override_settings(NOTIFICATIONS_EMAIL_ON_COMMIT=False):  # in-app messages only while loading
            return self._run()

    def _run(self) -> list[tuple[str, str, str]]:
        with transaction.atomic():
            areas, orgs, committees = self.load_region()
            self.load_experts(orgs)
            self.review_plans(committees)
        if not Application.objects.exists():
            driver = self.load_declarations(orgs)
            for pk, action, msg in driver.refused:
                self.out(f"  ! 申报{pk} {action}: {msg}")
            self.review_demo()
            self.oversight_demo()
            missing = set(State.values) - set(Application.objects.values_list("state", flat=True))
            if missing:
                self.out(f"  ! 演示数据缺少以下状态：{sorted(missing)}")
            wrong = [pk for pk, intent in driver.intents.items() if Application.objects.get(pk=pk).state != intent.target]
            if wrong:
                self.out(f"  ! {len(wrong)} 份申报未到达预定状态：{wrong[:10]}")
        return self.friendly_logins()
