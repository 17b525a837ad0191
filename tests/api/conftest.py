"""The API modules' shared fixture."""

from __future__ import annotations

import pytest
from django.db import transaction

from ..conftest import applicant_maker, build_scene


@pytest.fixture(scope="module")
def api_scene(django_db_setup, django_db_blocker):
    """tests/conftest.py's scene, built once for this module and rolled back after it (each test rolls back its own
    changes on top). Module-scoped, not shared: the other API modules build the same scene in theirs."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # lets durable blocks inside the tests run, as in a TestCase
        atomic.__enter__()
        try:
            yield build_scene(applicant_maker())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
