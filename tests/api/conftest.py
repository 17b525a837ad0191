"""The API modules' shared fixture."""

from __future__ import annotations

import pytest

from ..conftest import applicant_maker, build_scene, built_once


@pytest.fixture(scope="module")
def api_scene(django_db_setup, django_db_blocker):
    """tests/conftest.py's scene, built once for this module and rolled back after it (each test rolls back its own
    changes on top). Module-scoped, not shared: the other API modules build the same scene in theirs."""
    with built_once(django_db_blocker, lambda: build_scene(applicant_maker())) as scene:
        yield scene
