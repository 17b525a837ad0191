"""The one way a declaration changes state, and the domain functions around it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import translation

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import batched as audit_batched
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.canonical import jsonable
from zhicheng.core.errors import Refusal
from zhicheng.notifications.services import Message, queue_messages

from . import guards as guard_registry
from . import holders, registry
from .holders import holder_for
from .models import Application, ApplicationEvent, CorrectionNotice, SelectedRecord, SubmittedPersonFacts
from .states import State
from .workflow import ACTIONS, Transition, transitions_for


class TransitionError(Refusal):
    """A refused step. ``reasons`` are sentences in Chinese; nothing was changed."""

    def __init__(self, reasons: list[str] | str):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__("；".join(self.reasons))


class IllegalTransition(TransitionError):
    """The table has no such step from this state, or not for this actor."""


class GuardFailed(TransitionError):
    """The step exists but its conditions do not hold."""


def actor_role(actor) -> str:
    return Role.SYSTEM if actor is None else actor.role


def _holds(actor, app: Application) -> bool:
    """Is the declaration in this actor's hands?"""
    if actor is None:
        return True
    if actor.role == Role.APPLICANT:
        return actor.person_id == app.person_id
    return app.holder_id is not None and app.holder_id == actor.organisation_id


def step_label(app: Application, action: str) -> str:
    """The action's name on this declaration's path (report is 上报主管部门 on one, 报自治区人社厅审核委托 on another)."""
    rows = [t for t in transitions_for(action, app.state) if not t.when or guard_registry.PATHS[t.when][0](app)]
    return rows[0].label if rows else ACTIONS.get(action, action)


def _choose(app: Application, action: str, actor) -> Transition:
    state_label = State(app.state).label
    rows = transitions_for(action, app.state)
    if not rows:
        raise IllegalTransition(f"“{state_label}”状态下不能执行“{ACTIONS.get(action, action)}”。")
    role = actor_role(actor)
    rows = [t for t in rows if role in t.who]
    if not rows:
        raise IllegalTransition(f"您的角色不能对“{state_label}”的申报执行“{step_label(app, action)}”。")
    if role != Role.SYSTEM and not _holds(actor, app):
        rows = [t for t in rows if t.anywhere]
        if not rows:
            raise IllegalTransition(f"该申报当前不在您的办理范围内，不能执行“{step_label(app, action)}”。")
    for t in rows:
        if not t.when or guard_registry.PATHS[t.when][0](app):
            return t
    label = ACTIONS.get(action, action)
    whens = {t.when for t in rows}
    if whens == {"review_route"}:
        raise IllegalTransition(f"考核认定的申报不需要进行评审（五（十二）），不能“{label}”，请办理考核认定。")
    if whens == {"recognition_route"}:
        raise IllegalTransition(f"只有考核认定途径（五（十二））的申报才能“{label}”，该申报须经评审。")
    raise IllegalTransition(f"该申报的申报渠道没有“{label}”这一步。")


def _snapshot_selections(apps: list[Application]) -> None:
    """Freeze what each draft selected, and the person's stated facts, as version ``app.version`` (every
    resubmission keeps the earlier ones)."""
    from zhicheng.people.models import ARCHIVE_MODELS, person_fact_values

    by_app = {app.pk: app for app in apps}
    chosen: dict[int, dict[str, list[int]]] = {}
    for application_id, kind, record_id in (SelectedRecord.objects.filter(application_id__in=list(by_app), version=0)
                                            .order_by("pk").values_list("application_id", "kind", "record_id")):
        chosen.setdefault(application_id, {}).setdefault(kind, []).append(record_id)
    # Each kind's records of the whole batch in one query, in the model's order, grouped by their owner.
    owned: dict[tuple[str, int], list] = {}
    for kind in {kind for kinds in chosen.values() for kind in kinds}:
        ids = [pk for kinds in chosen.values() for pk in kinds.get(kind, ())]
        for rec in ARCHIVE_MODELS[kind].objects.filter(pk__in=ids).prefetch_related("evidence"):
            owned.setdefault((kind, rec.person_id), []).append(rec)
    frozen = []
    for app in apps:
        for kind, ids in chosen.get(app.pk, {}).items():
            wanted = set(ids)
            for rec in owned.get((kind, app.person_id), ()):
                if rec.pk not in wanted:
                    continue
                data = jsonable(model_to_dict(rec, exclude=["evidence", "person"]))  # dates and decimals as text
                data["evidence"] = [f.sha256 for f in rec.evidence.all()]
                with translation.override("zh-hans"):  # the version as submitted reads the same to everyone
                    data["summary"] = rec.summary()
                frozen.append(SelectedRecord(application=app, kind=kind, record_id=rec.pk, version=app.version, snapshot=data))
    SelectedRecord.objects.bulk_create(frozen)
    SubmittedPersonFacts.objects.bulk_create([
        SubmittedPersonFacts(application=app, version=app.version, facts=person_fact_values(app.person)) for app in apps])


