"""Everyone changes their own password (an expert's first one is handed over by the office): the old one first,
the new one by the site's rules with Chinese reasons; the session stays and the change is in the audit log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.demo import applicants as P


@pytest.fixture
def expert(make_applicant):
    """An applicant's account (an expert's page first asks for the second factor, which this test is not about)."""
    user = make_applicant(P.regular_engineer()).person.account
    user.set_password("Kx7-initial-2021")
    user.save()
    return user


@pytest.mark.django_db
def test_a_user_changes_their_own_password_and_stays_logged_in(client, expert):
    client.force_login(expert)
    url = reverse("password_change")
    page = client.get(url).content.decode()
    assert 'name="old_password"' in page and reverse("password_change") in client.get(reverse("dashboard")).content.decode()

    wrong = client.post(url, {"old_password": "not-it", "new_password1": "Caoyuan-2022!", "new_password2": "Caoyuan-2022!"})
    assert wrong.status_code == 200 and "旧密码" in wrong.content.decode()
    short = client.post(url, {"old_password": "Kx7-initial-2021", "new_password1": "12345", "new_password2": "12345"})
    body = short.content.decode()
    assert "密码太短，至少需要8个字符。" in body and "密码只包含数字。" in body
    expert.refresh_from_db()
    assert expert.check_password("Kx7-initial-2021") and not AuditEntry.objects.filter(action="account.password_change").exists()

    done = client.post(url, {"old_password": "Kx7-initial-2021", "new_password1": "Caoyuan-2022!", "new_password2": "Caoyuan-2022!"})
    assert done.status_code == 302 and done["Location"] == reverse("dashboard")
    expert.refresh_from_db()
    assert expert.check_password("Caoyuan-2022!")
    assert client.get(reverse("password_change")).status_code == 200, "the session survives the change"
    entry = AuditEntry.objects.get(action="account.password_change")
    assert entry.actor_id == expert.pk and "Caoyuan" not in str(entry.after) and "Caoyuan" not in entry.summary


@pytest.mark.django_db
def test_the_page_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
