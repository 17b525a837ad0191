import pytest

from .kit import ENGINEERING, Kit

CITY = "呼和浩特市工程系列中级职称评审委员会"


@pytest.fixture
def kit(db):
    """The region's senior engineering committee (by series: at least 25 members)."""
    return Kit(ENGINEERING)


@pytest.fixture
def city_kit(db):
    """呼和浩特市's intermediate engineering committee: no national minimum, small committees."""
    return Kit(CITY)
