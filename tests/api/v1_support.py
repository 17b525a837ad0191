"""What the v1 resource tests (test_v1_*.py) share: the scene built once per module, keys per role, calls."""

from __future__ import annotations

import datetime as dt
import json

import pytest

ALL_SCOPES = ["read_declarations", "act_declarations", "read_results", "export"]


def make_key(user, scopes=ALL_SCOPES, *, days=300) -> str:
    from zhicheng.api.services import create_key
    from zhicheng.core import clock

    return create_key(user, name=f"{user.organisation.name}人事系统", scopes=list(scopes),
                      expires_on=clock.today() + dt.timedelta(days=days))[1]


class Caller:
    """A system calling the v1 API with one key."""

    def __init__(self, client, secret: str):
        self.client, self.secret = client, secret

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {self.secret}")

    def post(self, path: str, body=None):
        return self.client.post(f"/api/v1{path}", json.dumps(body if body is not None else {}), content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {self.secret}")


def queries_of_authentication(user, path: str, client) -> int:
    """What the v1 frame's own work costs a call (the key, its rate, its audit entry): the queries of a call
    refused for its scope, before the operation reads anything."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scopeless = Caller(client, make_key(user, ["webhooks"]))
    assert scopeless.get(path).status_code == 403  # the key's first call also notes its last use
    with CaptureQueriesContext(connection) as queries:
        assert scopeless.get(path).status_code == 403
    return len(queries)


def module_scene_fixture(extra=None):
    """A module-scoped fixture: tests/conftest.py's scene (and ``extra(scene)``'s objects) built once, in a
    transaction rolled back after the module's last test; each test rolls back its own changes on top.
    ``scene["make"]`` makes more applicants (make_applicant's own maker would repeat the scene's people)."""

    @pytest.fixture(scope="module")
    def module_scene(django_db_setup, django_db_blocker, tmp_path_factory):
        from django.conf import settings

        from tests.conftest import applicant_maker, build_scene, built_once

        def build():
            kept_media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, tmp_path_factory.mktemp("v1-media")
            try:
                make = applicant_maker()  # one maker for the module: its people's identity numbers never repeat
                scene = build_scene(make)
                scene["make"] = make
                if extra is not None:
                    scene.update(extra(scene))
            finally:
                settings.MEDIA_ROOT = kept_media
            return scene

        with built_once(django_db_blocker, build) as scene:
            yield scene

    return module_scene
