"""Organisation API keys and the v1 API's frame: authentication, scopes, errors, rate limit, audit (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhicheng.core import clock


def _key(user, scopes=("read_declarations",), days=30, name="人事系统"):
    from zhicheng.api.services import create_key

    return create_key(user, name=name, scopes=list(scopes), expires_on=clock.today() + dt.timedelta(days=days))


def _get(client, path, secret):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


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


def test_without_a_key_every_operation_answers_401_json_and_the_schema_stays_public(db, client):
    response = client.get("/api/v1/keys/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and "Authorization" in response.json()["message"]
    assert _get(client, "/api/v1/keys/me", "zck_" + "x" * 43).json()["code"] == "unauthenticated"
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    me = schema.json()["paths"]["/api/v1/keys/me"]["get"]
    assert {"401", "403", "404", "422", "429", "500"} <= set(map(str, me["responses"]))
    assert client.get("/api/v1/docs").status_code == 200
