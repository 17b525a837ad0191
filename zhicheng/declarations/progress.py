"""Where a declaration is and where it goes next: the steps it took, the steps still ahead on
its own channel (read from the transition table), who holds each, and the next deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.core import clock

from . import guards
from .holders import NoHolder, holder_for
from .models import Application
from .states import EDITABLE_STATES as APPLICANT_STATES
from .states import FINAL_STATES, State, state_label
from .workflow import Transition, transitions_for

# The step that moves a declaration forward from each state when all goes well.
FORWARD = {
    State.DRAFT: ("submit",),
    State.SUBMITTED: ("employer_publish",),
    State.EMPLOYER_PUBLICITY: ("report",),
    State.RECOMMENDER_REVIEW: ("recommend",),
    State.ENTRUSTMENT_REVIEW: ("consent_entrustment",),
    State.DEPARTMENT_REVIEW: ("department_approve", "publish_roster"),
    State.CORRECTION_REQUESTED: ("resubmit",),
    State.COUNTY_BUREAU_REVIEW: ("county_approve",),
    State.CITY_BUREAU_REVIEW: ("publish_roster",),
    State.ROSTER_PUBLICITY: ("forward",),
    State.TALENT_CENTRE_REVIEW: ("sort_to_committee",),
    State.COMMITTEE_INTAKE: ("accept",),
    State.ACCEPTED: ("open_review", "recognise"),  # reviewed, or recognised after assessment (五（十二）)
    State.UNDER_REVIEW: ("record_pass",),
    State.PASSED: ("publish_result",),
    State.RESULT_PUBLICITY: ("confirm_result",),
    State.RESULT_PUBLISHED: ("file",),
    State.FILED: ("certify",),
}


def forward_step(app: Application, state: str) -> Transition | None:
    for action in FORWARD.get(state, ()):
        for t in transitions_for(action, state):
            if not t.when or guards.PATHS[t.when][0](app):
                return t
    return None


@dataclass
class Step:
    state: str
    label: str
    holder: str
    at: dt.datetime | None = None
    by: str = ""
    note: str = ""
    status: str = "ahead"  # done, current, ahead


def _holder_name(app: Application, state: str) -> str:
    """Who will hold the declaration in ``state``, as the organisations stand today."""
    try:
        org = holder_for(app, state)
    except (NoHolder, AttributeError):
        return "—"
    return org.name if org is not None else _("申报人本人")


def _held_by(app: Application, event, following) -> str:
    """Who held the declaration in the step ``event`` opened: as recorded with the event (not today's holder,
    nor the body that took the step)."""
    if event.to_state in APPLICANT_STATES:
        return _("申报人本人")
    if event.to_state in FINAL_STATES:
        return ""
    if event.holder_id:
        return event.holder.name
    # Recorded before events kept their holder: the body that took the next step had it in its hands.
    if following is not None and following.actor_organisation_id and following.actor_role not in (Role.APPLICANT, Role.SYSTEM):
        return following.actor_organisation.name
    return _holder_name(app, event.to_state)


def steps(app: Application, events) -> list[Step]:
    """Done steps from the timeline, the current one, and the ones ahead on this channel."""
    events, freelancer = list(events), app.for_freelancer
    done = [Step(state=State.DRAFT, label=State.DRAFT.label, holder=_("申报人本人"), status="done")]
    for e, following in zip(events, events[1:] + [None]):
        done.append(Step(state=e.to_state, label=state_label(e.to_state, app.route, freelancer), holder=_held_by(app, e, following),
                         at=e.at, by=str(e.actor) if e.actor_id else _("系统"), note=e.note, status="done"))
    current = done[-1]
    current.status = "current"
    if app.state not in FINAL_STATES:
        current.holder = app.holder.name if app.holder_id else _("申报人本人")
    ahead, state, seen = [], app.state, {app.state}
    while state not in FINAL_STATES:
        t = forward_step(app, state)
        if t is None or t.target in seen:
            break
        state = t.target
        seen.add(state)
        ahead.append(Step(state=state, label=state_label(state, app.route, freelancer), holder=_holder_name(app, state)))
    return done + ahead


@dataclass
class Deadline:
    label: str
    ends_at: dt.datetime

    @property
    def now(self) -> dt.datetime:
        return clock.now()

    @property
    def remaining(self) -> dt.timedelta:
        return self.ends_at - clock.now()

    @property
    def passed(self) -> bool:
        return self.remaining.total_seconds() < 0

    @property
    def days(self) -> int:
        return max(self.remaining.days, 0)

    @property
    def hours(self) -> int:
        return max(self.remaining.seconds // 3600, 0) if not self.passed else 0


def next_deadline(app: Application, notice=None) -> Deadline | None:
    """The date that matters now, at the end of that day in Asia/Shanghai; `notice`: the open correction
    notice when the caller has read it already."""
    if app.state == State.DRAFT:
        return Deadline(_("%(year)s年度申报截止") % {"year": app.plan.year}, clock.end_of_day(app.plan.declaration_deadline))
    if app.state == State.CORRECTION_REQUESTED:
        notice = notice or app.correction_notices.filter(resolved_at__isnull=True).first()
        if notice:
            return Deadline(_("补正截止（逾期视为放弃申报）"), clock.end_of_day(notice.deadline))
    from zhicheng.publicity.workflow import PUBLICITY_KIND_BY_STATE, current_publicity

    if app.state in PUBLICITY_KIND_BY_STATE:
        publicity = current_publicity(app)
        if publicity:
            return Deadline(_("公示期满"), clock.end_of_day(publicity.ends_on))
    return None
