"""Building blocks for the committee-side tests: experts from records, a draw run by commit-reveal,
panels, a meeting. Everything goes through the review services, as the pages do."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pyotp

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import Specialty, TitleName
from zhicheng.core import clock
from zhicheng.demo.loader import DemoLoader
from zhicheng.orgs.models import Committee, Organisation, OrgKind
from zhicheng.people.models import TitleHeld
from zhicheng.review import drawing, meeting, otp, panels
from zhicheng.review.models import Expert, ReviewPlan, ServiceYear

D = dt.date
ENGINEERING = "内蒙古自治区工程系列高级职称评审委员会"
OFFICE_SECRET = "0f" * 32
SUPERVISOR_SECRET = "a5" * 32
# The engineering committee's plan (tests/conftest.py): filed 20 July, approved 23 July, review 9–13 August.
PUBLISH_DAY, DRAW_DAY, REVIEW_DAY = D(2021, 7, 26), D(2021, 7, 30), D(2021, 8, 10)

_serial = itertools.count(1)


def commitment(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def staff(organisation) -> User:
    return User.objects.filter(organisation=organisation, is_active=True).order_by("pk").first()


class Kit:
    def __init__(self, committee_name: str = ENGINEERING):
        self.loader = DemoLoader(out=lambda *a: None, seed=11)
        self.committee = Committee.objects.select_related("series", "office").get(name=committee_name)
        self.plan = ReviewPlan.objects.get(committee=self.committee, year=2021)
        self.office = staff(self.committee.office)
        regional = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
        self.regional = staff(regional)
        self.supervisor = User.objects.create(username=f"jjjc{next(_serial)}", role=Role.SUPERVISOR, organisation=regional)

    # ---- experts ------------------------------------------------------------------------
    def expert(self, unit: str = "内蒙古大学", *, specialty: str | None = None, level: str = "full_senior", served=(),
               available: bool = True, login: bool = False) -> Expert:
        unit_org = Organisation.objects.get(name=unit)
        person = self.loader._new_person(unit_org, 1968)
        series = self.committee.series
        title = TitleName.objects.get(series=series, level=level)
        TitleHeld.objects.create(person=person, series=series.code, level=level, title_name=title.name, obtained_on=D(2012, 12, 1))
        expert = Expert(person=person, unit=unit_org, series=series,
                        specialty=Specialty.objects.filter(series=series, name=specialty).first() if specialty else None,
                        available=available, unavailable_reason="" if available else "出国访问")
        from zhicheng.review.pool import apply_title

        apply_title(expert)
        expert.save()
        expert.committees.add(self.committee)
        for year in served:
            ServiceYear.objects.create(expert=expert, committee=self.committee, year=year)
        if login:
            self.login_for(expert)
        return expert

    def login_for(self, expert: Expert) -> User:
        user = User.objects.create(username=f"zj{expert.pk}", role=Role.EXPERT, first_name=expert.person.name)
        expert.user = user
        expert.save(update_fields=["user"])
        otp.set_secret(user, pyotp.random_base32())
        return user

    def experts(self, count: int, **kwargs) -> list[Expert]:
        units = ["内蒙古大学", "内蒙古自治区人民医院", "呼和浩特市第一医院", "包头市中心医院", "赤峰市农牧科学研究所",
                 "鄂尔多斯市中心医院", "通辽市农牧业技术推广中心", "内蒙古自治区农牧业科学院"]
        return [self.expert(units[i % len(units)], **kwargs) for i in range(count)]

    # ---- the draw -----------------------------------------------------------------------
    def spec(self, **overrides) -> dict:
        spec = drawing.default_spec(self.plan)
        spec["max_served_last_year"] = 2 * overrides.get("size", spec["size"]) // 3
        spec.update(overrides)
        return spec

    def start(self, **spec) -> object:
        with clock.frozen(PUBLISH_DAY):
            draw = drawing.start_draw(self.plan, self.office, self.spec(**spec))
            drawing.commit(draw, self.office, commitment(OFFICE_SECRET))
            drawing.commit(draw, self.supervisor, commitment(SUPERVISOR_SECRET))
        return draw

    def publish(self, draw, days: int = 3):
        with clock.frozen(PUBLISH_DAY):
            return drawing.publish(draw, self.office, days)

    def complete(self, draw):
        with clock.frozen(DRAW_DAY):
            drawing.reveal(draw, self.office, OFFICE_SECRET)
            drawing.reveal(draw, self.supervisor, SUPERVISOR_SECRET)
            return drawing.perform(draw, self.office)

    def seated(self, **spec):
        draw = self.start(**spec)
        self.publish(draw)
        return self.complete(draw)

    def members(self) -> list[Expert]:
        return [m.expert for m in drawing.sitting_members(self.plan)]

    def make_chair(self, expert: Expert) -> None:
        member = drawing.current_draw(self.plan).members.get(expert=expert, active=True)
        drawing.set_chair(member, self.office)

    # ---- panels, opinions, the meeting --------------------------------------------------
    def panel(self, name: str, experts, applications):
        with clock.frozen(REVIEW_DAY):
            panel = panels.create_panel(self.plan, self.office, name, experts)
            panels.assign(panel, self.office, applications)
        return panel

    def opinions(self, panel, recommendation: str = "support"):
        with clock.frozen(REVIEW_DAY):
            for assignment in panel.assignments.filter(recused=False).select_related("expert__user", "application"):
                panels.submit_opinion(assignment, assignment.expert.user, recommendation=recommendation, text="业绩突出，符合条件。")

    def meeting(self, present, *, rates=None):
        with clock.frozen(REVIEW_DAY):
            m = meeting.schedule(self.plan, self.office, held_on=REVIEW_DAY, place="呼和浩特市")
            if rates:
                meeting.configure_groups(m, self.office, rates)
            meeting.record_attendance(m, self.office, [e.pk for e in present])
        return m



def totp_now(user: User) -> str:
    return pyotp.TOTP(user.second_factor.secret).now()
