"""The demo loader refuses production databases (issue 11, finding 5)."""

from __future__ import annotations

import os
import subprocess

import pytest
from django.core.management import CommandError, call_command

from zhicheng.accounts.models import User
from zhicheng.demo import loader
from zhicheng.demo.loader import production_reasons

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/zhicheng/var/zhicheng.sqlite3"}


def pg(name):
    return {"ENGINE": "django.db.backends.postgresql", "NAME": name, "HOST": "db.internal", "PORT": "5432", "PASSWORD": "s3cret"}


@pytest.mark.parametrize("debug, environ, database, refused", [
    (False, {"SECRET_KEY": "k" * 50}, SQLITE, True),  # a production configuration
    (True, {"SECRET_KEY": "k" * 50}, SQLITE, False),
    (False, {}, SQLITE, False),  # the embedded demo mode: a generated key, DEBUG off (make run)
    (False, {}, pg("zhicheng"), True),  # a PostgreSQL database not named for the demo
    (True, {}, pg("zhicheng_prod"), True),
    (False, {}, pg("zhicheng_demo"), False),
    (False, {}, pg("DEMO"), False),
])
def test_what_looks_like_production(debug, environ, database, refused):
    assert bool(production_reasons(debug=debug, environ=environ, database=database)) is refused


def test_the_reasons_are_given_in_chinese_without_the_password():
    reasons = production_reasons(debug=False, environ={"SECRET_KEY": "k" * 50}, database=pg("zhicheng"))
    assert any("SECRET_KEY" in r and "生产" in r for r in reasons) and any("zhicheng" in r and "demo" in r for r in reasons)
    assert "s3cret" not in loader.describe_database(pg("zhicheng"))


@pytest.fixture
def production(monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setenv("SECRET_KEY", "k" * 50)
    monkeypatch.delenv("ZHICHENG_DEMO", raising=False)


@pytest.fixture
def loads(monkeypatch):
    """The loader itself stubbed: these tests are about whether it runs."""
    calls = []
    monkeypatch.setattr(loader.DemoLoader, "run", lambda self: calls.append(1) or [])
    return calls


@pytest.mark.django_db
def test_load_demo_refuses_a_production_configuration(production, loads):
    with pytest.raises(CommandError) as refusal:
        call_command("load_demo")
    assert "拒绝载入演示数据" in str(refusal.value) and "--i-know-this-is-not-production" in str(refusal.value)
    assert loads == [] and not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_load_demo_refuses_for_real_without_the_stub(production):
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_the_flag_or_the_variable_lets_it_run(production, loads, monkeypatch):
    call_command("load_demo", "--i-know-this-is-not-production")
    monkeypatch.setenv("ZHICHENG_DEMO", "1")
    call_command("load_demo")
    assert loads == [1, 1]


def _demo_recipe_output(**env) -> str:
    """The recipe of `make demo` after the migration, run with `echo` in place of the zhicheng command."""
    # Under `make test` the outer make's MAKELEVEL would make this one print "Entering directory" lines.
    outer = ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")
    recipe = subprocess.run(["make", "--no-print-directory", "-n", "demo"], capture_output=True, text=True, check=True,
                            env={k: v for k, v in os.environ.items() if k not in outer}).stdout
    after_migrate = recipe.split("migrate --noinput\n", 1)[1].replace(".venv/bin/zhicheng", "echo")
    return subprocess.run(["sh", "-c", after_migrate], capture_output=True, text=True, check=True,
                          env={"PATH": os.environ["PATH"], **env}).stdout


def test_make_passes_the_flag_only_for_the_embedded_database():
    assert "load_demo --i-know-this-is-not-production" in _demo_recipe_output()
    pointed = _demo_recipe_output(DATABASE_URL="postgresql://x@h/zhicheng")
    assert "DATABASE_URL 已设置" in pointed and "load_demo\n" in pointed and "--i-know-this-is-not-production" not in pointed
