"""Who holds a declaration in each state: the organisation whose queue it sits in.

The applicant holds drafts and correction requests (holder None). Everything the
transition function checks about "is it in your hands" comes from here.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from zhicheng.catalogue.models import SENIOR_LEVELS
from zhicheng.orgs.models import AreaLevel, OrgKind, Organisation

from .states import Channel, State


class NoHolder(Exception):
    """No organisation is configured to take the declaration in the next step."""


def goes_via_talent_centre(committee, level: str, channel: str) -> bool:
    """Senior declarations of local and private-sector people to a region-level committee pass the regional
    talent service centre on their way (set when the declaration starts and when its level changes)."""
    return bool(committee and level in SENIOR_LEVELS and committee.is_region_level
                and channel in (Channel.LOCAL, Channel.PRIVATE))


def _path_codes(area) -> list[str]:
    return [code for code in area.path.split("/") if code]


# Inside memoized(), each organisation is looked up once: a step over a batch of declarations
# asks for the same bureau or centre many times.
_memo: ContextVar[dict | None] = ContextVar("holder_memo", default=None)


@contextmanager
def memoized():
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _one(kind: str, **filters) -> Organisation:
    memo, key = _memo.get(), (kind, tuple(sorted(filters.items())))
    if memo is not None and key in memo:
        return memo[key]
    org = Organisation.objects.filter(kind=kind, **filters).order_by("pk").first()
    if org is None:
        raise NoHolder(kind)
    if memo is not None:
        memo[key] = org
    return org


def bureau_of(area, level: str) -> Organisation:
    codes = _path_codes(area)
    depth = {AreaLevel.LEAGUE_CITY: 2, AreaLevel.COUNTY: 3}[level]
    if len(codes) < depth:
        raise NoHolder(f"{area} 没有{level}级人社局")
    return _one(OrgKind.HR_BUREAU, area__code=codes[depth - 1])


def regional_hr_department() -> Organisation:
    return _one(OrgKind.REGIONAL_HR_DEPARTMENT)


def talent_service_centre() -> Organisation:
    return _one(OrgKind.TALENT_SERVICE_CENTRE)


def filing_body(app) -> Organisation:
    """七（五）1、3: senior results go to the region; intermediate and junior to the bureau that holds the power."""
    committee_area = app.committee.area
    if app.level in SENIOR_LEVELS or committee_area.level == AreaLevel.REGION:
        return regional_hr_department()
    return bureau_of(committee_area, committee_area.level if committee_area.level != AreaLevel.TOWNSHIP else AreaLevel.COUNTY)


def holder_for(app, state: str) -> Organisation | None:
    if state in (State.DRAFT, State.CORRECTION_REQUESTED):
        return None
    if state in (State.SUBMITTED, State.EMPLOYER_PUBLICITY):
        return app.unit
    if state == State.RECOMMENDER_REVIEW:
        return app.recommender
    if state == State.ENTRUSTMENT_REVIEW:
        return regional_hr_department()
    if state == State.DEPARTMENT_REVIEW:
        return app.unit.competent_department
    if state == State.COUNTY_BUREAU_REVIEW:
        return bureau_of(app.unit.area, AreaLevel.COUNTY)
    if state == State.CITY_BUREAU_REVIEW:
        return bureau_of(app.unit.area, AreaLevel.LEAGUE_CITY)
    if state == State.ROSTER_PUBLICITY:
        if app.channel == Channel.REGION:
            return app.unit.competent_department
        return bureau_of(app.unit.area, AreaLevel.LEAGUE_CITY)
    if state == State.TALENT_CENTRE_REVIEW:
        return talent_service_centre()
    if state in (State.COMMITTEE_INTAKE, State.ACCEPTED, State.UNDER_REVIEW, State.PASSED, State.RESULT_PUBLICITY):
        return app.committee.office
    if state == State.RESULT_PUBLISHED:
        return filing_body(app)
    if state == State.FILED:
        return regional_hr_department()
    return None  # final states are in nobody's queue
