"""停止评审 in the declaration workflow and the review meetings (registered from RectificationConfig.ready): a
suspended committee's office accepts no declarations, reviews none and holds no meeting (八（一））. The guard reads
the batch's suspensions in one query."""

from __future__ import annotations

from zhicheng.declarations.registry import guard
from zhicheng.review.meeting import committee_check

from .models import CommitteeSuspension
from .services import suspension_message, suspension_refusal


def _suspended(apps, ctx):
    ids = {app.committee_id for app in apps if app.committee_id}
    ctx.cache["committee_not_suspended"] = dict(
        CommitteeSuspension.objects.in_force().filter(committee_id__in=ids).values_list("committee_id", "started_on"))


@guard("committee_not_suspended", "评委会未被责令停止评审（八（一））", prepare=_suspended)
def committee_not_suspended(app, ctx):
    started_on = ctx.cache["committee_not_suspended"].get(app.committee_id)
    if started_on is None:
        return None
    return suspension_message(app.committee.name, started_on)


committee_check(suspension_refusal)
