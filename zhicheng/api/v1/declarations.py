"""Declarations, their timeline and their state changes (through transition(), as the pages).

Every operation reads from Application.objects.for_user(key's account) (or in_queue_of) and acts as that
account: a key sees and does exactly what its account sees and does on the pages. The steps go through
the functions the pages call (transition, transition_many, drafting.submit/request_correction,
publicity.services.publish), so a refusal is the page's refusal, in the same Chinese words.

The helpers at the top (ids, cursors, forms) are shared by publicities.py and results.py.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from ninja import Field, Path, Query, Router, Schema, Status

from zhicheng.api.auth import require_scope
from zhicheng.api.errors import ApiError, ErrorOut, refusal, refusal_code
from zhicheng.api.models import Scope
from zhicheng.catalogue.models import Level
from zhicheng.core.identifiers import mask_id_number
from zhicheng.core.params import LARGEST_ID
from zhicheng.declarations import drafting
from zhicheng.declarations.checklist import materials_of_version
from zhicheng.declarations.forms import CorrectionForm
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import (
    PAYLOAD_ACTIONS, IllegalTransition, available_actions, transition, transition_many,
)
from zhicheng.declarations.states import State
from zhicheng.declarations.workflow import ACTIONS
from zhicheng.files.services import shown_name
from zhicheng.publicity.forms import PublicityOptionsForm
from zhicheng.publicity.services import STEPS
from zhicheng.publicity.workdays import CalendarNotConfigured

router = Router()

# ---- shared by the v1 resources ------------------------------------------------------------

# Besides the statuses every v1 operation declares (401, 403, 404, 422, 429: zhicheng.api.v1): a list's
# made-up cursor (400), and a step the domain refuses (409, with the page's reasons).
LIST_ERRORS = {400: ErrorOut}
ACTING_ERRORS = {409: ErrorOut}

Id = Annotated[int, Path(ge=1, le=LARGEST_ID)]
MAX_PAGE = 200
DEFAULT_PAGE = 50
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"每页条数（1–{MAX_PAGE}）")]
Cursor = Annotated[str | None, Query(max_length=200, pattern=r"^[-A-Za-z0-9_:]*$", description="上一页返回的 next_cursor；不透明，原样传回")]
# Free text a step records: PostgreSQL refuses a NUL character in any text, so none gets that far.
TEXT = r"^[^\x00]*$"


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"未找到该{what}，或不在您的查看范围内。")


def page_after(queryset, cursor: str | None, limit: int, *, salt: str, field: str = "pk"):
    """One page of ``queryset`` in ascending ``field`` (a unique, never-changing integer) after the cursor;
    and the cursor of the next page (None on the last). The cursor is signed: a made-up one is refused."""
    after = 0
    if cursor:
        try:
            after = int(signing.loads(cursor, salt=f"api.v1.cursor.{salt}")["after"])
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise ApiError(400, "invalid_cursor", "翻页游标无效：请使用上一页返回的 next_cursor。") from exc
    rows = list(queryset.filter(**{f"{field}__gt": after}).order_by(field)[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = signing.dumps({"after": getattr(rows[-1], field)}, salt=f"api.v1.cursor.{salt}") if more else None
    return rows, next_cursor


def cleaned(form) -> dict:
    """The values as a page's form cleans them; if it refuses them, 422 with each field's messages."""
    if form.is_valid():
        return form.cleaned_data
    fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    raise ApiError(422, "invalid", "；".join(m for messages in fields.values() for m in messages), {"fields": fields})


def acting_user(request, scope=Scope.ACT_DECLARATIONS):
    require_scope(request, scope)
    return request.auth.user


def reading_user(request, scope=Scope.READ_DECLARATIONS):
    require_scope(request, scope)
    return request.auth.user


class Named(Schema):
    id: int
    name: str


class Coded(Schema):
    code: str
    label: str


def named(obj) -> Named | None:
    return Named(id=obj.pk, name=obj.name) if obj is not None else None


def state_of(code: str) -> Coded:
    return Coded(code=code, label=State(code).label)


def level_of(code: str) -> Coded:
    return Coded(code=code, label=Level(code).label)


# ---- schemas ---------------------------------------------------------------------------------

StateCode = Enum("StateCode", {s.value: s.value for s in State}, type=str)
LevelCode = Enum("LevelCode", {level.value: level.value for level in Level}, type=str)
ActionName = Enum("ActionName", {name: name for name in ACTIONS}, type=str)


class DeclarationRow(Schema):
    id: int
    name: str = Field(description="申报人姓名")
    year: int
    series: Coded
    level: Coded
    unit: Named
    state: Coded
    holder: Named | None = Field(description="当前办理机构；空表示在申报人手中或已办结")
    state_since: dt.datetime | None
    held_since: dt.datetime | None
    submitted_at: dt.datetime | None


class DeclarationPage(Schema):
    items: list[DeclarationRow]
    next_cursor: str | None = Field(description="下一页的游标；空表示没有更多")


class ActionOut(Schema):
    action: str
    label: str
    clause: str
    needs_note: bool = Field(description="须填写理由（note）")
    payload: str | None = Field(description="须附带的 payload：publicity（title、working_days、contact）或 correction（standard_ids、extra、deadline）")


class PersonOut(Schema):
    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str = Field(description="身份证号码（按页面规则隐去中间各位）")


class CorrectionOut(Schema):
    items: list[str]
    deadline: dt.date
    issued_at: dt.datetime
    resolved_at: dt.datetime | None


class PublicityRef(Schema):
    id: int
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    outcome: str


class MaterialOut(Schema):
    item: str
    file_name: str
    sha256: str


class DeclarationOut(Schema):
    id: int
    person: PersonOut
    year: int
    series: Coded
    specialty: str
    level: Coded
    channel: Coded
    route: str
    unit: Named
    recommender: Named | None
    committee: Named | None
    state: Coded
    holder: Named | None
    state_since: dt.datetime | None
    held_since: dt.datetime | None
    submitted_at: dt.datetime | None
    version: int = Field(description="已提交的版本数")
    eligible: bool | None = Field(description="资格审查结论：符合申报条件")
    fee_amount: str
    fee_paid_at: dt.datetime | None
    fee_charged: bool = Field(description="是否收取评审费：考核认定不需要评审，不收评审费（五（十二））")
    exam_score: str
    exam_confirmed_at: dt.datetime | None
    materials: list[MaterialOut] = Field(description="最新提交版本的申报材料")
    corrections: list[CorrectionOut]
    publicities: list[PublicityRef]
    certificate_number: str | None
    actions: list[ActionOut] = Field(description="本密钥的账户现在可以办理的步骤")


class EventOut(Schema):
    id: int
    action: str
    label: str
    from_state: Coded
    to_state: Coded
    at: dt.datetime
    actor: str = Field(description="办理人；“系统”表示系统自动办理")
    actor_role: str
    actor_organisation: Named | None
    holder: Named | None = Field(description="该步骤后的办理机构")
    note: str


class ActionPayload(Schema):
    """What a step needs besides the note: a publication's options, or a correction notice's contents."""

    model_config = {"extra": "forbid"}

    title: str = Field("", max_length=200, pattern=TEXT, description="公示标题（留空自动生成）")
    working_days: int = Field(5, description="公示工作日数（5–30）")
    contact: str = Field("", max_length=200, pattern=TEXT, description="受理异议电话/地址")
    standard_ids: list[int] = Field([], description="标准补正事项（编号）")
    extra: str = Field("", max_length=2000, pattern=TEXT, description="其他需补正事项（每行一项）")
    deadline: dt.date | None = Field(None, description="补正截止日期")


class ActionIn(Schema):
    action: ActionName
    note: str = Field("", max_length=2000, pattern=TEXT)
    payload: ActionPayload = ActionPayload()


class BulkActionIn(ActionIn):
    ids: list[int] = Field(min_length=1, description=f"申报编号（至多 {settings.BULK_JOB_THRESHOLD} 件；更多请分批或在页面办理）")


class Refused(Schema):
    id: int
    code: str
    reasons: list[str]


class BulkOut(Schema):
    moved: list[int]
    refused: list[Refused]
    publicity_id: int | None = Field(description="发起公示时新公示的编号")


# ---- reading -----------------------------------------------------------------------------

ROW_RELATED = ("person", "plan", "series", "unit", "holder")


def _row(app: Application) -> DeclarationRow:
    return DeclarationRow(
        id=app.pk, name=app.person.name, year=app.plan.year, series=Coded(code=app.series.code, label=app.series.name),
        level=level_of(app.level), unit=named(app.unit), state=state_of(app.state), holder=named(app.holder),
        state_since=app.state_since, held_since=app.held_since, submitted_at=app.submitted_at,
    )


@router.get("", response={200: DeclarationPage, **LIST_ERRORS}, url_name="declarations", summary="申报列表（游标翻页）")
def list_declarations(request, year: Annotated[int | None, Query(ge=2000, le=2100)] = None, state: StateCode | None = None,
                      series: Annotated[str | None, Query(max_length=40, pattern=r"^[-A-Za-z0-9_]+$", description="系列代码")] = None,
                      level: LevelCode | None = None, unit: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None,
                      queue: Annotated[bool, Query(description="只列待本机构办理的")] = False,
                      limit: Limit = DEFAULT_PAGE, cursor: Cursor = None):
    """本密钥账户可见的申报（与页面相同的范围），按编号升序；queue=true 只列待本机构办理的。"""
    user = reading_user(request)
    queryset = Application.objects.in_queue_of(user) if queue else Application.objects.for_user(user)
    if year is not None:
        queryset = queryset.filter(plan__year=year)
    if state is not None:
        queryset = queryset.filter(state=state.value)
    if series:
        queryset = queryset.filter(series__code=series)
    if level is not None:
        queryset = queryset.filter(level=level.value)
    if unit is not None:
        queryset = queryset.filter(unit_id=unit)
    rows, next_cursor = page_after(queryset.select_related(*ROW_RELATED).defer("decision"), cursor, limit, salt="declarations")
    return Status(200, DeclarationPage(items=[_row(app) for app in rows], next_cursor=next_cursor))


# Registered before /{declaration_id}: a path is matched in the order the routes are added.
@router.post("/actions", response={200: BulkOut, **ACTING_ERRORS}, url_name="declarations_bulk", summary="批量办理")
def act_many(request, body: BulkActionIn):
    """待办列表的批量办理：只限页面上可以批量办理的步骤（不含退回、补正、备案、发证等须逐件决定的步骤）；
    每件各按状态转换表检查，不能办理的逐件说明，不影响其他各件（transition_many）。"""
    from zhicheng.web.views.queues import bulk_actions

    user = acting_user(request)
    action = body.action.value
    if action not in dict(bulk_actions(user.role)):
        raise ApiError(409, "not_in_bulk", "您不能批量办理该步骤。")
    if len(body.ids) > settings.BULK_JOB_THRESHOLD:
        raise ApiError(422, "too_many", f"一次至多批量办理{settings.BULK_JOB_THRESHOLD}件，请分批提交。")
    apps, refused = in_scope(user, body.ids)
    if action in PUBLISHING:
        publicity, not_listed = publish_set(user, action, apps, body.payload) if apps else (None, {})
        refused += [Refused(id=pk, code="illegal_transition", reasons=[reason]) for pk, reason in sorted(not_listed.items())]
        moved = [app.pk for app in apps if app.pk not in not_listed] if publicity else []
        return Status(200, BulkOut(moved=moved, refused=refused, publicity_id=publicity.pk if publicity else None))
    outcome = transition_many([app.pk for app in apps], action, user, note=body.note)
    refused += [Refused(id=pk, code=refusal_code(exc), reasons=exc.reasons) for pk, exc in sorted(outcome.refused.items())]
    return Status(200, BulkOut(moved=[app.pk for app in outcome.moved], refused=refused, publicity_id=None))


def in_scope(user, ids: list[int]) -> tuple[list[Application], list[Refused]]:
    """The declarations of ``ids`` the account sees, in id order, and a not_found refusal for each other id."""
    wanted = sorted({i for i in ids if 0 < i <= LARGEST_ID})
    apps = list(Application.objects.for_user(user).filter(pk__in=wanted).select_related("person", "plan", "unit", "series")
                .defer("decision").order_by("pk"))
    found = {app.pk for app in apps}
    return apps, [Refused(id=i, code="not_found", reasons=["未找到该申报，或不在您的查看范围内。"]) for i in sorted(set(ids) - found)]


def scoped(user, declaration_id: int, *related) -> Application:
    app = Application.objects.for_user(user).select_related(*related).filter(pk=declaration_id).first()
    if app is None:
        raise not_found("申报")
    return app


def _payload_kind(action: str) -> str | None:
    if action == "request_correction":
        return "correction"
    return "publicity" if action in PAYLOAD_ACTIONS else None


def actions_out(app: Application, user) -> list[ActionOut]:
    return [ActionOut(action=t.action, label=t.label, clause=t.clause, needs_note=t.needs_note, payload=_payload_kind(t.action))
            for t in available_actions(app, user)]


@router.get("/{declaration_id}", response={200: DeclarationOut}, url_name="declaration", summary="申报详情")
def declaration_detail(request, declaration_id: Id):
    """档案页所示、其他系统需要的内容；身份证号码按页面规则隐去（只有本人在页面上看到全号）。"""
    user = reading_user(request)
    app = scoped(user, declaration_id, "person", "plan", "series", "specialty", "unit__area", "unit__competent_department",
                 "committee", "holder", "recommender", "certificate")
    materials = materials_of_version(app, app.version)
    person = app.person
    return Status(200, DeclarationOut(
        id=app.pk,
        person=PersonOut(name=person.name, sex=person.get_sex_display(), birth_date=person.birth_date,
                         id_number=mask_id_number(person.id_number)),
        year=app.plan.year, series=Coded(code=app.series.code, label=app.series.name),
        specialty=app.specialty.name if app.specialty else "", level=level_of(app.level),
        channel=Coded(code=app.channel, label=app.get_channel_display()), route=app.route,
        unit=named(app.unit), recommender=named(app.recommender), committee=named(app.committee),
        state=state_of(app.state), holder=named(app.holder), state_since=app.state_since, held_since=app.held_since,
        submitted_at=app.submitted_at, version=app.version, eligible=app.eligible, fee_amount=str(app.fee_amount),
        fee_paid_at=app.fee_paid_at, fee_charged=not app.fee_not_charged, exam_score=app.exam_score, exam_confirmed_at=app.exam_confirmed_at,
        materials=[MaterialOut(item=m.item.name, file_name=shown_name(m.file, m.uploaded_by_id), sha256=m.file.sha256) for m in materials],
        corrections=[CorrectionOut(items=list(c.items), deadline=c.deadline, issued_at=c.issued_at, resolved_at=c.resolved_at)
                     for c in app.correction_notices.all()],
        publicities=[PublicityRef(id=e.publicity.pk, kind=e.publicity.kind, title=e.publicity.title, starts_on=e.publicity.starts_on,
                                  ends_on=e.publicity.ends_on, outcome=e.publicity.outcome)
                     for e in app.publicity_entries.select_related("publicity").order_by("publicity__starts_on", "pk")],
        certificate_number=getattr(getattr(app, "certificate", None), "number", None),
        actions=actions_out(app, user),
    ))


@router.get("/{declaration_id}/timeline", response={200: list[EventOut]}, url_name="declaration_timeline", summary="办理记录")
def timeline(request, declaration_id: Id):
    """每一步：动作、前后状态、办理人及其机构、之后的办理机构、时间和理由。"""
    user = reading_user(request)
    app = scoped(user, declaration_id)
    events = app.events.select_related("actor", "actor_organisation", "holder").order_by("at", "pk")
    return Status(200, [EventOut(
        id=e.pk, action=e.action, label=ACTIONS.get(e.action, e.action), from_state=state_of(e.from_state), to_state=state_of(e.to_state),
        at=e.at, actor=str(e.actor) if e.actor_id else "系统", actor_role=e.actor_role, actor_organisation=named(e.actor_organisation),
        holder=named(e.holder), note=e.note,
    ) for e in events])


@router.get("/{declaration_id}/actions", response={200: list[ActionOut]}, url_name="declaration_actions", summary="现在可以办理的步骤")
def actions(request, declaration_id: Id):
    """按状态转换表：本账户的角色、申报是否在本机构手中、申报渠道。条件（guard）在办理时检查并说明。"""
    user = reading_user(request)
    app = scoped(user, declaration_id, "unit__area", "unit__competent_department", "committee__area", "plan")
    return Status(200, actions_out(app, user))


# ---- acting ------------------------------------------------------------------------------

# The steps that start a publicity, and its kind (publicity.services.STEPS: each kind's entering step first).
PUBLISHING = {steps[0]: kind for kind, steps in STEPS.items()}


def _publicity_options(payload: ActionPayload) -> dict:
    return cleaned(PublicityOptionsForm({"title": payload.title, "working_days": payload.working_days, "contact": payload.contact}))


def publish_set(user, action: str, apps: list[Application], payload: ActionPayload):
    """A publication over these declarations, as the queue's bulk publish makes it (publicity.services.publish)."""
    from zhicheng.publicity.services import publish

    options = _publicity_options(payload)
    try:
        return publish(kind=PUBLISHING[action], actor=user, applications=apps, title=options["title"],
                       working_days=options["working_days"], contact=options["contact"])
    except (ValidationError, CalendarNotConfigured) as exc:  # a refused step (TransitionError) is errors.install's 409
        raise refusal(exc) from exc


