"""Who may see what: every role, every page, in scope, out of scope and in another region."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhicheng.accounts.permissions import PAGES, SECOND_FACTOR_SESSION_KEY, can_open
from zhicheng.accounts.roles import Role
from zhicheng.core import clock
from zhicheng.declarations.models import Application

from .conftest import applicant_maker, build_scene, built_once
from .web.helpers import pdf_bytes

# (role attribute, sees a, sees b) — a is under review via the talent centre in 鄂尔多斯; b is at a
# 呼和浩特 committee's intake; c is a draft that only its owner sees.
SCOPE = [
    ("applicant", True, False),
    ("other_applicant", False, True),
    ("employer", True, False),
    ("other_employer", False, False),
    ("department", True, False),
    ("other_department", False, False),
    ("city_bureau", True, False),
    ("county_bureau", True, False),
    ("other_city_bureau", False, True),
    ("other_county_bureau", False, False),
    ("recommender", False, False),
    ("talent_centre", True, False),
    ("committee_office", True, False),
    ("other_committee_office", False, True),
    ("expert", True, False),
    ("other_expert", False, False),
    ("regional_hr", True, True),
    ("supervisor", True, True),
]


def login(client, user):
    """Log in as the page would after the password; experts have also passed their second factor."""
    client.force_login(user)
    if user.role == Role.EXPERT:
        session = client.session
        session[SECOND_FACTOR_SESSION_KEY] = user.pk
        session.save()


@pytest.mark.django_db
@pytest.mark.parametrize("who, sees_a, sees_b", SCOPE)
def test_querysets_are_scoped(scene, who, sees_a, sees_b):
    user = getattr(scene["roles"], who)
    with clock.frozen(scene["review_day"]):
        visible = set(Application.objects.for_user(user).values_list("pk", flat=True))
    assert (scene["a"].pk in visible) == sees_a
    assert (scene["b"].pk in visible) == sees_b
    assert (scene["c"].pk in visible) is False, "drafts are private to their owner"


@pytest.mark.django_db
@pytest.mark.parametrize("who, sees_a, sees_b", SCOPE)
def test_list_and_detail_pages_follow_the_scope(client, scene, who, sees_a, sees_b):
    user = getattr(scene["roles"], who)
    login(client, user)
    lists = user.role not in (Role.APPLICANT, Role.EXPERT)  # theirs are on the dashboard and in the review tasks
    with clock.frozen(scene["review_day"]):
        response = client.get(reverse("application_list"))
        assert response.status_code == (200 if lists else 403), who
        listing = response.content.decode()
        for key, sees in (("a", sees_a), ("b", sees_b), ("c", False)):
            app = scene[key]
            detail = client.get(reverse("application_detail", args=[app.pk]))
            assert detail.status_code == (200 if sees else 404), (who, key)
            assert (reverse("application_detail", args=[app.pk]) + '"' in listing) == (sees and lists), (who, key)


@pytest.mark.django_db
def test_the_owner_sees_the_draft(client, scene):
    client.force_login(scene["c"].person.account)
    assert client.get(reverse("application_detail", args=[scene["c"].pk])).status_code == 200


@pytest.mark.django_db
def test_expert_sees_nothing_outside_the_review_window(client, scene):
    login(client, scene["roles"].expert)
    url = reverse("application_detail", args=[scene["a"].pk])
    with clock.frozen(scene["review_day"]):
        assert client.get(url).status_code == 200
    with clock.frozen(scene["review_day"].replace(month=9)):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_recused_expert_sees_nothing(client, scene):
    scene["a"].assignments.update(recused=True)
    login(client, scene["roles"].expert)
    with clock.frozen(scene["review_day"]):
        assert client.get(reverse("application_detail", args=[scene["a"].pk])).status_code == 404


@pytest.mark.django_db
def test_a_recusal_record_alone_hides_the_dossier(client, scene):
    from zhicheng.review.models import Recusal

    assignment = scene["a"].assignments.get()
    Recusal.objects.create(plan=assignment.plan, expert=assignment.expert, application=scene["a"], source="declared",
                           reasons=["本人申请：近亲属"], recorded_at=clock.now())
    login(client, scene["roles"].expert)
    with clock.frozen(scene["review_day"]):
        assert not Application.objects.for_user(scene["roles"].expert).exists()
        assert client.get(reverse("application_detail", args=[scene["a"].pk])).status_code == 404


@pytest.mark.django_db
def test_experts_pass_the_second_factor_first(client, scene):
    client.force_login(scene["roles"].expert)
    with clock.frozen(scene["review_day"]):
        response = client.get(reverse("application_detail", args=[scene["a"].pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor"))
    assert client.get(reverse("public_draws")).status_code == 200  # public pages stay public



# ---- the scene, built once for the module ------------------------------------------------------------

@pytest.fixture(scope="module")
def module_scene(django_db_setup, django_db_blocker, tmp_path_factory):
    """The scene of tests/conftest.py and the objects every page of the walk needs, built once for the module
    inside a transaction that is rolled back after its last test (each test rolls back its own changes on top,
    in a savepoint): the other modules find the database as the session left it."""
    from django.conf import settings

    media, kept_media = tmp_path_factory.mktemp("walk-media"), settings.MEDIA_ROOT

    def build():
        settings.MEDIA_ROOT = media
        try:
            scene = build_scene(applicant_maker())
            scene.update(_walk_objects(scene))
            scene.update(_rectification_objects(scene))
            scene.update(_monitoring_walk_objects(scene))
            scene.update(_spotcheck_walk_objects(scene))
        finally:
            settings.MEDIA_ROOT = kept_media
        scene["media"] = media
        return scene

    with built_once(django_db_blocker, build) as scene:
        yield scene


@pytest.fixture
def scene(module_scene, db, settings):
    """The module's scene for one test: the files where the scene stored them, the declarations as the database has them."""
    settings.MEDIA_ROOT = module_scene["media"]
    for key in ("a", "b", "c"):
        module_scene[key].refresh_from_db()
    return module_scene


def _walk_objects(scene) -> dict:
    """Real objects for the pages that need more than a, b and c, each made the way the application makes it."""
    from django.http import QueryDict

    from zhicheng.certificates.exchange import file_exchange
    from zhicheng.certificates.models import Certificate
    from zhicheng.declarations.checklist import attach, checklist
    from zhicheng.declarations.models import ApplicationMaterial
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P
    from zhicheng.files.services import store_file
    from zhicheng.jobs.models import Job
    from zhicheng.jobs.runner import run_job
    from zhicheng.publicity.services import raise_objection
    from zhicheng.review import meeting as meeting_service
    from zhicheng.review import minutes as minutes_service
    from zhicheng.review import pool
    from zhicheng.review.models import DrawStatus, ExpertDraw, Meeting, ReviewPlan
    from zhicheng.web import exports

    from .cycle_helpers import advance
    from .review.kit import REVIEW_DAY, Kit

    make = applicant_maker()
    roles, a = scene["roles"], scene["a"]
    on = dt.date(2021, 6, 1)
    with clock.frozen(on):
        # A file in a's archive, and a file that went up with a's first version.
        evidence = store_file("学位证书.pdf", pdf_bytes("学位证书"))
        a.person.education_records.order_by("pk").first().evidence.add(evidence)
        item = next(row.item for row in checklist(a) if row.applies)
        material_a = ApplicationMaterial.objects.create(application=a, item=item, file=store_file("业绩证明.pdf", pdf_bytes("业绩证明")),
                                                        first_version=1, uploaded_by=a.person.account, uploaded_at=clock.now())
        # h: a draft with one material, not yet pledged nor paid, for the pages that prepare a declaration.
        h = make(P.regular_engineer(), on=on, pledge=False, fee_paid=False)
        material_h = attach(h, h.person.account, next(row.item for row in checklist(h) if row.applies and row.by_applicant),
                            store_file("身份证.pdf", pdf_bytes("身份证")))
    # d: certified, through the same committee as a (its filing, its certificate).
    d, _, _ = advance(make(P.regular_county_doctor()), State.CERTIFIED)
    certificate = Certificate.objects.get(application=d)
    # e: in its employer's publicity (准格尔旗人民医院, the scene's employer), with a real-name objection.
    e, _, _ = advance(make(P.regular_county_doctor()), State.EMPLOYER_PUBLICITY)
    publicity = e.publicities.get(outcome="open")
    with clock.frozen(publicity.starts_on):
        objection = raise_objection(publicity=publicity, application=e, name="赵六", phone="13900000001", content="申报人的业绩证明与实际不符，请核实。")
    # g: at its competent department (鄂尔多斯市卫生健康委员会, the scene's department), which may ask for corrections.
    g, _, _ = advance(make(P.regular_county_doctor()), State.DEPARTMENT_REVIEW)
    with clock.frozen(dt.date(2021, 8, 1)):
        exchange = file_exchange(actor=a.person.account, origin="province", original_issuer="陕西省人力资源和社会保障厅",
                                 original_number="SX2016-WS-0123", original_committee="陕西省卫生系列中级职称评审委员会",
                                 series=a.series, level="intermediate", title_name="主治医师", specialty="外科",
                                 obtained_on=dt.date(2016, 12, 30), evidence=store_file("原证书.pdf", pdf_bytes("原证书")))
    employer = roles.employer
    job = Job.objects.create(kind="bulk_step", title="批量审核", started_by=employer, organisation=employer.organisation)
    with clock.frozen(scene["review_day"]):  # the employer's queue exported by a job, as a long list is
        export = exports.start(employer, QueryDict("queue=1"), 1)
        run_job.call(export.pk)

    # b's committee (呼和浩特市工程系列中级): a pool, a draw done by commit-reveal, a panel on f, a meeting with its minutes.
    kit = Kit("呼和浩特市工程系列中级职称评审委员会")
    assert kit.committee == scene["b"].committee
    f, _, _ = advance(make(P.regular_city_engineer_intermediate()), State.UNDER_REVIEW)
    kit.experts(5, login=True)
    draw = kit.seated(size=5)
    members = kit.members()
    kit.make_chair(members[0])
    panel = kit.panel("市政组", members[:3], [f])
    kit.opinions(panel)
    city_meeting = kit.meeting(members[:4])
    with clock.frozen(REVIEW_DAY):
        meeting_service.open_ballot(city_meeting, kit.office)
        for expert in members[:4]:
            meeting_service.cast_ballot(city_meeting, expert.user, {f.pk: "yes"})
        meeting_service.close_ballot(city_meeting, kit.office)
        minutes_service.generate(city_meeting, kit.office)
        city_filing = pool.file_pool(kit.committee, 2021, kit.office)
    # a's committee: a published draw (its commitments only) and a scheduled meeting.
    a_plan = ReviewPlan.objects.get(committee=a.committee, year=2021)
    a_draw = ExpertDraw.objects.create(
        plan=a_plan, status=DrawStatus.PUBLISHED, spec={"size": 25}, publication={"pool": {"sha256": "0" * 64}},
        publication_sha256="1" * 64, published_at=clock.now(), objections_until=scene["review_day"], created_by=roles.committee_office,
    )
    a_meeting = Meeting.objects.create(plan=a_plan, held_on=scene["review_day"], place="呼和浩特市")
    assignment = a.assignments.get()
    return {
        "d": d, "e": e, "f": f, "g": g, "h": h, "certificate": certificate, "publicity": publicity, "objection": objection,
        "exchange": exchange, "evidence": evidence, "material_a": material_a, "material_h": material_h, "job": job.pk,
        "export_job": export.pk,
        "city": {"plan": kit.plan, "draw": draw, "meeting": city_meeting, "members": members, "filing": city_filing},
        "review": {"plan": a_plan.pk, "draw": a_draw.pk, "meeting": a_meeting.pk, "expert": assignment.expert_id,
                   "assignment": assignment.pk},
        "users": {"drafter": h.person.account, "holder": d.person.account, "chair": members[0].user},
    }


