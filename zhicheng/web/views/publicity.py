"""Publicities for the bodies that publish them: entries, objections and their handling, closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page
from zhicheng.accounts.roles import Role
from zhicheng.core import clock, confirm
from zhicheng.declarations.workflow import TABLE
from zhicheng.publicity.forms import HandleObjectionForm
from zhicheng.publicity.models import Objection, ObjectionStatus, Publicity
from zhicheng.publicity.services import STATES, STEPS, close_publicity
from zhicheng.publicity.services import handle_objection as handle_objection_service

SEES_ALL = (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR)


def publicities_for(user):
    """A publisher sees its own publicities; the region and the supervisors see all."""
    if user.role in SEES_ALL:
        return Publicity.objects.all()
    return Publicity.objects.filter(publisher_id=user.organisation_id)


@page("publicity_list")
def publicity_list(request):
    rows = (publicities_for(request.user).select_related("publisher")
            .annotate(n_entries=Count("entries", distinct=True),
                      n_open=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN), distinct=True))
            .order_by("-starts_on", "-pk")[:200])
    return render(request, "web/publicity_list.html", {"rows": rows})


@page("publicity_detail")
def publicity_detail(request, pk: int):
    publicity = get_object_or_404(publicities_for(request.user).select_related("publisher"), pk=pk)
    return _detail(request, publicity)


def _detail(request, publicity: Publicity, *, bound: HandleObjectionForm | None = None, bound_for: int | None = None, status: int = 200):
    """The publicity page; a handling form that was refused comes back bound to its objection, as typed."""
    entries = publicity.entries.select_related("application__person", "application__unit", "application__series")
    objections = list(publicity.objections.select_related("application__person", "handled_by"))
    for objection in objections:
        objection.handle_form = bound if bound is not None and objection.pk == bound_for else _handle_form(objection.pk)
    is_publisher = request.user.organisation_id == publicity.publisher_id and not request.user.read_only
    return render(request, "web/publicity_detail.html", {
        "publicity": publicity, "entries": entries, "objections": objections, "is_publisher": is_publisher,
    }, status=status)


@page("publicity_close")
@require_POST
def close(request, pk: int):
    publicity = get_object_or_404(publicities_for(request.user), pk=pk)
    # Asked only when the close would go ahead; a refusal (period not over, an objection open) is said at once.
    ready = (publicity.is_open and clock.today() > publicity.ends_on and request.user.organisation_id == publicity.publisher_id
             and not publicity.objections.filter(status=ObjectionStatus.OPEN).exists())
    if ready and not confirm.confirmed(request):
        return confirm.ask(request, _close_question(publicity))
    try:
        report = close_publicity(publicity, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("公示已结束：%(advanced)d人进入下一环节，%(out)d人因异议属实退回。") % {
            "advanced": len(report.advanced), "out": len(report.taken_out)})
        for app_id, reason in report.held.items():
            messages.error(request, _("申报%(id)d未能进入下一环节：%(reason)s") % {"id": app_id, "reason": reason})
    return redirect("publicity_detail", pk=pk)


def _close_question(publicity: Publicity) -> confirm.Question:
    """What closing does to each listed declaration still in the publicity, as close_publicity does it."""
    listed = set(publicity.entries.filter(application__state=STATES[publicity.kind]).values_list("application_id", flat=True))
    upheld = set(publicity.objections.filter(status=ObjectionStatus.SUBSTANTIATED).values_list("application_id", flat=True)) & listed
    advance, take_out = len(listed - upheld), len(upheld)
    back = next(t.label for t in TABLE if t.action == STEPS[publicity.kind][2])
    entries = publicity.entries.count()
    facts = [ngettext("公示名单%(n)d人，其中%(listed)d人的申报仍在公示中。", "公示名单%(n)d人，其中%(listed)d人的申报仍在公示中。", entries)
             % {"n": entries, "listed": len(listed)},
             ngettext("%(n)d人无异议或异议经核实不属实，将进入下一环节。", "%(n)d人无异议或异议经核实不属实，将进入下一环节。", advance)
             % {"n": advance}]
    if take_out:
        facts.append(ngettext("%(n)d人的异议经核实属实，将按“%(step)s”办理。", "%(n)d人的异议经核实属实，将按“%(step)s”办理。", take_out)
                     % {"n": take_out, "step": _(back)})
    return confirm.Question(
        title=_("结束公示"), subject=publicity.title, facts=facts,
        consequence=_("公示结束后不能重新开启，也不再受理异议；申报按上述结果转入下一环节，不能撤销。"),
        button=_("确认结束公示"), cancel_url=reverse("publicity_detail", args=[publicity.pk]),
    )


def _handle_form(objection_id: int, data=None) -> HandleObjectionForm:
    """One objection's handling form; its own element ids, so that a label on the page ticks its own objection's
    box (with two objections, clicking 经核实属实 under the second ticked the first's)."""
    return HandleObjectionForm(data, auto_id=f"objection{objection_id}_%s")


@page("objection_handle")
@require_POST
def handle_objection(request, pk: int):
    objection = get_object_or_404(Objection.objects.select_related("publicity__publisher", "application__person", "application__unit"),
                                  pk=pk, publicity__in=publicities_for(request.user))
    form = _handle_form(objection.pk, request.POST)
    if not form.is_complete():
        return _detail(request, objection.publicity, bound=form, bound_for=objection.pk, status=400)
    data = form.cleaned_data
    # Asked only when the finding would be recorded; a refusal (not the publisher, already handled) is said at once.
    ready = request.user.organisation_id == objection.publicity.publisher_id and objection.status == ObjectionStatus.OPEN
    if ready and not confirm.confirmed(request):
        return confirm.ask(request, _handle_question(objection, data["substantiated"], data["finding"]))
    try:
        handle_objection_service(objection, request.user, substantiated=data["substantiated"], finding=data["finding"])
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return _detail(request, objection.publicity, bound=form, bound_for=objection.pk, status=400)
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已记录异议核实结果。"))
    return redirect("publicity_detail", pk=objection.publicity_id)


def _handle_question(objection: Objection, substantiated: bool, finding: str) -> confirm.Question:
    """What recording this finding does: it is final, and a substantiated objection takes the declaration out at closing."""
    publicity, app = objection.publicity, objection.application
    verdict = _("经核实属实") if substantiated else _("经核实不属实")
    facts = [
        _("公示：%(title)s（%(starts)s 至 %(ends)s）") % {
            "title": publicity.title, "starts": f"{publicity.starts_on:%Y-%m-%d}", "ends": f"{publicity.ends_on:%Y-%m-%d}"},
        _("异议内容：%(content)s") % {"content": Truncator(objection.content).chars(200)},
        _("核实结果：%(verdict)s") % {"verdict": verdict},
        _("核实情况与处理意见：%(finding)s") % {"finding": finding},
    ]
    if substantiated:
        back = next(t.label for t in TABLE if t.action == STEPS[publicity.kind][2])
        consequence = _("核实结果记入异议处理记录和审计日志，记录后不能更改。异议属实：公示结束时，%(name)s的申报不进入下一环节，"
                        "将按“%(step)s”办理。") % {"name": app.person.name, "step": _(back)}
    else:
        consequence = _("核实结果记入异议处理记录和审计日志，记录后不能更改。异议不属实：%(name)s的申报不受影响，"
                        "公示期满结束公示后照常进入下一环节。") % {"name": app.person.name}
    return confirm.Question(
        title=_("记录异议核实结果"),
        subject=_("%(objector)s于%(at)s对%(name)s（%(unit)s）申报提出的异议") % {
            "objector": objection.objector_name, "at": timezone.localtime(objection.raised_at).strftime("%Y-%m-%d %H:%M"),
            "name": app.person.name, "unit": app.unit.name},
        facts=facts, consequence=consequence,
        button=_("确认异议属实") if substantiated else _("确认异议不属实"),
        cancel_url=reverse("publicity_detail", args=[publicity.pk]),
    )