def _correct(app: Application, user, payload: ActionPayload) -> None:
    """六（二）: the correction page's form and function, with the payload as its fields."""
    data = MultiValueDict({"standard": [str(i) for i in payload.standard_ids], "extra": [payload.extra],
                           "deadline": [payload.deadline.isoformat() if payload.deadline else ""]})
    values = cleaned(CorrectionForm(data))
    drafting.request_correction(app, user, standard_ids=[c.pk for c in values["standard"]], extra=values["extra"],
                                deadline=values["deadline"])


@router.post("/{declaration_id}/actions", response={200: DeclarationRow, **ACTING_ERRORS}, url_name="declaration_actions", summary="办理一步")
def act(request, declaration_id: Id, body: ActionIn):
    """经 transition() 办理，与页面相同的检查和拒绝理由（409：code 为 illegal_transition 或 guard_failed，
    details.reasons 为中文理由）。发起公示的步骤（employer_publish、publish_roster、publish_result）在 payload 中给出
    公示选项；request_correction 在 payload 中给出补正事项和截止日期。"""
    user = acting_user(request)
    app = scoped(user, declaration_id, "person", "plan", "series", "unit", "holder")
    action = body.action.value
    # A refused step raises TransitionError, which errors.install answers as 409 with its reasons.
    if action in ("submit", "resubmit"):
        drafting.submit(app, user)
    elif action in PUBLISHING:
        _publicity, not_listed = publish_set(user, action, [app], body.payload)
        if not_listed:
            raise IllegalTransition(list(not_listed.values()))
    elif action == "request_correction":
        _correct(app, user, body.payload)
    else:
        transition(app, action, user, note=body.note)
    return Status(200, _row(Application.objects.select_related(*ROW_RELATED).get(pk=app.pk)))
