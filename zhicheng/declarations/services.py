"""The one way a declaration changes state, and the domain functions around it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.forms.models import model_to_dict

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.canonical import jsonable
from zhicheng.notifications.services import Message, queue_messages

from . import guards as guard_registry
from .holders import holder_for
from .models import Application, ApplicationEvent, CorrectionNotice, SelectedRecord
from .states import State
from .workflow import ACTIONS, Transition, transitions_for


class TransitionError(Exception):
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


def _choose(app: Application, action: str, actor) -> Transition:
    state_label = State(app.state).label
    action_label = ACTIONS.get(action, action)
    rows = transitions_for(action, app.state)
    if not rows:
        raise IllegalTransition(f"“{state_label}”状态下不能执行“{action_label}”。")
    role = actor_role(actor)
    rows = [t for t in rows if role in t.who]
    if not rows:
        raise IllegalTransition(f"您的角色不能对“{state_label}”的申报执行“{action_label}”。")
    if role != Role.SYSTEM and not _holds(actor, app):
        rows = [t for t in rows if t.anywhere]
        if not rows:
            raise IllegalTransition(f"该申报当前不在您的办理范围内，不能执行“{action_label}”。")
    for t in rows:
        if not t.when or guard_registry.PATHS[t.when][0](app):
            return t
    raise IllegalTransition(f"该申报的申报渠道没有“{action_label}”这一步。")


def _snapshot_selection(app: Application) -> None:
    """Freeze what the draft selected as version ``app.version`` (every resubmission keeps the earlier ones)."""
    from zhicheng.people.models import ARCHIVE_MODELS

    chosen = list(app.selected_records.filter(version=0).values_list("kind", "record_id"))
    by_kind: dict[str, list[int]] = {}
    for kind, record_id in chosen:
        by_kind.setdefault(kind, []).append(record_id)
    frozen = []
    for kind, ids in by_kind.items():
        for rec in ARCHIVE_MODELS[kind].objects.filter(pk__in=ids, person_id=app.person_id):
            data = jsonable(model_to_dict(rec, exclude=["evidence", "person"]))  # dates and decimals as text
            data["evidence"] = list(rec.evidence.values_list("sha256", flat=True))
            data["summary"] = rec.summary()
            frozen.append(SelectedRecord(application=app, kind=kind, record_id=rec.pk, version=app.version, snapshot=data))
    SelectedRecord.objects.bulk_create(frozen)


def _open_correction_notice(app, ctx, now):
    CorrectionNotice.objects.create(
        application=app, items=list(ctx.payload["items"]), deadline=ctx.payload["deadline"], issued_by=ctx.actor, issued_at=now
    )


def _close_correction_notice(app, ctx, now):
    app.correction_notices.filter(resolved_at__isnull=True).update(resolved_at=now)


def _certificate_step(run):
    """Certificate refusals become transition refusals, so the whole step rolls back."""
    from zhicheng.certificates.services import CertificateError

    try:
        return run()
    except CertificateError as exc:
        raise GuardFailed(str(exc)) from exc


def _record_filing(app, ctx, now):
    from zhicheng.certificates.filing import record_filing

    _certificate_step(lambda: record_filing(app, ctx.actor, ctx.payload, now))


def _issue_certificate(app, ctx, now):
    from zhicheng.certificates.services import issue_for_application

    _certificate_step(lambda: issue_for_application(app, ctx.actor, now))


def _revoke_title(app, ctx, now):
    from zhicheng.certificates.services import revoke_for_application

    revoke_for_application(app, ctx.actor, reason=ctx.payload.get("reason") or ctx.note,
                           document_number=ctx.payload.get("document_number", ""), on=now.date())


def _archive_pledge(app, ctx, now):
    from zhicheng.certificates.integrity import archive_pledge

    archive_pledge(app, ctx.actor, app.state, now)


EFFECTS = {
    "open_correction_notice": _open_correction_notice,
    "close_correction_notice": _close_correction_notice,
    "record_filing": _record_filing,
    "issue_certificate": _issue_certificate,
    "revoke_title": _revoke_title,
    "archive_pledge": _archive_pledge,
}


def _lock(application_id: int) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("unit__area", "unit__competent_department", "committee", "plan", "series", "person__account")
        .get(pk=application_id)
    )


def _state_snapshot(app: Application) -> dict:
    return {"state": app.state, "holder": app.holder_id, "version": app.version}


def transition(application: Application | int, action: str, actor, *, note: str = "", payload: dict | None = None) -> Application:
    """Move a declaration by one row of the transition table.

    Checks the table (state, role, holder, path, guards), applies the step, records the
    timeline event and the audit entry and queues the notifications, all in one
    transaction. Raises IllegalTransition or GuardFailed and changes nothing otherwise.
    """
    app_id = application if isinstance(application, int) else application.pk
    ctx = guard_registry.Context(actor=actor, payload=payload or {}, note=note)
    with transaction.atomic():
        app = _lock(app_id)
        t = _choose(app, action, actor)
        if t.needs_note and not note.strip():
            raise GuardFailed("请填写理由。")
        failures = [msg for name in t.guards if (msg := guard_registry.GUARDS[name][0](app, ctx))]
        if failures:
            raise GuardFailed(failures)

        now = clock.now()
        before = _state_snapshot(app)
        source = app.state
        app.state = t.target
        app.holder = holder_for(app, t.target)
        app.state_since = now
        if t.target == State.SUBMITTED:
            app.submitted_at = app.submitted_at or now
        if action in ("submit", "resubmit"):
            app.version += 1
            _snapshot_selection(app)
        if t.target == State.TALENT_CENTRE_REVIEW and app.reached_talent_centre_at is None:
            app.reached_talent_centre_at = now
        if t.target == State.COMMITTEE_INTAKE and app.reached_committee_at is None:
            app.reached_committee_at = now
        for effect in t.effects:
            EFFECTS[effect](app, ctx, now)
        app.save()

        organisation = getattr(actor, "organisation", None)
        ApplicationEvent.objects.create(
            application=app, action=action, from_state=source, to_state=t.target, actor=actor,
            actor_role=actor_role(actor), actor_organisation=organisation, at=now, note=note,
        )
        audit(f"application.{action}", app, actor=actor, before=before, after=_state_snapshot(app),
              summary=f"{app.person.name} {app.title_label}：{State(source).label} → {State(t.target).label}" + (f"（{note}）" if note else ""))
        _notify(app, t, note, ctx)
        return app


def _notify(app: Application, t: Transition, note: str, ctx) -> None:
    """The applicant hears of every step at once; the staff of the body now holding the declaration
    find it in their inbox and in the next morning's digest mail (one mail a day, not one per declaration)."""
    from zhicheng.core.site import page_url

    from .drafting import EDITABLE_STATES

    account = getattr(app.person, "account", None)
    page = page_url("application_detail", app.pk)
    # What the applicant must do next is done on the declaration's own editing page.
    own_page = page_url("declaration_edit", app.pk) if t.target in EDITABLE_STATES else page
    if t.action == "request_correction":
        messages = [Message(account, "correction_requested", {
            "name": app.person.name, "title": app.title_label, "items": ctx.payload["items"],
            "deadline": f"{ctx.payload['deadline']:%Y年%m月%d日}",
        }, app, own_page)]
    else:
        messages = [Message(account, "state_changed", {
            "name": app.person.name, "title": app.title_label, "year": app.plan.year, "action": t.label,
            "state": State(t.target).label, "note": note,
        }, app, own_page)]
    if app.holder_id:
        from zhicheng.accounts.models import User

        arrived = {"applicant": app.person.name, "title": app.title_label, "state": State(t.target).label}
        messages += [Message(member, "queue_arrived", arrived, app, page)
                     for member in User.objects.filter(organisation_id=app.holder_id, is_active=True)]
    queue_messages(messages)  # one template lookup and one send task for the applicant and the staff


