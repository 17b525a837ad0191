"""National data collection (issue 16 item 3): the exchange format, the cursor, idempotent re-delivery,
the signature, the workbook and the key's scope."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from zhicheng.certificates.models import Certificate, CertificateStatus
from zhicheng.certificates.services import revoke_certificate
from zhicheng.core import clock
from zhicheng.core.canonical import canonical_json
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P

from ..cycle_helpers import advance

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "collection.schema.json").read_text())


def key_for(user, scopes=("export",)):
    from zhicheng.api.services import create_key

    return create_key(user, name="归集前置机", scopes=list(scopes), expires_on=clock.today() + dt.timedelta(days=30))[1]


def pull(client, secret, cursor="", fmt="json", **params):
    return client.get("/api/v1/collection/titles", {"cursor": cursor, "format": fmt, **params}, HTTP_AUTHORIZATION=f"Bearer {secret}")


def certify(make_applicant, profile=None):
    app, _, _ = advance(make_applicant(profile or P.regular_engineer()), State.CERTIFIED)
    return Certificate.objects.get(application=app)


def drain(client, secret, cursor=""):
    """Pull until has_more is false; returns (records, last cursor)."""
    got = []
    while True:
        body = pull(client, secret, cursor).json()
        jsonschema.validate(body, SCHEMA)
        got += body["batch"]["records"]
        cursor = body["batch"]["cursor"]
        if not body["batch"]["has_more"]:
            return got, cursor


@pytest.mark.django_db
def test_cursor_second_pull_nothing_new_then_exactly_the_one_more(scene, client, make_applicant):
    first = certify(make_applicant)
    secret = key_for(scene["roles"].regional_hr)
    records, cursor = drain(client, secret)
    assert first.number in {r["record_id"] for r in records}
    again = pull(client, secret, cursor).json()
    assert again["batch"]["records"] == [] and again["batch"]["cursor"] == cursor and not again["batch"]["has_more"]
    second = certify(make_applicant)
    after = pull(client, secret, cursor).json()
    jsonschema.validate(after, SCHEMA)
    assert [r["record_id"] for r in after["batch"]["records"]] == [second.number]
    assert pull(client, secret, after["batch"]["cursor"]).json()["batch"]["records"] == []