def _rectification_objects(scene) -> dict:
    """Orders, a suspension, a re-check's finding and bulletins for the rectification pages (tests/rectification/walk.py)."""
    from .rectification.walk import objects

    return objects(scene, pdf_bytes)


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) in ("admin/", "i18n/"):
                continue  # Django's own, guarded by its own rules
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            entry.full_name = namespace + (entry.name or "")
            yield prefix + str(entry.pattern), entry


def test_every_page_declares_its_access_rule():
    undeclared = [route for route, entry in _routes()
                  if route not in ("login/", "logout/") and getattr(entry.callback, "page_name", None) not in PAGES]
    assert undeclared == []


# ---- the jobs and the committee side, role by role ---------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("employer", 200), ("other_employer", 404), ("regional_hr", 404), ("applicant", 403)])
@pytest.mark.parametrize("page_name", ["job_detail", "job_progress"])
def test_a_job_is_seen_by_its_organisation_only(client, scene, who, status, page_name):
    login(client, getattr(scene["roles"], who))
    assert client.get(reverse(page_name, args=[scene["job"]])).status_code == status


# (role attribute, what it gets on a's committee's plan, draw and meeting pages)
REVIEW_SCOPE = [
    ("committee_office", 200), ("other_committee_office", 404), ("regional_hr", 200), ("supervisor", 200),
    ("employer", 403), ("city_bureau", 403), ("talent_centre", 403), ("applicant", 403), ("expert", 403),
]
A_COMMITTEE = {"review_plan_detail": "plan", "draw_detail": "draw", "meeting_detail": "meeting"}


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", REVIEW_SCOPE)
@pytest.mark.parametrize("page_name", sorted(A_COMMITTEE))
def test_committee_pages_follow_the_committee(client, scene, who, status, page_name):
    url = reverse(page_name, args=[scene["review"][A_COMMITTEE[page_name]]])
    login(client, getattr(scene["roles"], who))
    with clock.frozen(scene["review_day"]):
        assert client.get(url).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("committee_office", 302), ("supervisor", 302), ("other_committee_office", 404),
                                         ("regional_hr", 403), ("expert", 403)])
def test_only_the_office_and_the_supervisor_act_on_a_draw(client, scene, who, status):
    """Each party commits its value to a draw being prepared; the page lets no one else in."""
    from zhicheng.review.models import DrawStatus, ExpertDraw

    ExpertDraw.objects.filter(pk=scene["review"]["draw"]).update(status=DrawStatus.COMMITTING, published_at=None)
    login(client, getattr(scene["roles"], who))
    with clock.frozen(scene["review_day"]):
        response = client.post(reverse("draw_act", args=[scene["review"]["draw"]]), {"action": "commit", "value": "2" * 64})
    assert response.status_code == status
    draw = ExpertDraw.objects.get(pk=scene["review"]["draw"])
    party = {"committee_office": "office", "supervisor": "supervisor"}.get(who)
    assert {p: getattr(draw, f"{p}_commitment") for p in ("office", "supervisor")} == {
        p: "2" * 64 if p == party else "" for p in ("office", "supervisor")}
    if party:
        assert response["Location"] == reverse("draw_detail", args=[draw.pk]) and _errors(response) == []


@pytest.mark.django_db
def test_an_expert_opens_only_their_own_review_pages(client, scene):
    opinion = reverse("expert_opinion", args=[scene["review"]["assignment"]])
    login(client, scene["roles"].other_expert)
    with clock.frozen(scene["review_day"]):
        assert client.get(opinion).status_code == 404
        assert client.get(reverse("ballot", args=[scene["review"]["meeting"]])).status_code == 404
        assert client.get(reverse("expert_tasks")).status_code == 200
    login(client, scene["roles"].expert)
    with clock.frozen(scene["review_day"]):
        assert client.get(opinion).status_code == 200
    with clock.frozen(scene["review_day"].replace(month=9)):
        assert client.get(opinion).status_code == 404  # outside the review window


def test_supervisor_is_read_only():
    assert Role.SUPERVISOR not in PAGES["application_act"]


# ---- one URL per page on the per-test scene of tests/conftest.py, for the walks of tests/security ------------
# (the Content-Security-Policy on every page, the URL fuzzing): they need a URL that resolves, not a working object.

def _url_for(page_name, scene):
    if page_name in SPECIAL_URLS:
        return SPECIAL_URLS[page_name](scene)
    pattern = next(entry for _, entry in _routes() if getattr(entry.callback, "page_name", None) == page_name)
    if "pk" in str(pattern.pattern):
        return reverse(pattern.full_name, args=[scene["a"].pk])
    return reverse(pattern.full_name)


ALL_ROLE_USERS = [name for name, _, _ in SCOPE]

NO_SUCH_FILE = "0" * 64


def _publicity_pk(scene):
    return scene["a"].publicities.order_by("pk").first().pk


# Pages whose URL needs more than the declaration a: an object of a's person, a publicity a was in,
# or an id that exists nowhere (allowed roles then get 404, the others still 403).
SPECIAL_URLS = {
    "archive_record_new": lambda scene: reverse("archive_record_new", args=["education"]),
    "archive_record_edit": lambda scene: reverse("archive_record_edit", args=["education", scene["a"].person.education_records.first().pk]),
    "archive_record_delete": lambda scene: reverse("archive_record_delete", args=["education", scene["a"].person.education_records.first().pk]),
    "archive_file": lambda scene: reverse("archive_file", args=[NO_SUCH_FILE]),
    "application_file": lambda scene: reverse("application_file", args=[scene["a"].pk, NO_SUCH_FILE]),
    "declaration_material_retire": lambda scene: reverse("declaration_material_retire", args=[scene["a"].pk, 10**9]),
    "notice_detail": lambda scene: reverse("notice_detail", args=["engineering", "intermediate"]),
    "public_publicity_detail": lambda scene: reverse("public_publicity_detail", args=[_publicity_pk(scene)]),
    "publicity_detail": lambda scene: reverse("publicity_detail", args=[_publicity_pk(scene)]),
    "publicity_close": lambda scene: reverse("publicity_close", args=[_publicity_pk(scene)]),
    "objection_handle": lambda scene: reverse("objection_handle", args=[10**9]),
    # the committee side: a's committee's plan, a published draw of it, its meeting, the scene's expert
    **{name: (lambda scene, name=name, kind=kind: reverse(name, args=[_review_objects(scene)[kind]])) for name, kind in {
        "review_plan_detail": "plan", "review_plan_act": "plan", "public_draw_detail": "draw", "draw_detail": "draw",
        "draw_act": "draw", "draw_record": "draw", "meeting_detail": "meeting", "meeting_act": "meeting", "minutes_pdf": "meeting",
        "ballot": "meeting", "minutes_sign": "meeting", "expert_detail": "expert", "expert_act": "expert",
        "expert_opinion": "assignment",
    }.items()},
    "plan_explanation_evidence": lambda scene: reverse("plan_explanation_evidence", args=[10**9, NO_SUCH_FILE]),
    "job_detail": lambda scene: reverse("job_detail", args=[_job_pk(scene)]),
    "rectification_evidence": lambda scene: reverse("rectification_evidence", args=[10**9, NO_SUCH_FILE]),
    "job_progress": lambda scene: reverse("job_progress", args=[_job_pk(scene)]),
}


def _job_pk(scene):
    """A background job the scene's employer started for its unit; created once per scene."""
    if "job" not in scene:
        from zhicheng.jobs.models import Job

        employer = scene["roles"].employer
        scene["job"] = Job.objects.create(kind="bulk_step", title="批量审核", started_by=employer, organisation=employer.organisation).pk
    return scene["job"]


def _review_objects(scene):
    """a's committee's plan with a published draw and a meeting; created once per scene."""
    if "review" not in scene:
        from zhicheng.review.models import DrawStatus, ExpertDraw, Meeting, ReviewPlan

        plan = ReviewPlan.objects.get(committee=scene["a"].committee, year=2021)
        draw = ExpertDraw.objects.create(
            plan=plan, status=DrawStatus.PUBLISHED, spec={"size": 25}, publication={"pool": {"sha256": "0" * 64}},
            publication_sha256="1" * 64, published_at=clock.now(), objections_until=scene["review_day"],
            created_by=scene["roles"].committee_office,
        )
        meeting = Meeting.objects.create(plan=plan, held_on=scene["review_day"], place="呼和浩特市")
        assignment = scene["a"].assignments.get()
        scene["review"] = {"plan": plan.pk, "draw": draw.pk, "meeting": meeting.pk, "expert": assignment.expert_id,
                           "assignment": assignment.pk}
    return scene["review"]


