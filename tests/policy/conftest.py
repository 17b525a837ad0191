"""The policy tests are pure Python: they run without Django (`pytest -p no:django`)."""

import pytest


@pytest.fixture(autouse=True)
def _quiet_mail():
    """Overrides the project-wide mail fixture, which needs Django's settings."""
