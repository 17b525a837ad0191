"""Pages of 限期纠正, 停止评审 and 全区通报: thin; the rules and their refusals are in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext

from zhicheng.accounts.permissions import page
from zhicheng.core import clock, confirm
from zhicheng.core.params import object_id
from zhicheng.files.services import store_uploads
from zhicheng.web.views.files import serve

from . import forms, services
from .documents import bulletin_pdf
from .models import Bulletin, BulletinStatus, OrderAnswer, OrderState, Source, WAITING_FOR_PARTY
from .services import RectificationError


def _finding(user, pk):
    """A finding of a spot check the user sees (a bureau: its own campaigns')."""
    from zhicheng.supervision.models import Finding
    from zhicheng.supervision.services import campaigns_for

    findings = Finding.objects.filter(item__campaign__in=campaigns_for(user))
    return get_object_or_404(findings.select_related("item__campaign", "item__application__unit", "item__certificate"), pk=pk)


def _answers():
    return Prefetch("answers", queryset=OrderAnswer.objects.select_related("answered_by", "decided_by").prefetch_related("files"))


# ---- orders -----------------------------------------------------------------------------------

@page("rectification_orders")
def order_list(request):
    user = request.user
    orders = services.orders_for(user)
    state = request.GET.get("state", "")
    if state in OrderState.values:
        orders = orders.filter(state=state)
    return render(request, "rectification/order_list.html", {
        "orders": orders[:500], "states": OrderState.choices, "state": state,
        "counts": services.dashboard_counts(user), "party": user.role in services.PARTY_ROLES,
        "suspensions": services.suspensions_for(user)[:50],
        "overseer": services.judges(user), "bulletins": user.role in services.OVERSEERS,
        "may_order": services.may_order(user),
        "refusal": services.refusal(user, services.ORDERED_BY) if user.role in services.OVERSEERS and not services.may_order(user) else "",
    })


@page("rectification_order_new")
def order_new(request):
    finding = None
    if "finding" in request.GET:
        finding_id = object_id(request.GET["finding"])
        if finding_id is None:
            raise Http404
        finding = _finding(request.user, finding_id)
    if not services.may_order(request.user):
        # The supervisor opens the page (it sees every order) and is told why it offers no form; a POST changes nothing.
        refusal = services.refusal(request.user, services.ORDERED_BY)
        if request.method == "POST":
            messages.error(request, refusal)
            return redirect("rectification_orders")
        return render(request, "rectification/order_new.html", {"form": None, "finding": finding, "refusal": refusal})
    # A bureau chooses among the parties of its area (八（一）); from a finding, among those that handled the item.
    parties = services.parties_in_area(request.user)
    if finding is not None:
        parties = parties.filter(pk__in=[p.pk for p in services.parties_of_finding(finding)])
    outside = "" if request.user.role in services.DEPARTMENT else services.outside_area(request.user)
    form = forms.OrderForm(request.POST or None, parties=parties, from_finding=finding is not None, outside=outside)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if problem := services.deadline_problem(data["deadline"]):
            form.add_error("deadline", problem)  # by the field, with the dates allowed
        elif not confirm.confirmed(request):
            return confirm.ask(request, _order_question(finding, data))
        else:
            try:
                order = services.issue_order(request.user, party=data["party"], matter=data["matter"], deadline=data["deadline"],
                                             finding=finding, source=data.get("source", ""))
            except RectificationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已下达限期纠正 %(ref)s。") % {"ref": order.reference})
                return redirect("rectification_order_detail", pk=order.pk)
    return render(request, "rectification/order_new.html", {"form": form, "finding": finding})


def _order_question(finding, data: dict) -> confirm.Question:
    days = (data["deadline"] - clock.today()).days
    if finding is not None:
        found = _("依据随机抽查 %(ref)s 样本 %(key)s 的检查发现。") % {"ref": finding.item.campaign.reference, "key": finding.item.key}
    else:
        found = _("发现方式：%(source)s") % {"source": _(Source(data["source"]).label)}
    return confirm.Question(
        title=_("下达限期纠正（八（一））"), subject=_("责令整改单位：%(party)s") % {"party": data["party"].name},
        facts=[ngettext("整改期限：%(day)s（%(n)d天后）", "整改期限：%(day)s（%(n)d天后）", days) % {"day": f"{data['deadline']:%Y-%m-%d}", "n": days},
               _("需要纠正的问题和要求：%(matter)s") % {"matter": data["matter"]}, found],
        consequence=_("下达后即通知该单位的工作人员，限期纠正不能撤回或修改；该单位须在整改期限内报送整改情况，逾期的记为逾期未整改。"),
        button=_("确认下达限期纠正"),
        cancel_url=reverse("rectification_order_new") + (f"?finding={finding.pk}" if finding is not None else ""),
    )


@page("rectification_order_detail")
def order_detail(request, pk: int):
    return _detail_page(request, pk)


def _detail_page(request, pk: int, answer_form=None, decide_form=None):
    """The order, its answers and the form its reader may fill; a refused form comes back bound, with what was typed."""
    user = request.user
    order = get_object_or_404(services.orders_for(user).select_related("finding__item__campaign", "finding__item__certificate")
                              .prefetch_related(_answers()), pk=pk)
    finding, offered = order.finding, _offered_forms(user, order)
    return render(request, "rectification/order_detail.html", {
        "order": order, "answers": order.answers.all(), "finding": finding,
        "answer_form": (answer_form or forms.AnswerForm()) if offered["answer"] else None,
        "decide_form": (decide_form or forms.DecideForm()) if offered["decide"] else None,
        # An overseer who may not decide (the supervisor) is told why the answer waiting for acceptance has no form.
        "decide_refusal": (services.refusal(user, services.ACCEPTED_BY) if order.state == OrderState.ANSWERED and not offered["decide"]
                           and services.judges(user) else ""),
        # A bureau's overdue order to a committee office: the next step is the department's, and the page says so.
        "suspend_refusal": (services.REGION_WIDE if user.role not in services.DEPARTMENT and services.may_order(user)
                            and order.state == OrderState.OVERDUE and order.committee_id is not None else ""),
        "can_suspend": (services.may_decide(user) and order.state == OrderState.OVERDUE and order.committee_id is not None),
        "can_revoke": (services.may_decide(user) and finding is not None and finding.item.certificate_id is not None
                       and finding.item.certificate.status != "revoked"),
        "suspensions": order.suspensions.all(),
    })


def _offered_forms(user, order) -> dict[str, bool]:
    """Which of the order's forms its reader is given: the party reports while it waits, the department that gave the
    order (or the regional department) decides a report (the supervisor reads it and gets neither)."""
    return {"answer": services.may_answer(user, order) and order.state in WAITING_FOR_PARTY,
            "decide": services.may_accept(user, order) and order.state == OrderState.ANSWERED}


def _form_problems(form) -> str:
    """A refused form's errors as one message, each after its field's label: the message stands above the page, away
    from the field it is about."""
    said = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        said += [_("%(field)s：%(error)s") % {"field": label, "error": error} if label else error for error in errors]
    return "；".join(said)


@page("rectification_order_act")
def order_act(request, pk: int):
    user = request.user
    order = get_object_or_404(services.orders_for(user), pk=pk)
    if request.method != "POST":
        return redirect("rectification_order_detail", pk=order.pk)
    action = request.POST.get("action")
    form = None
    try:
        if action == "answer":
            if not services.may_answer(user, order):  # before anything is stored
                raise RectificationError(services.refusal(user, _("只有被责令整改的单位可以报送整改情况。")))
            form = forms.AnswerForm(request.POST, request.FILES)
            if not form.is_valid():
                raise RectificationError(_form_problems(form))
            files, refused = store_uploads(form.cleaned_data["files"], user)
            if refused:
                raise RectificationError("；".join(refused))
            services.answer_order(order, user, text=form.cleaned_data["text"], files=files)
            messages.success(request, _("整改情况已报送，等待验收。"))
        elif action == "decide":
            if not services.may_accept(user, order):
                raise RectificationError(services.refusal(user, services.ACCEPTED_BY))
            form = forms.DecideForm(request.POST)
            if not form.is_valid():
                raise RectificationError(_form_problems(form))
            accept = form.cleaned_data["decision"] == "accept"
            services.decide_answer(order, user, accept=accept, reason=form.cleaned_data["reason"])
            messages.success(request, _("已验收通过。") if accept else _("已退回整改。"))
        else:
            raise RectificationError(_("未知的操作。"))
    except (RectificationError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "；".join(exc.messages))
        if form is not None and _offered_forms(user, order).get(action):
            # The form the page gives this reader comes back with what was typed (files have to be chosen again:
            # browsers do not refill them); a step not theirs to take goes back to the page with the reason.
            return _detail_page(request, order.pk, **{f"{action}_form": form})
    return redirect("rectification_order_detail", pk=order.pk)


@page("rectification_evidence")
def order_evidence(request, pk: int, sha256: str):
    order = get_object_or_404(services.orders_for(request.user), pk=pk)
    answer = order.answers.filter(files__sha256=sha256).first()
    if answer is None:
        raise Http404
    return serve(answer.files.get(sha256=sha256))


# ---- 停止评审, 恢复评审, 取消评审资格 ------------------------------------------------------------

def _affected_facts(committee) -> tuple[list[str], dict]:
    affected = services.affected_declarations(committee)
    return [_("在其受理环节的申报：%(n)d件") % {"n": affected["committee_intake"]},
            _("已受理待评审的申报：%(n)d件") % {"n": affected["accepted"]},
            _("评审中的申报：%(n)d件") % {"n": affected["under_review"]}], affected


@page("committee_suspend")
def committee_suspend(request, pk: int):
    order = get_object_or_404(services.orders_for(request.user).filter(committee__isnull=False), pk=pk)
    form = forms.ReasonForm(request.POST or None)
    facts, _counts = _affected_facts(order.committee)
    if request.method == "POST" and form.is_valid():
        if not confirm.confirmed(request):
            return confirm.ask(request, confirm.Question(
                title=_("责令停止评审（八（一））"), subject=order.committee.name, facts=facts,
                consequence=_("停止评审期间，该评委会办事机构不能受理申报、不能开始评审、不能召开评审会议或登记评审结果，直至自治区人社厅决定恢复评审。"),
                button=_("确认责令停止评审"), cancel_url=reverse("rectification_order_detail", args=[order.pk])))
        try:
            suspension = services.suspend_committee(order, request.user, reason=form.cleaned_data["reason"])
        except RectificationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已责令%(committee)s停止评审。") % {"committee": order.committee.name})
            return redirect("suspension_detail", pk=suspension.pk)
    return render(request, "rectification/suspend.html", {"order": order, "form": form, "facts": facts})


@page("suspension_detail")
def suspension_detail(request, pk: int):
    return _suspension_page(request, pk)


def _suspension_page(request, pk: int, form=None):
    """The suspension and, for the department, the form to lift it or revoke; a refused form comes back as typed."""
    suspension = get_object_or_404(services.suspensions_for(request.user).select_related("decided_by", "lifted_by"), pk=pk)
    return render(request, "rectification/suspension_detail.html", {
        "s": suspension, "department": services.may_decide(request.user), "form": form or forms.ReasonForm(),
        "approvals": suspension.committee.approvals.all(), "facts": _affected_facts(suspension.committee)[0],
    })


@page("suspension_act")
def suspension_act(request, pk: int):
    suspension = get_object_or_404(services.suspensions_for(request.user), pk=pk)
    if request.method != "POST":
        return redirect("suspension_detail", pk=suspension.pk)
    form, action = forms.ReasonForm(request.POST), request.POST.get("action")
    try:
        if not form.is_valid():
            raise RectificationError(_form_problems(form))
        reason = form.cleaned_data["reason"]
        if action == "lift":
            services.lift_suspension(suspension, request.user, reason=reason)
            messages.success(request, _("已恢复评审。"))
        elif action == "revoke":
            if not confirm.confirmed(request):
                approvals = list(services.approvals_to_revoke(suspension.committee))
                return confirm.ask(request, confirm.Question(
                    title=_("取消评审资格（七（一）、八（一））"), subject=suspension.committee.name,
                    facts=[_("将撤销的核准备案：%(numbers)s") % {"numbers": "、".join(a.document_number for a in approvals) or "—"},
                           *_affected_facts(suspension.committee)[0]],
                    consequence=_("取消后不能恢复：该评委会不得再开展职称评审，其受理、评审、登记结果均被拒绝；恢复须重新核准备案。"),
                    button=_("确认取消评审资格"), cancel_url=reverse("suspension_detail", args=[suspension.pk])))
            services.revoke_approval(suspension, request.user, reason=reason)
            messages.success(request, _("已取消该评委会的评审资格。"))
        else:
            raise RectificationError(_("未知的操作。"))
    except RectificationError as exc:
        messages.error(request, exc.message)
        if services.may_decide(request.user) and action in ("lift", "revoke"):
            return _suspension_page(request, suspension.pk, form)  # what was typed stays
    return redirect("suspension_detail", pk=suspension.pk)


# ---- 复查 → 撤销职称 ------------------------------------------------------------------------

@page("finding_revoke")
def finding_revoke(request, pk: int):
    from zhicheng.certificates.services import CertificateError
    from zhicheng.declarations.services import TransitionError

    finding = _finding(request.user, pk)
    cert = services.certificate_of_finding(finding)
    if cert is None:
        raise Http404
    form = forms.RevocationForm(request.POST or None)
    reason = services.revocation_reason(finding)
    if request.method == "POST" and form.is_valid():
        if cert.status != "revoked" and not confirm.confirmed(request):
            return confirm.ask(request, confirm.Question(
                title=_("撤销职称（八（三））"), subject=_("证书编号 %(number)s") % {"number": cert.number},
                facts=[_("撤销原因：%(reason)s") % {"reason": reason}, _("处理文号：%(number)s") % {"number": form.cleaned_data["document_number"]}],
                consequence=_("撤销不能恢复：证书核验从此显示“已撤销”，持证人记入失信黑名单，自次年起三年内不得申报职称评审。"),
                button=_("确认撤销并记入黑名单"), cancel_url=reverse("finding_revoke", args=[finding.pk])))
        try:
            services.revoke_from_finding(finding, request.user, document_number=form.cleaned_data["document_number"])
        except (RectificationError, CertificateError, TransitionError) as exc:
            form.add_error(None, getattr(exc, "message", None) or str(exc))
        else:
            messages.success(request, _("证书 %(number)s 已撤销，持证人已记入失信黑名单。") % {"number": cert.number})
            return redirect("certificate_list")
    return render(request, "rectification/finding_revoke.html", {"finding": finding, "cert": cert, "form": form, "reason": reason})


# ---- 全区通报 ----------------------------------------------------------------------------------

@page("bulletin_list")
def bulletin_list(request):
    return render(request, "rectification/bulletin_list.html", {
        "bulletins": Bulletin.objects.all()[:200], "department": services.may_decide(request.user),
    })


def _bulletin_form(request, bulletin=None):
    initial = None
    if bulletin is not None:
        initial = {"document_number": bulletin.document_number, "title": bulletin.title, "body": bulletin.body,
                   "orders": list(bulletin.orders.all()), "suspensions": list(bulletin.suspensions.all())}
    form = forms.BulletinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = services.save_bulletin(request.user, document_number=data["document_number"], title=data["title"], body=data["body"],
                                              orders=data["orders"], suspensions=data["suspensions"], bulletin=bulletin)
        except RectificationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("通报草稿已保存。"))
            return redirect("bulletin_edit", pk=bulletin.pk)
    return render(request, "rectification/bulletin_edit.html", {"form": form, "bulletin": bulletin})


