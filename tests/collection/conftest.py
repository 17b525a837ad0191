"""Data built once per module inside a transaction rolled back after the module's last test (as
tests/test_permissions.py builds its scene); each test rolls back its own changes on top, in a savepoint."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest


@contextmanager
def built_once(django_db_blocker, tmp_path_factory, build):
    from django.conf import settings
    from django.db import transaction

    media, kept_media = tmp_path_factory.mktemp("collection-media"), settings.MEDIA_ROOT
    names = ("ZHICHENG_REVOCATION_LIST_FILE", "ZHICHENG_AUDIT_CHECKPOINT_FILE")
    kept_env = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(media / name.lower())
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # lets durable blocks inside run, as in a TestCase
        atomic.__enter__()
        try:
            settings.MEDIA_ROOT = media
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
        finally:
            settings.MEDIA_ROOT = kept_media
            for name, value in kept_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_scene(django_db_setup, django_db_blocker, tmp_path_factory):
    from ..conftest import applicant_maker, build_scene

    def build():
        make_applicant = applicant_maker()
        return {**build_scene(make_applicant), "make_applicant": make_applicant}

    with built_once(django_db_blocker, tmp_path_factory, build) as scene:
        yield scene


@pytest.fixture
def scene(db, module_scene):
    return module_scene


@pytest.fixture
def make_applicant(scene):
    """The module's applicant builder: one more applicant of the same random sequence, never a 身份证 number it gave already."""
    return scene["make_applicant"]
