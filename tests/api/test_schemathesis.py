"""The whole v1 API against its own OpenAPI schema (issue 16): every operation, with a bounded number of
generated requests each, answered with a key that sees the demo scene's declarations. No response may be a
500, and every response must conform to the schema: a status it declares, its content type, its headers and
its body's JSON Schema (the errors included: ErrorOut, declared on every operation by zhicheng.api.v1).

The schema is loaded when the test runs, so operations added to any router are covered as they land.
Deterministic: Hypothesis is derandomized (its seed derived from each operation) and keeps no example
database, and the clock is frozen on the scene's review day."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from zhicheng.core import clock


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# About 180 generated requests in all, spread over the operations (4 to 10 each as routers grow), and half as many
# again on the scene's declarations: ~30 s on SQLite here with 28 operations.
TOTAL_EXAMPLES = 180
DAY = dt.date(2021, 8, 10)


def _run(operation, wsgi, headers, examples: int, **fixed) -> list[str]:
    failures: list[str] = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(**fixed))
    def run(case):
        try:
            case.call_and_validate(app=wsgi, headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            failures.append(f"{operation.label}: {exc}")  # every failing case is reported, not only the first

    run()
    return failures


@pytest.fixture
def connection_kept():
    """Requests go through Django's WSGI handler in the test's own transaction: its end-of-request signal must not
    close the connection (as Django's test client arranges for its own requests)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_v1_operation_conforms_to_the_schema(api_scene, db, monkeypatch, connection_kept):
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    from zhicheng.api.models import Scope
    from zhicheng.api.services import create_key
    from zhicheng.api.v1 import api

    monkeypatch.setenv("ZHICHENG_API_CALLS_PER_MINUTE", "100000")  # the limit has its own test (test_keys.py)
    with clock.frozen(DAY):
        scene = api_scene
        # The regional department sees every declaration of the scene, and acts on none of them in its states.
        _, secret = create_key(scene["roles"].regional_hr, name="schemathesis", scopes=list(Scope.values),
                               expires_on=DAY + dt.timedelta(days=30))
        schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
        wsgi, headers = get_wsgi_application(), {"Authorization": f"Bearer {secret}"}
        operations = [result.ok() for result in schema.get_all_operations()]
        examples = max(4, min(10, TOTAL_EXAMPLES // max(1, len(operations))))
        failures, started = [], time.monotonic()
        # Generated ids rarely name a real object: the operations on a declaration run again on the scene's a and b.
        known = {"declaration_id": [scene["a"].pk, scene["b"].pk]}
        for operation in operations:
            failures += _run(operation, wsgi, headers, examples)
            for name in {p.name for p in operation.path_parameters} & set(known):
                for value in known[name]:
                    failures += _run(operation, wsgi, headers, max(2, examples // 2), path_parameters={name: value})
    print(f"{len(operations)} operations, {examples} examples at most each, {time.monotonic() - started:.1f} s")
    assert any(op.path == "/api/v1/keys/me" for op in operations) and len(operations) > 1
    assert failures == [], "\n\n".join(failures[:20])