# Pages that only take POST (a GET would be 405 for everyone).
POST_ONLY = frozenset({
    "application_bulk", "application_exam_confirm", "declaration_autosave", "declaration_fee", "declaration_material",
    "declaration_pledge", "declaration_records", "notifications_read", "publicity_close", "objection_handle",
    "plan_explanation_new", "plan_explanation_decide",
})


# —— organisation API keys (zhicheng/api): the pages, and how the walk calls a v1 operation ——

def _api_key_pk(scene):
    """A key of the scene's employer (准格尔旗人民医院), made when missing (the walk's test rolls it back)."""
    from zhicheng.api.models import ApiKey
    from zhicheng.api.services import create_key

    if not ApiKey.objects.filter(pk=scene.get("api_key")).exists():
        key, _ = create_key(scene["roles"].employer, name="人事系统对接", scopes=["read_declarations"],
                            expires_on=clock.today() + dt.timedelta(days=30))
        scene["api_key"] = key.pk
    return scene["api_key"]


def _api_keys_listed(response, scene, user):
    """The organisation's keys and no other's: the employer's key on its own staff's list only."""
    shows("接口密钥")(response, scene, user)
    assert ("人事系统对接" in response.content.decode()) == (user.organisation_id == scene["roles"].employer.organisation_id)


def _api_key_made(response, scene, user):
    from zhicheng.api.models import ApiKey

    key = ApiKey.objects.get(user=user, name="走查系统")
    assert response.status_code == 200 and key.prefix in response.content.decode(), response.status_code


def _api_key_revoked(scene, user):
    from zhicheng.api.models import ApiKey

    return ApiKey.objects.get(pk=scene["api_key"]).revoked_by == user


def with_key(check: Check, *scopes: str) -> Check:
    """A v1 operation: a signed-in session is no key (401 JSON). The same request again with a key of the user's own
    (these scopes, all if none) gets `check`; users who cannot hold keys (applicants, experts, the supervisor) stop at the 401."""
    def run(response, scene, user):
        import json

        from django.test import Client

        from zhicheng.api.models import Scope
        from zhicheng.api.services import can_hold_keys, create_key

        assert response.status_code == 401, response.status_code
        assert json.loads(response.content)["code"] == "unauthenticated"
        if user is None or not can_hold_keys(user):
            return
        _, secret = create_key(user, name="走查", scopes=list(scopes or Scope.values), expires_on=clock.today() + dt.timedelta(days=30))
        request = response.wsgi_request
        again = Client().generic(request.method, request.get_full_path(), request.body,
                                 content_type=request.content_type or "application/octet-stream",
                                 HTTP_AUTHORIZATION=f"Bearer {secret}")
        check(again, scene, user)
    return run


def _api_unauthenticated(response, scene, user):
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated", response.status_code


# —— webhook subscriptions (zhicheng/webhooks): the employer's subscription with a failed delivery ——

def _webhook(scene) -> dict:
    """The scene's employer's subscription and a delivery it gave up, made when missing (the walk's test rolls them back)."""
    import uuid

    from zhicheng.webhooks.models import Attempt, Delivery, DeliveryState, Subscription
    from zhicheng.webhooks.services import create_subscription

    made = scene.get("webhook")
    if made is None or not Subscription.objects.filter(pk=made["sub"]).exists():
        sub = create_subscription(scene["roles"].employer, name="单位人事系统推送", url="https://1.2.3.4/hooks/zhicheng",
                                  event_kinds=["declaration.state_changed"])
        delivery = Delivery.objects.create(subscription=sub, event_id=uuid.uuid4(), kind="declaration.state_changed", body="{}",
                                           state=DeliveryState.FAILED, attempts=8, last_status=503, last_error="维护中",
                                           next_attempt_at=None)
        Attempt.objects.create(delivery=delivery, at=clock.now(), status=503, error="维护中", duration_ms=12)
        scene["webhook"] = made = {"sub": sub.pk, "delivery": delivery.pk, "public_id": str(delivery.public_id)}
    return made


def _webhook_of(response, scene, user) -> bool:
    return user is not None and user.organisation_id == scene["roles"].employer.organisation_id


def _webhooks_listed(response, scene, user):
    """Each organisation's staff see its own subscriptions only."""
    shows("新建订阅")(response, scene, user)
    assert ("单位人事系统推送" in response.content.decode()) == _webhook_of(response, scene, user)


def _webhook_resent(scene, user):
    from zhicheng.webhooks.models import Delivery

    return Delivery.objects.get(pk=_webhook(scene)["delivery"]).state == "pending"


def _webhook_api(*texts) -> Check:
    """The key's organisation's subscription: its staff get it (200 with ``texts``), other organisations' 404 JSON."""
    def check(response, scene, user):
        if _webhook_of(response, scene, user):
            shows(*texts)(response, scene, user)
        else:
            assert response.status_code == 404 and response.json()["code"] == "not_found", response.status_code
    return check


def _webhook_api_list(response, scene, user):
    assert response.status_code == 200, response.status_code
    assert ("单位人事系统推送" in response.content.decode()) == _webhook_of(response, scene, user)


# —— national data collection (zhicheng/collection): the scene's certificate and exchange, in the key's account's scope ——

def _collection_titles(response, scene, user):
    from zhicheng.certificates.scope import certificates_for

    assert response.status_code == 200, response.status_code
    seen = certificates_for(user).filter(pk=scene["certificate"].pk).exists()
    assert (scene["certificate"].number in response.content.decode()) == seen, seen


def _exchange_api(list_: bool) -> Check:
    def check(response, scene, user):
        from zhicheng.certificates.scope import exchanges_for

        seen = exchanges_for(user).filter(pk=scene["exchange"].pk).exists()
        if list_ or seen:
            assert response.status_code == 200, response.status_code
            assert ("SX2016-WS-0123" in response.content.decode()) == seen, seen
        else:
            assert response.status_code == 404 and response.json()["code"] == "not_found", response.status_code
    return check


# —— the v1 API's declarations, publicities and results (zhicheng/api/v1): what each key-holding role's key gets ——

def _v1_sees(response, seen: bool, text) -> None:
    """In the account's scope: 200 with ``text``; out of it: 404 JSON."""
    if seen:
        assert response.status_code == 200, response.status_code
        assert str(text) in response.content.decode(), text
    else:
        assert response.status_code == 404 and response.json()["code"] == "not_found", response.status_code


def _v1_listed(scoped, key: str, field: str = "id") -> Check:
    """A v1 list: 200, with the scene's object (scene[key], or d's filing) among its items exactly when ``scoped(user)`` holds it."""
    def check(response, scene, user):
        assert response.status_code == 200, response.status_code
        listed, pk = {row[field] for row in response.json()["items"]}, _v1_object(scene, key).pk
        assert (pk in listed) == scoped(user).filter(pk=pk).exists(), listed
    return check


def _v1_detail(scoped, key: str, text) -> Check:
    def check(response, scene, user):
        _v1_sees(response, scoped(user).filter(pk=_v1_object(scene, key).pk).exists(), _text(text, scene))
    return check


def _v1_object(scene, key: str):
    return scene["d"].filings.get() if key == "d_filing" else scene[key]


def _v1_declarations(user):
    return Application.objects.for_user(user)


def _v1_publicities(user):
    from zhicheng.web.views.publicity import publicities_for

    return publicities_for(user)


def _v1_filings(user):
    from zhicheng.certificates.filing import filings_in_scope

    return filings_in_scope(user)


def _v1_certificates(user):
    from zhicheng.certificates.scope import certificates_for

    return certificates_for(user)


def _v1_accepted_b(response, scene, user):
    """b's office accepts b; others who see b are refused with the table's reason, the rest get 404."""
    if user == scene["roles"].other_committee_office:
        assert response.status_code == 200 and response.json()["state"]["code"] == "accepted", response.content
        assert _b_accepted(scene, user)
    elif _v1_declarations(user).filter(pk=scene["b"].pk).exists():
        assert response.status_code == 409 and response.json()["details"]["reasons"], response.status_code
        assert not _b_accepted(scene, user)
    else:
        assert response.status_code == 404, response.status_code


def _v1_bulk_accepted_b(response, scene, user):
    """The bulk form: committee offices may accept in bulk (b's moves, the other office is told it does not see b);
    other roles are refused the step."""
    if user.role != "committee_office":
        assert response.status_code == 409 and response.json()["code"] == "not_in_bulk", response.status_code
        return
    assert response.status_code == 200, response.status_code
    body = response.json()
    mine = user == scene["roles"].other_committee_office
    assert body["moved"] == ([scene["b"].pk] if mine else []) and _b_accepted(scene, user) == mine, body


def _v1_publisher(done) -> Check:
    """The publisher's key does it; the region (which sees every publicity) is refused by the service; others get 404."""
    def check(response, scene, user):
        if user == scene["roles"].employer:
            assert response.status_code == 200, response.content
            assert done(scene, user)
        elif _v1_publicities(user).filter(pk=scene["publicity"].pk).exists():
            assert response.status_code == 409 and response.json()["details"]["reasons"], response.status_code
        else:
            assert response.status_code == 404, response.status_code
    return check


def _v1_filing_decided(response, scene, user):
    """d's filing was approved already: its filing body is told so, the committee office that it is not the filing
    body, everyone else gets 404."""
    if user == scene["roles"].regional_hr:
        assert response.status_code == 409 and response.json()["message"] == "该批核准备案已办理。", response.content
    elif _v1_filings(user).filter(pk=scene["d"].filings.get().pk).exists():
        assert response.status_code == 409 and "核准备案" in response.json()["message"], response.content
    else:
        assert response.status_code == 404, response.status_code


# ---- the walk: every URL of the project, every role ------------------------------------------------------
#
# For each URL name: who sees the page work on a real object of the scene (the check says how: the object's
# own text on the page, the file itself, or for an action its effect in the database and the redirect to where
# the application goes after it), which other roles the page admits get something else (a refusal the service
# explains), and every remaining role it admits gets 404 (the object is out of its scope). Roles the page's rule
# (PAGES) does not admit get 403; visitors without a login go to the login page, except on public pages.

Check = Callable[[object, dict, object], None]  # (response, scene, user)