@registry.effect("open_correction_notice")
def _open_correction_notices(apps, ctx, now):
    CorrectionNotice.objects.bulk_create([CorrectionNotice(
        application=app, items=list(ctx.payload["items"]), deadline=ctx.payload["deadline"], issued_by=ctx.actor, issued_at=now,
    ) for app in apps])


@registry.effect("close_correction_notice")
def _close_correction_notices(apps, ctx, now):
    CorrectionNotice.objects.filter(application_id__in=[app.pk for app in apps], resolved_at__isnull=True).update(resolved_at=now)


# Declarations per transaction of a set-based step: large enough that a batch costs a few queries
# per chunk, small enough that a chunk holds its row locks briefly (and within SQLite's parameter limit).
CHUNK = 500
LOCKED_RELATIONS = ("unit__area", "unit__competent_department", "committee__area", "committee__series", "committee__office",
                    "plan", "series", "specialty", "recommender", "person__account")
# The fields a step changes on the declaration itself (effects write their own rows).
STEP_FIELDS = ["state", "holder", "state_since", "held_since", "submitted_at", "version", "reached_talent_centre_at",
               "reached_committee_at", "updated_at"]


@dataclass
class BatchOutcome:
    """What a set-based step did: the declarations it moved, in order, and each refused one's reason."""

    moved: list[Application] = field(default_factory=list)
    refused: dict[int, TransitionError] = field(default_factory=dict)


# Loaded only when a guard of the step reads it: the screening decision is large, and parsing it for
# every declaration of every step cost more than the step itself.
LARGE_FIELDS = frozenset({"decision"})


# Above this many declarations the organisations, committee, plan and series are read once each and shared
# by the declarations that point to them (prefetch), instead of joined into every row (select_related):
# a chunk of 500 mostly shares a handful of them, and building them 500 times cost more than the step.
SHARED_FROM = 8


def _lock_many(ids: list[int], action: str) -> list[Application]:
    from .workflow import TABLE

    reads = {field for t in TABLE if t.action == action for name in t.guards for field in registry.GUARDS[name].reads}
    locked = Application.objects.select_for_update(of=("self",)).defer(*(LARGE_FIELDS - reads)).filter(pk__in=ids).order_by("pk")
    if len(ids) < SHARED_FROM:
        return list(locked.select_related(*LOCKED_RELATIONS))
    own = [r for r in LOCKED_RELATIONS if r.startswith("person")]
    return list(locked.select_related(*own).prefetch_related(*(r for r in LOCKED_RELATIONS if r not in own)))


def _state_snapshot(app: Application) -> dict:
    return {"state": app.state, "holder": app.holder_id, "version": app.version}


def transition(application: Application | int, action: str, actor, *, note: str = "", payload: dict | None = None) -> Application:
    """Move a declaration by one row of the transition table: transition_many for a set of one.

    Raises IllegalTransition or GuardFailed and changes nothing when the step is refused."""
    app_id = application if isinstance(application, int) else application.pk
    outcome = transition_many([app_id], action, actor, note=note, payload=payload)
    if app_id in outcome.refused:
        raise outcome.refused[app_id]
    return outcome.moved[0]