def deem_overdue_withdrawn(day: dt.date | None = None) -> list[int]:
    """六（二）: declarations whose correction deadline had passed by ``day`` (default: today) are deemed
    withdrawn. Run daily for each day; one that has moved meanwhile (resubmitted in time, or deemed
    by the run of another day) is left as it is."""
    day = day or clock.today()
    overdue = Application.objects.filter(
        state=State.CORRECTION_REQUESTED, correction_notices__resolved_at__isnull=True, correction_notices__deadline__lt=day
    ).values_list("pk", flat=True)
    done = []
    for pk in list(overdue):
        try:
            transition(pk, "deem_withdrawn", None)
        except IllegalTransition:
            continue
        done.append(pk)
    return done


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


def start_declaration(*, person, plan, series, level: str, actor, specialty=None, recommender=None) -> Application:
    """Open a draft for this person, series and year (one only: the database enforces it)."""
    from zhicheng.catalogue.models import SENIOR_LEVELS, FeeStandard

    from .states import Channel

    unit = person.unit
    if unit is None:
        raise GuardFailed("请先在个人档案中填写现工作单位。")
    for entry in person.blacklist_entries.all():
        if entry.bars(plan.year):
            raise GuardFailed(f"{person.name}已于{entry.listed_on:%Y年%m月%d日}记入职称申报评审失信黑名单"
                              f"（{entry.document_number or entry.reason}），{entry.listed_on.year + 1}年至"
                              f"{entry.listed_on.year + 3}年不得申报职称（八（三））。")
    channel = channel_for(unit)
    if channel == Channel.PRIVATE and recommender is None:
        raise GuardFailed("非公有制领域人员须选择推荐报送机构（四（五））。")
    committee = find_committee(series, level, unit)
    fee = FeeStandard.objects.filter(level=level).first()
    with transaction.atomic():
        app = Application.objects.create(
            person=person, plan=plan, series=series, specialty=specialty, level=level, unit=unit, channel=channel,
            recommender=recommender if channel == Channel.PRIVATE else None, committee=committee,
            via_talent_centre=bool(committee and level in SENIOR_LEVELS and committee.is_region_level
                                   and channel in (Channel.LOCAL, Channel.PRIVATE)),
            fee_amount=fee.amount if fee else 0, state=State.DRAFT, state_since=clock.now(),
        )
        audit("application.start", app, actor=actor, after={"state": app.state, "channel": channel},
              summary=f"{person.name}开始填报{plan.year}年{app.title_label}")
    return app