def _text(value, scene):
    return value(scene) if callable(value) else value


def shows(*texts) -> Check:
    """200, and the page holds these texts (of the object it is about)."""
    def check(response, scene, user):
        assert response.status_code == 200, response.status_code
        body = response.content.decode()
        for text in texts:
            assert str(_text(text, scene)) in body, _text(text, scene)
    return check


def serves(content_type: str, starts=b"", named=None) -> Check:
    """200 with a file of this type: its first bytes, and the object's name in the file name."""
    def check(response, scene, user):
        assert response.status_code == 200, response.status_code
        assert response["Content-Type"].startswith(content_type), response["Content-Type"]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(starts), body[:40]
        if named is not None:
            assert str(_text(named, scene)) in response["Content-Disposition"], response["Content-Disposition"]
    return check


def serves_file(stored) -> Check:
    """200 with exactly the stored file's bytes."""
    def check(response, scene, user):
        from zhicheng.files.services import read_verified

        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body == read_verified(stored(scene))
    return check


def _messages(response, level):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == level]


def _errors(response):
    return _messages(response, message_levels.ERROR)


def answers(status: int) -> Check:
    def check(response, scene, user):
        assert response.status_code == status, response.status_code
    return check


def redirects(to) -> Check:
    """A redirect to ``to`` (a URL name or a function of the scene), e.g. the dashboard for a signed-in visitor."""
    def check(response, scene, user):
        assert response.status_code == 302, response.status_code
        target = reverse(to) if isinstance(to, str) else to(scene)
        assert response["Location"].split("#")[0] == target, (response["Location"], target)
    return check


def does(effect: Callable[[dict, object], bool], then) -> Check:
    """The action's success: its effect is in the database, no error was said, and the page goes where it goes after success."""
    def check(response, scene, user):
        redirects(then)(response, scene, user)
        assert _errors(response) == []
        assert effect(scene, user), "the action had no effect"
    return check


def refused(effect: Callable[[dict, object], bool] | None = None) -> Check:
    """A role the page admits, the service says no: back with an error message, and nothing done."""
    def check(response, scene, user):
        assert response.status_code == 302, response.status_code
        assert _errors(response), "no reason given"
        assert effect is None or not effect(scene, user)
    return check


DECLARING_DAY = dt.date(2021, 6, 1)  # within the 2021 declaration period (15 May to 30 June)


@dataclass(frozen=True)
class Page:
    url: Callable[[dict], str]
    works: dict  # who -> Check; "*": every other user the page admits and does not list
    method: str = "get"
    data: Callable[[dict, str], dict] | None = None  # (scene, who) -> the form sent
    others: dict = field(default_factory=dict)  # who -> Check, for users the page admits who neither see it work nor get 404
    anonymous: Check | None = None  # public pages: what a visitor without a login gets (private pages: the login page)
    prepare: Callable[[dict], None] | None = None  # state the action needs, set up (and rolled back) around each request
    day: Callable[[dict], dt.date] | dt.date | None = None  # today for the requests (the scene's review day if not given)


def _u(name: str, *args) -> Callable[[dict], str]:
    """The URL of ``name`` with arguments taken from the scene (functions of it) or given."""
    return lambda scene: reverse(name, args=[_text(arg, scene) for arg in args])


def _pk(key: str, *path: str) -> Callable[[dict], int]:
    def pk(scene):
        value = scene[key]
        for step in path:
            value = value[step]
        return getattr(value, "pk", value)
    return pk


def _name(key: str) -> Callable[[dict], str]:
    return lambda scene: scene[key].person.name


def _state(key: str) -> Callable[[dict], str]:
    return lambda scene: Application.objects.get(pk=scene[key].pk).state


SEES_A = [who for who, sees_a, _ in SCOPE if sees_a]
SEES_B = [who for who, _, sees_b in SCOPE if sees_b]
COMMITTEE_B = ("other_committee_office", "regional_hr", "supervisor")  # b's committee (呼和浩特市) and those who see all
PDF = ("application/pdf", b"%PDF")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _all(check: Check, *who: str, **others: Check) -> dict:
    return {name: check for name in who} | others


def _unread(scene, user):
    from zhicheng.notifications.models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def _edit(key, anchor=""):
    return lambda scene: reverse("declaration_edit", args=[scene[key].pk]) + anchor


def _draft_effect(scene, user):
    from zhicheng.catalogue.models import Specialty

    return Application.objects.get(pk=scene["h"].pk).specialty == Specialty.objects.get(series=scene["h"].series, name="水利工程")


def _draft_data(scene, who):
    from zhicheng.catalogue.models import Specialty

    from zhicheng.declarations.drafting import draft_token

    h = Application.objects.get(pk=scene["h"].pk)
    return {"specialty": Specialty.objects.get(series=h.series, name="水利工程").pk, "base": draft_token(h)}


def _material_data(scene, who):
    from zhicheng.declarations.checklist import checklist

    from .web.helpers import upload

    item = next(row.item for row in checklist(scene["h"]) if row.applies and row.by_applicant and row.item != scene["material_h"].item)
    return {"item": item.pk, "file": upload("学历证书.pdf", pdf_bytes("学历证书"))}


def _materials(scene, user):
    return scene["h"].materials.count() == 2


def _records_data(scene, who):
    return {"kind": "education", "record": [r.pk for r in scene["h"].person.education_records.all()]}


def _records_chosen(scene, user):
    chosen = set(scene["h"].selected_records.filter(version=0, kind="education").values_list("record_id", flat=True))
    return chosen == set(scene["h"].person.education_records.values_list("pk", flat=True)) and chosen


def _pool_filed(scene, user):
    from zhicheng.review.models import PoolFiling

    return PoolFiling.objects.filter(committee=scene["city"]["plan"].committee).count() == 2


def _pool_data(scene, who):
    if who == "regional_hr":
        return {"action": "acknowledge", "filing": scene["city"]["filing"].pk, "confirm": "yes"}
    return {"action": "file", "committee": scene["city"]["plan"].committee_id, "year": 2021}


def _pool_effect(scene, user):
    from zhicheng.review.models import PoolFiling

    if user.role == Role.REGIONAL_HR_DEPARTMENT:
        return PoolFiling.objects.get(pk=scene["city"]["filing"].pk).acknowledged_by == user
    return _pool_filed(scene, user)


def _close_ready(scene):
    from zhicheng.publicity.models import Objection
    from zhicheng.publicity.services import handle_objection

    handle_objection(Objection.objects.get(pk=scene["objection"].pk), scene["roles"].employer, substantiated=False, finding="经核实，业绩证明与原件一致。")


def _publicity_closed(scene, user):
    from zhicheng.publicity.models import Publicity

    return not Publicity.objects.get(pk=scene["publicity"].pk).is_open


def _objection_handled(scene, user):
    from zhicheng.publicity.models import Objection

    objection = Objection.objects.get(pk=scene["objection"].pk)
    return objection.status == "unsubstantiated" and objection.handled_by == user


def _panel_made(scene, user):
    return scene["city"]["plan"].panels.filter(name="水利组").exists()


def _panel_data(scene, who):
    return {"action": "panel", "name": "水利组", "members": [e.pk for e in scene["city"]["members"][2:5]]}


def _groups_set(scene, user):
    from zhicheng.review.models import Meeting

    return dict(Meeting.objects.get(pk=scene["review"]["meeting"]).groups.values_list("kind", "pass_rate")) == {"general": 90}


def _chair_set(scene, user):
    return scene["city"]["draw"].members.get(expert=scene["city"]["members"][1], active=True).is_chair


def _chair_data(scene, who):
    member = scene["city"]["draw"].members.get(expert=scene["city"]["members"][1], active=True)
    return {"action": "chair", "member": member.pk, "confirm": "yes"}


def _expert_updated(scene, user):
    from zhicheng.review.models import Expert

    expert = Expert.objects.get(pk=scene["city"]["members"][4].pk)
    return not expert.available and expert.unavailable_reason == "出差"


def _expert_data(scene, who):
    expert = scene["city"]["members"][4]
    return {"action": "update", "unit": expert.unit_id, "specialty": "", "committees": [scene["city"]["plan"].committee_id],
            "unavailable_reason": "出差"}


def _exam_ready(scene):
    Application.objects.filter(pk=scene["g"].pk).update(exam_score="合格（2021年卫生高级专业技术资格考试）", exam_confirmed_at=None)


def _exam_confirmed(scene, user):
    return Application.objects.get(pk=scene["g"].pk).exam_confirmed_at is not None


def _fee_paid(scene, user):
    return Application.objects.get(pk=scene["h"].pk).fee_paid_at is not None


def _pledged(scene, user):
    return Application.objects.get(pk=scene["h"].pk).pledge_signed_at is not None


def _b_accepted(scene, user):
    return _state("b")(scene) == "accepted"


def _previewed(response, scene, user):
    """The engine's answer for engineering, intermediate: its specialties offered, no longer the prompt to choose."""
    shows("土木工程")(response, scene, user)
    assert "选择系列和层级后显示" not in response.content.decode()


def _dashboard(response, scene, user):
    """The signed-in user's own dashboard: it names them or their organisation."""
    shows(user.person.name if user.role == Role.APPLICANT else user.organisation.name)(response, scene, user)


def _statistics_of_scope(response, scene, user):
    """The statistics page counts the declarations of 2021 the user sees (for_user), and the certificates among them."""
    from zhicheng.certificates.models import Certificate

    seen = Application.objects.for_user(user).filter(plan__year=2021)
    shows("按系列的申报", f"<b>{seen.count()}</b>", f"<b>{Certificate.objects.filter(application__in=seen).count()}</b>")(response, scene, user)


def _statistics_workbook(response, scene, user):
    """The year's tables as a workbook, a sheet each, its download in the audit log under the user's name."""
    import io

    from openpyxl import load_workbook

    from zhicheng.audit.models import AuditEntry

    assert response.status_code == 200, response.status_code
    sheets = load_workbook(io.BytesIO(response.content)).worksheets
    assert next(sheets[0].iter_rows(values_only=True))[0] == "系列" and len(sheets) > 10
    assert AuditEntry.objects.filter(action="statistics.export", actor_id=user.pk).exists()