def transition_many(ids, action: str, actor, *, note: str = "", payload: dict | None = None,
                    chunk: int = CHUNK, progress=None, outcome: BatchOutcome | None = None) -> BatchOutcome:
    """Move a set of declarations by the same action, each by its row of the transition table.

    For each declaration: the table (state, role, holder, path), the note, the guards and the effects'
    refusals are checked as for one; a refused declaration changes nothing and is returned with its
    reason. The others move: state, holder, one timeline event and one audit entry each, the effects,
    one message to each applicant and one to each member of staff of a body now holding some of them.
    Declarations are taken in order of id, ``chunk`` at a time, each chunk in one transaction: a crash
    leaves each declaration moved completely or untouched, and running the step again moves the rest.
    ``progress(done)``, when given, is called after each chunk with the number of declarations handled;
    ``outcome``, when given, is filled chunk by chunk (it holds what committed if a later chunk fails)."""
    ids = sorted(set(ids))
    outcome = outcome if outcome is not None else BatchOutcome()
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        ctx = registry.Context(actor=actor, payload=payload or {}, note=note)
        with transaction.atomic(), audit_batched(), holders.memoized():
            apps = _lock_many(part, action)
            found = {app.pk for app in apps}
            for pk in part:
                if pk not in found:
                    outcome.refused[pk] = IllegalTransition("该申报不存在。")
            moving = _admit(apps, action, actor, ctx, outcome.refused)
            if moving:
                _apply(moving, action, actor, ctx, note)
                outcome.moved += [app for app, _t in moving]
        if progress is not None:
            progress(min(start + chunk, len(ids)))
    return outcome


def _admit(apps, action, actor, ctx, refused) -> list[tuple[Application, Transition]]:
    """The declarations the step may move, each with its row of the table; the others go into ``refused``."""
    rows: dict[Transition, list[Application]] = {}
    for app in apps:
        try:
            t = _choose(app, action, actor)
        except IllegalTransition as exc:
            refused[app.pk] = exc
            continue
        if t.needs_note and not ctx.note.strip():
            refused[app.pk] = GuardFailed("请填写理由。")
            continue
        if len(ctx.note) > MAX_NOTE_CHARS:
            refused[app.pk] = GuardFailed(f"理由最多{MAX_NOTE_CHARS}字（现有{len(ctx.note)}字），请精简。")
            continue
        rows.setdefault(t, []).append(app)
    admitted = {}
    for t, group in rows.items():
        guards = [registry.GUARDS[name] for name in t.guards]
        for g in guards:
            if g.prepare is not None:
                g.prepare(group, ctx)
        passed = []
        for app in group:  # in order of id: a guard that counts (the post quota) sees the earlier ones
            failures = [msg for g in guards if (msg := g.check(app, ctx))]
            if failures:
                refused[app.pk] = GuardFailed(failures)
                continue
            for g in guards:
                if g.accept is not None:
                    g.accept(app, ctx)
            passed.append(app)
        for name in t.effects:
            refuse = registry.EFFECTS[name].refuse
            if refuse is not None and passed:
                for pk, reason in refuse(passed, ctx).items():
                    refused[pk] = GuardFailed(reason)
                passed = [app for app in passed if app.pk not in refused]
        admitted.update({app.pk: (app, t) for app in passed})
    return [admitted[pk] for pk in sorted(admitted)]