def sign_pledge(app: Application, actor, text: str) -> None:
    """The applicant signs the 诚信承诺书 electronically: time, signer, the text and its hash are kept."""
    import hashlib

    if actor.role != Role.APPLICANT or actor.person_id != app.person_id:
        raise IllegalTransition("只有申报人本人可以签署诚信承诺书。")
    from zhicheng.certificates.integrity import keep_pledge

    with transaction.atomic():
        app.pledge_signed_at = clock.now()
        app.pledge_sha256 = hashlib.sha256(f"{app.person.id_number}\n{text}".encode()).hexdigest()
        app.save(update_fields=["pledge_signed_at", "pledge_sha256", "updated_at"])
        keep_pledge(app, actor, text, app.pledge_signed_at, app.pledge_sha256)  # the text itself, for the archive (八（三）)
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


PAYLOAD_ACTIONS = frozenset({"employer_publish", "publish_roster", "publish_result", "request_correction"})


def available_actions(app: Application, user) -> list[Transition]:
    """The rows this user could try now (guards are checked only when they try, and explained then)."""
    from .workflow import actions_from

    if user.read_only:
        return []
    role, holds = user.role, _holds(user, app)
    seen, rows = set(), []
    for t in actions_from(app.state):
        if role in t.who and (holds or t.anywhere) and t.action not in seen and (not t.when or guard_registry.PATHS[t.when][0](app)):
            seen.add(t.action)
            rows.append(t)
    return rows
