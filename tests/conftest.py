"""Shared fixtures: the demo region's structure loaded once per session, one user per role,
and helpers that build applicants from the demo archive profiles."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.utils import translation

D = dt.date


def pytest_configure(config):
    # Unit tests render templates without running collectstatic: plain static storage. The production
    # server the browser and process tests start collects and serves the hashed, compressed files.
    from django.conf import settings

    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # Audit checkpoints name entries of one database: the test databases' never go into the developer's var/
    # (nor do those of the processes the tests start, which inherit the environment).
    audit_dir = tempfile.mkdtemp(prefix="zhicheng-test-audit-")
    config.add_cleanup(lambda: shutil.rmtree(audit_dir, ignore_errors=True))
    os.environ["ZHICHENG_AUDIT_KEY_FILE"] = os.path.join(audit_dir, "audit-checkpoint-ed25519.pem")
    os.environ["ZHICHENG_AUDIT_CHECKPOINT_FILE"] = os.path.join(audit_dir, "checkpoints.jsonl")
    # Likewise the signed revocation list (its entries name one database's certificates).
    os.environ["ZHICHENG_REVOCATION_LIST_FILE"] = os.path.join(audit_dir, "revocations.jsonl")


def pytest_collection_modifyitems(session, config, items):
    """Browser and process tests last: they commit and flush, which would empty the region the others share."""
    items.sort(key=lambda item: (item.get_closest_marker("processes") is not None) or (item.get_closest_marker("browser") is not None))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The region, its bodies, committees and review plans, loaded once; tests roll back on top."""
    from zhicheng.demo.loader import DemoLoader

    with django_db_blocker.unblock():
        loader = DemoLoader(out=lambda *a: None)
        _, _, committees = loader.load_region()
        loader.review_plans(committees)


