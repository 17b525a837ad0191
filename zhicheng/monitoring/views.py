"""Plan progress with the late committees' explanations, and the integrity signals. Thin: the rules are in
progress.py, services.py and integrity_signals.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page
from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import AnnualPlan
from zhicheng.core import clock, confirm
from zhicheng.files.models import StoredFile
from zhicheng.files.services import store_uploads
from zhicheng.review.pool import committees_for
from zhicheng.web.feedback import attempt
from zhicheng.web.views.files import serve

from . import integrity_signals as signals
from .forms import DecisionForm, ExplanationForm
from .models import PlanExplanation
from .progress import year_progress
from .services import decide_explanation, file_explanation

# A list shows this many signals of a kind; the count says how many there are.
SIGNALS_SHOWN = 100


def _plan_years() -> list[int]:
    return list(AnnualPlan.objects.order_by("-year").values_list("year", flat=True))


def _year(request, years: list[int]) -> int:
    """The year asked for if the region has a plan for it (``years``, _plan_years()), else the current year (else
    the latest plan's)."""
    asked = request.GET.get("year") or request.POST.get("year") or ""
    if asked.isascii() and asked.isdigit() and int(asked) in years:
        return int(asked)
    today = clock.today().year
    return today if today in years or not years else years[0]


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@page("plan_progress")
def plan_progress(request):
    years = _plan_years()
    year = _year(request, years)
    rows = year_progress(year, committees_for(request.user))
    is_office = request.user.role == Role.COMMITTEE_OFFICE
    return render(request, "monitoring/plan_progress.html", {
        "year": year, "years": years,
        "rows": rows, "late": sum(1 for r in rows if r.late), "is_office": is_office,
        "explanation_form": ExplanationForm() if is_office and any(r.explanation_due for r in rows) else None,
    })


@page("plan_explanation_new")
@require_POST
def plan_explanation_new(request, committee_pk: int):
    committee = get_object_or_404(committees_for(request.user), pk=committee_pk)
    year = _year(request, _plan_years())
    form = ExplanationForm(request.POST, request.FILES)
    back = reverse("plan_progress") + f"?year={year}"
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect(back)
    stored, refused = store_uploads(request.FILES.getlist("evidence_files"), request.user)
    if refused:
        for reason in refused:
            messages.error(request, reason)
        return redirect(back)
    try:
        explanation = file_explanation(committee, year, request.user, text=form.cleaned_data["text"], files=stored)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(request, _("书面说明已报送自治区人社厅。"))
    return redirect("plan_explanation_detail", pk=explanation.pk)


def _explanation_or_404(user, pk: int) -> PlanExplanation:
    scoped = PlanExplanation.objects.filter(committee__in=committees_for(user))
    return get_object_or_404(scoped.select_related("committee__office", "filed_by", "decided_by"), pk=pk)


@page("plan_explanation_detail")
def plan_explanation_detail(request, pk: int):
    explanation = _explanation_or_404(request.user, pk)
    can_decide = request.user.role == Role.REGIONAL_HR_DEPARTMENT and explanation.decision == "pending"
    return render(request, "monitoring/explanation_detail.html", {
        "e": explanation, "files": explanation.evidence.order_by("pk"), "form": DecisionForm() if can_decide else None,
    })


@page("plan_explanation_decide")
@require_POST
def plan_explanation_decide(request, pk: int):
    explanation = _explanation_or_404(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect("plan_explanation_detail", pk=pk)
    accept = form.cleaned_data["decision"] == DecisionForm.ACCEPT
    if not confirm.confirmed(request):
        return confirm.ask(request, confirm.Question(
            title=_("审阅书面说明"),
            subject=_("%(committee)s%(year)s年度未按计划完成评审的书面说明") % {"committee": explanation.committee.name, "year": explanation.year},
            consequence=_("接受后该说明归档，不能再改。") if accept else _("退回后评委会办事机构须重新报送，退回不能撤销。"),
            button=_("确认接受") if accept else _("确认退回"),
            cancel_url=reverse("plan_explanation_detail", args=[pk]),
            facts=[_("办事机构将收到通知。")],
        ))
    attempt(request, lambda: decide_explanation(explanation, request.user, accept=accept, reason=form.cleaned_data.get("reason", "")),
            _("已接受书面说明。") if accept else _("已退回书面说明。"))
    return redirect("plan_explanation_detail", pk=pk)


@page("plan_explanation_evidence")
def plan_explanation_evidence(request, pk: int, sha256: str):
    explanation = _explanation_or_404(request.user, pk)
    stored = get_object_or_404(StoredFile, sha256=sha256)
    if not explanation.evidence.filter(pk=stored.pk).exists():
        raise Http404
    return serve(stored)


@page("integrity_signals")
def integrity_signals(request):
    """For the supervisor and the regional department, who see the whole region (八（一））: the signals
    that guide spot checks, each with its evidence and its weight in a risk-weighted sample."""
    years = _plan_years()
    year = _year(request, years)
    found = [(code, find(year)) for code, find in signals.FINDERS]
    groups = [{"code": code, "label": signals.SIGNAL_LABELS[code], "weight": signals.SIGNAL_WEIGHTS[code],
               "count": len(items), "items": items[:SIGNALS_SHOWN]} for code, items in found]
    return render(request, "monitoring/signals.html", {
        "year": year, "years": years, "groups": groups,
        "shown": SIGNALS_SHOWN, "rubber_stamp_min": signals.RUBBER_STAMP_MIN, "rubber_stamp_minutes": signals.RUBBER_STAMP_MINUTES,
    })