@page("bulletin_new")
def bulletin_new(request):
    return _bulletin_form(request)


@page("bulletin_edit")
def bulletin_edit(request, pk: int):
    bulletin = get_object_or_404(Bulletin, pk=pk, status=BulletinStatus.DRAFT)
    return _bulletin_form(request, bulletin)


@page("bulletin_publish")
def bulletin_publish(request, pk: int):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    if request.method != "POST":
        return redirect("bulletin_edit", pk=bulletin.pk)
    if bulletin.status == BulletinStatus.DRAFT and not confirm.confirmed(request):
        return confirm.ask(request, confirm.Question(
            title=_("发布全区通报"), subject=f"{bulletin.title}（{bulletin.document_number}）",
            facts=[_("通报限期纠正事项：%(n)d项") % {"n": bulletin.orders.count()},
                   _("通报停止评审事项：%(n)d项") % {"n": bulletin.suspensions.count()}],
            consequence=_("发布后通报在公开页面和PDF中向社会公布，不能撤回或修改。"),
            button=_("确认发布"), cancel_url=reverse("bulletin_edit", args=[bulletin.pk])))
    try:
        services.publish_bulletin(bulletin, request.user)
    except RectificationError as exc:
        messages.error(request, exc.message)
        return redirect("bulletin_edit", pk=bulletin.pk) if bulletin.status == BulletinStatus.DRAFT else redirect("bulletin_list")
    messages.success(request, _("通报已发布。"))
    return redirect("public_bulletin_detail", pk=bulletin.pk)


def _published(pk):
    return get_object_or_404(Bulletin, pk=pk, status=BulletinStatus.PUBLISHED)


@page("public_bulletins")
def public_bulletins(request):
    return render(request, "rectification/public_list.html", {"bulletins": Bulletin.objects.filter(status=BulletinStatus.PUBLISHED)})


@page("public_bulletin_detail")
def public_bulletin_detail(request, pk: int):
    return render(request, "rectification/public_detail.html", {"b": _published(pk)})


@page("public_bulletin_pdf")
def public_bulletin_pdf(request, pk: int):
    bulletin = _published(pk)
    response = HttpResponse(bulletin_pdf(bulletin), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{bulletin.pk}.pdf"'
    return response
