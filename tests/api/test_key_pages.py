"""The pages where an organisation's staff list, create and revoke API keys (issue 16, item 1)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse

from zhicheng.api.models import ApiKey
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock

DAY = dt.date(2021, 8, 10)


def _new(client, **data):
    form = {"name": "人事管理系统", "scopes": ["read_declarations", "read_results"], "expires_on": "2021-12-31"} | data
    return client.post(reverse("api_key_new"), form)


@pytest.fixture
def frozen():
    with clock.frozen(DAY):
        yield


@pytest.fixture
def roles(db):
    """Staff of two units of the demo region (no declarations needed: the keys are the organisation's)."""
    from types import SimpleNamespace

    from zhicheng.orgs.models import Organisation

    from ..conftest import staff_of

    return SimpleNamespace(employer=staff_of(Organisation.objects.get(name="准格尔旗人民医院")),
                           other_employer=staff_of(Organisation.objects.get(name="鄂尔多斯市中心医院")))


def test_a_key_is_created_with_its_scopes_and_shown_once_only_its_hash_kept(roles, client, frozen):
    employer = roles.employer
    client.force_login(employer)
    form = client.get(reverse("api_key_new"))
    assert 'name="scopes"' in form.content.decode() and 'type="checkbox"' in form.content.decode()
    response = _new(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    key = ApiKey.objects.get(organisation=employer.organisation)
    body = response.content.decode()
    secret = body.split('id="secret" class="secret" value="')[1].split('"')[0]
    assert secret.startswith("zck_") and len(secret) >= 4 + 43
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    assert key.user == employer and key.scopes == ["read_declarations", "read_results"]
    assert key.expires_on == dt.date(2021, 12, 31)
    entry = AuditEntry.objects.get(action="api.key_create", object_id=str(key.pk))
    assert entry.actor_id == employer.pk and secret not in str(entry.after) + entry.summary
    # The list shows its prefix, never the secret again.
    listing = client.get(reverse("api_keys")).content.decode()
    assert key.prefix in listing and secret not in listing and "人事管理系统" in listing
    # The key works at once.
    me = client.get("/api/v1/keys/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["organisation"] == employer.organisation.name


@pytest.mark.parametrize("data, field, message", [
    ({"expires_on": "2021-08-10"}, "expires_on", "有效期须晚于今天"),
    ({"expires_on": "2022-08-11"}, "expires_on", "有效期最长一年"),
    ({"scopes": []}, "scopes", "权限范围"),
    ({"scopes": ["read_declarations", "admin"]}, "scopes", "admin"),
    ({"name": "  "}, "name", ""),
])
def test_a_key_that_breaks_a_rule_is_refused_with_the_reason(roles, client, frozen, data, field, message):
    client.force_login(roles.employer)
    response = _new(client, **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in str(response.context["form"].errors[field])
    assert not ApiKey.objects.exists()


def test_a_year_is_the_longest_a_key_lives(roles, client, frozen):
    client.force_login(roles.employer)
    assert "secret" in _new(client, expires_on="2022-08-10").content.decode()


def test_the_list_shows_the_organisations_keys_only_in_a_fixed_number_of_queries(roles, client, frozen, django_assert_num_queries):
    from zhicheng.api.services import create_key

    for n in range(3):
        create_key(roles.employer, name=f"系统{n}", scopes=["read_declarations"], expires_on=DAY + dt.timedelta(days=30))
    create_key(roles.other_employer, name="别家的系统", scopes=["read_declarations"], expires_on=DAY + dt.timedelta(days=30))
    client.force_login(roles.employer)
    client.get(reverse("api_keys"))  # the session and the menu's lookups warmed
    with django_assert_num_queries(4):  # session, user, the keys with their creators, the menu's unread count
        body = client.get(reverse("api_keys")).content.decode()
    assert all(f"系统{n}" in body for n in range(3)) and "别家的系统" not in body


def test_revoking_asks_once_then_the_key_stops_at_once(roles, client, frozen):
    from zhicheng.api.services import create_key

    key, secret = create_key(roles.employer, name="人事管理系统", scopes=["read_declarations"], expires_on=DAY + dt.timedelta(days=30))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/keys/me", **auth).status_code == 200
    client.force_login(roles.employer)
    url = reverse("api_key_revoke", args=[key.pk])
    question = client.post(url)
    assert question.status_code == 200 and "撤销立即生效" in question.content.decode()
    key.refresh_from_db()
    assert not key.revoked
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302
    key.refresh_from_db()
    assert key.revoked_by == roles.employer and key.revoked_at is not None
    assert AuditEntry.objects.filter(action="api.key_revoke", object_id=str(key.pk), actor_id=roles.employer.pk).count() == 1
    client.logout()
    refused = client.get("/api/v1/keys/me", **auth)
    assert refused.status_code == 401 and refused.json()["code"] == "key_revoked"


def test_another_organisations_key_cannot_be_revoked(roles, client, frozen):
    from zhicheng.api.services import create_key

    key, _ = create_key(roles.employer, name="人事管理系统", scopes=["read_declarations"], expires_on=DAY + dt.timedelta(days=30))
    client.force_login(roles.other_employer)
    assert client.post(reverse("api_key_revoke", args=[key.pk]), {"confirm": "yes"}).status_code == 404
    key.refresh_from_db()
    assert not key.revoked


def test_the_key_pages_in_english(roles, client, frozen, settings):
    from zhicheng.api.services import create_key

    create_key(roles.employer, name="HR", scopes=["read_declarations", "webhooks"], expires_on=DAY + dt.timedelta(days=30))
    client.force_login(roles.employer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = client.get(reverse("api_keys")).content.decode()
    assert "API keys" in listing and "Read declarations、Manage webhooks" in listing and "接口密钥" not in listing
    form = client.get(reverse("api_key_new")).content.decode()
    assert "Act on declarations" in form and "Valid until" in form
    refused = _new(client, expires_on="2021-08-10").content.decode()
    assert "The key must be valid until a day after today." in refused


def test_the_proposed_expiry_shows_in_the_date_input(roles, client, frozen):
    """A date input reads only YYYY-MM-DD: the proposed half year rendered as 2022/02/06 showed an empty box."""
    client.force_login(roles.employer)
    body = client.get(reverse("api_key_new")).content.decode()
    assert f'value="{DAY + dt.timedelta(days=180):%Y-%m-%d}"' in body
