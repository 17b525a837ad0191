"""Organisation API keys and the v1 API's frame: authentication, scopes, errors, rate limit, audit (issue 16).

The declarations of tests/conftest.py's scene (a: 准格尔旗人民医院's, under review; b: at a 呼和浩特 committee's
intake), built once for the module and rolled back after it."""

from __future__ import annotations

import datetime as dt

import pytest

from zhicheng.api.models import ApiKey
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock

DAY = dt.date(2021, 8, 10)


@pytest.fixture
def scene(api_scene, db):
    with clock.frozen(DAY):
        yield api_scene


def _key(user, scopes=("read_declarations",), days=30, name="人事系统"):
    from zhicheng.api.services import create_key

    return create_key(user, name=name, scopes=list(scopes), expires_on=clock.today() + dt.timedelta(days=days))


def _get(client, path, secret):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _ids(client, secret) -> set[int]:
    """Every declaration the key lists, page after page by the cursor."""
    ids, cursor = set(), None
    while True:
        response = _get(client, "/api/v1/declarations" + (f"?cursor={cursor}" if cursor else ""), secret)
        assert response.status_code == 200, response.content
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        if not (cursor := body["next_cursor"]):
            return ids


def test_me_answers_the_keys_organisation_account_scopes_and_expiry(scene, client):
    employer = scene["roles"].employer
    key, secret = _key(employer, scopes=["read_declarations", "export"])
    response = _get(client, "/api/v1/keys/me", secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["organisation"] == employer.organisation.name
    assert body["account"] == employer.username
    assert [s["code"] for s in body["scopes"]] == ["read_declarations", "export"]
    assert body["expires_on"] == key.expires_on.isoformat()


def test_a_units_key_sees_none_of_another_units_declarations(scene, client):
    a, roles = scene["a"], scene["roles"]
    _, own = _key(roles.employer)
    _, other = _key(roles.other_employer)
    assert a.pk in _ids(client, own)
    assert _get(client, f"/api/v1/declarations/{a.pk}", own).json()["id"] == a.pk
    # 鄂尔多斯市中心医院's key: none of 准格尔旗人民医院's declarations, listed or asked for by id.
    seen = _ids(client, other)
    from zhicheng.declarations.models import Application

    assert not Application.objects.filter(pk__in=seen, unit=roles.employer.organisation).exists()
    for path in (f"/api/v1/declarations/{a.pk}", f"/api/v1/declarations/{a.pk}/timeline"):
        response = _get(client, path, other)
        assert response.status_code == 404 and response.json()["code"] == "not_found", (path, response.content)


def test_the_key_sees_what_its_account_sees_on_the_pages(scene, client):
    from zhicheng.declarations.models import Application

    for who in ("employer", "department", "city_bureau", "committee_office", "regional_hr"):
        user = getattr(scene["roles"], who)
        _, secret = _key(user)
        assert _ids(client, secret) == set(Application.objects.for_user(user).values_list("pk", flat=True)), who


@pytest.mark.parametrize("spoil, code", [
    (lambda key: ApiKey.objects.filter(pk=key.pk).update(expires_on=DAY - dt.timedelta(days=1)), "key_expired"),
    (lambda key: ApiKey.objects.filter(pk=key.pk).update(revoked_at=clock.now()), "key_revoked"),
    (lambda key: type(key.user).objects.filter(pk=key.user_id).update(is_active=False), "account_inactive"),
])
def test_an_expired_or_revoked_key_or_a_deactivated_accounts_gets_401(scene, client, spoil, code):
    key, secret = _key(scene["roles"].employer)
    assert _get(client, "/api/v1/keys/me", secret).status_code == 200
    spoil(key)
    response = _get(client, "/api/v1/keys/me", secret)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == code and response.json()["message"]


def test_a_key_lives_through_its_last_day(scene, client):
    key, secret = _key(scene["roles"].employer, days=1)
    with clock.frozen(dt.datetime.combine(key.expires_on, dt.time(23, 59))):
        assert _get(client, "/api/v1/keys/me", secret).status_code == 200
    with clock.frozen(key.expires_on + dt.timedelta(days=1)):
        assert _get(client, "/api/v1/keys/me", secret).json()["code"] == "key_expired"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer zck_" + "x" * 43, "Bearer not-a-key", "Basic dXNlcjpwYXNz"])
def test_without_a_valid_key_every_operation_answers_401_json(db, client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/keys/me", **extra)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and response.json()["message"]


def test_the_schema_and_its_docs_stay_public_and_declare_the_errors(db, client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["components"]["securitySchemes"]["KeyAuth"] == {"type": "http", "scheme": "bearer"}
    assert set(body["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message"}
    for path, item in body["paths"].items():
        for method, operation in item.items():
            assert {"401", "403", "404", "422", "429", "500"} <= set(map(str, operation["responses"])), (method, path)
            assert operation.get("security") == [{"KeyAuth": []}], (method, path)
    assert client.get("/api/v1/docs").status_code == 200


def test_a_key_without_act_declarations_cannot_act(scene, client):
    b, office = scene["b"], scene["roles"].other_committee_office
    _, read_only = _key(office, scopes=["read_declarations", "read_results", "export"])
    response = client.post(f"/api/v1/declarations/{b.pk}/actions", {"action": "accept"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {read_only}")
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "scope_missing" and "办理申报" in response.json()["message"]
    b.refresh_from_db()
    assert b.state == "committee_intake"
    # The same step with the scope goes through transition(), as on the page.
    _, acting = _key(office, scopes=["read_declarations", "act_declarations"])
    response = client.post(f"/api/v1/declarations/{b.pk}/actions", {"action": "accept"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {acting}")
    assert response.status_code == 200, response.content
    b.refresh_from_db()
    assert b.state == "accepted"


def test_the_rate_limit_answers_429_json_with_retry_after_then_lets_the_key_in_again(scene, client, monkeypatch):
    monkeypatch.setenv("ZHICHENG_API_CALLS_PER_MINUTE", "3")
    key, secret = _key(scene["roles"].employer)
    _, other = _key(scene["roles"].employer, name="另一系统")
    start = clock.now()
    for second in range(3):
        with clock.frozen(start + dt.timedelta(seconds=second * 10)):
            assert _get(client, "/api/v1/keys/me", secret).status_code == 200
    with clock.frozen(start + dt.timedelta(seconds=30)):
        response = _get(client, "/api/v1/keys/me", secret)
        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited" and "每分钟最多调用3次" in response.json()["message"]
        assert response["Retry-After"] == "30"  # the first call of the minute leaves the window 30 s later
        assert _get(client, "/api/v1/keys/me", other).status_code == 200  # the limit is the key's own
    with clock.frozen(start + dt.timedelta(seconds=61)):
        assert _get(client, "/api/v1/keys/me", secret).status_code == 200
    refused = AuditEntry.objects.filter(action="api.call", object_id=str(key.pk)).count()
    assert refused == 4  # the refused call wrote nothing


def test_each_call_writes_one_audit_entry_with_the_key(scene, client, django_assert_max_num_queries):
    employer, a = scene["roles"].employer, scene["a"]
    key, secret = _key(employer)
    _get(client, "/api/v1/keys/me", secret)
    before = AuditEntry.objects.count()
    _get(client, f"/api/v1/declarations/{a.pk}", secret)
    _get(client, "/api/v1/declarations?limit=0", secret)  # refused by validation, still a call of the key
    entries = list(AuditEntry.objects.filter(seq__gt=AuditEntry.objects.order_by("seq")[before - 1].seq))
    assert [(e.action, e.object_type, e.object_id, e.actor_id) for e in entries] == [
        ("api.call", "api.apikey", str(key.pk), employer.pk)] * 2
    assert entries[0].after == {"key": key.prefix, "method": "GET", "path": f"/api/v1/declarations/{a.pk}"}
    assert key.name in entries[0].summary
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_invalid_input_answers_422_naming_the_field_in_chinese(scene, client):
    _, secret = _key(scene["roles"].employer)
    response = _get(client, "/api/v1/declarations?limit=0", secret)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "query.limit" in body["message"]
    assert body["details"] == {"fields": {"query.limit": ["不得小于1。"]}}


def test_a_fault_answers_500_json_without_internals(scene, client, monkeypatch):
    from zhicheng.api.v1 import keys

    def boom(**kwargs):
        raise RuntimeError("connection string postgresql://secret@db")

    monkeypatch.setattr(keys, "KeyMeOut", boom)
    _, secret = _key(scene["roles"].employer)
    response = _get(client, "/api/v1/keys/me", secret)
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "message": response.json()["message"], "details": None}
    assert "secret" not in response.content.decode() and "RuntimeError" not in response.content.decode()


def test_only_the_bodies_that_work_on_declarations_hold_keys(scene):
    from django.core.exceptions import PermissionDenied

    from zhicheng.api.services import create_key

    for who in ("applicant", "expert", "supervisor"):
        with pytest.raises(PermissionDenied):
            create_key(getattr(scene["roles"], who), name="x", scopes=["read_declarations"], expires_on=DAY + dt.timedelta(days=3))


@pytest.mark.parametrize("path, status, code", [
    ("/api/v1/keys/me?x=%00", 400, "bad_request"),  # refused by core.middleware before any view
    ("/api/v1/no-such-operation", 404, "not_found"),
])
def test_requests_refused_before_any_api_view_get_the_apis_json_error(db, client, path, status, code):
    response = client.get(path)
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code and response.json()["message"]
    page = client.get("/no-such-page/")  # the pages keep their HTML
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_authenticating_a_call_costs_a_few_queries_and_one_audit_insert(scene, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = _key(scene["roles"].employer)
    _get(client, "/api/v1/keys/me", secret)  # the key's last use written: at most once a minute
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, "/api/v1/keys/me", secret).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    inserts = [s for s in sql if s.startswith("INSERT")]
    assert len(inserts) == 1 and "audit_auditentry" in inserts[0]
    assert not any(s.startswith("UPDATE") and "api_apikey" in s for s in sql)
    # The key with its account and organisation, the minute's count, and the entry appended to the audit chain
    # (its head read, the entry, the head moved); then the operation's own.
    assert len(sql) == 5, sql
