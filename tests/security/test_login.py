"""Online password guessing (issue 11, finding 2): wrong passwords lock the account and the address."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.models import AuditEntry

ID_NUMBER = "15010219800101123X"
PASSWORD = "right-horse-battery-2021"


@pytest.fixture
def applicant(db):
    return User.objects.create_user(username=ID_NUMBER, password=PASSWORD, role=Role.APPLICANT)


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_fifty_wrong_passwords_then_the_right_one_is_refused(client, applicant):
    for i in range(50):
        log_in(client, ID_NUMBER, f"guess-{i}")
    response = log_in(client, ID_NUMBER, PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    assert "登录失败次数过多" in response.content.decode()
    # from another address too: the account itself is locked
    response = log_in(client, ID_NUMBER, PASSWORD, address="10.9.9.9")
    assert response.status_code == 429 and not logged_in(client)


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off(client, applicant, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, ID_NUMBER, f"guess-{i}")
    assert log_in(client, ID_NUMBER, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.timezone.utc) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    response = log_in(client, ID_NUMBER, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_do_not_lock_and_a_login_clears_them(client, applicant, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, ID_NUMBER, f"guess-{i}")
    assert log_in(client, ID_NUMBER, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked(client, applicant, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for i in range(12):
        log_in(client, f"1501021980010{i:05d}", "123456", address="10.0.0.7")  # one try per account: under its limit
    response = log_in(client, ID_NUMBER, PASSWORD, address="10.0.0.7")
    assert response.status_code == 429 and not logged_in(client)
    # the same accounts from elsewhere are not locked, and neither is the real owner
    assert log_in(client, ID_NUMBER, PASSWORD, address="10.0.0.8").status_code == 302


@pytest.mark.django_db
def test_a_login_does_not_clear_what_its_address_did_to_other_accounts(client, applicant, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    User.objects.create_user(username="attacker", password=PASSWORD, role=Role.APPLICANT)
    for i in range(11):
        log_in(client, f"1501021980010{i:05d}", "123456", address="10.0.0.7")
    assert log_in(client, "attacker", PASSWORD, address="10.0.0.7").status_code == 302  # the attacker's own account
    client.logout()
    log_in(client, "150102198001099999", "123456", address="10.0.0.7")
    assert log_in(client, ID_NUMBER, PASSWORD, address="10.0.0.7").status_code == 429


@pytest.mark.django_db
def test_the_regional_department_unlocks_an_account_and_it_is_audited(client, applicant, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, ID_NUMBER, f"guess-{i}")
    regional = User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).first()
    client.force_login(regional)
    page = client.get(reverse("login_lockouts")).content.decode()
    assert ID_NUMBER not in page and "当前没有被锁定" not in page
    response = client.post(reverse("login_lockouts"), {"username": ID_NUMBER})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.filter(action="auth.unlock").get()
    assert entry.actor_id == regional.pk and ID_NUMBER not in entry.summary + entry.object_id
    client.logout()
    assert log_in(client, ID_NUMBER, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_an_address_is_unlocked_from_the_list(client, applicant, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for i in range(6):
        log_in(client, f"someone-{i}", "123456", address="10.0.0.9")
    regional = User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).first()
    client.force_login(regional)
    assert "10.0.0.9" in client.get(reverse("login_lockouts")).content.decode()
    client.post(reverse("login_lockouts"), {"address": "10.0.0.9"})
    assert AuditEntry.objects.filter(action="auth.unlock", object_id="10.0.0.9").exists()
    client.logout()
    assert log_in(client, ID_NUMBER, PASSWORD, address="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_only_the_regional_department_unlocks(client, applicant):
    bureau = User.objects.filter(role=Role.HR_BUREAU, is_active=True).first()
    client.force_login(bureau)
    assert client.post(reverse("login_lockouts"), {"username": ID_NUMBER}).status_code == 403


@pytest.mark.django_db
def test_the_throttle_keeps_no_id_number_in_clear(client, applicant, settings):
    for i in range(settings.AXES_FAILURE_LIMIT + 2):
        log_in(client, ID_NUMBER, f"guess-{i}")
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1))
    assert log_in(client, ID_NUMBER, PASSWORD).status_code == 302
    client.logout()
    log_in(client, ID_NUMBER, "wrong-again")
    rows = [*AccessAttempt.objects.values(), *AccessLog.objects.values(), *AccessFailureLog.objects.values()]
    assert rows, "the failures are recorded"
    assert not any(ID_NUMBER in str(value) or ID_NUMBER.lower() in str(value) for row in rows for value in row.values())


# ---- sessions: idle timeout and absolute lifetime (finding 9) ---------------------------------

def age_session(client, *, idle=0.0, age=0.0):
    import time

    from zhicheng.accounts.middleware import SEEN, STARTED

    session = client.session
    session[SEEN] = time.time() - idle
    session[STARTED] = time.time() - age
    session.save()


@pytest.mark.django_db
def test_a_staff_session_ends_after_its_idle_time(client, settings):
    client.force_login(User.objects.filter(role=Role.HR_BUREAU, is_active=True).first())
    age_session(client, idle=settings.STAFF_SESSION_IDLE_MINUTES * 60 - 30)
    assert client.get(reverse("dashboard")).status_code == 200
    age_session(client, idle=settings.STAFF_SESSION_IDLE_MINUTES * 60 + 30)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login")) and not logged_in(client)


@pytest.mark.django_db
def test_a_staff_session_ends_after_its_lifetime_however_busy(client, settings):
    client.force_login(User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).first())
    age_session(client, age=settings.STAFF_SESSION_HOURS * 3600 + 30)
    assert client.get(reverse("dashboard")).status_code == 302 and not logged_in(client)


@pytest.mark.django_db
def test_applicants_sessions_are_less_strict(client, applicant, settings):
    assert settings.APPLICANT_SESSION_IDLE_MINUTES > settings.STAFF_SESSION_IDLE_MINUTES
    client.force_login(applicant)
    age_session(client, idle=settings.STAFF_SESSION_IDLE_MINUTES * 60 + 30, age=settings.STAFF_SESSION_HOURS * 3600 + 30)
    assert client.get(reverse("dashboard")).status_code == 200 and logged_in(client)
    age_session(client, idle=settings.APPLICANT_SESSION_IDLE_MINUTES * 60 + 30)
    assert client.get(reverse("dashboard")).status_code == 302 and not logged_in(client)


@pytest.mark.django_db
def test_an_htmx_request_of_an_ended_session_goes_to_the_login_page(client, settings):
    client.force_login(User.objects.filter(role=Role.HR_BUREAU, is_active=True).first())
    age_session(client, idle=settings.STAFF_SESSION_IDLE_MINUTES * 60 + 30)
    response = client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("login")


def test_the_limits_come_from_the_environment():
    import os
    import subprocess
    import sys

    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.STAFF_SESSION_IDLE_MINUTES, s.STAFF_SESSION_HOURS, s.APPLICANT_SESSION_IDLE_MINUTES, s.APPLICANT_SESSION_HOURS, "
            "s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT, s.LOGIN_ADDRESS_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.seconds)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhicheng.settings", "ZHICHENG_STAFF_IDLE_MINUTES": "10",
           "ZHICHENG_STAFF_SESSION_HOURS": "8", "ZHICHENG_APPLICANT_IDLE_MINUTES": "60", "ZHICHENG_APPLICANT_SESSION_HOURS": "12",
           "ZHICHENG_LOGIN_FAILURE_LIMIT": "3", "ZHICHENG_LOGIN_ADDRESS_FAILURE_LIMIT": "30", "ZHICHENG_LOGIN_COOLOFF_MINUTES": "20"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["10", "8", "60", "12", str(12 * 3600), "3", "30", str(20 * 60)]


# ---- behind reverse proxies ----------------------------------------------------------------------

def log_in_through_proxy(client, username, password, forwarded_for):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.1.1",
                       HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_its_own_address_limit(client, applicant, settings):
    settings.TRUSTED_PROXIES = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for i in range(6):  # an attacker behind the proxy, forging the left of the header as it likes
        log_in_through_proxy(client, f"someone-{i}", "123456", f"1.2.3.{i}, 203.0.113.9")
    assert log_in_through_proxy(client, ID_NUMBER, PASSWORD, "203.0.113.9").status_code == 429
    assert log_in_through_proxy(client, ID_NUMBER, PASSWORD, "198.51.100.7").status_code == 302  # another visitor


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_ignored(client, applicant, settings):
    settings.TRUSTED_PROXIES = 0
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for i in range(6):
        log_in_through_proxy(client, f"someone-{i}", "123456", f"203.0.113.{i}")  # a header anyone can send
    assert log_in_through_proxy(client, ID_NUMBER, PASSWORD, "198.51.100.7").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_the_audit_log_and_the_other_limits_see_the_visitor(client, applicant, settings):
    # One address for everything: the audit log, and the lookup, objection and registration limits read it too.
    from zhicheng.audit.models import AuditEntry

    settings.TRUSTED_PROXIES = 1
    log_in_through_proxy(client, "someone", "123456", "1.2.3.4, 203.0.113.9")
    assert AuditEntry.objects.order_by("-pk").first().ip == "203.0.113.9"
    settings.TRUSTED_PROXIES = 0
    log_in_through_proxy(client, "someone", "123456", "203.0.113.9")
    assert AuditEntry.objects.order_by("-pk").first().ip == "10.1.1.1"
