"""The publicity rules the declaration workflow checks (registered from PublicityConfig.ready)."""

from __future__ import annotations

from zhicheng.core import clock
from zhicheng.declarations.registry import guard
from zhicheng.declarations.states import State

from .models import Objection, ObjectionStatus, Publicity, PublicityEntry, PublicityOutcome

PUBLICITY_KIND_BY_STATE = {
    State.EMPLOYER_PUBLICITY: "employer",
    State.ROSTER_PUBLICITY: "roster",
    State.RESULT_PUBLICITY: "result",
}


def current_publicities(apps) -> dict[int, Publicity]:
    """The publicity each declaration is in now (the latest of the kind its state names); one query."""
    wanted = {app.pk: PUBLICITY_KIND_BY_STATE[app.state] for app in apps if app.state in PUBLICITY_KIND_BY_STATE}
    current: dict[int, Publicity] = {}
    entries = (PublicityEntry.objects.filter(application_id__in=list(wanted), publicity__kind__in=set(wanted.values()))
               .select_related("publicity").order_by("application_id", "-publicity__starts_on", "-publicity__pk"))
    for entry in entries:
        if entry.application_id not in current and entry.publicity.kind == wanted[entry.application_id]:
            current[entry.application_id] = entry.publicity
    return current


def current_publicity(app) -> Publicity | None:
    return current_publicities([app]).get(app.pk)


@guard("in_open_publicity", "通过公示功能发起")
def in_open_publicity(app, ctx):
    publicity = ctx.payload.get("publicity")
    if publicity is None or not publicity.is_open:
        return "须通过公示功能发起公示。"
    return None


def _publicities_and_objections(apps, ctx):
    current = current_publicities(apps)
    statuses: dict[int, set[str]] = {}
    for application_id, publicity_id, status in Objection.objects.filter(
        application_id__in=list(current), publicity_id__in={p.pk for p in current.values()},
    ).values_list("application_id", "publicity_id", "status"):
        if current[application_id].pk == publicity_id:
            statuses.setdefault(application_id, set()).add(status)
    ctx.cache["publicity_cleared"] = (current, statuses)


@guard("publicity_cleared", "公示满5个工作日且异议均已处理", prepare=_publicities_and_objections)
def publicity_cleared(app, ctx):
    current, statuses = ctx.cache["publicity_cleared"]
    publicity = current.get(app.pk)
    if publicity is None:
        return "没有找到该申报的公示记录。"
    if clock.today() <= publicity.ends_on:
        return f"公示期至{publicity.ends_on:%Y年%m月%d日}，期满后方可进行下一步（不少于5个工作日）。"
    found = statuses.get(app.pk, set())
    if ObjectionStatus.OPEN in found:
        return "公示期间收到的异议尚未核实处理完毕（八（二）3）。"
    if ObjectionStatus.SUBSTANTIATED in found:
        return "公示期间的异议经核实属实，不能按无异议上报。"
    return None


def results_published(application_ids) -> set[int]:
    """Declarations whose review result went through a publicity that has ended (八（二）2)."""
    return set(PublicityEntry.objects.filter(application_id__in=list(application_ids), publicity__kind="result")
               .exclude(publicity__outcome=PublicityOutcome.OPEN).values_list("application_id", flat=True))


def _published_results(apps, ctx):
    ctx.cache["result_was_published"] = results_published(app.pk for app in apps)


@guard("result_was_published", "评审结果已公示", prepare=_published_results)
def result_was_published(app, ctx):
    if app.pk not in ctx.cache["result_was_published"]:
        return "评审结果未履行公示程序，不予核准备案（八（二）2）。"
    return None
