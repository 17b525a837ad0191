"""Pages of the spot checks (随机抽查, 八（一）): campaigns, commit/reveal/draw, sampled items and findings, and the
public pages where each campaign's publication and record are published (by reference numbers only)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page
from zhicheng.core import confirm
from zhicheng.rectification import services as rectification
from zhicheng.review.forms import CommitForm, RevealForm  # the expert draw's commit and reveal, the same fields
from zhicheng.web.feedback import attempt
from zhicheng.web.views.files import serve

from . import services
from .checklists import ANSWERS, checklist
from .forms import CampaignForm, FindingForm
from .models import Campaign, CampaignStatus, Finding, FindingEvidence, SampledItem


def _campaign_or_404(user, pk) -> Campaign:
    return get_object_or_404(services.campaigns_for(user).select_related("organisation", "series", "area", "committee"), pk=pk)


@page("spotcheck_list")
def spotcheck_list(request):
    campaigns = (services.campaigns_for(request.user).select_related("organisation")
                 .annotate(sampled=Count("items", distinct=True),
                           checked=Count("items", filter=Q(items__findings__isnull=False), distinct=True),
                           problems=Count("items", filter=Q(items__findings__conclusion="problem"), distinct=True)))
    return render(request, "supervision/campaign_list.html", {"campaigns": campaigns})


@page("spotcheck_new")
def spotcheck_new(request):
    """The campaign's filter and sample; "preview" shows today's population and sample counts before saving."""
    user = request.user
    if not services.may_start(user):
        # The supervisor sees every campaign and is the other party of each draw; it starts none (a POST changes nothing).
        refusal = services.refusal(user, services.STARTED_BY)
        if request.method == "POST":
            messages.error(request, refusal)
            return redirect("spotcheck_list")
        return render(request, "supervision/campaign_new.html", {"form": None, "preview": None, "refusal": refusal})
    form = CampaignForm(request.POST or None, user=user)
    preview = None
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        if request.POST.get("action") == "preview":
            try:
                preview = services.preview(user, campaign)
                preview["labels"] = services.stratum_labels(s for s, _n, _k in preview["strata"])
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
        elif attempt(request, lambda: services.start(user, campaign), _("抽查已创建，请双方提交承诺值。")):
            return redirect("spotcheck_detail", pk=campaign.pk)
    return render(request, "supervision/campaign_new.html", {"form": form, "preview": preview})


@page("spotcheck_detail")
def spotcheck_detail(request, pk: int):
    user = request.user
    campaign = _campaign_or_404(user, pk)
    party = services.party_of(user, campaign)
    items = (campaign.items.select_related("application__person", "application__series", "application__unit", "certificate",
                                           "committee", "expert_draw__plan__committee")
             .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("-recorded_at", "-pk"))))
    verification = services.verify_stored(campaign) if request.GET.get("verify") and campaign.record else None
    strata = sorted({i.stratum for i in items if i.stratum} | set((campaign.record or {}).get("sample", {}).get("allocation") or {}))
    return render(request, "supervision/campaign_detail.html", {
        "campaign": campaign, "party": party, "party_label": services.party_label(party) if party else "",
        "parties": [(p, services.party_label(p), campaign.commitments.get(p, ""), campaign.reveals.get(p, "")) for p in campaign.parties],
        "commit_form": CommitForm(), "reveal_form": RevealForm(), "filter": services.describe_filter(campaign),
        "items": items, "verification": verification, "labels": services.stratum_labels(strata),
        "draw_problems": services.draw_problems(campaign) if campaign.status == CampaignStatus.FROZEN else [],
        "may_draw": services.may_act_for(user, campaign), "draw_refusal": services.refusal(user, services.DRAWN_BY),
    })


STEPS = {
    "commit": (CommitForm, lambda c, u, d: services.commit(c, u, d["value"])),
    "reveal": (RevealForm, lambda c, u, d: services.reveal(c, u, d["secret"])),
}


@page("spotcheck_act")
@require_POST
def spotcheck_act(request, pk: int):
    user = request.user
    campaign = _campaign_or_404(user, pk)
    action = request.POST.get("action")
    if action in STEPS:
        form_class, step = STEPS[action]
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            done = {"commit": _("承诺值已提交。"), "reveal": _("秘密值已揭示并与承诺值核对一致。")}[action]
            if attempt(request, lambda: step(campaign, user, form.cleaned_data), done) and campaign.status == CampaignStatus.FROZEN \
                    and action == "commit":
                messages.info(request, _("双方承诺值已齐，抽查总体%(n)d项已冻结并公示。") % {"n": len(campaign.population["keys"])})
    elif action == "draw":
        if services.may_act_for(user, campaign) and not services.draw_problems(campaign) and not confirm.confirmed(request):
            return confirm.ask(request, _draw_question(campaign))
        attempt(request, lambda: services.draw(campaign, user), _("样本已抽取，抽取记录已公布。"))
    return redirect("spotcheck_detail", pk=campaign.pk)


def _draw_question(campaign: Campaign) -> confirm.Question:
    sizes = services.counts(campaign, campaign.population)
    how = str(campaign.get_stratify_display()) + ("，" + _("按风险权重") if campaign.risk_weighted else "")
    facts = [_("从冻结的抽查总体%(size)d项中抽取%(take)d项（%(how)s）。") % {"size": sizes["size"], "take": sizes["sample"], "how": how}]
    labels = services.stratum_labels(s for s, _n, _k in sizes["strata"])
    return confirm.Question(
        title=_("抽取样本"), subject=f"{campaign.reference} {campaign.title}", facts=facts,
        head=[_("层"), _("总体"), _("抽取")] if sizes["strata"] else [],
        rows=[[labels.get(s, s), n, k] for s, n, k in sizes["strata"]],
        consequence=_("样本由冻结的总体和双方揭示的秘密值唯一确定，抽取后立即公布抽取记录，不能重抽或更改。"),
        button=_("确认抽取"), cancel_url=reverse("spotcheck_detail", args=[campaign.pk]),
    )


def _item_or_404(user, pk) -> SampledItem:
    return get_object_or_404(services.items_for(user).select_related(
        "campaign", "application__person", "application__series", "application__unit", "application__committee",
        "certificate", "committee", "expert_draw__plan__committee"), pk=pk)


@page("spotcheck_item")
def spotcheck_item(request, pk: int):
    user = request.user
    item = _item_or_404(user, pk)
    campaign = item.campaign
    party = services.party_of(user, campaign)
    may_record = services.may_act_for(user, campaign)
    form = FindingForm(request.POST or None, request.FILES or None, kind=campaign.kind)
    if request.method == "POST" and not may_record:
        messages.error(request, services.refusal(user, services.RECORDED_BY))
        return redirect("spotcheck_item", pk=item.pk)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if attempt(request, lambda: services.record_finding(item, user, answers=form.answers(), conclusion=data["conclusion"],
                                                                 text=data["text"], files=data["evidence"]), _("检查结果已登记。")):
                return redirect("spotcheck_item", pk=item.pk)
    points = checklist(campaign.kind)
    findings = item.findings.select_related("recorded_by").prefetch_related(
        Prefetch("evidence", queryset=FindingEvidence.objects.select_related("file")), "rectification_orders__party")
    rows = [{"finding": f, "answers": [(p, f.answers.get(p.code), ANSWERS.get(f.answers.get(p.code), "—")) for p in points]}
            for f in findings]
    return render(request, "supervision/item_detail.html", {
        "item": item, "campaign": campaign, "party": party, "form": form, "findings": rows, "points": points,
        "may_record": may_record, "record_refusal": services.refusal(user, services.RECORDED_BY),
        "may_order": rectification.may_order(user),
    })


@page("spotcheck_evidence")
def spotcheck_evidence(request, pk: int):
    evidence = get_object_or_404(FindingEvidence.objects.select_related("file"),
                                 pk=pk, finding__item__campaign__in=services.campaigns_for(request.user))
    return serve(evidence.file)


# ---- public: the publication before the draw, the record after ------------------------------------------
def _public():
    return Campaign.objects.exclude(status=CampaignStatus.COMMITTING).select_related("organisation")


@page("public_spotchecks")
def public_spotchecks(request):
    campaigns = _public().order_by("-frozen_at", "-pk")[:100]
    return render(request, "supervision/public_list.html", {"campaigns": campaigns})


@page("public_spotcheck_detail")
def public_spotcheck_detail(request, pk: int):
    campaign = get_object_or_404(_public(), pk=pk)
    record = campaign.record or {}
    return render(request, "supervision/public_detail.html", {
        "campaign": campaign, "notice": campaign.publication, "record": record,
        "parties": [(services.party_label(p), campaign.publication["commitments"].get(p), (record.get("reveals") or {}).get(p))
                    for p in campaign.parties],
    })


@page("public_spotcheck_record")
def public_spotcheck_record(request, pk: int):
    """The record as JSON: reference keys, strata codes, integer weights, commitments, reveals, seed, sample — no names."""
    campaign = get_object_or_404(_public(), pk=pk)
    if campaign.record is None:
        raise Http404("该抽查尚未抽取。")
    response = HttpResponse(json.dumps(campaign.record, ensure_ascii=False, indent=2) + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spotcheck-record-{campaign.reference}.json"'
    return response
