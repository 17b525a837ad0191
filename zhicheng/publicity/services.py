"""Publicities over sets of declarations, real-name objections and their handling."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.audit.context import current
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.names import name_problem
from zhicheng.core.wording import long_date

from .models import Objection, ObjectionStatus, Publicity, PublicityEntry, PublicityKind, PublicityOutcome
from .workdays import publicity_end

# Which workflow step puts a declaration into each kind of publicity, moves it on when the
# publicity clears, and takes it out when an objection is found true.
STEPS = {
    PublicityKind.EMPLOYER: ("employer_publish", "report", "employer_publicity_return"),
    PublicityKind.ROSTER: ("publish_roster", "forward", "roster_return"),
    PublicityKind.RESULT: ("publish_result", "confirm_result", "overturn"),
}


STATES = {PublicityKind.EMPLOYER: "employer_publicity", PublicityKind.ROSTER: "roster_publicity", PublicityKind.RESULT: "result_publicity"}


def start_publicity(*, kind: str, publisher, applications, actor, title: str = "", starts_on=None,
                    working_days: int = Publicity.MIN_WORKING_DAYS, contact: str = "") -> Publicity:
    """Publish a set of declarations; they move into the publicity state by the workflow, all or none."""
    from zhicheng.declarations.services import transition_many

    if working_days < Publicity.MIN_WORKING_DAYS:
        raise ValidationError(_("公示时间不少于%(days)d个工作日。") % {"days": Publicity.MIN_WORKING_DAYS})
    applications = list(applications)
    if not applications:
        raise ValidationError(_("请至少选择一份申报进行公示。"))
    starts_on = starts_on or clock.today()
    if starts_on < clock.today():
        raise ValidationError(_("公示开始日期不能早于今天。"))
    year = applications[0].plan.year
    with transaction.atomic():
        publicity = Publicity.objects.create(
            kind=kind, publisher=publisher, year=year, starts_on=starts_on, working_days=working_days,
            ends_on=publicity_end(starts_on, working_days), contact=contact, created_by=actor,
            title=title or f"{publisher.name}{year}年度{PublicityKind(kind).label.split('（')[0]}",
        )
        PublicityEntry.objects.bulk_create([PublicityEntry(publicity=publicity, application=a) for a in applications])
        outcome = transition_many([a.pk for a in applications], STEPS[kind][0], actor, payload={"publicity": publicity})
        if outcome.refused:
            raise next(iter(outcome.refused.values()))  # all or none: the publicity is not started
        audit("publicity.start", publicity, actor=actor,
              after={"kind": kind, "starts_on": starts_on, "ends_on": publicity.ends_on, "applications": [a.pk for a in applications]},
              summary=f"发起公示：{publicity.title}（{starts_on}至{publicity.ends_on}）")
    return publicity


# Anyone may object without login: without a bound one post could store megabytes of text for the publisher to read.
OBJECTION_MAX_CHARS = 2000


def objector_problems(*, name: str, phone: str, content: str) -> dict[str, str]:
    """What a real-name objection lacks, by field (empty when nothing): the same for an objection to a results
    publicity (raise_objection) and to a published expert pool (review.drawing.object_to)."""
    errors = {}
    if not name.strip():
        errors["name"] = _("异议须实名提出，请填写姓名。")
    elif problem := name_problem(name):
        errors["name"] = problem
    if not phone.strip() or not phone.strip().isdigit() or len(phone.strip()) < 7:
        errors["phone"] = _("请填写有效的联系电话，以便核实。")
    if len(content.strip()) < 10:
        errors["content"] = _("请具体说明异议事项（不少于10个字）。")
    elif len(content.strip()) > OBJECTION_MAX_CHARS:
        errors["content"] = _("异议内容不能超过%(limit)d个字（现在%(now)d个字），请精简；证据材料可向公示单位书面提交。") % {
            "limit": OBJECTION_MAX_CHARS, "now": len(content.strip())}
    return errors


def raise_objection(*, publicity: Publicity, application, name: str, phone: str, content: str) -> Objection:
    """A real-name objection from anyone, without login, while the publicity runs."""
    errors = objector_problems(name=name, phone=phone, content=content)
    if errors:
        raise ValidationError(errors)
    ip = current.get().ip or None
    limit = settings.OBJECTIONS_PER_ADDRESS_PER_HOUR
    with transaction.atomic():
        # Locked against close_publicity: an objection either arrives before the close, which then
        # waits for it to be handled, or after it, and is refused.
        publicity.refresh_from_db(from_queryset=Publicity.objects.select_for_update())
        if not publicity.is_open or clock.today() > publicity.ends_on or clock.today() < publicity.starts_on:
            raise ValidationError(_("该公示不在公示期内，不能提出异议。"))
        if not publicity.entries.filter(application=application).exists():
            raise ValidationError(_("该人员不在本次公示名单中。"))
        # An open objection holds the declaration, so repeats and floods are refused: one open
        # objection per caller and person, and a limit per network address.
        if Objection.objects.filter(publicity=publicity, application=application, objector_phone=phone.strip(),
                                    status=ObjectionStatus.OPEN).exists():
            raise ValidationError(_("您对该人员提出的异议已收到，正在核实中，请勿重复提交。"))
        if ip and Objection.objects.filter(objector_ip=ip, raised_at__gt=clock.now() - dt.timedelta(hours=1)).count() >= limit:
            raise ValidationError(_("同一网络地址每小时最多提出%(limit)d件异议，请稍后再试；也可向公示单位书面反映。") % {"limit": limit})
        objection = Objection.objects.create(
            publicity=publicity, application=application, objector_name=name.strip(), objector_phone=phone.strip(),
            content=content.strip(), raised_at=clock.now(), objector_ip=ip,
        )
        audit("publicity.objection", objection, actor=None, after={"publicity": publicity.pk, "application": application.pk},
              summary=f"{name.strip()}对公示对象提出异议")
        notify_publisher(objection)
    return objection


def handle_objection(objection: Objection, actor, *, substantiated: bool, finding: str) -> Objection:
    if actor.organisation_id != objection.publicity.publisher_id:
        raise ValidationError(_("只有发布公示的单位可以处理异议。"))
    if len(finding.strip()) < 5:
        raise ValidationError({"finding": _("请填写核实情况与处理意见。")})
    with transaction.atomic():
        # Read the status again under the row's lock: of two findings made at the same moment only
        # the first is recorded.
        objection.refresh_from_db(from_queryset=Objection.objects.select_for_update())
        if objection.status != ObjectionStatus.OPEN:
            raise ValidationError(_("该异议已处理（%(status)s），不能再次处理；请刷新页面查看。") % {"status": _(objection.get_status_display())})
        objection.status = ObjectionStatus.SUBSTANTIATED if substantiated else ObjectionStatus.UNSUBSTANTIATED
        objection.finding, objection.handled_by, objection.handled_at = finding.strip(), actor, clock.now()
        objection.save()
        audit("publicity.handle_objection", objection, actor=actor, after={"status": objection.status}, summary=f"异议核实：{objection.get_status_display()}")
    return objection


@dataclass
class CloseReport:
    advanced: list[int] = field(default_factory=list)
    taken_out: list[int] = field(default_factory=list)
    held: dict[int, str] = field(default_factory=dict)


def close_publicity(publicity: Publicity, actor) -> CloseReport:
    """End a publicity whose period is over. Refused while any objection is open (八（二）3)."""
    from zhicheng.declarations.services import TransitionError, transition, transition_many

    if actor.organisation_id != publicity.publisher_id:
        raise ValidationError(_("只有发布公示的单位可以结束公示。"))
    advance, take_out = STEPS[publicity.kind][1:]
    report = CloseReport()
    with transaction.atomic():
        # Checked again under the publicity's lock: a second close is refused, and an objection
        # being raised at this moment is either seen here or refused (raise_objection takes the same lock).
        publicity.refresh_from_db(from_queryset=Publicity.objects.select_for_update())
        if not publicity.is_open:
            raise ValidationError(_("该公示已经结束。"))
        if not publicity.period_over:
            raise ValidationError(_("公示期至%(ends)s，期满后方可结束（不少于%(days)d个工作日）。") % {"ends": long_date(publicity.ends_on), "days": publicity.working_days})
        objections = list(publicity.objections.all())
        if any(o.status == ObjectionStatus.OPEN for o in objections):
            raise ValidationError(_("尚有未核实处理的异议，不能结束公示。"))
        substantiated = {o.application_id: o.finding for o in objections if o.status == ObjectionStatus.SUBSTANTIATED}
        publicity.outcome = PublicityOutcome.OBJECTIONS_HANDLED if objections else PublicityOutcome.NO_OBJECTION
        publicity.closed_at, publicity.closed_by = clock.now(), actor
        publicity.save()
        audit("publicity.close", publicity, actor=actor, after={"outcome": publicity.outcome}, summary=f"结束公示：{publicity.get_outcome_display()}")
        # Declarations withdrawn or returned while the publicity ran are left as they are.
        listed = list(publicity.entries.filter(application__state=STATES[publicity.kind])
                      .order_by("application_id").values_list("application_id", flat=True))
        for pk in listed:
            if pk in substantiated:  # each with its own finding as the note
                try:
                    transition(pk, take_out, actor, note=f"公示期间异议经核实属实：{substantiated[pk]}")
                    report.taken_out.append(pk)
                except TransitionError as exc:
                    report.held[pk] = str(exc)
        # One declaration's missing fee must not hold up the others; it stays for individual handling.
        moved = transition_many([pk for pk in listed if pk not in substantiated], advance, actor)
        report.advanced += [app.pk for app in moved.moved]
        report.held.update({pk: str(exc) for pk, exc in moved.refused.items()})
    return report


def publish(*, kind: str, actor, applications, **options) -> tuple[Publicity | None, dict[int, str]]:
    """A queue's bulk publish: the declarations the actor may put into this publicity go in together;
    each of the others is reported with why."""
    from zhicheng.declarations.services import available_actions
    from zhicheng.declarations.states import State

    enter = STEPS[kind][0]
    ready, refused = [], {}
    for app in applications:
        if any(t.action == enter for t in available_actions(app, actor)):
            ready.append(app)
        else:
            refused[app.pk] = f"{app.person.name}：“{State(app.state).label}”的申报不能列入本次公示，或不在您手中。"
    publicity = start_publicity(kind=kind, publisher=actor.organisation, applications=ready, actor=actor, **options) if ready else None
    return publicity, refused


def notify_publisher(objection: Objection) -> None:
    """The publisher's staff learn of a new objection at once: it holds the publicity open (八（二）3)."""
    from zhicheng.accounts.models import User
    from zhicheng.core.site import page_url
    from zhicheng.notifications.services import queue

    publicity = objection.publicity
    staff = list(User.objects.filter(organisation_id=publicity.publisher_id, is_active=True))
    # The publicity's page, where the objection is handled (the declaration's page only lists it).
    queue(staff, "objection_raised", {
        "publicity": publicity.title, "applicant": objection.application.person.name, "ends_on": f"{publicity.ends_on:%Y年%m月%d日}",
    }, application=objection.application, link=page_url("publicity_detail", publicity.pk))
