"""Publicities for the bodies that publish them: entries, objections and their handling, closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page
from zhicheng.accounts.roles import Role
from zhicheng.publicity.forms import HandleObjectionForm
from zhicheng.publicity.models import Objection, ObjectionStatus, Publicity
from zhicheng.publicity.services import close_publicity
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
