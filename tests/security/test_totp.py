"""Guessing TOTP codes (issue 11, finding 3): wrong codes lock the factor and end the session."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pyotp
import pytest
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.accounts.permissions import SECOND_FACTOR_SESSION_KEY
from zhicheng.accounts.roles import Role
from zhicheng.audit.models import AuditEntry
from zhicheng.review import otp
from zhicheng.review.models import SecondFactor


@pytest.fixture
def expert(db):
    user = User.objects.create_user(username="expert-totp", password="pw-for-tests-only", role=Role.EXPERT)
    otp.set_secret(user, pyotp.random_base32())
    return user


def valid_code(user) -> str:
    return pyotp.TOTP(SecondFactor.objects.get(user=user).secret).now()


def wrong_code(user) -> str:
    totp = pyotp.TOTP(SecondFactor.objects.get(user=user).secret)
    now = int(time.time())
    accepted = {totp.at(now + drift * otp.STEP) for drift in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in accepted)


def unlock_by_time(user):
    SecondFactor.objects.filter(user=user).update(locked_until=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))


def passed(client, user) -> bool:
    return client.session.get(SECOND_FACTOR_SESSION_KEY) == user.pk


@pytest.mark.django_db
def test_fifty_wrong_codes_then_the_valid_one_is_refused(expert):
    for _ in range(50):
        assert not otp.check(expert, wrong_code(expert))
    assert not otp.check(expert, valid_code(expert))
    assert AuditEntry.objects.filter(action="second_factor.locked", actor_id=expert.pk).exists()
    unlock_by_time(expert)
    assert otp.check(expert, valid_code(expert))


@pytest.mark.django_db
def test_the_limit_locks_for_the_configured_time(expert, settings):
    for _ in range(settings.TOTP_FAILURE_LIMIT - 1):
        otp.check(expert, wrong_code(expert))
    assert otp.locked_until(expert) is None
    otp.check(expert, wrong_code(expert))
    until = otp.locked_until(expert)
    expected = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=settings.TOTP_LOCK_MINUTES)
    assert until is not None and abs((until - expected).total_seconds()) < 10


@pytest.mark.django_db
def test_a_valid_code_clears_the_count_and_old_failures_expire(expert, settings):
    for _ in range(settings.TOTP_FAILURE_LIMIT - 1):
        otp.check(expert, wrong_code(expert))
    assert otp.check(expert, valid_code(expert))
    for _ in range(settings.TOTP_FAILURE_LIMIT - 1):
        otp.check(expert, wrong_code(expert))
    SecondFactor.objects.filter(user=expert).update(last_failure_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    otp.check(expert, wrong_code(expert))
    assert otp.locked_until(expert) is None


@pytest.mark.django_db
def test_wrong_codes_on_the_page_end_the_session(client, expert, settings):
    client.force_login(expert)
    url = reverse("second_factor")
    for _ in range(settings.TOTP_FAILURE_LIMIT - 1):
        response = client.post(url, {"code": wrong_code(expert)})
        assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
    response = client.post(url, {"code": wrong_code(expert)})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    # logged in again (the password is throttled by the login lock), the valid code is still refused
    client.force_login(expert)
    response = client.post(url, {"code": valid_code(expert)})
    assert response.status_code == 200 and "已暂时锁定" in response.content.decode() and not passed(client, expert)


@pytest.mark.django_db
def test_fifty_wrong_codes_on_the_page_then_the_valid_one_is_refused(client, expert):
    url = reverse("second_factor")
    client.force_login(expert)
    for _ in range(50):
        if client.post(url, {"code": wrong_code(expert)}).status_code == 302:
            client.force_login(expert)
    client.post(url, {"code": valid_code(expert)})
    assert not passed(client, expert)
    assert client.get(reverse("expert_tasks")).status_code == 302


# ---- staff can be required to pass TOTP too ------------------------------------------------------

def staff(role):
    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.REGIONAL_HR_DEPARTMENT, Role.HR_BUREAU, Role.COMMITTEE_OFFICE])
def test_staff_enrol_and_pass_the_second_factor_when_required(client, settings, role):
    settings.STAFF_SECOND_FACTOR = True
    user = staff(role)
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor"))
    page = client.get(response["Location"]).content.decode()
    secret = SecondFactor.objects.get(user=user).secret
    assert "<svg" in page and secret in page  # enrolment: the QR code and the secret, until confirmed
    response = client.post(reverse("second_factor"), {"code": pyotp.TOTP(secret).now(), "next": reverse("dashboard")})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert secret not in client.get(reverse("second_factor") + "?x=1").content.decode()
    assert AuditEntry.objects.filter(action="second_factor.enrol", actor_id=user.pk).exists()


@pytest.mark.django_db
def test_staff_pass_no_second_factor_when_not_required(client, settings):
    settings.STAFF_SECOND_FACTOR = False
    client.force_login(staff(Role.REGIONAL_HR_DEPARTMENT))
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("second_factor"))["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_other_roles_are_not_asked(client, settings):
    settings.STAFF_SECOND_FACTOR = True
    client.force_login(staff(Role.EMPLOYER_HR))
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_the_back_office_asks_for_it_too(client, settings):
    settings.STAFF_SECOND_FACTOR = True
    admin = User.objects.create_superuser("root-totp", "root@example.org", "pw-for-tests-only")
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor"))
    settings.STAFF_SECOND_FACTOR = False
    assert client.get("/admin/").status_code == 200


def _staff_second_factor_setting(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "ZHICHENG_STAFF_TOTP")}
    code = "import django; django.setup(); from django.conf import settings; print(settings.STAFF_SECOND_FACTOR)"
    result = subprocess.run([sys.executable, "-c", code], env={**clean, "DJANGO_SETTINGS_MODULE": "zhicheng.settings", **env},
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_staff_totp_is_on_in_production_and_off_in_the_demo():
    assert _staff_second_factor_setting(SECRET_KEY="x" * 50) == "True"
    assert _staff_second_factor_setting() == "False"
    assert _staff_second_factor_setting(SECRET_KEY="x" * 50, DEBUG="1") == "False"
    assert _staff_second_factor_setting(ZHICHENG_STAFF_TOTP="1") == "True"
    assert _staff_second_factor_setting(SECRET_KEY="x" * 50, ZHICHENG_STAFF_TOTP="0") == "False"
