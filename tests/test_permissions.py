"""Who may see what: every role, every page, in scope, out of scope and in another region."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhicheng.accounts.permissions import PAGES, can_open
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
    client.force_login(user)
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
    client.force_login(scene["roles"].expert)
    url = reverse("application_detail", args=[scene["a"].pk])
    with clock.frozen(scene["review_day"]):
        assert client.get(url).status_code == 200
    with clock.frozen(scene["review_day"].replace(month=9)):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_recused_expert_sees_nothing(client, scene):
    scene["a"].assignments.update(recused=True)
    client.force_login(scene["roles"].expert)
    with clock.frozen(scene["review_day"]):
        assert client.get(reverse("application_detail", args=[scene["a"].pk])).status_code == 404


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
}

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