# —— plan progress and integrity signals (zhicheng/monitoring) ——
LATE_DAY = dt.date(2021, 10, 8)  # after the 30 September deadline: a's committee (its review of a unfinished) is late


def _monitoring_walk_objects(scene) -> dict:
    """a's committee's explanation, filed by its office once late; one file in the declarations of e and g."""
    from zhicheng.declarations.models import ApplicationMaterial
    from zhicheng.files.services import store_file
    from zhicheng.monitoring.services import file_explanation

    office, a = scene["roles"].committee_office, scene["a"]
    with clock.frozen(LATE_DAY):
        explanation = file_explanation(a.committee, 2021, office, text="专家评委库补充推荐尚未完成，评审顺延。",
                                       files=[store_file("情况说明.pdf", pdf_bytes("情况说明"))])
        shared = store_file("论文复印件.pdf", pdf_bytes("论文复印件"))
        for app in (scene["e"], scene["g"]):
            ApplicationMaterial.objects.create(application=app, item=scene["material_a"].item, file=shared, first_version=1,
                                               uploaded_by=app.person.account, uploaded_at=clock.now())
    return {"explanation": explanation, "shared_file": shared}


def _explanation_refiled(scene, user):
    from zhicheng.monitoring.models import PlanExplanation

    return PlanExplanation.objects.filter(committee=scene["a"].committee, year=2021, decision="pending").exclude(
        pk=scene["explanation"].pk).exists()


def _explanation_returned(scene):
    """The scene's explanation returned by the region: the office may file another (八（二）4)."""
    from zhicheng.monitoring.models import PlanExplanation

    PlanExplanation.objects.filter(pk=scene["explanation"].pk).update(decision="returned", return_reason="请补充专家名单。")


def _refiled_detail(scene):
    from zhicheng.monitoring.models import PlanExplanation

    return reverse("plan_explanation_detail", args=[PlanExplanation.objects.get(committee=scene["a"].committee, decision="pending").pk])


def _explanation_accepted(scene, user):
    from zhicheng.monitoring.models import PlanExplanation

    return PlanExplanation.objects.get(pk=scene["explanation"].pk).decision == "accepted"


def _rect(key: str, attribute: str) -> Callable[[dict], object]:
    return lambda scene: getattr(scene["rectification"][key], attribute)


def _rect_act_data(scene, who):
    if who == "employer":
        return {"action": "answer", "text": "已重新组织公示。"}
    return {"action": "decide", "decision": "accept"}


def _rect_answered(scene, user):
    from zhicheng.rectification.models import RectificationOrder

    return RectificationOrder.objects.get(pk=scene["rectification"]["waiting"].pk).state == "answered"


def _rect_lifted(scene, user):
    from zhicheng.rectification.models import CommitteeSuspension

    return CommitteeSuspension.objects.get(pk=scene["rectification"]["suspension"].pk).lifted_on is not None


def _rect_published(scene, user):
    from zhicheng.rectification.models import Bulletin

    return Bulletin.objects.get(pk=scene["rectification"]["draft"].pk).status == "published"


# —— spot checks (zhicheng/supervision) ——
def _spotcheck_walk_objects(scene) -> dict:
    """A drawn campaign with a finding and its evidence, a frozen one half revealed (tests/supervision/walk.py)."""
    from .supervision.walk import objects

    return objects(scene, pdf_bytes)


def _spotcheck_revealed(scene, user):
    from zhicheng.supervision.models import Campaign

    return bool(Campaign.objects.get(pk=scene["spotcheck"]["frozen"].pk).reveals.get("regional_hr_department"))


def _spot(*path):
    def value(scene):
        obj = scene["spotcheck"][path[0]]
        for step in path[1:]:
            obj = getattr(obj, step)
        return obj
    return value


