"""Data built once per module inside a transaction rolled back after the module's last test (as
tests/test_permissions.py builds its scene); each test rolls back its own changes on top, in a savepoint."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest


@contextmanager
def built_once(django_db_blocker, tmp_path_factory, build):
    """tests/conftest.py's built_once, with the module's own media directory and signed files (revocation list,
    audit checkpoints) while it builds."""
    from django.conf import settings

    from ..conftest import built_once as built_once_in_transaction

    media = tmp_path_factory.mktemp("collection-media")
    names = ("ZHICHENG_REVOCATION_LIST_FILE", "ZHICHENG_AUDIT_CHECKPOINT_FILE")

    def build_in_media():
        kept_media, kept_env = settings.MEDIA_ROOT, {name: os.environ.get(name) for name in names}
        for name in names:
            os.environ[name] = str(media / name.lower())
        settings.MEDIA_ROOT = media
        try:
            return build()
        finally:
            settings.MEDIA_ROOT = kept_media
            for name, value in kept_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    with built_once_in_transaction(django_db_blocker, build_in_media) as built:
        yield built


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
