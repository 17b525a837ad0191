"""The declaration on one page: facts, the engine's decision, files inline, versions, history,
and what the reader may do with it now."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_noop, ngettext
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import can_open, page
from zhicheng.accounts.roles import Role
from zhicheng.certificates.models import Certificate
from zhicheng.core import confirm, wording
from zhicheng.declarations import drafting, guards, progress, registry
from zhicheng.declarations.checklist import checklist, described_conditions, working_version
from zhicheng.declarations.forms import CorrectionForm, FeeForm
from zhicheng.declarations.models import Application, SelectedRecord
from zhicheng.declarations.services import (MAX_NOTE_CHARS, PAYLOAD_ACTIONS, TransitionError, available_actions, offered_actions,
                                            step_label, transition)
from zhicheng.declarations.states import State
from zhicheng.declarations.workflow import IRREVERSIBLE_STEPS, ends_declaration
from zhicheng.files.models import StoredFile
from zhicheng.files.services import name_in_archive, shown_name, with_uploader_person
from zhicheng.people.forms import stated_facts
from zhicheng.people.models import ARCHIVE_MODELS, person_fact_values
from zhicheng.publicity.forms import PublicityOptionsForm

from .files import serve
from .queues import bulk_actions

DOSSIER_RELATED = ("person", "series", "specialty", "plan", "unit__area", "unit__competent_department", "committee__area",
                   "committee__office", "holder", "recommender", "entrustment_letter")


# What the timeline and the steps read of each event, its actor and the organisations: not whole rows of three tables.
TIMELINE_COLUMNS = ("application", "action", "from_state", "to_state", "actor_role", "at", "note", "actor__username",
                    "actor__first_name", "actor__last_name", "actor_organisation__name", "holder__name")


def _scoped(request, pk: int) -> Application:
    return get_object_or_404(Application.objects.for_user(request.user).select_related(*DOSSIER_RELATED), pk=pk)


def shows_the_draft(app: Application, version: int, owner: bool) -> bool:
    """Whether the version shown is the draft (the owner's, being prepared or corrected): live, not frozen."""
    return version == 0 or (owner and version == working_version(app) and app.state in drafting.EDITABLE_STATES)


def records_of_version(app: Application, version: int, owner: bool) -> list[dict]:
    """The archive records a version went up with, as frozen; the draft's live selection for its owner."""
    if shows_the_draft(app, version, owner):
        chosen = list(app.selected_records.filter(version=0))
        by_kind: dict[str, list[int]] = {}
        for s in chosen:
            by_kind.setdefault(s.kind, []).append(s.record_id)
        rows = []
        for kind, ids in by_kind.items():
            evidence = Prefetch("evidence", queryset=with_uploader_person(StoredFile.objects.all()))
            for r in ARCHIVE_MODELS[kind].objects.filter(pk__in=ids, person_id=app.person_id).prefetch_related(evidence):
                rows.append({"kind": kind, "label": r.kind_label, "summary": r.summary(), "files": _named(r.evidence.all(), app)})
        return rows
    frozen = list(app.selected_records.filter(version=version))
    shas = {sha for s in frozen for sha in (s.snapshot or {}).get("evidence", [])}
    files = {f.sha256: f for f in _named(with_uploader_person(StoredFile.objects.filter(sha256__in=shas)), app)}
    return [
        {"kind": s.kind, "label": ARCHIVE_MODELS[s.kind].kind_label if s.kind in ARCHIVE_MODELS else s.kind,
         "summary": (s.snapshot or {}).get("summary", ""),
         "files": [files[sha] for sha in (s.snapshot or {}).get("evidence", []) if sha in files]}
        for s in frozen
    ]


def _named(files, app: Application) -> list:
    """The archive's evidence files, each with the name it is shown under (``shown``) on this declaration."""
    files = list(files)
    for f in files:
        f.shown = name_in_archive(f, app.person_id)
    return files


def facts_of_version(app: Application, version: int, owner: bool) -> tuple[list[str], bool | None]:
    """The person's stated facts beside a version, and whether they are as it froze them: live (None) beside the
    owner's draft, as submitted (True), or live for a version submitted before they were frozen (False)."""
    if shows_the_draft(app, version, owner):
        return stated_facts(person_fact_values(app.person)), None
    frozen = app.submitted_person_facts.filter(version=version).values_list("facts", flat=True).first()
    if frozen is None:
        return stated_facts(person_fact_values(app.person)), False
    return stated_facts(frozen), True


@page("application_detail")
def application_detail(request, pk: int):
    app = _scoped(request, pk)
    user = request.user
    owner = user.role == Role.APPLICANT and app.person_id == user.person_id
    latest = working_version(app) if owner else app.version
    try:
        version = int(request.GET.get("version", latest))
    except ValueError:
        version = latest
    version = max(0, min(version, latest))
    events = list(app.events.select_related("actor", "actor_organisation", "holder").only(*TIMELINE_COLUMNS))
    actions, waiting = offered_actions(app, user)
    holds = app.holder_id is not None and app.holder_id == user.organisation_id
    conditions = (app.decision or {}).get("conditions", {})
    # The steps a queue takes in bulk are taken here through the same view (application_bulk) for this one
    # declaration: the same permission, services, guards, refusals and named results as from the list.
    in_bulk = dict(bulk_actions(user.role)) if can_open(user, "application_bulk") and not user.read_only else {}
    facts, facts_as_submitted = facts_of_version(app, version, owner)
    return render(request, "web/application_detail.html", {
        "app": app,
        "owner": owner,
        "stated_facts": facts,
        "facts_as_submitted": facts_as_submitted,
        "events": events,
        "steps": progress.steps(app, events),
        "deadline": progress.next_deadline(app),
        "decision": app.decision or {},
        "conditions": described_conditions(app.decision),
        "version": version,
        "versions": list(range(1, app.version + 1)),
        # The annex's forms print a submitted version: the one shown, or the latest when the owner's draft is shown.
        "forms_version": version if 0 < version <= app.version else app.version,
        "records": records_of_version(app, version, owner),
        "rows": [r for r in checklist(app, version=version) if r.applies],
        "actions": [t for t in actions if t.action not in PAYLOAD_ACTIONS and t.action not in ("submit", "resubmit")],
        "payload_actions": [t for t in actions if t.action in PAYLOAD_ACTIONS and t.action != "request_correction"],
        "waiting": waiting,
        "in_bulk": in_bulk, "max_note_chars": MAX_NOTE_CHARS,
        "publicity_form": PublicityOptionsForm(initial={"contact": getattr(user.organisation, "phone", "")}) if in_bulk else None,
        # 六（二）: one notice only, so the button goes once it was sent.
        "can_correct": any(t.action == "request_correction" for t in actions) and not app.correction_notices.exists(),
        "can_submit": owner and app.state in drafting.EDITABLE_STATES and not drafting.is_closed_draft(app),
        "corrections": list(app.correction_notices.all()),
        "objections": list(app.objections.select_related("publicity")) if user.role != Role.APPLICANT else [],
        "publicities": [e.publicity for e in app.publicity_entries.select_related("publicity")],
        "exam_required": conditions.get("exam") == "required",
        "can_confirm_exam": holds and bool(app.exam_score) and not app.exam_confirmed_at,
        "can_record_fee": not app.fee_paid_at and not app.fee_not_charged and app.state in drafting.FEE_STATES and not drafting.is_closed_draft(app) and (
            owner or (user.role == Role.EMPLOYER_HR and user.organisation_id == app.unit_id)),
        "fee_form": FeeForm(),
        "quota_counts": guards.senior_quota_counts(app) if user.role == Role.EMPLOYER_HR else None,
    })


@page("application_act")
@require_POST
def application_act(request, pk: int):
    # Series and person: what submitting's screening reads first.
    app = get_object_or_404(Application.objects.for_user(request.user).select_related("series", "person"), pk=pk)
    action = request.POST.get("action", "")
    try:
        if action in ("submit", "resubmit"):
            drafting.submit(app, request.user)
        elif action in PAYLOAD_ACTIONS:
            raise TransitionError(_("该步骤请在待办列表的批量办理或补正告知中办理。"))
        else:
            note = request.POST.get("note", "")
            ending, label = ends_declaration(action), step_label(app, action)
            if (ending or action in IRREVERSIBLE_STEPS) and not confirm.confirmed(request):
                # Asked only when the step could go ahead: a missing reason or a step not offered is refused as before.
                offered = next((t for t in available_actions(app, request.user) if t.action == action), None)
                if offered and (note.strip() or not offered.needs_note) and len(note) <= MAX_NOTE_CHARS:
                    question = (_ending_question(request, app, offered, ending, note) if ending
                                else _forward_question(app, offered))
                    return confirm.ask(request, question)
            transition(app, action, request.user, note=note)
    except TransitionError as exc:
        for reason in exc.reasons:
            messages.error(request, reason)
        if action in ("submit", "resubmit"):
            return redirect("declaration_edit", pk=pk)
    else:
        messages.success(request, _("已提交。") if action in ("submit", "resubmit") else _done_message(app, action, label))
    return redirect("application_detail", pk=pk)


FORWARD_CONSEQUENCES = {
    "file": gettext_noop("核准备案后评审结果生效（七（五）1），可以制发电子证书。"),
    "certify": gettext_noop("电子证书签名后即可由持证人下载、由任何人凭编号和姓名查验（七（五）2）；此后只能依法撤销。"),
    "consent_entrustment": gettext_noop("同意委托后，申报送交上列评委会受理（四（四））。"),
}


def _done_message(app: Application, action: str, label: str) -> str:
    """What the step did, by name (a certificate by its number), not only that it was done."""
    if action == "certify":
        number = Certificate.objects.filter(application=app).values_list("number", flat=True).first()
        if number:
            return _("已制发电子证书，编号%(number)s。") % {"number": number}
    return _("已办理：%(step)s。") % {"step": _(label)}


def _forward_question(app: Application, step) -> confirm.Question:
    facts = [_("当前状态：%(state)s。") % {"state": _(app.get_state_display())}]
    if step.action == "consent_entrustment":
        facts.append(_("受理评委会：%(committee)s") % {"committee": app.committee.name if app.committee_id else _("未确定")})
    if step.action == "certify":
        facts.append(_("证书编号由系统按规则生成，证书以本厅的密钥签名。"))
    return confirm.Question(
        title=_(step.label), subject=f"{app.person.name}：{wording.title_label(app)}（{app.plan.year}）", facts=facts,
        consequence=_("%(effect)s申报将转为“%(state)s”，这一步不能撤回。") % {
            "effect": _(FORWARD_CONSEQUENCES[step.action]), "state": _(State(step.target).label)},
        button=_("确认%(step)s") % {"step": _(step.label)}, cancel_url=reverse("application_detail", args=[app.pk]),
    )


def _ending_question(request, app: Application, step, ending: str, note: str) -> confirm.Question:
    by_applicant = request.user.role == Role.APPLICANT
    facts = [_("当前状态：%(state)s。") % {"state": _(app.get_state_display())}]
    if note.strip():
        facts.append(_("理由：%(note)s") % {"note": note.strip()})
    consequence = _("申报将转为“%(state)s”，办理就此结束，不可恢复。") % {"state": _(State(ending).label)}
    if not by_applicant:
        consequence += _("申报人会收到通知和理由。")
    elif app.plan.declaration_closed:
        consequence += _("%(year)d年度的申报已于%(day)s截止，撤回后本年度不能再申报。") % {
            "year": app.plan.year, "day": f"{app.plan.declaration_deadline:%Y-%m-%d}"}
    return confirm.Question(
        title=_(step.label), subject=f"{app.person.name}：{wording.title_label(app)}（{app.plan.year}）", facts=facts,
        consequence=consequence, button=_("确认%(step)s") % {"step": _(step.label)},
        cancel_url=reverse("application_detail", args=[app.pk]),
    )


@page("application_correction")
def correction(request, pk: int):
    """六（二）: the checker ticks every deficiency and sends them at once with a deadline."""
    app = _scoped(request, pk)
    if not any(t.action == "request_correction" for t in available_actions(app, request.user)):
        raise Http404
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = drafting.correction_items([c.pk for c in data["standard"]], data["extra"])
        # Asked only when the notice could go: no items or a deadline out of range is refused as before.
        given = guards.correction_items_given(app, registry.Context(actor=request.user, payload={"items": items, "deadline": data["deadline"]}))
        if given is None and not confirm.confirmed(request):
            return confirm.ask(request, _correction_question(app, items, data["deadline"]))
        try:
            drafting.request_correction(app, request.user, standard_ids=[c.pk for c in data["standard"]], extra=data["extra"],
                                        deadline=data["deadline"])
        except TransitionError as exc:
            for reason in exc.reasons:
                form.add_error(None, reason)
        else:
            messages.success(request, _("已一次性告知申报人需补正的全部事项。"))
            return redirect("application_detail", pk=pk)
    return render(request, "web/correction.html", {"app": app, "form": form, "rows": [r for r in checklist(app) if r.applies]})


def _correction_question(app: Application, items: list[str], deadline) -> confirm.Question:
    return confirm.Question(
        title=_("一次性告知补正"), subject=f"{app.person.name}：{wording.title_label(app)}（{app.plan.year}）",
        facts=[ngettext("告知需补正的事项%(n)d项（见下表）。", "告知需补正的事项%(n)d项（见下表）。", len(items)) % {"n": len(items)},
               _("补正截止日期：%(day)s") % {"day": f"{deadline:%Y-%m-%d}"}],
        head=[_("序号"), _("补正事项")], rows=[[i, item] for i, item in enumerate(items, 1)],
        consequence=_("每份申报只能告知一次补正，发出后不能撤回或补充（六（二））：申报人须在截止日期前补正上列全部事项，"
                      "逾期未补正的视为放弃申报。"),
        button=_("确认发出补正告知"), cancel_url=reverse("application_correction", args=[app.pk]),
    )


@page("application_exam_confirm")
@require_POST
def confirm_exam(request, pk: int):
    app = _scoped(request, pk)
    try:
        drafting.confirm_exam_result(app, request.user)
    except TransitionError as exc:
        for reason in exc.reasons:
            messages.error(request, reason)
    else:
        messages.success(request, _("已核验考试成绩。"))
    return redirect("application_detail", pk=pk)


def file_belongs(app: Application, stored: StoredFile, user) -> bool:
    """A file belongs to a declaration when it went up with any version, or is in the owner's draft."""
    if app.materials.filter(file=stored).exists() or app.entrustment_letter_id == stored.pk:
        return True
    frozen = SelectedRecord.objects.filter(application=app, version__gt=0).values_list("snapshot", flat=True)
    if any(stored.sha256 in (snapshot or {}).get("evidence", []) for snapshot in frozen):
        return True
    if user.role == Role.APPLICANT and app.person_id == user.person_id:
        for kind, record_id in app.selected_records.filter(version=0).values_list("kind", "record_id"):
            if ARCHIVE_MODELS[kind].objects.filter(pk=record_id, evidence=stored).exists():
                return True
    return False


@page("application_file")
def file(request, pk: int, sha256: str):
    app = _scoped(request, pk)
    stored = get_object_or_404(with_uploader_person(StoredFile.objects.all()), sha256=sha256)
    if not file_belongs(app, stored, request.user):
        raise Http404
    material = app.materials.filter(file=stored).order_by("pk").first()
    return serve(stored, shown_name(stored, material.uploaded_by_id) if material else name_in_archive(stored, app.person_id))