PAGES_WALKED: dict[str, Page] = {
    # —— plan progress and integrity signals (zhicheng/monitoring): a's committee late after 30 September, its explanation ——
    "plan_progress": Page(lambda s: reverse("plan_progress") + "?year=2021",
                          {"committee_office": shows(lambda s: s["a"].committee.name),
                           "other_committee_office": shows(lambda s: s["b"].committee.name),
                           "*": shows(lambda s: s["a"].committee.name, lambda s: s["b"].committee.name)}),
    "plan_explanation_new": Page(_u("plan_explanation_new", lambda s: s["a"].committee.pk),
                                 {"committee_office": does(_explanation_refiled, _refiled_detail)}, method="post",
                                 data=lambda s, who: {"year": 2021, "text": "专家补充完毕，10月15日前完成评审。"},
                                 prepare=_explanation_returned, day=LATE_DAY),
    "plan_explanation_detail": Page(_u("plan_explanation_detail", _pk("explanation")),
                                    _all(shows("专家评委库补充推荐尚未完成"), "committee_office", "regional_hr", "supervisor")),
    "plan_explanation_decide": Page(_u("plan_explanation_decide", _pk("explanation")),
                                    {"regional_hr": does(_explanation_accepted, _u("plan_explanation_detail", _pk("explanation")))},
                                    method="post", data=lambda s, who: {"decision": "accept", "confirm": "yes"}, day=LATE_DAY),
    "plan_explanation_evidence": Page(_u("plan_explanation_evidence", _pk("explanation"),
                                         lambda s: s["explanation"].evidence.get().sha256),
                                      _all(serves_file(lambda s: s["explanation"].evidence.get()), "committee_office", "regional_hr",
                                           "supervisor")),
    "integrity_signals": Page(lambda s: reverse("integrity_signals") + "?year=2021",
                              {"*": shows(lambda s: s["shared_file"].original_name, _name("e"), _name("g"))}),
    # —— spot checks (zhicheng/supervision): the supervisor and the region run them, the bureaus only their own ——
    "spotcheck_list": Page(_u("spotcheck_list"), _all(shows(_spot("drawn", "title"), _spot("frozen", "title")), "supervisor", "regional_hr")
                           | {"*": shows("组织抽查")}),
    "spotcheck_new": Page(_u("spotcheck_new"), {"supervisor": shows("监督账号只能查看，不能办理", "承诺值"),
                                                 "*": shows('name="sample_rate"', 'name="stratify"')}),
    "spotcheck_detail": Page(_u("spotcheck_detail", _spot("drawn", "pk")),
                             _all(shows(_spot("drawn", "record_sha256"), _spot("item", "key")), "supervisor", "regional_hr")),
    "spotcheck_act": Page(_u("spotcheck_act", _spot("frozen", "pk")),
                          {"regional_hr": does(_spotcheck_revealed, _u("spotcheck_detail", _spot("frozen", "pk")))}, method="post",
                          data=lambda s, who: {"action": "reveal", "secret": "c3" * 32},
                          others={"supervisor": refused(_spotcheck_revealed)}),
    "spotcheck_item": Page(_u("spotcheck_item", _spot("item", "pk")),
                           {"regional_hr": shows(_spot("item", "committee", "name"), "核准文件.pdf", 'name="conclusion"'),
                            "supervisor": shows(_spot("item", "committee", "name"), "核准文件.pdf", "检查结果由组织本次抽查的人社部门登记")}),
    "spotcheck_evidence": Page(_u("spotcheck_evidence", _spot("evidence", "pk")),
                               _all(serves_file(_spot("evidence", "file")), "supervisor", "regional_hr")),
    "public_spotchecks": Page(_u("public_spotchecks"), {"*": shows(_spot("drawn", "title"), _spot("frozen", "title"))},
                              anonymous=shows(_spot("drawn", "title"), _spot("frozen", "title"))),
    "public_spotcheck_detail": Page(_u("public_spotcheck_detail", _spot("drawn", "pk")), {"*": shows(_spot("drawn", "publication_sha256"))},
                                    anonymous=shows(_spot("drawn", "publication_sha256"), _spot("item", "key"))),
    "public_spotcheck_record": Page(_u("public_spotcheck_record", _spot("drawn", "pk")),
                                    {"*": serves("application/json", b"{", named=_spot("drawn", "reference"))},
                                    anonymous=serves("application/json", b"{", named=_spot("drawn", "reference"))),
    # —— statistics (zhicheng/statistics): each role over its own scope ——
    "statistics": Page(lambda s: reverse("statistics") + "?year=2021", {"*": _statistics_of_scope}),
    "statistics_export": Page(lambda s: reverse("statistics_export") + "?year=2021&table=all", {"*": _statistics_workbook}),
    # —— shell and public pages ——
    "home": Page(_u("home"), {"*": redirects("dashboard")}, anonymous=shows("职称")),
    "login": Page(_u("login"), {"*": redirects("dashboard")}, anonymous=shows('name="password"')),
    "logout": Page(_u("logout"), {"*": redirects("login")}, method="post", anonymous=redirects("login")),
    "dashboard": Page(_u("dashboard"), {"expert": redirects("expert_tasks"), "other_expert": redirects("expert_tasks"),
                                        "chair": redirects("expert_tasks"), "*": _dashboard}),
    "workflow_table": Page(_u("workflow_table"), {"*": shows("单位公示中")}, anonymous=shows("单位公示中")),
    "audit_log": Page(_u("audit_log"), {"*": shows("审计")}),
    "notifications": Page(_u("notifications"), {"applicant": shows(lambda s: s["a"].person.name), "*": shows("消息")}),
    "notifications_read": Page(_u("notifications_read"), {"*": does(lambda s, u: not _unread(s, u), "notifications")}, method="post"),
    "register": Page(_u("register"), {"*": redirects("dashboard")}, anonymous=shows('name="id_number"')),
    "notice_index": Page(_u("notice_index"), {"*": shows("工程")}, anonymous=shows("工程")),
    "notice_detail": Page(_u("notice_detail", "engineering", "intermediate"), {"*": shows("工程", "一次性告知书")},
                         anonymous=shows("工程", "一次性告知书")),
    "public_publicity_list": Page(_u("public_publicity_list"), {"*": shows(lambda s: s["publicity"].title)},
                                  anonymous=shows(lambda s: s["publicity"].title), day=lambda s: s["publicity"].starts_on),
    "public_publicity_detail": Page(_u("public_publicity_detail", _pk("publicity")), {"*": shows(_name("e"))}, anonymous=shows(_name("e"))),
    "audit_checkpoints": Page(_u("audit_checkpoints"), {"*": shows("检查点")}, anonymous=shows("检查点")),
    # —— the applicant's archive (a's person) and a draft being prepared (h, its owner the drafter) ——
    "archive": Page(_u("archive"), {"applicant": shows(lambda s: s["a"].person.education_records.first().school), "*": shows("档案")}),
    "archive_person": Page(_u("archive_person"), {"*": shows('name="ethnicity"', 'name="civil_servant"')}),
    "archive_record_new": Page(_u("archive_record_new", "education"), {"*": shows('name="school"')}),
    "archive_record_edit": Page(_u("archive_record_edit", "education", lambda s: s["a"].person.education_records.order_by("pk").first().pk),
                                {"applicant": shows(lambda s: s["a"].person.education_records.order_by("pk").first().school)}),
    "archive_record_delete": Page(_u("archive_record_delete", "education", lambda s: s["a"].person.education_records.order_by("pk").first().pk),
                                  {"applicant": shows(lambda s: s["a"].person.education_records.order_by("pk").first().school)}),
    "archive_file": Page(_u("archive_file", lambda s: s["evidence"].sha256), {"applicant": serves_file(lambda s: s["evidence"])}),
    "declare_start": Page(_u("declare_start"), {"*": shows('name="series"')}),
    "declare_preview": Page(lambda s: reverse("declare_preview") + f"?series={s['c'].series_id}&level=intermediate", {"*": _previewed}),
    "declaration_edit": Page(_u("declaration_edit", _pk("h")), {"drafter": shows(_name("h"), lambda s: s["material_h"].file.original_name)}),
    # The draft h is worked on in the declaration period: after 30 June a draft is read only (三（二）).
    "declaration_autosave": Page(_u("declaration_autosave", _pk("h")), {"drafter": does(lambda s, u: _draft_effect(s, u), _edit("h"))},
                                 method="post", data=_draft_data, day=DECLARING_DAY),
    "declaration_records": Page(_u("declaration_records", _pk("h")), {"drafter": does(_records_chosen, _edit("h"))},
                                method="post", data=_records_data, day=DECLARING_DAY),
    "declaration_material": Page(_u("declaration_material", _pk("h")), {"drafter": does(_materials, _edit("h"))},
                                 method="post", data=_material_data, day=DECLARING_DAY),
    "declaration_material_retire": Page(_u("declaration_material_retire", _pk("h"), _pk("material_h")),
                                        {"drafter": shows(lambda s: s["material_h"].file.original_name)}, day=DECLARING_DAY),
    "declaration_pledge": Page(_u("declaration_pledge", _pk("h")), {"drafter": does(_pledged, _edit("h"))}, method="post",
                               data=lambda s, who: {"agree": "yes"}, day=DECLARING_DAY),
    "declaration_fee": Page(_u("declaration_fee", _pk("h")), {"drafter": does(_fee_paid, _edit("h"))}, method="post",
                            data=lambda s, who: {"reference": "NMG2021-0601-77"}, day=DECLARING_DAY),
    # —— queues and the dossier ——
    "application_list": Page(_u("application_list"), {"*": shows("申报")}),
    "application_export": Page(_u("application_export"), {"*": serves(XLSX, b"PK")}),
    "application_export_file": Page(_u("application_export_file", _pk("export_job")), {"employer": serves(XLSX, b"PK")}),
    "application_bulk": Page(_u("application_bulk"), {"other_committee_office": does(_b_accepted, lambda s: "/applications/?queue=1")},
                             method="post", data=lambda s, who: {"action": "accept", "ids": [s["b"].pk]},
                             others={"*": refused(_b_accepted)}),
    "rescreen": Page(_u("rescreen"), {"regional_hr": shows('name="year"')}),
    "application_detail": Page(_u("application_detail", _pk("a")), _all(shows(_name("a")), *SEES_A)),
    "application_act": Page(_u("application_act", _pk("b")), {"other_committee_office": does(_b_accepted, _u("application_detail", _pk("b")))},
                            method="post", data=lambda s, who: {"action": "accept"},
                            others=_all(refused(_b_accepted), *[w for w in SEES_B if w != "supervisor"])),
    "application_correction": Page(_u("application_correction", _pk("g")), {"department": shows(_name("g"), 'name="deadline"')}),
    "application_exam_confirm": Page(_u("application_exam_confirm", _pk("g")),
                                     {"department": does(_exam_confirmed, _u("application_detail", _pk("g")))},
                                     method="post", prepare=_exam_ready,
                                     others=_all(refused(_exam_confirmed), "employer", "city_bureau", "county_bureau", "regional_hr")),
    "application_file": Page(_u("application_file", _pk("a"), lambda s: s["material_a"].file.sha256),
                             _all(serves_file(lambda s: s["material_a"].file), *SEES_A)),
    "application_review_form": Page(_u("application_review_form", _pk("a")), _all(serves(*PDF), *SEES_A)),
    "application_summary_form": Page(_u("application_summary_form", _pk("a")), _all(serves(*PDF), *SEES_A)),
    # —— publicities: e's, published by its employer (the scene's employer) ——
    "publicity_list": Page(_u("publicity_list"), {"employer": shows(lambda s: s["publicity"].title), "*": shows("公示")}),
    "publicity_detail": Page(_u("publicity_detail", _pk("publicity")), _all(shows(_name("e"), "赵六"), "employer", "regional_hr", "supervisor")),
    "publicity_close": Page(_u("publicity_close", _pk("publicity")), {"employer": does(_publicity_closed, _u("publicity_detail", _pk("publicity")))},
                            method="post", data=lambda s, who: {"confirm": "yes"}, prepare=_close_ready,
                            day=dt.date(2021, 7, 1)),
    "publicity_summary_forms": Page(_u("publicity_summary_forms", _pk("publicity")), _all(serves(*PDF), "employer", "regional_hr", "supervisor")),
    "objection_handle": Page(_u("objection_handle", _pk("objection")),
                             {"employer": does(_objection_handled, _u("publicity_detail", _pk("publicity")))}, method="post",
                             data=lambda s, who: {"substantiated": "no", "finding": "经核实，业绩证明与原件一致。", "confirm": "yes"}),
    # —— certificates and filing: d, certified ——
    "certificate_verify": Page(_u("certificate_verify"), {"*": shows('name="number"')}, anonymous=shows('name="number"')),
    "certificate_scan": Page(_u("certificate_scan", lambda s: s["certificate"].number, lambda s: s["certificate"].check_code),
                             {"*": shows(lambda s: s["certificate"].number)}, anonymous=shows(lambda s: s["certificate"].number)),
    "signing_key": Page(_u("signing_key"), {"*": shows("PUBLIC KEY")}, anonymous=shows("PUBLIC KEY")),
    "my_certificates": Page(_u("my_certificates"), {"holder": shows(lambda s: s["certificate"].number),
                                                    "applicant": shows(lambda s: s["exchange"].original_issuer), "*": shows("证书")}),
    "certificate_pdf": Page(_u("certificate_pdf", _pk("certificate")),
                            _all(serves(*PDF, named=lambda s: s["certificate"].number), "holder", "regional_hr", "supervisor", "city_bureau",
                                 "county_bureau")),
    "certificate_list": Page(_u("certificate_list"), {"other_city_bureau": shows("证书"), "other_county_bureau": shows("证书"),
                                                      "*": shows(lambda s: s["certificate"].number)}),
    "certificate_revoke": Page(_u("certificate_revoke", _pk("certificate")), {"regional_hr": shows(lambda s: s["certificate"].number)}),
    "exchange_new": Page(_u("exchange_new"), {"*": shows('name="original_number"')}),
    "exchange_list": Page(_u("exchange_list"), {"other_city_bureau": shows("换发"), "other_county_bureau": shows("换发"),
                                                "county_bureau": shows("换发"), "*": shows("SX2016-WS-0123")}),
    "exchange_detail": Page(_u("exchange_detail", _pk("exchange")), _all(shows("SX2016-WS-0123"), "applicant", "city_bureau", "regional_hr", "supervisor")),
    "exchange_evidence": Page(_u("exchange_evidence", _pk("exchange")),
                              _all(serves_file(lambda s: s["exchange"].evidence), "applicant", "city_bureau", "regional_hr", "supervisor")),
    "history_import": Page(_u("history_import"), {"regional_hr": shows('name="workbook"')}),
    "certificate_render": Page(_u("certificate_render"), {"regional_hr": shows('name="year"')}),
    "filing_queue": Page(_u("filing_queue"), {"*": shows("备案")}),
    "filing_detail": Page(_u("filing_detail", lambda s: s["d"].filings.get().pk),
                          _all(shows(_name("d")), "committee_office", "regional_hr", "supervisor")),
    "pledge_pdf": Page(_u("pledge_pdf", _pk("a")), _all(serves(*PDF), *[w for w in SEES_A if w != "expert"])),
    # —— the committee side: b's committee's pool, plan, draw and meeting (complete), a's meeting (scheduled) ——
    "public_draws": Page(_u("public_draws"), {"*": shows(lambda s: s["city"]["plan"].committee.name)},
                         anonymous=shows(lambda s: s["city"]["plan"].committee.name)),
    "public_draw_detail": Page(_u("public_draw_detail", lambda s: s["city"]["draw"].pk), {"*": shows(lambda s: s["city"]["draw"].publication_sha256)},
                               anonymous=shows(lambda s: s["city"]["draw"].publication_sha256)),
    "second_factor": Page(_u("second_factor"), {"expert": shows('name="code"'), "other_expert": shows('name="code"'),
                                                "chair": shows('name="code"'), "*": redirects("dashboard")}),
    "expert_pool": Page(_u("expert_pool"), {"committee_office": shows("专家"),
                                            "*": shows(lambda s: s["city"]["members"][0].person.name)}),
    "expert_detail": Page(_u("expert_detail", lambda s: s["city"]["members"][4].pk),
                          _all(shows(lambda s: s["city"]["members"][4].person.name), *COMMITTEE_B)),
    "expert_act": Page(_u("expert_act", lambda s: s["city"]["members"][4].pk),
                       _all(does(_expert_updated, _u("expert_detail", lambda s: s["city"]["members"][4].pk)), "other_committee_office", "regional_hr"),
                       method="post", data=_expert_data),
    "expert_import": Page(_u("expert_import"), {"*": shows('name="workbook"')}),
    "pool_filings": Page(_u("pool_filings"), {"committee_office": shows("评委库"), "*": shows(lambda s: s["city"]["plan"].committee.name)}),
    "pool_filing_act": Page(_u("pool_filing_act"), _all(does(_pool_effect, "pool_filings"), "other_committee_office", "regional_hr"),
                            method="post", data=_pool_data, others={"committee_office": refused(_pool_filed)}),
    "review_plans": Page(_u("review_plans"), {"committee_office": shows(lambda s: s["a"].committee.name),
                                              "*": shows(lambda s: s["city"]["plan"].committee.name)}),
    "review_plan_detail": Page(_u("review_plan_detail", lambda s: s["city"]["plan"].pk), _all(shows(_name("f")), *COMMITTEE_B)),
    "review_plan_act": Page(_u("review_plan_act", lambda s: s["city"]["plan"].pk),
                            {"other_committee_office": does(_panel_made, _u("review_plan_detail", lambda s: s["city"]["plan"].pk))},
                            method="post", data=_panel_data, others={"regional_hr": refused(_panel_made)}, day=dt.date(2021, 8, 10)),
    "draw_detail": Page(_u("draw_detail", lambda s: s["city"]["draw"].pk), _all(shows(lambda s: s["city"]["members"][0].person.name), *COMMITTEE_B)),
    "draw_act": Page(_u("draw_act", lambda s: s["city"]["draw"].pk),
                     {"other_committee_office": does(_chair_set, _u("draw_detail", lambda s: s["city"]["draw"].pk))},
                     method="post", data=_chair_data, others={"supervisor": refused(_chair_set)}),
    "draw_record": Page(_u("draw_record", lambda s: s["city"]["draw"].pk),
                        _all(lambda response, scene, user: _draw_record(response, scene), *COMMITTEE_B)),
    "meeting_detail": Page(_u("meeting_detail", lambda s: s["city"]["meeting"].pk), _all(shows(_name("f")), *COMMITTEE_B)),
    "meeting_act": Page(_u("meeting_act", _pk("review", "meeting")),
                        {"committee_office": does(_groups_set, _u("meeting_detail", _pk("review", "meeting")))},
                        method="post", data=lambda s, who: {"action": "groups", "general": 90}),
    "minutes_pdf": Page(_u("minutes_pdf", lambda s: s["city"]["meeting"].pk), _all(serves(*PDF), *COMMITTEE_B, "chair")),
    "expert_tasks": Page(_u("expert_tasks"), {"expert": shows(_name("a")), "chair": shows(_name("f")), "*": shows("评审")}),
    "expert_opinion": Page(_u("expert_opinion", _pk("review", "assignment")), {"expert": shows(_name("a"), 'name="recommendation"')}),
    "ballot": Page(_u("ballot", lambda s: s["city"]["meeting"].pk), {"chair": shows(lambda s: s["city"]["plan"].committee.name)}),
    "minutes_sign": Page(_u("minutes_sign", lambda s: s["city"]["meeting"].pk), {"chair": shows(lambda s: s["city"]["meeting"].minutes.sha256,
                                                                                                   'name="code"')}),
    # —— background jobs: the employer's ——
    "job_list": Page(_u("job_list"), {"employer": shows("批量审核"), "*": shows("任务")}),
    "job_detail": Page(_u("job_detail", _pk("job")), {"employer": shows("批量审核")}),
    "job_progress": Page(_u("job_progress", _pk("job")), {"employer": shows(lambda s: reverse("job_progress", args=[s["job"]]), "<progress")}),
    "login_lockouts": Page(_u("login_lockouts"), {"regional_hr": shows("锁定")}),
    "password_change": Page(_u("password_change"), {"*": shows('name="old_password"', 'name="new_password1"', "修改密码")}),
    # —— rectification (八（一）): the employer's orders (its city's and county's bureaus see them too), the economics committee's suspension, d's re-check, bulletins ——
    "rectification_orders": Page(_u("rectification_orders"), {**_all(shows(_rect("waiting", "reference")), "employer", "regional_hr", "supervisor",
                                                                     "city_bureau", "county_bureau"),
                                                              "*": shows("限期纠正")}),
    "rectification_order_new": Page(_u("rectification_order_new"), {"supervisor": shows("监督账号只能查看，不能办理"),
                                                                     "*": shows('name="matter"', 'name="deadline"')}),
    "rectification_order_detail": Page(_u("rectification_order_detail", _rect("waiting", "pk")),
                                       _all(shows(_rect("waiting", "matter")), "employer", "regional_hr", "supervisor", "city_bureau",
                                            "county_bureau")),
    "rectification_order_act": Page(_u("rectification_order_act", _rect("waiting", "pk")),
                                    {"employer": does(_rect_answered, _u("rectification_order_detail", _rect("waiting", "pk")))},
                                    method="post", data=_rect_act_data,
                                    others=_all(refused(_rect_answered), "regional_hr", "supervisor", "city_bureau", "county_bureau")),
    "rectification_evidence": Page(_u("rectification_evidence", _rect("answered", "pk"), _rect("evidence", "sha256")),
                                   _all(serves_file(lambda s: s["rectification"]["evidence"]), "employer", "regional_hr", "supervisor",
                                        "city_bureau", "county_bureau")),
    "committee_suspend": Page(_u("committee_suspend", _rect("overdue", "pk")),
                              {"regional_hr": shows(lambda s: s["rectification"]["committee"], "在其受理环节的申报")}),
    "suspension_detail": Page(_u("suspension_detail", _rect("suspension", "pk")),
                              _all(shows(_rect("suspension", "reason")), "regional_hr", "supervisor")),
    "suspension_act": Page(_u("suspension_act", _rect("suspension", "pk")),
                           {"regional_hr": does(_rect_lifted, _u("suspension_detail", _rect("suspension", "pk")))},
                           method="post", data=lambda s, who: {"action": "lift", "reason": "整改已验收。"}),
    "finding_revoke": Page(_u("finding_revoke", _rect("finding", "pk")), {"regional_hr": shows(lambda s: s["certificate"].number, "复查")}),
    "bulletin_list": Page(_u("bulletin_list"), {"*": shows(_rect("draft", "document_number"), _rect("published", "document_number"))}),
    "bulletin_new": Page(_u("bulletin_new"), {"regional_hr": shows('name="document_number"')}),
    "bulletin_edit": Page(_u("bulletin_edit", _rect("draft", "pk")), {"regional_hr": shows(_rect("draft", "title"))}),
    "bulletin_publish": Page(_u("bulletin_publish", _rect("draft", "pk")),
                             {"regional_hr": does(_rect_published, _u("public_bulletin_detail", _rect("draft", "pk")))},
                             method="post", data=lambda s, who: {"confirm": "yes"}),
    "public_bulletins": Page(_u("public_bulletins"), {"*": shows(_rect("published", "title"))}, anonymous=shows(_rect("published", "title"))),
    "public_bulletin_detail": Page(_u("public_bulletin_detail", _rect("published", "pk")), {"*": shows(_rect("published", "document_number"))},
                                   anonymous=shows(_rect("published", "document_number"))),
    "public_bulletin_pdf": Page(_u("public_bulletin_pdf", _rect("published", "pk")), {"*": serves(*PDF)}, anonymous=serves(*PDF)),
    # —— the API (public; each endpoint checks what it serves) ——
    # django-ninja's root only names the API's prefix for reversing; it answers 404 to everyone by design.
    "api:api-root": Page(lambda s: reverse("api:api-root"), {"*": answers(404)}, anonymous=answers(404)),
    "api:openapi-json": Page(lambda s: reverse("api:openapi-json"), {"*": shows("/api/certificates/verify")},
                             anonymous=shows("/api/certificates/verify")),
    "api:openapi-view": Page(lambda s: reverse("api:openapi-view"), {"*": shows("swagger")}, anonymous=shows("swagger")),
    "api:public_key": Page(lambda s: reverse("api:public_key"), {"*": shows("PUBLIC KEY")}, anonymous=shows("PUBLIC KEY")),
    "api:verify": Page(lambda s: reverse("api:verify"), {"*": shows(lambda s: s["certificate"].number)}, method="json",
                       data=lambda s, who: {"number": s["certificate"].number, "name": s["certificate"].holder_name},
                       anonymous=shows(lambda s: s["certificate"].number)),
    "api:scan": Page(lambda s: reverse("api:scan", args=[s["certificate"].number]) + f"?code={s['certificate'].check_code}",
                     {"*": shows(lambda s: s["certificate"].number)}, anonymous=shows(lambda s: s["certificate"].number)),
    # —— organisation API keys (zhicheng/api) and the v1 API's own key operation ——
    "api_keys": Page(_u("api_keys"), {"*": _api_keys_listed}, prepare=_api_key_pk),
    "api_key_new": Page(_u("api_key_new"), {"*": _api_key_made}, method="post",
                        data=lambda s, who: {"name": "走查系统", "scopes": ["read_declarations", "read_results"],
                                             "expires_on": (s["review_day"] + dt.timedelta(days=90)).isoformat()}),
    "api_key_revoke": Page(_u("api_key_revoke", _api_key_pk), {"employer": does(_api_key_revoked, "api_keys")}, method="post",
                           data=lambda s, who: {"confirm": "yes"}),
    "api_v1:keys_me": Page(_u("api_v1:keys_me"), {"*": with_key(lambda r, s, u: shows(u.organisation.name, u.username)(r, s, u))},
                           anonymous=_api_unauthenticated),
    # —— webhook subscriptions (zhicheng/webhooks): the pages, and the v1 API's read of them (scope webhooks) ——
    "webhook_list": Page(_u("webhook_list"), {"*": _webhooks_listed}, prepare=_webhook),
    "webhook_detail": Page(lambda s: reverse("webhook_detail", args=[_webhook(s)["sub"]]),
                           {"employer": shows("单位人事系统推送", lambda s: _webhook(s)["public_id"], "维护中")}),
    "webhook_act": Page(lambda s: reverse("webhook_act", args=[_webhook(s)["sub"]]),
                        {"employer": does(_webhook_resent, lambda s: reverse("webhook_detail", args=[_webhook(s)["sub"]]))},
                        method="post", data=lambda s, who: {"action": "resend", "delivery": _webhook(s)["delivery"]}),
    "api_v1:webhooks_subscriptions": Page(_u("api_v1:webhooks_subscriptions"), {"*": with_key(_webhook_api_list, "webhooks")},
                                          anonymous=_api_unauthenticated, prepare=_webhook),
    "api_v1:webhooks_subscription": Page(lambda s: reverse("api_v1:webhooks_subscription", args=[_webhook(s)["sub"]]),
                                         {"*": with_key(_webhook_api("单位人事系统推送"), "webhooks")}, anonymous=_api_unauthenticated),
    "api_v1:webhooks_deliveries": Page(lambda s: reverse("api_v1:webhooks_deliveries", args=[_webhook(s)["sub"]]),
                                       {"*": with_key(_webhook_api(lambda s: _webhook(s)["public_id"], "维护中"), "webhooks")},
                                       anonymous=_api_unauthenticated),
    # —— national data collection and certificates from elsewhere through the v1 API (zhicheng/collection) ——
    "api_v1:collection_titles": Page(_u("api_v1:collection_titles"), {"*": with_key(_collection_titles, "export")},
                                     anonymous=_api_unauthenticated),
    "api_v1:exchange_certificates": Page(_u("api_v1:exchange_certificates"), {"*": with_key(_exchange_api(list_=True), "read_results")},
                                         anonymous=_api_unauthenticated),
    "api_v1:exchange_certificate": Page(_u("api_v1:exchange_certificate", _pk("exchange")),
                                        {"*": with_key(_exchange_api(list_=False), "read_results")}, anonymous=_api_unauthenticated),
    # —— the v1 API's declarations, publicities and results (zhicheng/api/v1: declarations.py, publicities.py, results.py) ——
    "api_v1:declarations": Page(_u("api_v1:declarations"), {"*": with_key(_v1_listed(_v1_declarations, "a"))}, anonymous=_api_unauthenticated),
    "api_v1:declaration": Page(_u("api_v1:declaration", _pk("a")), {"*": with_key(_v1_detail(_v1_declarations, "a", _name("a")))},
                               anonymous=_api_unauthenticated),
    "api_v1:declaration_timeline": Page(_u("api_v1:declaration_timeline", _pk("a")),
                                        {"*": with_key(_v1_detail(_v1_declarations, "a", "submit"))}, anonymous=_api_unauthenticated),
    "api_v1:declaration_actions": Page(_u("api_v1:declaration_actions", _pk("b")), {"*": with_key(_v1_accepted_b)}, method="json",
                                       data=lambda s, who: {"action": "accept"}, anonymous=_api_unauthenticated),
    "api_v1:declarations_bulk": Page(_u("api_v1:declarations_bulk"), {"*": with_key(_v1_bulk_accepted_b)}, method="json",
                                     data=lambda s, who: {"action": "accept", "ids": [s["b"].pk]}, anonymous=_api_unauthenticated),
    "api_v1:publicities": Page(_u("api_v1:publicities"), {"*": with_key(_v1_listed(_v1_publicities, "publicity"))},
                               anonymous=_api_unauthenticated),
    "api_v1:publicity": Page(_u("api_v1:publicity", _pk("publicity")), {"*": with_key(_v1_detail(_v1_publicities, "publicity", "赵六"))},
                             anonymous=_api_unauthenticated),
    "api_v1:publicity_close": Page(_u("api_v1:publicity_close", _pk("publicity")), {"*": with_key(_v1_publisher(_publicity_closed))},
                                   method="json", prepare=_close_ready, day=dt.date(2021, 7, 1), anonymous=_api_unauthenticated),
    "api_v1:publicity_objection": Page(lambda s: reverse("api_v1:publicity_objection", args=[s["publicity"].pk, s["objection"].pk]),
                                       {"*": with_key(_v1_publisher(_objection_handled))}, method="json",
                                       data=lambda s, who: {"substantiated": False, "finding": "经核实，业绩证明与原件一致。"},
                                       anonymous=_api_unauthenticated),
    "api_v1:results_committee": Page(_u("api_v1:results_committee"), {"*": with_key(_v1_listed(_v1_declarations, "d", "declaration_id"))},
                                     anonymous=_api_unauthenticated),
    "api_v1:filings": Page(_u("api_v1:filings"), {"*": with_key(_v1_listed(_v1_filings, "d_filing"))}, anonymous=_api_unauthenticated),
    "api_v1:filing": Page(lambda s: reverse("api_v1:filing", args=[s["d"].filings.get().pk]),
                          {"*": with_key(_v1_detail(_v1_filings, "d_filing", _name("d")))}, anonymous=_api_unauthenticated),
    "api_v1:filing_approve": Page(lambda s: reverse("api_v1:filing_approve", args=[s["d"].filings.get().pk]), {"*": with_key(_v1_filing_decided)},
                                  method="json", anonymous=_api_unauthenticated),
    "api_v1:filing_return": Page(lambda s: reverse("api_v1:filing_return", args=[s["d"].filings.get().pk]), {"*": with_key(_v1_filing_decided)},
                                 method="json", data=lambda s, who: {"reason": "评审通过人员花名册与公示名单不符"}, anonymous=_api_unauthenticated),
    "api_v1:certificates": Page(_u("api_v1:certificates"), {"*": with_key(_v1_listed(_v1_certificates, "certificate"))},
                                anonymous=_api_unauthenticated),
    "api_v1:certificate": Page(_u("api_v1:certificate", _pk("certificate")),
                               {"*": with_key(_v1_detail(_v1_certificates, "certificate", lambda s: s["certificate"].number))},
                               anonymous=_api_unauthenticated),
    # —— the v1 API (organisation keys; the schema and its docs are public) ——
    "api_v1:api-root": Page(lambda s: reverse("api_v1:api-root"), {"*": answers(404)}, anonymous=answers(404)),
    "api_v1:openapi-json": Page(lambda s: reverse("api_v1:openapi-json"), {"*": shows("API v1")}, anonymous=shows("API v1")),
    "api_v1:openapi-view": Page(lambda s: reverse("api_v1:openapi-view"), {"*": shows("swagger")}, anonymous=shows("swagger")),
}


