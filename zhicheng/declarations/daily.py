"""The declarations' daily work, registered with the schedule in DeclarationsConfig.ready().

Each run does its day's work as of that day (a day caught up after downtime is done as it would
have been on time), and may run again or beside the run of another day: a declaration is
deemed withdrawn once (the transition refuses a second), and a reminder reaches an applicant
once per declaration and deadline (the inbox row's once-only key).

Reminders (三（二）, 六（二）): an applicant whose declaration is still a draft is reminded from
the day on which DRAFT_REMINDER working days remain before the plan's declaration deadline; one
under correction from the day on which CORRECTION_REMINDER working days remain before the
correction notice's deadline. Working days follow the State Council's calendar
(publicity.workdays). Reminders whose deadline has already passed when the run happens late are
not sent: they could no longer help.
"""

from __future__ import annotations

import datetime as dt
import logging

from zhicheng.core import clock
from zhicheng.core.site import page_url
from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily
from zhicheng.notifications.services import Message, queue_messages
from zhicheng.publicity.workdays import CalendarNotConfigured, WorkingCalendar

from . import services
from .models import Application, CorrectionNotice
from .states import State

logger = logging.getLogger(__name__)

DRAFT_REMINDER = 3
CORRECTION_REMINDER = 2
# Three working days never span more than this, even over the October holiday week.
LOOKAHEAD = dt.timedelta(days=31)


def working_days_left(calendar: WorkingCalendar, day: dt.date, deadline: dt.date) -> int:
    """Working days after ``day`` up to and including ``deadline``."""
    count, current = 0, day + dt.timedelta(days=1)
    while current <= deadline:
        count += calendar.is_working_day(current)
        current += dt.timedelta(days=1)
    return count


def _due(calendar: WorkingCalendar, day: dt.date, deadline: dt.date, within: int, missing: set[int]) -> bool:
    if deadline < max(day, clock.today()):
        return False
    try:
        return working_days_left(calendar, day, deadline) <= within
    except CalendarNotConfigured as exc:
        missing.add(exc.year)
        return False


def remind_drafts(day: dt.date, calendar: WorkingCalendar, missing: set[int]) -> list[int]:
    from zhicheng.catalogue.models import AnnualPlan

    plans = [plan for plan in AnnualPlan.objects.filter(declaration_deadline__gte=day, declaration_deadline__lte=day + LOOKAHEAD)
             if _due(calendar, day, plan.declaration_deadline, DRAFT_REMINDER, missing)]
    drafts = list(Application.objects.filter(plan__in=plans, state=State.DRAFT, person__account__isnull=False)
                  .select_related("plan", "series", "person__account"))
    reminded = queue_messages(Message(
        app.person.account, "declaration_deadline_reminder",
        {"name": app.person.name, "title": app.title_label, "year": app.plan.year, "deadline": f"{app.plan.declaration_deadline:%Y年%m月%d日}"},
        application=app, link=page_url("declaration_edit", app.pk),
        once_key=f"draft-deadline:{app.pk}:{app.plan.declaration_deadline:%Y-%m-%d}",
    ) for app in drafts)
    return [row.application_id for row in reminded]


def remind_corrections(day: dt.date, calendar: WorkingCalendar, missing: set[int]) -> list[int]:
    notices = [notice for notice in CorrectionNotice.objects.filter(
        resolved_at__isnull=True, application__state=State.CORRECTION_REQUESTED, application__person__account__isnull=False,
        deadline__gte=day, deadline__lte=day + LOOKAHEAD,
    ).select_related("application__series", "application__person__account") if _due(calendar, day, notice.deadline, CORRECTION_REMINDER, missing)]
    reminded = queue_messages(Message(
        notice.application.person.account, "correction_deadline_reminder",
        {"name": notice.application.person.name, "title": notice.application.title_label, "items": notice.items,
         "deadline": f"{notice.deadline:%Y年%m月%d日}"},
        application=notice.application, link=page_url("declaration_edit", notice.application_id),
        once_key=f"correction-deadline:{notice.application_id}:{notice.deadline:%Y-%m-%d}",
    ) for notice in notices)
    return [row.application_id for row in reminded]


def send_reminders(day: dt.date) -> dict:
    """Remind as of ``day``; returns the declarations whose applicants this run reminded."""
    calendar, missing = WorkingCalendar(day.year, (day + LOOKAHEAD).year), set()
    result = {"drafts": remind_drafts(day, calendar, missing), "corrections": remind_corrections(day, calendar, missing)}
    if missing:
        logger.warning("no holiday calendar for %s: reminders for deadlines in those years not sent", sorted(missing))
        result["calendar_missing"] = sorted(missing)
    return result


@daily("declarations.deem_overdue_withdrawn")
@retrying(attempts=3, first_delay=600)
def deem_overdue_withdrawn(day: str) -> dict:
    """六（二）: corrections not made by their deadline are deemed withdrawn."""
    return {"deemed_withdrawn": services.deem_overdue_withdrawn(dt.date.fromisoformat(day))}


@daily("declarations.deadline_reminders")
@retrying(attempts=3, first_delay=600)
def deadline_reminders(day: str) -> dict:
    return send_reminders(dt.date.fromisoformat(day))
