"""A supervisor reads every submitted declaration and acts on none (八): nothing waits in their queue, their
dashboard does not say "待我办理" over everything they may read, and their menu has no 待办 link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.declarations.models import Application


@pytest.mark.django_db
def test_the_supervisor_has_no_queue_but_sees_the_latest_arrivals(client, scene):
    roles, a, b = scene["roles"], scene["a"], scene["b"]
    supervisor = roles.supervisor
    assert not Application.objects.in_queue_of(supervisor).exists()
    assert set(Application.objects.for_user(supervisor).values_list("pk", flat=True)) >= {a.pk, b.pk}

    client.force_login(supervisor)
    page = client.get(reverse("dashboard")).content.decode()
    assert "待我办理" not in page and "?queue=1" not in page
    assert "最近到达" in page and a.person.name in page and b.person.name in page
    assert "我可查看的申报" in page

    listed = client.get(reverse("application_list") + "?queue=1")
    assert listed.status_code == 200 and a.person.name not in listed.content.decode()
    assert a.person.name in client.get(reverse("application_list")).content.decode()


@pytest.mark.django_db
def test_staff_who_act_keep_their_queue(client, scene):
    office, a = scene["roles"].committee_office, scene["a"]
    assert list(Application.objects.in_queue_of(office).values_list("pk", flat=True)) == [a.pk]
    client.force_login(office)
    page = client.get(reverse("dashboard")).content.decode()
    assert "待我办理：1 件" in page and "?queue=1" in page and a.person.name in page
