"""`zhicheng check --deploy` with the production variables of README's "Deploying" section reports nothing."""

from __future__ import annotations

import os
import subprocess
import sys

PRODUCTION = {
    "SECRET_KEY": "kq8Zt3VwY1m-CnR7xLp0sHd2UfGj5BeA9oTiWvQy4NzXcE6rMuKbSaDhJlPgF0",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "zhicheng.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://zhicheng.example.gov.cn",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_PROXY_SSL_HEADER": "1",
}


def _check_deploy(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env.update(env_extra, DJANGO_SETTINGS_MODULE="zhicheng.settings")
    return subprocess.run([sys.executable, "-m", "zhicheng.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = _check_deploy(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_them():
    # The same check fails on the embedded defaults: it is the variables that make it pass.
    result = _check_deploy({"DEBUG": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
    assert "security.W008" in result.stderr + result.stdout  # no SSL redirect


def test_debug_is_off_unless_asked_for():
    result = subprocess.run([sys.executable, "-c", "import zhicheng.settings as s; print(s.DEBUG)"],
                            env={k: v for k, v in os.environ.items() if k != "DEBUG"}, capture_output=True, text=True)
    assert result.stdout.strip() == "False"
