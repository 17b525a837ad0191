"""The certificates' daily work, registered with the schedule in CertificatesConfig.ready().

七（五）1: results are filed within one month of the end of the review. The filing queue and the
dashboard flag every committee whose results wait (filing.filing_warnings); this run mails the
committee office and the regional department what their own warnings say, once when the
deadline is WARN_DAYS or fewer days away and once more when it has passed.
"""

from __future__ import annotations

import datetime as dt

from zhicheng.core import clock
from zhicheng.core.site import page_url
from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily

WARN_DAYS = 7


def warn_filing_deadlines(day: dt.date) -> list[dict]:
    """As of ``day``; returns the warnings this run sent (one per committee, year and kind)."""
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role
    from zhicheng.notifications.services import Message, queue_messages

    from .filing import filing_warnings

    recipients = User.objects.filter(is_active=True, role__in=(Role.COMMITTEE_OFFICE, Role.REGIONAL_HR_DEPARTMENT)).select_related("organisation__area")
    link = page_url("filing_queue")
    with clock.frozen(day):  # the warnings as the dashboard showed them that day
        seen = [(user, warning, warning.days_left) for user in recipients for warning in filing_warnings(user)]
    messages, about = [], {}
    for user, warning, days_left in seen:
        if days_left > WARN_DAYS:
            continue
        key = "filing_overdue" if days_left < 0 else "filing_due"
        once_key = f"{key}:{warning.committee.pk}:{warning.year}:{warning.due_on:%Y-%m-%d}"
        about[once_key] = {"kind": key, "committee": warning.committee.name, "year": warning.year}
        messages.append(Message(user, key, {
            "committee": warning.committee.name, "year": warning.year, "waiting": warning.waiting,
            "review_ended_on": f"{warning.review_ended_on:%Y年%m月%d日}", "due_on": f"{warning.due_on:%Y年%m月%d日}",
            "days_left": days_left, "days_overdue": -days_left,
        }, link=link, once_key=once_key))
    sent = {row.once_key for row in queue_messages(messages)}
    return [about[once_key] for once_key in sorted(sent)]


@daily("certificates.filing_deadlines")
@retrying(attempts=3, first_delay=600)
def filing_deadlines(day: str) -> dict:
    return {"warnings": warn_filing_deadlines(dt.date.fromisoformat(day))}
