"""Publicities and rosters: the publicities the key's account publishes (all of them for the regional
department and the supervisors, as the pages show), their lists of names as the public page shows them,
their objections; starting one, handling an objection and closing one go through publicity.services with
the pages' checks."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from ninja import Field, Query, Router, Schema, Status

from zhicheng.api.errors import ApiError, refusal
from zhicheng.api.models import Scope
from zhicheng.core.identifiers import mask_id_number
from zhicheng.publicity.forms import HandleObjectionForm
from zhicheng.publicity.models import Objection, ObjectionStatus, Publicity, PublicityKind, PublicityOutcome
from zhicheng.publicity.services import STEPS, close_publicity, handle_objection
from zhicheng.web.views.publicity import publicities_for

from .declarations import (
    ACTING_ERRORS, DEFAULT_PAGE, LIST_ERRORS, TEXT, ActionPayload, Coded, Cursor, Id, Limit, Named, Refused, acting_user, cleaned,
    in_scope, named, not_found, page_after, publish_set, reading_user, state_of,
)

router = Router()

KindCode = Enum("KindCode", {k.value: k.value for k in PublicityKind}, type=str)


class PublicityRow(Schema):
    id: int
    kind: Coded
    title: str
    publisher: Named
    year: int
    starts_on: dt.date
    ends_on: dt.date = Field(description="公示截止（含当日）")
    working_days: int
    outcome: Coded
    entries: int = Field(description="公示人数")
    open_objections: int = Field(description="待核实的异议")


class PublicityPage(Schema):
    items: list[PublicityRow]
    next_cursor: str | None


class EntryOut(Schema):
    declaration_id: int
    name: str
    id_number: str = Field(description="身份证号码，如公开页面隐去中间各位")
    unit: str
    title: str = Field(description="申报系列及层级")
    state: Coded


class ObjectionOut(Schema):
    id: int
    declaration_id: int
    name: str = Field(description="被异议人")
    objector_name: str = Field(description="实名异议人（联系电话只在页面上供核实，不经接口提供）")
    raised_at: dt.datetime
    content: str
    status: Coded
    finding: str
    handled_at: dt.datetime | None


class PublicityOut(PublicityRow):
    contact: str
    closed_at: dt.datetime | None
    names: list[EntryOut] = Field(description="公示名单")
    objections: list[ObjectionOut]


class PublicityIn(Schema):
    kind: KindCode
    declaration_ids: list[int] = Field(min_length=1, description=f"列入公示的申报（至多 {settings.BULK_JOB_THRESHOLD} 件）")
    title: str = Field("", max_length=200, pattern=TEXT)
    working_days: int = Field(5, description="公示工作日数（5–30）")
    contact: str = Field("", max_length=200, pattern=TEXT)


class StartOut(Schema):
    publicity: PublicityOut | None = Field(description="发起的公示；没有一件能列入时为空")
    refused: list[Refused]


class CloseOut(Schema):
    advanced: list[int] = Field(description="进入下一环节的申报")
    taken_out: list[int] = Field(description="异议属实而退回的申报")
    held: list[Refused] = Field(description="未能进入下一环节的申报及原因")


class HandleIn(Schema):
    substantiated: bool = Field(description="经核实属实")
    finding: str = Field(max_length=2000, pattern=TEXT, description="核实情况与处理意见")


def _listed(user):
    return (publicities_for(user).select_related("publisher")
            .annotate(n_entries=Count("entries", distinct=True),
                      n_open=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN), distinct=True)))


def _row_fields(p: Publicity) -> dict:
    return dict(id=p.pk, kind=Coded(code=p.kind, label=p.get_kind_display()), title=p.title, publisher=named(p.publisher), year=p.year,
                starts_on=p.starts_on, ends_on=p.ends_on, working_days=p.working_days,
                outcome=Coded(code=p.outcome, label=p.get_outcome_display()), entries=p.n_entries, open_objections=p.n_open)


@router.get("", response={200: PublicityPage, **LIST_ERRORS}, url_name="publicities", summary="公示列表（游标翻页）")
def list_publicities(request, kind: KindCode | None = None, open: Annotated[bool | None, Query(description="只列公示中（true）或已结束（false）的")] = None,
                     year: Annotated[int | None, Query(ge=2000, le=2100)] = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None):
    """本机构发布的公示（自治区人社厅和监督账户：全部），按编号升序。"""
    user = reading_user(request, Scope.READ_RESULTS)
    queryset = _listed(user)
    if kind is not None:
        queryset = queryset.filter(kind=kind.value)
    if open is not None:
        queryset = queryset.filter(outcome=PublicityOutcome.OPEN) if open else queryset.exclude(outcome=PublicityOutcome.OPEN)
    if year is not None:
        queryset = queryset.filter(year=year)
    rows, next_cursor = page_after(queryset, cursor, limit, salt="publicities")
    return Status(200, PublicityPage(items=[PublicityRow(**_row_fields(p)) for p in rows], next_cursor=next_cursor))


def _objection(o: Objection) -> ObjectionOut:
    return ObjectionOut(id=o.pk, declaration_id=o.application_id, name=o.application.person.name, objector_name=o.objector_name,
                        raised_at=o.raised_at, content=o.content, status=Coded(code=o.status, label=o.get_status_display()),
                        finding=o.finding, handled_at=o.handled_at)


def _detail(user, publicity_id: int) -> PublicityOut:
    p = _listed(user).filter(pk=publicity_id).first()
    if p is None:
        raise not_found("公示")
    entries = p.entries.select_related("application__person", "application__unit", "application__series").order_by("pk")
    objections = p.objections.select_related("application__person").order_by("raised_at", "pk")
    return PublicityOut(
        **_row_fields(p), contact=p.contact, closed_at=p.closed_at,
        names=[EntryOut(declaration_id=e.application_id, name=e.application.person.name,
                        id_number=mask_id_number(e.application.person.id_number), unit=e.application.unit.name,
                        title=e.application.title_label, state=state_of(e.application.state)) for e in entries],
        objections=[_objection(o) for o in objections],
    )


@router.get("/{publicity_id}", response={200: PublicityOut}, url_name="publicity", summary="公示详情：名单与异议")
def publicity_detail(request, publicity_id: Id):
    return Status(200, _detail(reading_user(request, Scope.READ_RESULTS), publicity_id))


@router.post("", response={201: StartOut, **ACTING_ERRORS}, url_name="publicities", summary="发起公示")
def start(request, body: PublicityIn):
    """如待办列表的批量公示：能列入的申报一起列入并转入公示状态（状态转换表的 employer_publish、publish_roster 或
    publish_result），不能列入的逐件说明；一件都不能列入时不发起（publicity 为空）。"""
    user = acting_user(request)
    if len(body.declaration_ids) > settings.BULK_JOB_THRESHOLD:
        raise ApiError(422, "too_many", f"一次至多{settings.BULK_JOB_THRESHOLD}件，请分批发起或在页面办理。")
    apps, refused = in_scope(user, body.declaration_ids)
    publicity = None
    if apps:
        payload = ActionPayload(title=body.title, working_days=body.working_days, contact=body.contact)
        publicity, not_listed = publish_set(user, STEPS[body.kind.value][0], apps, payload)
        refused += [Refused(id=pk, code="illegal_transition", reasons=[reason]) for pk, reason in sorted(not_listed.items())]
    return Status(201, StartOut(publicity=_detail(user, publicity.pk) if publicity else None, refused=refused))


def _own(user, publicity_id: int) -> Publicity:
    publicity = publicities_for(user).filter(pk=publicity_id).first()
    if publicity is None:
        raise not_found("公示")
    return publicity


@router.post("/{publicity_id}/close", response={200: CloseOut, **ACTING_ERRORS}, url_name="publicity_close", summary="结束公示")
def close(request, publicity_id: Id):
    """公示期满且异议均已核实处理后结束（八（二）3）：无异议或异议不属实的进入下一环节，异议属实的退回。不能撤销。"""
    user = acting_user(request)
    publicity = _own(user, publicity_id)
    try:
        report = close_publicity(publicity, user)
    except ValidationError as exc:
        raise refusal(exc) from exc
    return Status(200, CloseOut(advanced=report.advanced, taken_out=report.taken_out,
                                held=[Refused(id=pk, code="guard_failed", reasons=[reason]) for pk, reason in sorted(report.held.items())]))


@router.post("/{publicity_id}/objections/{objection_id}", response={200: ObjectionOut, **ACTING_ERRORS}, url_name="publicity_objection", summary="记录异议核实结果")
def handle(request, publicity_id: Id, objection_id: Id, body: HandleIn):
    user = acting_user(request)
    publicity = _own(user, publicity_id)
    objection = Objection.objects.select_related("publicity", "application__person").filter(publicity=publicity, pk=objection_id).first()
    if objection is None:
        raise not_found("异议")
    values = cleaned(HandleObjectionForm({"substantiated": "yes" if body.substantiated else "no", "finding": body.finding}))
    try:
        o = handle_objection(objection, user, substantiated=values["substantiated"], finding=values["finding"])
    except ValidationError as exc:
        raise refusal(exc) from exc
    return Status(200, _objection(o))
