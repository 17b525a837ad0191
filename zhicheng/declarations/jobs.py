"""Work on many declarations at once: a bulk step from a queue, a bulk publication, re-screening a
year. Small bulk steps run in the request (step_each); large ones, publications over many
declarations and re-screenings run as background jobs (jobs.runner), registered here.

A job's worker can die half-way; the job is then run again, and each kind is safe to run again:
- a bulk step moves its declarations in chunks, each chunk in one transaction (transition_many);
  the job remembers its declarations, its step and the last timeline event before it started, so
  a declaration it already moved is counted as done, not refused;
- a publication and a re-screening write in one transaction, and record the job's result in that
  same transaction: run again after the commit, they only return that result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhicheng.jobs.models import Job
from zhicheng.jobs.runner import JobRefused, active_starter, job_kind, no_progress, record_result, start_job

from .models import Application, ApplicationEvent
from .services import BatchOutcome, transition_many

logger = logging.getLogger(__name__)
# Declarations per query when filtering by id (SQLite caps the number of query parameters).
CHUNK = 900


@dataclass
class BulkOutcome:
    done: list[str] = field(default_factory=list)  # the names of the people whose declarations moved
    refusals: list[dict] = field(default_factory=list)  # {label: name, reason}


def step_each(apps: list[Application], action: str, actor, *, progress: Callable = no_progress,
              already: Iterable[int] = (), outcome: BulkOutcome | None = None) -> BulkOutcome:
    """One step for a set of declarations (transition_many: chunk by chunk, each chunk one transaction,
    a refusal never undoes the others). Declarations in ``already`` were moved by an earlier run of the
    same job. ``outcome``, when given, is filled as it goes: it tells what was done before an error stopped it."""
    already, outcome = set(already), outcome if outcome is not None else BulkOutcome()
    names = {app.pk: app.person.name for app in apps}
    progress(0, len(apps), phase=_("逐件办理"))
    todo = sorted(names.keys() - already)
    handled = len(apps) - len(todo)
    result = BatchOutcome()
    try:
        transition_many(todo, action, actor, progress=lambda done: progress(handled + done), outcome=result)
    finally:
        # What committed before an error is kept and reported.
        moved = (already & names.keys()) | {app.pk for app in result.moved}
        outcome.done += [names[pk] for pk in sorted(moved)]
        outcome.refusals += [{"label": names[pk], "reason": "；".join(exc.reasons)} for pk, exc in sorted(result.refused.items())]
    return outcome


def start_bulk_job(action: str, ids: list[int], actor, title: str, publicity_options: dict | None = None) -> Job:
    """A bulk step (or, with publicity_options, a bulk publication) over many declarations, as a job."""
    last_event = ApplicationEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    params = {"action": action, "ids": list(ids), "after_event": last_event}
    if publicity_options is not None:
        params["publicity"] = publicity_options
    return start_job("bulk_publish" if publicity_options is not None else "bulk_step", title, actor, params=params)


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _declarations(job: Job, actor) -> list[Application]:
    apps = []
    for chunk in _chunks(job.params["ids"]):
        apps += Application.objects.for_user(actor).filter(pk__in=chunk).select_related("person", "plan", "unit", "series")
    return sorted(apps, key=lambda a: a.pk)


def _out_of_scope(job: Job, apps: list[Application]) -> list[dict]:
    found = {a.pk for a in apps}
    return [{"label": _("申报%(pk)d") % {"pk": pk}, "reason": _("已不在您的查看范围内。")}
            for pk in job.params["ids"] if pk not in found]


def moved_by_job(job: Job, actor) -> set[int]:
    """The declarations this job's step has already moved: their timeline has the step, by its actor,
    after the event that was the last one when the job was started."""
    moved = set()
    for chunk in _chunks(job.params["ids"]):
        moved.update(ApplicationEvent.objects.filter(
            pk__gt=job.params["after_event"], application_id__in=chunk, action=job.params["action"], actor=actor,
        ).values_list("application_id", flat=True))
    return moved


@job_kind("bulk_step")
def run_bulk_step(job: Job, progress) -> dict:
    actor = active_starter(job)
    apps = _declarations(job, actor)
    outcome = BulkOutcome()
    try:
        step_each(apps, job.params["action"], actor, progress=progress, already=moved_by_job(job, actor), outcome=outcome)
    except Exception as exc:
        # Each declaration moved whole or not at all; say which moved before the error stopped the job.
        logger.exception("bulk step job %s stopped", job.pk)
        raise JobRefused(
            _("办理中出错（%(error)s），任务已中止：下列申报已办理，其余未办理，可重新勾选后办理。") % {"error": exc.__class__.__name__},
            result=_bulk_result(job, apps, outcome)) from exc
    return _bulk_result(job, apps, outcome)


def _bulk_result(job: Job, apps: list[Application], outcome: BulkOutcome) -> dict:
    refusals = _out_of_scope(job, apps) + outcome.refusals
    total, done = len(job.params["ids"]), len(outcome.done)
    summary = _("已办理%(done)d件，共选择%(total)d件。") % {"done": done, "total": total}
    if refusals:
        summary += ngettext("%(n)d件未办理，原因见下。", "%(n)d件未办理，原因见下。", len(refusals)) % {"n": len(refusals)}
    return {"summary": summary, "done_names": outcome.done, "refusals": refusals,
            "link": reverse("application_list") + "?queue=1", "link_label": _("返回待办")}


@job_kind("bulk_publish")
def run_bulk_publish(job: Job, progress) -> dict:
    from zhicheng.publicity.services import STEPS, publish
    from zhicheng.publicity.workdays import CalendarNotConfigured

    actor = active_starter(job)
    apps = _declarations(job, actor)
    kind = next(k for k, (enter, _advance, _take_out) in STEPS.items() if enter == job.params["action"])
    progress(0, len(apps), phase=_("写入中（全部申报在一个事务中列入公示）"))
    try:
        with transaction.atomic():
            publicity, refused = publish(kind=kind, actor=actor, applications=apps, **job.params["publicity"])
            refusals = _out_of_scope(job, apps) + [{"label": app.person.name, "reason": refused[app.pk]}
                                                   for app in apps if app.pk in refused]
            listed = [app.person.name for app in apps if app.pk not in refused]
            if publicity is None:
                raise JobRefused(_("没有可以列入公示的申报。"), result={"refusals": refusals})
            result = {
                "publicity": publicity.pk, "done_names": listed, "refusals": refusals,
                "summary": _("已发起公示“%(title)s”：%(n)d人，公示至%(end)s。") % {
                    "title": publicity.title, "n": len(listed), "end": publicity.ends_on.strftime("%Y-%m-%d")},
                "link": reverse("publicity_detail", args=[publicity.pk]), "link_label": _("查看公示"),
            }
            record_result(job, result)
    except (ValidationError, CalendarNotConfigured) as exc:
        raise JobRefused("；".join(getattr(exc, "messages", None) or [str(exc)])) from exc
    return result


@job_kind("rescreen")
def run_rescreen(job: Job, progress) -> dict:
    from zhicheng.policy.ruleset import NoRulesetError, RulesetError

    from .screening import rescreen_year

    year = job.params["year"]
    result = {}

    def written(changes, screened):
        result.update(_rescreen_result(year, changes, screened))
        record_result(job, result)

    try:
        rescreen_year(year, actor=job.started_by, progress=progress, on_written=written)
    except (NoRulesetError, RulesetError) as exc:
        raise JobRefused(str(exc)) from exc
    return result


def _verdict(eligible: bool | None, route: str) -> str:
    from .checklist import ROUTE_LABELS

    label = _("符合") if eligible else (_("不符合") if eligible is not None else _("未审查"))
    return f"{label}（{ROUTE_LABELS.get(route, route)}）" if route else label


def _rescreen_result(year: int, changes, screened: int) -> dict:
    summary = ngettext("%(year)d年度：重新审查%(screened)d份申报，", "%(year)d年度：重新审查%(screened)d份申报，", screened) % {
        "year": year, "screened": screened}
    changed = [c for c in changes if c.screened]
    summary += (ngettext("%(n)d份的审查结论发生变化，见下。", "%(n)d份的审查结论发生变化，见下。", len(changed)) % {"n": len(changed)}
                if changed else _("没有结论发生变化的申报。"))
    if len(changed) < len(changes):
        unread = len(changes) - len(changed)
        summary += ngettext("%(n)d份因档案中有需更正的记录未能重新审查，保留原结论，见下。",
                            "%(n)d份因档案中有需更正的记录未能重新审查，保留原结论，见下。", unread) % {"n": unread}
    return {
        "summary": summary,
        "changes": len(changed),
        "details_heading": _("审查结论发生变化的申报"),
        "details": [{
            "label": c.person, "link": reverse("application_detail", args=[c.application_id]),
            "reason": f"{_verdict(c.before_eligible, c.before_route)} → {_verdict(c.after_eligible, c.after_route)}"
                      + (f"：{'；'.join(c.reasons)}" if c.reasons else ""),
        } for c in changes],
    }