def _apply(moving: list[tuple[Application, Transition]], action: str, actor, ctx, note: str) -> None:
    now = clock.now()
    befores, sources = {}, {}
    for app, t in moving:
        befores[app.pk], sources[app.pk] = _state_snapshot(app), app.state
        app.state = t.target
        app.holder = holder_for(app, t.target)
        app.state_since = app.updated_at = now
        if app.holder_id != befores[app.pk]["holder"] or app.held_since is None:
            app.held_since = now
        if t.target == State.SUBMITTED:
            app.submitted_at = app.submitted_at or now
        if action in ("submit", "resubmit"):
            app.version += 1
        if t.target == State.TALENT_CENTRE_REVIEW and app.reached_talent_centre_at is None:
            app.reached_talent_centre_at = now
        if t.target == State.COMMITTEE_INTAKE and app.reached_committee_at is None:
            app.reached_committee_at = now
    apps = [app for app, _t in moving]
    if action in ("submit", "resubmit"):
        _snapshot_selections(apps)
    by_row: dict[Transition, list[Application]] = {}
    for app, t in moving:
        by_row.setdefault(t, []).append(app)
    for t, group in by_row.items():
        for name in t.effects:
            registry.EFFECTS[name].apply(group, ctx, now)
    _save_steps(apps)

    organisation = getattr(actor, "organisation", None)
    role = actor_role(actor)
    ApplicationEvent.objects.bulk_create([ApplicationEvent(
        application=app, action=action, from_state=sources[app.pk], to_state=t.target, actor=actor,
        actor_role=role, actor_organisation=organisation, holder=app.holder, at=now, note=note,
    ) for app, t in moving])
    for app, t in moving:
        audit(f"application.{action}", app, actor=actor, before=befores[app.pk], after=_state_snapshot(app),
              summary=f"{app.person.name} {app.title_label}：{State(sources[app.pk]).label} → {State(t.target).label}"
                      + (f"（{note}）" if note else ""))
    _notify(moving, note, ctx, {pk: before["holder"] for pk, before in befores.items()})
    if registry.OBSERVERS:
        steps = [registry.Step(app, t, sources[app.pk]) for app, t in moving]
        for observe in registry.OBSERVERS:
            observe(steps, ctx, now)


def _save_steps(apps: list[Application]) -> None:
    """Write the step's fields: one UPDATE per distinct set of values (a batch mostly shares one), not
    bulk_update's CASE over every row and field."""
    groups: dict[tuple, list[int]] = {}
    for app in apps:
        groups.setdefault(tuple(getattr(app, f.attname) for f in _STEP_ATTRS), []).append(app.pk)
    for values, ids in groups.items():
        Application.objects.filter(pk__in=ids).update(**{f.attname: v for f, v in zip(_STEP_ATTRS, values)})


_STEP_ATTRS = [Application._meta.get_field(name) for name in STEP_FIELDS]


def _notify(moving: list[tuple[Application, Transition]], note: str, ctx, held_by: dict[int, int | None]) -> None:
    """Each applicant hears of the step at once. The staff of a body a declaration has just reached find it in
    their inbox — one message per batch, however many arrived — and in the next morning's digest mail. A step
    that leaves it with the body that took it (an employer publishing its own) tells that body nothing."""
    from zhicheng.accounts.models import User
    from zhicheng.core.site import page_url

    from .states import EDITABLE_STATES

    messages = []
    arrived: dict[int, list[Application]] = {}
    pages = {app.pk: page_url("application_detail", app.pk) for app, _t in moving}
    for app, t in moving:
        account = getattr(app.person, "account", None)
        page = pages[app.pk]
        # What the applicant must do next is done on the declaration's own editing page.
        own_page = page_url("declaration_edit", app.pk) if t.target in EDITABLE_STATES else page
        if t.action == "request_correction":
            messages.append(Message(account, "correction_requested", {
                "name": app.person.name, "title": app.title_label, "items": ctx.payload["items"],
                "deadline": f"{ctx.payload['deadline']:%Y年%m月%d日}",
            }, app, own_page))
        else:
            messages.append(Message(account, "state_changed", {
                "name": app.person.name, "title": app.title_label, "year": app.plan.year, "action": t.label,
                "state": State(t.target).label, "note": note,
            }, app, own_page))
        if app.holder_id and app.holder_id != held_by[app.pk]:
            arrived.setdefault(app.holder_id, []).append(app)
    if arrived:
        staff: dict[int, list] = {}
        for member in User.objects.filter(organisation_id__in=list(arrived), is_active=True).order_by("pk"):
            staff.setdefault(member.organisation_id, []).append(member)
        for holder_id, apps in arrived.items():
            if len(apps) == 1:
                app = apps[0]
                key, application, link = "queue_arrived", app, pages[app.pk]
                context = {"applicant": app.person.name, "title": app.title_label, "state": State(app.state).label}
            else:
                key, application, link = "queue_arrived_batch", None, page_url("application_list", query="queue=1")
                context = {"count": len(apps), "items": [f"{app.person.name} {app.title_label}：{State(app.state).label}"
                                                         for app in apps[:ARRIVALS_LISTED]],
                           "more": max(len(apps) - ARRIVALS_LISTED, 0)}
            messages += [Message(member, key, context, application, link, arrivals=len(apps)) for member in staff.get(holder_id, [])]
    queue_messages(messages)  # one template lookup and one send task for everyone


