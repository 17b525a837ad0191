"""Pages: public verification and the public key; the holder's certificates; filing,
revocation, exchange and history import for the HR bodies. Rules live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhicheng.accounts.roles import Role
from zhicheng.accounts.permissions import can_open, page
from zhicheng.core import clock, confirm
from zhicheng.declarations.services import TransitionError
from zhicheng.jobs.runner import start_job

from . import exchange, filing, forms, history, lookups, rendering, scope, signing
from .models import CertificateStatus, ExchangeStatus, Filing, FilingStatus, LookupChannel, VerificationLookup
from .services import CertificateError, revoke_certificate

READ_ONLY = gettext_lazy("监督账号只能查看，不能办理。")


def _pdf(data: bytes, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename=\"{filename}\""
    return response


# ---- public ---------------------------------------------------------------------------------

def _result(request, verification, form, *, scanned: bool = False):
    return render(request, "certificates/verify.html", {"verification": verification, "form": form, "searched": True, "scanned": scanned})


@page("certificate_verify")
def verify_page(request):
    form = forms.VerifyForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "certificates/verify.html", {"form": form})
    try:
        verification = lookups.look_up(ip=lookups.client_ip(request), channel=LookupChannel.FORM, number=form.cleaned_data["number"],
                                       name=form.cleaned_data["name"], verifier=form.cleaned_data["verifier"])
    except lookups.RateLimited as exc:
        return render(request, "certificates/verify.html", {"form": form, "limited": str(exc)}, status=429)
    # The form keeps what was typed: a number or name mistyped by one character is corrected, not retyped.
    return _result(request, verification, form)


@page("certificate_verify")
def scan_page(request, number: str, code: str):
    try:
        verification = lookups.look_up(ip=lookups.client_ip(request), channel=LookupChannel.QR, number=number, check_code=code)
    except lookups.RateLimited as exc:
        return render(request, "certificates/verify.html", {"form": forms.VerifyForm(), "limited": str(exc)}, status=429)
    # A link that finds nothing leaves its number in the form, to be checked with the holder's name.
    number_field = forms.VerifyForm.base_fields["number"]
    form = forms.VerifyForm(initial={"number": number if len(number) <= number_field.max_length else ""})
    return _result(request, verification, form, scanned=True)


@page("signing_key")
def signing_key(request):
    key = signing.current_key()
    pem = signing.public_pem(key.public)
    if request.GET.get("format") == "pem":
        return HttpResponse(pem, content_type="application/x-pem-file")
    return render(request, "certificates/public_key.html", {"key_id": key.key_id, "pem": pem, "algorithm": signing.ALGORITHM})


# ---- the holder -----------------------------------------------------------------------------

@page("my_certificates")
def my_certificates(request):
    certificates = scope.certificates_for(request.user)
    return render(request, "certificates/mine.html", {
        "certificates": certificates,
        "lookups": [(lookup, lookups.masked_ip(lookup.ip)) for lookup in
                    VerificationLookup.objects.filter(certificate__in=certificates).select_related("certificate")[:200]],
        "exchanges": scope.exchanges_for(request.user),
        "pledges": scope.pledges_for(request.user),
    })


@page("certificate_pdf")
def certificate_pdf(request, pk: int):
    cert = get_object_or_404(scope.certificates_for(request.user), pk=pk)
    return _pdf(rendering.kept_certificate_pdf(cert), f"certificate-{cert.number}.pdf", inline=request.GET.get("download") is None)


@page("pledge_pdf")
def pledge_pdf(request, pk: int):
    record = get_object_or_404(scope.pledges_for(request.user), application_id=pk)
    return _pdf(rendering.pledge_pdf(record), f"pledge-{pk}.pdf")


@page("exchange_new")
def exchange_new(request):
    from zhicheng.files.services import store_upload

    form = forms.ExchangeForm(request.POST or None, request.FILES or None, holder=request.user.person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = store_upload(data.pop("evidence"), uploaded_by=request.user)
            exchange.file_exchange(actor=request.user, evidence=evidence, **data)
        except (CertificateError, ValidationError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("换发申请已提交，请等待人社部门核准。"))
            return redirect("my_certificates")
    return render(request, "certificates/exchange_new.html", {"form": form})


# ---- HR bodies ------------------------------------------------------------------------------

@page("certificate_list")
def certificate_list(request):
    certificates = scope.certificates_for(request.user).order_by("-issued_on", "-pk")
    if q := request.GET.get("q", "").strip():
        certificates = certificates.filter(number=q) | certificates.filter(holder_name=q)
    return render(request, "certificates/list.html", {"certificates": certificates[:200], "q": q})


@page("certificate_revoke")
def certificate_revoke(request, pk: int):
    cert = get_object_or_404(scope.certificates_for(request.user), pk=pk)
    form = forms.RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if cert.status != CertificateStatus.REVOKED and not confirm.confirmed(request):
            return confirm.ask(request, _revoke_question(cert, **form.cleaned_data))
        try:
            revoke_certificate(cert, request.user, **form.cleaned_data)
        except (CertificateError, TransitionError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("证书 %(number)s 已撤销，持证人已记入失信黑名单。") % {"number": cert.number})
            return redirect("certificate_list")
    return render(request, "certificates/revoke.html", {"cert": cert, "form": form, "revoked": cert.status == CertificateStatus.REVOKED})


def _revoke_question(cert, *, reason: str, document_number: str) -> confirm.Question:
    return confirm.Question(
        title=_("撤销职称"), subject=_("%(holder)s · %(title)s · 证书编号 %(number)s") % {
            "holder": cert.holder_name, "title": cert.title_name, "number": cert.number},
        facts=[_("撤销原因：%(reason)s") % {"reason": reason}, _("处理文号：%(number)s") % {"number": document_number}],
        consequence=_("撤销不能恢复：证书核验从此显示“已撤销”，持证人记入失信黑名单，自次年起三年内不得申报职称评审。"),
        button=_("确认撤销并记入黑名单"), cancel_url=reverse("certificate_revoke", args=[cert.pk]),
    )


@page("filing_queue")
def filing_queue(request):
    user = request.user
    form = forms.FilingSubmitForm(request.POST or None, initial={"year": clock.today().year})
    if request.method == "POST" and user.role == Role.COMMITTEE_OFFICE and form.is_valid():
        committee = getattr(user.organisation, "committee", None)
        year, report = form.cleaned_data["year"], form.cleaned_data["report"]
        try:
            if committee is None:
                raise CertificateError(_("您的机构不是评委会办事机构。"))
            if not confirm.confirmed(request):
                # Asked only when the submission could go ahead; a refusal is said at once, as before.
                planned = filing.submission_preview(committee=committee, year=year, actor=user)
                return confirm.ask(request, _submit_question(committee, year, planned, report))
            made = filing.submit_filings(committee=committee, year=year, actor=user, report=report)
        except CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, ngettext("已报送%(n)d批核准备案。", "已报送%(n)d批核准备案。", len(made)) % {"n": len(made)})
            return redirect("filing_detail", pk=made[0].pk)
    year = clock.today().year
    return render(request, "certificates/filing_queue.html", {
        "warnings": filing.filing_warnings(user), "filings": filing.filings_in_scope(user)[:200], "form": form,
        "can_submit": user.role == Role.COMMITTEE_OFFICE, "year": year, "annual_deadline": filing.annual_filing_deadline(year),
    })


def _submit_question(committee, year: int, planned: list, report: str) -> confirm.Question:
    """报送核准备案 cannot be taken back by the office: what goes to whom, how many, and whether it is late (七（五）1)."""
    n = sum(len(p.members) for p in planned)
    late = [p for p in planned if p.late]
    warning = ""
    if late:
        days = max(p.days_late for p in late)
        due = min(p.due_on for p in late)
        warning = ngettext("评审结果应在结果公示期满后一个月内报送（七（五）1），即%(due)s前；现已逾期%(n)d天，将记为逾期报备。",
                           "评审结果应在结果公示期满后一个月内报送（七（五）1），即%(due)s前；现已逾期%(n)d天，将记为逾期报备。", days) % {
            "due": due.strftime("%Y-%m-%d"), "n": days}
        if not report.strip():
            warning += _("逾期原因可写入核准备案报告。")
    return confirm.Question(
        title=_("报送核准备案"), subject=_("%(committee)s %(year)d年评审结果") % {"committee": committee.name, "year": year},
        facts=[ngettext("评审通过人员花名册%(n)d人。", "评审通过人员花名册%(n)d人。", n) % {"n": n},
               _("核准备案报告：按评审与公示情况自动生成。") if not report.strip() else _("核准备案报告：按所填写的内容。")],
        warning=warning,
        head=[_("核准备案机关"), _("人数"), _("结果公示期满"), _("报送截止")],
        rows=[[p.filing_body.name, len(p.members), p.review_ended_on.strftime("%Y-%m-%d"), p.due_on.strftime("%Y-%m-%d")]
              for p in planned],
        consequence=ngettext("报送后，花名册上%(n)d人的评审结果由核准备案机关整批核准备案或退回；报送不能撤回。",
                             "报送后，花名册上%(n)d人的评审结果由核准备案机关整批核准备案或退回；报送不能撤回。", n) % {"n": n},
        button=_("确认报送"), cancel_url=reverse("filing_queue"),
    )


# The columns of rendering.roster_rows / objection_rows that hold a label of the domain (sex, series,
# level; the objection's status) rather than data: the page shows them in the reader's language.
ROSTER_LABELS, OBJECTION_LABELS = (2, 5, 8), (4,)


def _labels_translated(rows: list[list], columns: tuple[int, ...]) -> list[list]:
    return [[_(str(value)) if i in columns and value else value for i, value in enumerate(row)] for row in rows]


@page("filing_detail")
def filing_detail(request, pk: int):
    item: Filing = get_object_or_404(filing.filings_in_scope(request.user), pk=pk)
    download = request.GET.get("download")
    if download == "pdf":
        return _pdf(rendering.filing_pdf(item), f"filing-{item.pk}.pdf")
    if download == "xlsx":
        response = HttpResponse(rendering.roster_xlsx(item), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="roster-{item.pk}.xlsx"'
        return response
    approve, give_back = forms.FilingApproveForm(), forms.ReturnForm()
    can_decide = item.status == FilingStatus.SUBMITTED and filing.may_decide(request.user, item)
    if request.method == "POST" and request.user.read_only:
        messages.error(request, READ_ONLY)
        return redirect("filing_detail", pk=pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "approve":
            approve = form = forms.FilingApproveForm(request.POST)
        elif decision == "return":
            give_back = form = forms.ReturnForm(request.POST)
        else:
            return redirect("filing_detail", pk=pk)
        if form.is_valid() and decision == "return" and can_decide and not filing.gives_return_reason(form.cleaned_data["reason"]):
            form.add_error("reason", _("请写明退回原因。"))
        if form.is_valid():
            # Both decisions are final for this batch: asked once when they could be taken.
            if can_decide and not confirm.confirmed(request):
                return confirm.ask(request, _approve_question(item, form.cleaned_data["document_number"]) if decision == "approve"
                                   else _return_question(item, form.cleaned_data["reason"]))
            try:
                if decision == "approve":
                    filing.approve_filing(item, request.user, document_number=form.cleaned_data["document_number"])
                    messages.success(request, _("已核准备案。"))
                else:
                    filing.return_filing(item, request.user, reason=form.cleaned_data["reason"])
                    messages.success(request, _("已退回。"))
            except (CertificateError, TransitionError) as exc:
                if not can_decide or item.status != FilingStatus.SUBMITTED:
                    # Not this reader's to decide, or decided meanwhile: nothing to correct in the form.
                    messages.error(request, str(exc))
                    return redirect("filing_detail", pk=pk)
                form.add_error(None, str(exc))
            else:
                return redirect("filing_detail", pk=pk)
        elif not can_decide:
            return redirect("filing_detail", pk=pk)
        # What was typed stays, with what is missing said next to it.
    issued = filing.issued_certificates(request.user, item).count() if item.status == FilingStatus.APPROVED else 0
    return render(request, "certificates/filing_detail.html", {
        "filing": item, "roster": _labels_translated(rendering.roster_rows(item), ROSTER_LABELS),
        "objections": _labels_translated(rendering.objection_rows(item), OBJECTION_LABELS),
        "can_decide": can_decide, "issued": issued, "people": item.entries.count(),
        "may_render": item.status == FilingStatus.APPROVED and can_open(request.user, "certificate_render"),
        "annual_deadline": filing.annual_filing_deadline(item.year),
        "approve": approve, "give_back": give_back,
    })


def _approve_question(item: Filing, document_number: str) -> confirm.Question:
    n, objections = item.entries.count(), len(rendering.objection_rows(item))
    return confirm.Question(
        title=_("核准备案"), subject=_("%(committee)s %(year)d年评审结果（报送%(on)s）") % {
            "committee": item.committee.name, "year": item.year, "on": item.submitted_on.strftime("%Y-%m-%d")},
        facts=[ngettext("评审通过人员花名册%(n)d人。", "评审通过人员花名册%(n)d人。", n) % {"n": n},
               ngettext("公示期间收到举报和异议%(n)d件，处理情况见核准备案材料。",
                        "公示期间收到举报和异议%(n)d件，处理情况见核准备案材料。", objections) % {"n": objections}
               if objections else _("公示期间未收到举报和异议。"),
               _("核准备案文号：%(number)s") % {"number": document_number} if document_number.strip() else _("核准备案文号由系统编号。")],
        consequence=ngettext("核准备案后，花名册上%(n)d人的申报全部转为“已核准备案”，可以生成电子证书；核准备案不能撤回，也不能再退回。",
                             "核准备案后，花名册上%(n)d人的申报全部转为“已核准备案”，可以生成电子证书；核准备案不能撤回，也不能再退回。", n)
        % {"n": n},
        button=_("确认核准备案"), cancel_url=reverse("filing_detail", args=[item.pk]),
    )


def _return_question(item: Filing, reason: str) -> confirm.Question:
    n = item.entries.count()
    return confirm.Question(
        title=_("退回核准备案"), subject=_("%(committee)s %(year)d年评审结果（报送%(on)s）") % {
            "committee": item.committee.name, "year": item.year, "on": item.submitted_on.strftime("%Y-%m-%d")},
        facts=[ngettext("评审通过人员花名册%(n)d人。", "评审通过人员花名册%(n)d人。", n) % {"n": n},
               _("退回原因：%(reason)s") % {"reason": reason.strip()}],
        consequence=ngettext("退回后，这一批不能再核准备案，退回不能撤销；花名册上%(n)d人的评审结果须由评委会办事机构补正后重新报送（七（五）1），"
                             "重新报送晚于报送截止日的记为逾期报备。",
                             "退回后，这一批不能再核准备案，退回不能撤销；花名册上%(n)d人的评审结果须由评委会办事机构补正后重新报送（七（五）1），"
                             "重新报送晚于报送截止日的记为逾期报备。", n) % {"n": n},
        button=_("确认退回"), cancel_url=reverse("filing_detail", args=[item.pk]),
    )


@page("exchange_list")
def exchange_list(request):
    return render(request, "certificates/exchange_list.html", {"requests": scope.exchanges_for(request.user)[:200]})


@page("exchange_detail")
def exchange_detail(request, pk: int):
    req = get_object_or_404(scope.exchanges_for(request.user), pk=pk)
    form = forms.ExchangeDecisionForm(request.POST or None)
    can_decide = req.status == ExchangeStatus.SUBMITTED and exchange.may_decide(request.user, req)
    if request.method == "POST" and request.user.read_only:
        messages.error(request, READ_ONLY)
        return redirect("exchange_detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        approving, data = request.POST.get("decision") == "approve", form.cleaned_data
        # Both decisions are final: asked once when the service would take them (a number to approve under, a
        # reason to refuse with); without it the service refuses as before.
        final = data["document_number"].strip() if approving else exchange.gives_refusal_reason(data["note"])
        if can_decide and final and not confirm.confirmed(request):
            return confirm.ask(request, _decision_question(req, approving, data))
        try:
            if approving:
                exchange.approve_exchange(req, request.user, document_number=data["document_number"], note=data["note"])
                messages.success(request, _("已核准并换发电子证书。"))
            else:
                exchange.reject_exchange(req, request.user, note=data["note"])
                messages.success(request, _("已决定不予换发。"))
        except CertificateError as exc:
            # Shown on the form with what was typed (a redirect lost the note written before the number was missed).
            form.add_error(None, str(exc))
            req.refresh_from_db()
            can_decide = req.status == ExchangeStatus.SUBMITTED and exchange.may_decide(request.user, req)
        else:
            return redirect("exchange_detail", pk=pk)
    return render(request, "certificates/exchange_detail.html", {"req": req, "form": form, "can_decide": can_decide})


def _decision_question(req, approving: bool, data: dict) -> confirm.Question:
    original = _("原证书：%(issuer)s，编号%(number)s，%(on)s取得。") % {
        "issuer": req.original_issuer, "number": req.original_number, "on": req.obtained_on.strftime("%Y-%m-%d")}
    subject = _("换发申请：%(name)s %(title)s") % {"name": req.person.name, "title": req.title_name}
    cancel_url = reverse("exchange_detail", args=[req.pk])
    if approving:
        return confirm.Question(
            title=_("核准并换发"), subject=subject,
            facts=[original, _("核准文号：%(number)s") % {"number": data["document_number"]}],
            consequence=_("核准后立即签发本区电子证书并记入持证人的职称记录，证书可公开查验；核准不能撤回，证书只能按八（三）撤销。"),
            button=_("确认核准并换发"), cancel_url=cancel_url,
        )
    return confirm.Question(
        title=_("不予换发"), subject=subject, facts=[original, _("理由：%(note)s") % {"note": data["note"].strip()}],
        consequence=_("该申请就此办结为“不予换发”，不能撤回；申请人可在申请页看到理由。"),
        button=_("确认不予换发"), cancel_url=cancel_url,
    )


@page("exchange_evidence")
def exchange_evidence(request, pk: int):
    from zhicheng.files.services import FileIntegrityError, read_verified

    req = get_object_or_404(scope.exchanges_for(request.user), pk=pk)
    try:
        data = read_verified(req.evidence)
    except (OSError, FileIntegrityError) as exc:
        raise Http404("原证书扫描件无法读取或已被改动。") from exc
    return HttpResponse(data, content_type=req.evidence.content_type)


@page("history_import")
def history_import(request):
    """The workbook is kept and imported by a background job; the job's page shows the progress and the report."""
    from zhicheng.files.services import store_json, store_workbook

    if request.GET.get("template"):
        response = HttpResponse(history.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="history-template.xlsx"'
        return response
    form = forms.HistoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            store = store_json if upload.name.lower().endswith(".json") else store_workbook  # the collection's exchange format
            stored = store(upload, uploaded_by=request.user)
        except ValidationError as exc:
            form.add_error("workbook", exc)
        else:
            job = start_job("history_import", _("导入历年职称记录：%(name)s") % {"name": upload.name}, request.user,
                            params={"today": clock.today().isoformat()}, input_file=stored)
            return redirect("job_detail", pk=job.pk)
    return render(request, "certificates/history_import.html", {"form": form})


@page("certificate_render")
def certificate_render(request):
    """Start rendering the PDFs of a filing's or a year's certificates in the background."""
    form = forms.RenderCertificatesForm(request.POST or None, initial={"year": clock.today().year})
    if request.method == "POST" and form.is_valid():
        if filing_pk := form.cleaned_data["filing"]:
            item = get_object_or_404(filing.filings_in_scope(request.user), pk=filing_pk)
            params, title = {"filing": item.pk}, _("生成证书PDF：%(filing)s") % {"filing": item}
        else:
            year = form.cleaned_data["year"]
            params, title = {"year": year}, _("生成证书PDF：%(year)d年发证") % {"year": year}
        job = start_job("certificate_pdfs", title, request.user, params=params)
        return redirect("job_detail", pk=job.pk)
    return render(request, "certificates/render.html", {"form": form})