@pytest.fixture(autouse=True)
def _quiet_mail(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _language_back():
    """A request in English (a django_language cookie) activates English in the test's thread and leaves it there:
    the next test would read English where it expects the default Chinese. Every test ends in the default language."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(monkeypatch, tmp_path):
    """The checkpoints a test takes go to a file of its own: none outlives the (rolled back or flushed) entries it names."""
    monkeypatch.setenv("ZHICHENG_AUDIT_CHECKPOINT_FILE", str(tmp_path / "audit" / "checkpoints.jsonl"))
    monkeypatch.setenv("ZHICHENG_REVOCATION_LIST_FILE", str(tmp_path / "signing" / "revocations.jsonl"))


@pytest.fixture
def org():
    from zhicheng.orgs.models import Organisation

    return lambda name: Organisation.objects.get(name=name)


def staff_of(organisation):
    from zhicheng.accounts.models import User

    return User.objects.filter(organisation=organisation, is_active=True).order_by("pk").first()


@pytest.fixture
def make_applicant(db):
    """Create a person with the archive of a demo profile and a draft declaration, screened."""
    return applicant_maker()


def applicant_maker():
    """make_applicant's builder, for fixtures of a wider scope (tests/test_permissions.py builds its scene once per module)."""
    from zhicheng.catalogue.models import AnnualPlan, Series, Specialty
    from zhicheng.core import clock
    from zhicheng.declarations.screening import screen
    from zhicheng.declarations.services import start_declaration
    from zhicheng.demo.loader import DemoLoader
    from zhicheng.files.services import store_file
    from zhicheng.orgs.models import Organisation

    loader = DemoLoader(out=lambda *a: None, seed=7)

    def make(profile: dict, *, on: dt.date = D(2021, 6, 1), pledge=True, fee_paid=True):
        with clock.frozen(on):
            unit = Organisation.objects.get(name=profile["unit"])
            person = loader._new_person(unit, 1980, **profile.get("person", {}))
            loader._archive(person, profile)
            from zhicheng.accounts.roles import Role

            account = loader._account(f"p{person.id_number}", Role.APPLICANT, person=person, first_name=person.name)
            series = Series.objects.get(code=profile["series"])
            recommender = Organisation.objects.get(name=profile["recommender"]) if profile.get("recommender") else None
            app = start_declaration(
                person=person, plan=AnnualPlan.objects.get(year=2021), series=series, level=profile["level"], actor=account,
                specialty=Specialty.objects.filter(series=series, name=profile.get("specialty")).first(), recommender=recommender,
            )
            for name, value in profile.get("application", {}).items():
                setattr(app, name, value)
            if profile.get("entrusted"):
                app.entrustment_letter = store_file("委托函.pdf", b"%PDF-1.4\n%%EOF\n")
            if profile.get("exam"):
                app.exam_score, app.exam_confirmed_at = profile["exam"], clock.now()
            if fee_paid:
                app.fee_paid_at = clock.now()
            app.save()
            screen(app, actor=account)
            if pledge:
                from zhicheng.declarations.services import sign_pledge

                sign_pledge(app, account, "本人承诺所提交的申报材料真实、准确、完整。")
            app.refresh_from_db()
            return app

    return make


@dataclass
class Roles:
    """One user per role, each with an out-of-scope twin from elsewhere in the region."""

    applicant: object
    other_applicant: object
    employer: object
    other_employer: object
    department: object
    other_department: object
    city_bureau: object
    county_bureau: object
    other_city_bureau: object
    other_county_bureau: object
    recommender: object
    talent_centre: object
    committee_office: object
    other_committee_office: object
    expert: object
    other_expert: object
    regional_hr: object
    supervisor: object


@contextmanager
def built_once(django_db_blocker, build):
    """For a module-scoped fixture: ``build()``'s objects, made once for the module inside a transaction rolled back
    after its last test (each test rolls back its own changes on top, in a savepoint), so the other modules find the
    database as the session left it."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # lets durable blocks inside the tests run, as in a TestCase
        atomic.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def scene(db, make_applicant):
    return build_scene(make_applicant)


def build_scene(make_applicant):
    """Declarations in known places and one user per role, in scope and out of scope of them.

    a: county health declaration (准格尔旗人民医院, 鄂尔多斯市), via the talent centre, under review.
    b: city engineering declaration (呼和浩特市), at the league/city committee's intake.
    c: a draft nobody but its owner may see.
    """
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role
    from zhicheng.demo import applicants as P
    from zhicheng.orgs.models import Organisation, OrgKind
    from zhicheng.core import clock
    from zhicheng.review.models import Assignment, CommitteeMember, DrawStatus, Expert, ExpertDraw, ReviewPlan

    from .cycle_helpers import advance

    a, _, _ = advance(make_applicant(P.regular_county_doctor()), "under_review")
    b, _, _ = advance(make_applicant(P.regular_city_engineer_intermediate()), "committee_intake")
    c = make_applicant(P.regular_engineer())

    def user_of(name):
        return staff_of(Organisation.objects.get(name=name))

    def expert_user(username, unit_name):
        from zhicheng.catalogue.models import Series

        from zhicheng.demo.loader import DemoLoader

        unit = Organisation.objects.get(name=unit_name)
        p = DemoLoader(out=lambda *x: None, seed=hash(username) % 1000)._new_person(unit, 1965)
        user = User.objects.create(username=username, role=Role.EXPERT)
        expert = Expert.objects.create(person=p, user=user, unit=unit, series=Series.objects.get(code="health"),
                                       title_level="full_senior", title_name="主任医师")
        return user, expert

    expert, expert_record = expert_user("expert-in", "鄂尔多斯市中心医院")
    other_expert, _ = expert_user("expert-out", "包头市中心医院")
    a_plan = ReviewPlan.objects.get(committee=a.committee, year=2021)
    # The expert reads a's dossier as a sitting member of a's committee: an expert's access rests on the seat
    # (declarations.querysets.live_assignments), so the scene seats them in a drawn committee.
    seat = ExpertDraw.objects.create(plan=a_plan, status=DrawStatus.DRAWN, spec={"size": 25}, drawn_at=clock.now(),
                                     created_by=staff_of(a.committee.office))
    CommitteeMember.objects.create(draw=seat, expert=expert_record)
    Assignment.objects.create(plan=a_plan, expert=expert_record, application=a)
    regional = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    supervisor = User.objects.create(username="supervisor-test", role=Role.SUPERVISOR, organisation=regional)
    roles = Roles(
        applicant=a.person.account,
        other_applicant=b.person.account,
        employer=user_of("准格尔旗人民医院"),
        other_employer=user_of("鄂尔多斯市中心医院"),
        department=user_of("鄂尔多斯市卫生健康委员会"),
        other_department=user_of("呼和浩特市卫生健康委员会"),
        city_bureau=user_of("鄂尔多斯市人力资源和社会保障局"),
        county_bureau=user_of("鄂尔多斯市准格尔旗人力资源和社会保障局"),
        other_city_bureau=user_of("呼和浩特市人力资源和社会保障局"),
        other_county_bureau=user_of("鄂尔多斯市伊金霍洛旗人力资源和社会保障局"),
        recommender=user_of("内蒙古自治区工商业联合会"),
        talent_centre=staff_of(Organisation.objects.get(kind=OrgKind.TALENT_SERVICE_CENTRE)),
        committee_office=staff_of(a.committee.office),
        other_committee_office=staff_of(b.committee.office),
        expert=expert,
        other_expert=other_expert,
        regional_hr=staff_of(regional),
        supervisor=supervisor,
    )
    return {"a": a, "b": b, "c": c, "roles": roles, "review_day": D(2021, 8, 10)}