# A batch's arrival message names this many declarations; the queue page has them all.
ARRIVALS_LISTED = 50


def deem_overdue_withdrawn(day: dt.date | None = None) -> list[int]:
    """六（二）: declarations whose correction deadline had passed by ``day`` (default: today) are deemed
    withdrawn. Run daily for each day; one that has moved meanwhile (resubmitted in time, or deemed
    by the run of another day) is left as it is."""
    day = day or clock.today()
    overdue = Application.objects.filter(
        state=State.CORRECTION_REQUESTED, correction_notices__resolved_at__isnull=True, correction_notices__deadline__lt=day
    ).values_list("pk", flat=True)
    return [app.pk for app in transition_many(list(overdue), "deem_withdrawn", None).moved]


# ---- starting and preparing a declaration ---------------------------------------------

def channel_for(unit) -> str:
    """四: which channel a unit's declarations take."""
    from .states import Channel

    if unit.central_or_out_of_region:
        return Channel.ENTRUSTED
    if unit.sector == "private":
        return Channel.PRIVATE
    if unit.level == "region":
        return Channel.REGION
    return Channel.LOCAL


def find_committee(series, level: str, unit):
    """The committee that reviews this series and level for this unit: its own self-review
    committee first (五（三）), otherwise the most local approved committee whose area holds the unit."""
    from zhicheng.orgs.models import Committee

    today = clock.today()
    candidates = [
        c for c in Committee.objects.filter(series=series).select_related("area", "self_review_unit")
        if level in c.levels and unit.area.is_within(c.area)
    ]
    own = [c for c in candidates if c.self_review_unit_id == unit.pk]
    others = sorted((c for c in candidates if not c.is_self_review), key=lambda c: -len(c.area.path))
    for committee in own + others:
        if committee.accepts_declarations_on(today):
            return committee
    return (own + others)[0] if own or others else None


def review_fee(level: str, route: str):
    """八（五）: the fee standard of the level; none on a recognition route, which is not reviewed (五（十二））."""
    from decimal import Decimal

    from zhicheng.catalogue.models import FeeStandard

    from .states import is_recognition

    if is_recognition(route):
        return Decimal(0)
    fee = FeeStandard.objects.filter(level=level).first()
    return fee.amount if fee else Decimal(0)


def start_declaration(*, person, plan, series, level: str, actor, specialty=None, recommender=None) -> Application:
    """Open a draft for this person, series and year (one only: the database enforces it)."""
    from .states import Channel

    unit = person.unit
    if unit is None:
        raise GuardFailed("请先在个人档案中填写现工作单位。")
    if plan.declaration_closed:
        # A draft opened now could never be submitted this year (三（二）): say so before it is made.
        raise GuardFailed(f"{plan.year}年度申报已于{plan.declaration_deadline:%Y年%m月%d日}截止（三（二）），"
                          "不能再开始新的申报；请留意下一年度的申报通知。")
    for entry in person.blacklist_entries.all():
        if entry.bars(plan.year):
            raise GuardFailed(f"{person.name}已于{entry.listed_on:%Y年%m月%d日}记入职称申报评审失信黑名单"
                              f"（{entry.document_number or entry.reason}），{entry.listed_on.year + 1}年至"
                              f"{entry.listed_on.year + 3}年不得申报职称（八（三））。")
    channel = channel_for(unit)
    if channel == Channel.PRIVATE and recommender is None:
        raise GuardFailed("非公有制领域人员须选择推荐报送机构（四（五））。")
    committee = find_committee(series, level, unit)
    with transaction.atomic():
        app = Application.objects.create(
            person=person, plan=plan, series=series, specialty=specialty, level=level, unit=unit, channel=channel,
            recommender=recommender if channel == Channel.PRIVATE else None, committee=committee,
            via_talent_centre=holders.goes_via_talent_centre(committee, level, channel),
            fee_amount=review_fee(level, ""), state=State.DRAFT, state_since=clock.now(),
        )
        audit("application.start", app, actor=actor, after={"state": app.state, "channel": channel},
              summary=f"{person.name}开始填报{plan.year}年{app.title_label}")
    return app


