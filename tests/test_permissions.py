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


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) in ("admin/", "i18n/"):
                continue  # Django's own, guarded by its own rules
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_every_page_declares_its_access_rule():
    undeclared = [route for route, entry in _routes()
                  if route not in ("login/", "logout/") and getattr(entry.callback, "page_name", None) not in PAGES]
    assert undeclared == []


def _url_for(page_name, scene):
    pattern = next(entry for _, entry in _routes() if getattr(entry.callback, "page_name", None) == page_name)
    if "pk" in str(pattern.pattern):
        return reverse(pattern.name, args=[scene["a"].pk])
    return reverse(pattern.name)


ALL_ROLE_USERS = [name for name, _, _ in SCOPE]


@pytest.mark.django_db
@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_every_page_for_every_role(client, scene, page_name):
    """Anonymous visitors reach only public pages; each role gets exactly what PAGES grants."""
    url = _url_for(page_name, scene)
    method = client.post if page_name.endswith("_act") else client.get
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
