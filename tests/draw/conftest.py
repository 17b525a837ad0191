import pytest


def expert(expert_id, group="土木", grassroots=False, private=False, employer=None, served=(), **flags):
    return {
        "id": expert_id,
        "name": f"专家{expert_id}",
        "employer": employer or f"U-{expert_id}",
        "attributes": {"specialty_group": group, "grassroots": grassroots, "private_sector": private},
        "served": {"C1": list(served)},
        **flags,
    }


def spec(size=3, **fields):
    return {"committee": "C1", "year": 2021, "kind": "other", "size": size, **fields}


@pytest.fixture
def small_pool():
    """Nine experts in three specialty groups, some grassroots, two sharing an employer."""
    return [
        expert("A1", "土木", grassroots=True, employer="U1"),
        expert("A2", "土木", employer="U1"),
        expert("A3", "土木", served=[2020]),
        expert("A4", "土木"),
        expert("B1", "机械", grassroots=True),
        expert("B2", "机械", served=[2020]),
        expert("B3", "机械", private=True),
        expert("C1", "电气", private=True, served=[2020]),
        expert("C2", "电气", grassroots=True, private=True),
    ]


@pytest.fixture(autouse=True)
def _quiet_mail():
    """The draw package has no Django; the project-wide mail settings fixture does not apply."""
