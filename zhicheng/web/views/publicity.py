"""Publicities for the bodies that publish them: entries, objections and their handling, closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
    entries = publicity.entries.select_related("application__person", "application__unit", "application__series")
    objections = list(publicity.objections.select_related("application__person", "handled_by"))
    is_publisher = request.user.organisation_id == publicity.publisher_id and not request.user.read_only
    return render(request, "web/publicity_detail.html", {
        "publicity": publicity, "entries": entries, "objections": objections, "is_publisher": is_publisher,
        "handle_form": HandleObjectionForm(),
    })


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


@page("objection_handle")
@require_POST
def handle_objection(request, pk: int):
    objection = get_object_or_404(Objection.objects.select_related("publicity"), pk=pk,
                                  publicity__in=publicities_for(request.user))
    form = HandleObjectionForm(request.POST)
    if form.is_valid():
        try:
            handle_objection_service(objection, request.user, substantiated=form.cleaned_data["substantiated"],
                                     finding=form.cleaned_data["finding"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已记录异议核实结果。"))
    else:
        messages.error(request, _("请选择核实结果并填写核实情况与处理意见。"))
    return redirect("publicity_detail", pk=objection.publicity_id)