def sign_pledge(app: Application, actor, text: str) -> None:
    """The applicant signs the 诚信承诺书 electronically: time, signer, the text and its hash are kept."""
    import hashlib

    if actor.role != Role.APPLICANT or actor.person_id != app.person_id:
        raise IllegalTransition("只有申报人本人可以签署诚信承诺书。")
    with transaction.atomic():
        app.pledge_signed_at = clock.now()
        app.pledge_sha256 = hashlib.sha256(f"{app.person.id_number}\n{text}".encode()).hexdigest()
        app.save(update_fields=["pledge_signed_at", "pledge_sha256", "updated_at"])
        registry.pledge_signed.send(Application, application=app, signer=actor, text=text, signed_at=app.pledge_signed_at,
                                    sha256=app.pledge_sha256)
        audit("application.sign_pledge", app, actor=actor, after={"sha256": app.pledge_sha256}, summary="签署诚信承诺书")


def select_records(app: Application, actor, kind: str, record_ids: list[int]) -> None:
    """Pick archive records for the draft (replaces the draft's selection of that kind)."""
    from zhicheng.people.models import ARCHIVE_MODELS

    if app.state not in (State.DRAFT, State.CORRECTION_REQUESTED):
        raise IllegalTransition("已提交的申报不能修改所选业绩。")
    owned = set(ARCHIVE_MODELS[kind].objects.filter(person_id=app.person_id, pk__in=record_ids).values_list("pk", flat=True))
    with transaction.atomic():
        app.selected_records.filter(version=0, kind=kind).delete()
        SelectedRecord.objects.bulk_create([SelectedRecord(application=app, kind=kind, record_id=pk, version=0) for pk in sorted(owned)])
        audit("application.select_records", app, actor=actor, after={"kind": kind, "ids": sorted(owned)}, summary=f"选择{kind}档案记录")


# A reason is read by the applicant in a notice and kept on the timeline: a page, not a file.
MAX_NOTE_CHARS = 1000
PAYLOAD_ACTIONS = frozenset({"employer_publish", "publish_roster", "publish_result", "request_correction"})


def available_actions(app: Application, user) -> list[Transition]:
    """The rows this user could try now (guards are checked only when they try, and explained then)."""
    return offered_actions(app, user)[0]


def offered_actions(app: Application, user) -> tuple[list[Transition], list[tuple[Transition, str]]]:
    """The rows this user could try now, and those that wait for their ``offered_when`` guards, each with what it
    waits for (said on the dossier in place of a button that could only be refused)."""
    from .workflow import actions_from

    if user.read_only:
        return [], []
    role, holds = user.role, _holds(user, app)
    seen, rows, waiting = set(), [], []
    ctx, prepared = registry.Context(actor=user), set()  # one guard's data read once for every row that names it
    for t in actions_from(app.state):
        if role in t.who and (holds or t.anywhere) and t.action not in seen and (not t.when or guard_registry.PATHS[t.when][0](app)):
            seen.add(t.action)
            if reason := _not_yet(app, t, ctx, prepared):
                waiting.append((t, reason))
            else:
                rows.append(t)
    return rows, waiting


def _not_yet(app: Application, t: Transition, ctx, prepared: set) -> str | None:
    """Why the row's ``offered_when`` guards do not hold for this declaration now, or None (most rows name none)."""
    for name in t.offered_when:
        g = registry.GUARDS[name]
        if g.prepare is not None and g.prepare not in prepared:
            g.prepare([app], ctx)
            prepared.add(g.prepare)
        if reason := g.check(app, ctx):
            return reason
    return None