def _draw_record(response, scene):
    import json

    assert response.status_code == 200, response.status_code
    assert json.loads(response.content) == scene["city"]["draw"].record


def _url_names() -> list[str]:
    return sorted({entry.full_name for _, entry in _routes()})


def test_the_walk_covers_every_url_of_the_project():
    """A new page without an entry here fails: its roles must be shown to work and the others refused."""
    names = set(_url_names())
    assert sorted(names - set(PAGES_WALKED)) == [], "pages the walk does not know"
    assert sorted(set(PAGES_WALKED) - names) == [], "entries for pages that do not exist"


def _users(scene) -> dict:
    return {who: getattr(scene["roles"], who) for who, _, _ in SCOPE} | scene["users"]


def _signed_in(users: dict) -> dict[str, str]:
    """A session per user as the login page leaves it (the second factor passed where one is needed), without the
    login's audit entry and session rotation: the walk signs 21 users in on every page."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from zhicheng.accounts.middleware import SEEN, STARTED
    from zhicheng.accounts.permissions import second_factor_required

    store, now, keys = import_module(settings.SESSION_ENGINE).SessionStore, time.time(), {}
    for who, user in users.items():
        session = store()
        session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash(), STARTED: now, SEEN: now})
        if second_factor_required(user):
            session[SECOND_FACTOR_SESSION_KEY] = user.pk
        session.save()
        keys[who] = session.session_key
    return keys


def _page_name(url_name: str) -> str | None:
    entry = next(entry for _, entry in _routes() if entry.full_name == url_name)
    return getattr(entry.callback, "page_name", None)


@contextmanager
def _request(client, walk: Page, scene, who: str | None):
    url = walk.url(scene)
    data = walk.data(scene, who) if walk.data else {}
    with transaction.atomic():  # every user acts on the scene as it is: what one user's action did is undone
        if walk.prepare:
            walk.prepare(scene)
        if walk.method == "json":
            import json

            response = client.post(url, json.dumps(data), content_type="application/json")
        else:
            response = getattr(client, walk.method)(url, data)
        yield response
        transaction.set_rollback(True)


def _expected(walk: Page, page_name: str | None, who: str, user) -> Check | int:
    """What this user must get: the page working (a check), a refusal the service explains (a check), 404 or 403."""
    if page_name is not None and not can_open(user, page_name):
        return 403
    if who in walk.works:
        return walk.works[who]
    if who in walk.others:
        return walk.others[who]
    if "*" in walk.works:
        return walk.works["*"]
    if "*" in walk.others:
        return walk.others["*"]
    return 404


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", _url_names())
def test_every_page_for_every_role(client, scene, url_name, settings):
    """Each page works for the roles it is for, on a real object; everyone else is refused as its rule says."""
    walk = PAGES_WALKED.get(url_name)
    assert walk is not None, f"{url_name}: no entry in PAGES_WALKED"
    page_name = _page_name(url_name)
    public = page_name is None or PAGES[page_name] is None
    users = _users(scene)
    works = [who for who, user in users.items() if (public or can_open(user, page_name))
             and (who in walk.works or ("*" in walk.works and who not in walk.others))]
    assert works, f"{url_name}: nobody sees it work"
    failures, sessions = [], _signed_in(users)
    with clock.frozen(_text(walk.day, scene) or scene["review_day"]):
        with _request(client, walk, scene, None) as response:
            if public:
                assert walk.anonymous is not None, f"{url_name}: a public page needs its anonymous check"
                walk.anonymous(response, scene, None)
            else:
                assert response.status_code == 302 and "/login/" in response["Location"], (url_name, response.status_code)
        for who, user in users.items():
            expected = _expected(walk, page_name, who, user)
            client.cookies.clear()  # the last user's cookies (its messages among them) stay with the last user
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[who]
            with _request(client, walk, scene, who) as response:
                try:
                    if isinstance(expected, int):
                        assert response.status_code == expected, f"{response.status_code}, expected {expected}"
                    else:
                        expected(response, scene, user)
                except AssertionError as exc:
                    failures.append(f"{who}: {exc}")
    assert failures == [], f"{url_name}: " + "; ".join(failures)
