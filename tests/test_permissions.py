"""Who may see what: every role, every page, in scope, out of scope and in another region."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhicheng.accounts.permissions import PAGES, SECOND_FACTOR_SESSION_KEY, can_open
from zhicheng.accounts.roles import Role
from zhicheng.core import clock
from zhicheng.declarations.models import Application

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
    with clock.frozen(scene["review_day"]):
        listing = client.get(reverse("application_list")).content.decode()
        for key, sees in (("a", sees_a), ("b", sees_b), ("c", False)):
            app = scene[key]
            detail = client.get(reverse("application_detail", args=[app.pk]))
            assert detail.status_code == (200 if sees else 404), (who, key)
            assert (reverse("application_detail", args=[app.pk]) + '"' in listing) == sees, (who, key)


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
    "job_detail": lambda scene: reverse("job_detail", args=[_job_pk(scene)]),
    "job_progress": lambda scene: reverse("job_progress", args=[_job_pk(scene)]),
}


def _job_pk(scene):
    """A background job the scene's employer started for its unit; created once per scene."""
    if "job" not in scene:
        from zhicheng.jobs.models import Job

        employer = scene["roles"].employer
        scene["job"] = Job.objects.create(kind="bulk_step", title="批量审核", started_by=employer, organisation=employer.organisation).pk
    return scene["job"]


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("employer", 200), ("other_employer", 404), ("regional_hr", 404), ("applicant", 403)])
@pytest.mark.parametrize("page_name", ["job_detail", "job_progress"])
def test_a_job_is_seen_by_its_organisation_only(client, scene, who, status, page_name):
    login(client, getattr(scene["roles"], who))
    assert client.get(SPECIAL_URLS[page_name](scene)).status_code == status


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


# (role attribute, what it gets on a's committee's plan, draw and meeting pages)
REVIEW_SCOPE = [
    ("committee_office", 200), ("other_committee_office", 404), ("regional_hr", 200), ("supervisor", 200),
    ("employer", 403), ("city_bureau", 403), ("talent_centre", 403), ("applicant", 403), ("expert", 403),
]


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", REVIEW_SCOPE)
@pytest.mark.parametrize("page_name", ["review_plan_detail", "draw_detail", "meeting_detail"])
def test_committee_pages_follow_the_committee(client, scene, who, status, page_name):
    url = SPECIAL_URLS[page_name](scene)
    login(client, getattr(scene["roles"], who))
    with clock.frozen(scene["review_day"]):
        assert client.get(url).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("committee_office", 302), ("supervisor", 302), ("other_committee_office", 404),
                                         ("regional_hr", 403), ("expert", 403)])
def test_only_the_office_and_the_supervisor_act_on_a_draw(client, scene, who, status):
    login(client, getattr(scene["roles"], who))
    with clock.frozen(scene["review_day"]):
        assert client.post(SPECIAL_URLS["draw_act"](scene), {"action": "commit", "value": "2" * 64}).status_code == status


@pytest.mark.django_db
def test_an_expert_opens_only_their_own_review_pages(client, scene):
    login(client, scene["roles"].other_expert)
    with clock.frozen(scene["review_day"]):
        assert client.get(SPECIAL_URLS["expert_opinion"](scene)).status_code == 404
        assert client.get(SPECIAL_URLS["ballot"](scene)).status_code == 404
        assert client.get(reverse("expert_tasks")).status_code == 200
    login(client, scene["roles"].expert)
    with clock.frozen(scene["review_day"]):
        assert client.get(SPECIAL_URLS["expert_opinion"](scene)).status_code == 200
    with clock.frozen(scene["review_day"].replace(month=9)):
        assert client.get(SPECIAL_URLS["expert_opinion"](scene)).status_code == 404  # outside the review window

# Pages that only take POST (a GET would be 405 for everyone).
POST_ONLY = frozenset({
    "application_bulk", "application_exam_confirm", "declaration_autosave", "declaration_fee", "declaration_material",
    "declaration_pledge", "declaration_records", "notifications_read", "publicity_close", "objection_handle",
})


@pytest.mark.django_db
@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_every_page_for_every_role(client, scene, page_name):
    """Anonymous visitors reach only public pages; each role gets exactly what PAGES grants."""
    url = _url_for(page_name, scene)
    method = client.post if page_name.endswith("_act") or page_name in POST_ONLY else client.get
    response = method(url)
    if PAGES[page_name] is None:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 302 and "/login/" in response["Location"]
    for who in ALL_ROLE_USERS:
        user = getattr(scene["roles"], who)
        client.force_login(user)
        with clock.frozen(scene["review_day"]):
            response = method(url)
        if can_open(user, page_name):
            assert response.status_code in (200, 302, 404), (page_name, who)  # 404: object out of this role's scope
        else:
            assert response.status_code == 403, (page_name, who, response.status_code)
        client.logout()


def test_supervisor_is_read_only():
    assert Role.SUPERVISOR not in PAGES["application_act"]
