"""Pages anyone may open without logging in: the 一次性告知书 and the publicities with their
objection form. Personal data is masked (身份证 first and last characters only; no phones), and
names are shown only until the publicity is closed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from zhicheng import policy
from zhicheng.accounts.permissions import page
from zhicheng.catalogue.models import Level, Series
from zhicheng.core import clock
from zhicheng.declarations.notice import one_time_notice
from zhicheng.publicity.forms import ObjectionForm, PublicListFilter
from zhicheng.publicity.models import Publicity, PublicityEntry, PublicityOutcome
from zhicheng.publicity.services import raise_objection

from .shell import current_plan

PUBLIC_PAGE_SIZE = 50


@page("notice_index")
def notice_index(request):
    plan = current_plan()
    rs = policy.ruleset_for(plan.year) if plan else None
    rows = []
    for series in Series.objects.all():
        exam_only = rs.p("exam_only").get(series.code, []) if rs else []
        rows.append((series, [(value, label, value in exam_only) for value, label in Level.choices]))
    return render(request, "web/notice_index.html", {"rows": rows, "plan": plan})


@page("notice_detail")
def notice_detail(request, series: str, level: str):
    series_obj = get_object_or_404(Series, code=series)
    if level not in Level.values:
        raise Http404(level)
    plan = current_plan()
    if plan is None:
        raise Http404
    return render(request, "web/notice_detail.html", {"n": one_time_notice(series_obj, level, plan)})


def _public_publicities():
    today = clock.today()
    return Publicity.objects.filter(starts_on__lte=today).select_related("publisher")


@page("public_publicity_list")
def publicity_list(request):
    today = clock.today()
    form = PublicListFilter(request.GET or None)
    running = _public_publicities().filter(outcome=PublicityOutcome.OPEN, ends_on__gte=today).order_by("ends_on", "pk")
    page_obj = Paginator(form.filter(running), PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/public_publicity_list.html", {"page_obj": page_obj, "form": form, "page_query": query.urlencode(),
                                                              "filtered": form.is_valid() and any(form.cleaned_data.values())})


@page("public_publicity_detail")
def publicity_detail(request, pk: int):
    publicity = get_object_or_404(_public_publicities(), pk=pk)
    if not publicity.is_open:
        # Closed: the period is over and every objection settled. The names were public for the
        # objections' sake only; the page now says the publicity ended and shows no one.
        return render(request, "web/public_publicity_detail.html", {"publicity": publicity, "ended": True})
    entries = list(PublicityEntry.objects.filter(publicity=publicity)
                   .select_related("application__person", "application__unit", "application__series").order_by("pk"))
    today = clock.today()
    running = publicity.is_open and publicity.starts_on <= today <= publicity.ends_on
    choices = [(e.application_id, f"{e.application.person.name}（{e.application.unit.name}）") for e in entries]
    form = ObjectionForm(request.POST or None, entries=choices) if running else None
    if request.method == "POST" and form is not None and form.is_valid():
        entry = next(e for e in entries if e.application_id == form.cleaned_data["entry"])
        try:
            raise_objection(publicity=publicity, application=entry.application, name=form.cleaned_data["name"],
                            phone=form.cleaned_data["phone"], content=form.cleaned_data["content"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error({"name": "name", "phone": "phone", "content": "content"}.get(field), errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已收到您的实名异议，公示单位将核实处理。您的联系方式仅用于核实，不会公开。"))
            return redirect("public_publicity_detail", pk=pk)
    return render(request, "web/public_publicity_detail.html", {
        "publicity": publicity, "entries": entries, "form": form, "running": running,
    })
