"""docs/api.md's example client, run as written against the application (httpx's WSGI transport, no server):
the code block is taken from the document, so the document cannot drift from what works."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest

from zhicheng.core import clock

from .test_schemathesis import connection_kept  # noqa: F401  (a fixture)

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
DAY = dt.date(2021, 8, 10)


def _example() -> dict:
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"<!-- example-client.*?-->\n```python\n(.*?)```", text, re.S).group(1)
    namespace = {"__name__": "example"}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102  our own document's code
    return namespace


def test_the_documented_client_lists_pages_acts_and_raises_the_apis_errors(make_applicant, connection_kept, monkeypatch):  # noqa: F811
    from django.core.wsgi import get_wsgi_application

    from zhicheng.api.services import create_key
    from zhicheng.declarations.models import Application
    from zhicheng.demo import applicants as P

    from ..conftest import staff_of
    from ..cycle_helpers import advance

    example = _example()
    b, _, _ = advance(make_applicant(P.regular_city_engineer_intermediate()), "committee_intake")
    office = staff_of(b.committee.office)  # b waits at its intake
    with clock.frozen(DAY):
        _, secret = create_key(office, name="示例客户端", scopes=["read_declarations", "act_declarations"],
                               expires_on=DAY + dt.timedelta(days=30))
        api = example["ZhiCheng"]("http://testserver", secret, transport=httpx.WSGITransport(app=get_wsgi_application()))
        assert api.me()["organisation"] == office.organisation.name
        # Every page by the cursor, one declaration a page: all the account sees.
        seen = [item["id"] for item in api.declarations(limit=1)]
        assert seen == sorted(Application.objects.for_user(office).values_list("pk", flat=True)) and b.pk in seen
        assert [item["id"] for item in api.declarations(queue=True)] == [b.pk]
        assert api.act(b.pk, "accept", note="材料齐全")["state"]["code"] == "accepted"
        with pytest.raises(example["ApiError"]) as refused:
            api.act(b.pk, "accept")
        assert refused.value.status == 409 and refused.value.code in ("illegal_transition", "guard_failed")
        # 429: the client waits as long as Retry-After says, then gives up after three answers.
        monkeypatch.setenv("ZHICHENG_API_CALLS_PER_MINUTE", "1")
        waits = []
        monkeypatch.setattr(example["time"], "sleep", waits.append)
        with pytest.raises(example["ApiError"]) as limited:
            api.me()
        assert limited.value.code == "rate_limited" and len(waits) == 3 and all(w > 0 for w in waits)
