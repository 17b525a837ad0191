"""Nothing typed or sent to the monitoring pages ends in a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhicheng.orgs.models import Organisation, OrgKind

from ..conftest import staff_of

pytestmark = pytest.mark.django_db

HUGE = 10**40
JUNK = ["", "abc", "²", "-1", str(HUGE), "2021\x00", "' OR 1=1 --", "0" * 64]


@pytest.mark.parametrize("kind", [OrgKind.REGIONAL_HR_DEPARTMENT, OrgKind.COMMITTEE_OFFICE])
def test_junk_and_huge_ids(kind):
    client = Client(raise_request_exception=False)
    client.force_login(staff_of(Organisation.objects.filter(kind=kind).order_by("pk").first()))
    statuses = []
    for value in JUNK:
        for url in (reverse("plan_progress"), reverse("integrity_signals")):
            statuses.append(client.get(url, {"year": value}).status_code)
        statuses.append(client.post(reverse("plan_explanation_new", args=[1]), {"year": value, "text": value}).status_code)
        statuses.append(client.post(reverse("plan_explanation_decide", args=[1]), {"decision": value, "reason": value}).status_code)
    for pk in (HUGE, 2**63 - 1):
        statuses += [client.get(reverse("plan_explanation_detail", args=[pk])).status_code,
                     client.get(reverse("plan_explanation_evidence", args=[pk, "f" * 70])).status_code,
                     client.post(reverse("plan_explanation_new", args=[pk]), {"year": "2021", "text": "x"}).status_code,
                     client.post(reverse("plan_explanation_decide", args=[pk]), {"decision": "accept", "confirm": "yes"}).status_code]
    assert statuses and max(statuses) < 500, statuses
