"""The declaration wizard: choose what to declare with the engine's answer beside you, then one
workspace that saves as you go (records, files, fee, pledge) and submits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page
from zhicheng.catalogue.models import Level, Specialty
from zhicheng.core import clock
from zhicheng.core.params import object_ids
from zhicheng.declarations import drafting, progress
from zhicheng.declarations.checklist import attach, checklist, described_conditions, missing_materials, retire
from zhicheng.declarations.forms import DraftForm, FeeForm, MaterialForm, StartForm
from zhicheng.declarations.models import Application, ApplicationMaterial
from zhicheng.declarations.screening import ScreeningError, screen, screening_problems
from zhicheng.declarations.services import TransitionError, start_declaration
from zhicheng.declarations.states import State
from zhicheng.files.services import store_upload
from zhicheng.people.forms import stated_facts
from zhicheng.people.models import ARCHIVE_MODELS, person_fact_values

from .shell import current_plan


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _start_form(request, data=None):
    unit = request.user.person.unit
    return StartForm(data, private=bool(unit and unit.sector == "private"))


def _chosen(form, name: str):
    """One field of the wizard's form, validated on its own (the preview runs before the form is complete)."""
    if name not in form.fields:
        return None
    try:
        return form.fields[name].clean(form.data.get(name)) or None
    except ValidationError:
        return None


def _other_level(person, plan, series, level: str):
    """The person's declaration of this series and year at another level (one declaration per series and year)."""
    if not (series and level):
        return None
    return Application.objects.filter(person=person, series=series, plan=plan).exclude(level=level).select_related("series").first()


def _level_label(level) -> str:
    return Level(level).label if level in Level.values else ""


@page("declare_start")
def start(request):
    person, plan = request.user.person, current_plan()
    if person.unit is None:
        messages.error(request, _("请先在个人档案中填写现工作单位。"))
        return redirect("archive")
    form = _start_form(request, request.POST or None)
    other = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = Application.objects.filter(person=person, series=data["series"], plan=plan).first()
        if existing and existing.level == data["level"]:
            messages.info(request, _("您本年度已有该系列该层级的申报，已为您打开。"))
            return redirect("declaration_edit", pk=existing.pk)
        if existing and request.POST.get("change_level") == existing.level:
            return _change_level(request, form, existing, data["level"])
        if existing:
            other = existing  # said plainly below the form, with the choice: open it, or change its level
        else:
            app = _start(request, form, person, plan, data)
            if app is not None:
                return redirect("declaration_edit", pk=app.pk)
    return _start_page(request, form, plan, other)


def _start_page(request, form, plan, other=None):
    """The wizard's page; after a POST its preview panel is filled at once (the card above names another
    level of the series, so the panel does not repeat it)."""
    context = {"form": form, "plan": plan, "person": request.user.person, "other": other,
               "chosen_level_label": _level_label(form.data.get("level")) if other else ""}
    if form.is_bound:
        context["preview"] = {**_preview_context(request, form, plan), "other": None}
    return render(request, "web/declare_start.html", context)


def _start(request, form, person, plan, data):
    """The draft and its first decision in one transaction: a start that cannot screen leaves no draft behind."""
    try:
        with transaction.atomic():
            app = start_declaration(person=person, plan=plan, series=data["series"], level=data["level"], actor=request.user,
                                    specialty=data.get("specialty"), recommender=data.get("recommender"))
            screen(app, actor=request.user)
    except (TransitionError, ScreeningError) as exc:
        for reason in exc.reasons:
            form.add_error(None, reason)
        return None
    return app


def _change_level(request, form, existing: Application, level: str):
    label = Level(level).label
    try:
        drafting.change_level(existing, request.user, level)
    except (TransitionError, ScreeningError) as exc:
        for reason in exc.reasons:
            form.add_error(None, reason)
        return _start_page(request, form, existing.plan, existing)
    messages.success(request, _("已改为申报%(series)s%(level)s。已选的档案记录、上传的材料和签署的承诺书都已保留，资格预审已按新层级重新进行。") % {
        "series": _(existing.series.name), "level": _(label)})
    return redirect("declaration_edit", pk=existing.pk)


@page("declare_preview")
def preview(request):
    """What the engine says for the choice as it stands (htmx, on every change of the form). Only values
    the form accepts reach the engine; what keeps it from screening is explained, never a 500."""
    form = _start_form(request, request.GET)
    return render(request, "web/_preview.html", {**_preview_context(request, form, current_plan()), "specialty_oob": True})


def _preview_context(request, form, plan) -> dict:
    person = request.user.person
    series, level = _chosen(form, "series"), _chosen(form, "level")
    decision, problems = None, []
    if series and level and person.unit:
        try:
            decision = drafting.preview(person=person, plan=plan, series=series, level=level)
        except ScreeningError as exc:
            problems = exc.reasons
    return {
        "decision": decision, "problems": problems, "conditions": described_conditions(decision),
        "specialties": Specialty.objects.filter(series=series) if series else Specialty.objects.none(),
        "selected_specialty": form.data.get("specialty", ""), "other": _other_level(person, plan, series, level),
        "chosen_level_label": _level_label(level),
    }


def _own_app(request, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.for_user(request.user).select_related("series", "plan", "unit", "recommender", "committee", "specialty", "person"),
        pk=pk, person_id=request.user.person_id,
    )


def record_choices(app: Application) -> list[dict]:
    """Each kind of archive record with the person's records and whether the draft selected them."""
    chosen = set(app.selected_records.filter(version=0).values_list("kind", "record_id"))
    return [
        {"kind": kind, "label": model._meta.verbose_name,
         "records": [(r, (kind, r.pk) in chosen) for r in model.objects.filter(person_id=app.person_id)]}
        for kind, model in ARCHIVE_MODELS.items()
    ]


def draft_form(app: Application, data=None, closed: bool = False) -> DraftForm:
    """The draft's own fields, only those this declaration asks for (drafting.shown_draft_fields); shown, not
    editable, on a draft of a closed year."""
    form = DraftForm(data, instance=app)
    shown = drafting.shown_draft_fields(app)
    for name in [n for n in form.fields if n not in shown]:
        del form.fields[name]
    for field in form.fields.values():
        field.disabled = closed
    return form


def _error_lines(form) -> list[str]:
    """The form's errors, each after the label of its field (as the other forms' messages read), the form's own bare."""
    return [f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
            for name, errors in form.errors.items() for error in errors]


def _shown_value(value) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value in (None, ""):
        return "—"
    return getattr(value, "name", None) or str(value)


def draft_conflict(form: DraftForm, saved: Application) -> dict:
    """What this tab typed and what was saved elsewhere, field by field, and the token to save over it."""
    rows = [{"label": field.label, "mine": _shown_value(form.cleaned_data.get(name)), "theirs": _shown_value(getattr(saved, name))}
            for name, field in form.fields.items() if form.cleaned_data.get(name) != getattr(saved, name)]
    typed = [(name, value) for name, values in form.data.lists() if name not in ("csrfmiddlewaretoken", "base") for value in values]
    return {"rows": rows, "typed": typed, "token": drafting.draft_token(saved), "saved_at": saved.updated_at}


def workspace_context(app: Application, form=None, conflict=None) -> dict:
    # A draft of a year whose declarations closed (三（二）) is shown, read only: nothing of it can go up any more.
    closed = drafting.is_closed_draft(app)
    kinds = record_choices(app)
    # The archive's titles were just read for the record choices; the checklist needs only whether there are any.
    rows = checklist(app, holds_title=any(k["records"] for k in kinds if k["kind"] == "title"))
    # Only a declaration under correction has an open notice (no step leads back to a draft).
    notice = app.correction_notices.filter(resolved_at__isnull=True).first() if app.state == State.CORRECTION_REQUESTED else None
    return {
        "app": app,
        "stated_facts": stated_facts(person_fact_values(app.person)),
        "draft_form": form or draft_form(app, closed=closed),
        # The autosave sends back the token of the values this page was loaded with (update_draft's base).
        "draft_token": conflict["token"] if conflict else drafting.draft_token(app),
        "conflict": conflict,
        "decision": app.decision or {},
        "conditions": described_conditions(app.decision),
        "kinds": kinds,
        "rows": rows,
        "fee_form": FeeForm(),
        "pledge_text": drafting.PLEDGE_TEXT,
        "deadline": progress.next_deadline(app, notice),
        "notice": notice,
        "missing": missing_materials(app, rows),
        "resubmit": app.state == State.CORRECTION_REQUESTED,
        "closed": closed,
        "editable": not closed,
    }


@never_cache  # the back button after submitting must ask again: a submitted declaration's workspace is its dossier
@page("declaration_edit")
def workspace(request, pk: int):
    app = _own_app(request, pk)
    if app.state not in drafting.EDITABLE_STATES:
        return redirect("application_detail", pk=app.pk)
    context = workspace_context(app)
    records = [record for kind in context["kinds"] for record, _chosen in kind["records"]]
    # Stored before codes were chosen: say what to correct (nothing to correct for on a draft that can no longer go up).
    for problem in [] if context["closed"] else screening_problems(app, records):
        messages.warning(request, problem)
    return render(request, "web/declaration_edit.html", context)


@page("declaration_autosave")
@require_POST
def autosave(request, pk: int):
    app = _own_app(request, pk)
    form = draft_form(Application.objects.select_related("plan", "series").get(pk=app.pk), request.POST)
    rescreened, saved, conflict = False, False, None
    if form.is_valid():
        try:
            rescreened = drafting.update_draft(app, request.user, {k: form.cleaned_data[k] for k in form.changed_data},
                                               base=request.POST.get("base") or None)
            saved = True
        except drafting.DraftConflict as exc:
            conflict = draft_conflict(form, exc.saved)
        except TransitionError as exc:
            for reason in exc.reasons:
                form.add_error(None, reason)
    if not _is_htmx(request):
        if conflict:  # without script: the page again with what they typed, ready to save over the other
            app.refresh_from_db()
            response = render(request, "web/declaration_edit.html", workspace_context(app, form, conflict), status=409)
            response["Cache-Control"] = "no-store"
            return response
        if saved:
            messages.success(request, _("已保存。"))
        for line in [] if saved else _error_lines(form):
            messages.error(request, line)
        return redirect("declaration_edit", pk=app.pk)
    app.refresh_from_db()
    context = {"app": app, "saved": saved, "saved_at": clock.now(), "errors": _error_lines(form), "rescreened": rescreened,
               "conflict": conflict, "token": drafting.draft_token(app) if saved else ""}
    if rescreened:
        rows = checklist(app)
        context.update(decision=app.decision, conditions=described_conditions(app.decision), rows=rows,
                       missing=missing_materials(app, rows))
    return render(request, "web/_autosave.html", context)


@page("declaration_records")
@require_POST
def select_records(request, pk: int):
    app = _own_app(request, pk)
    kind = request.POST.get("kind", "")
    saved, errors = False, []
    if kind in ARCHIVE_MODELS:
        ids = object_ids(request.POST.getlist("record"))
        try:
            drafting.select_records(app, request.user, kind, ids)
            saved = True
        except TransitionError as exc:
            errors = exc.reasons
    if not _is_htmx(request):
        for error in errors[:1]:
            messages.error(request, error)
        return redirect(reverse("declaration_edit", args=[app.pk]) + "#records")
    return render(request, "web/_autosave.html", {"app": app, "saved": saved, "saved_at": clock.now(), "errors": errors})


def _row_response(request, app, item_id: int, error: str = ""):
    rows = checklist(app)
    row = next((r for r in rows if r.item.pk == item_id), None)
    if row is None:
        return HttpResponseBadRequest(error or _("没有这一项材料。"))
    return render(request, "web/_checklist_row.html", {"app": app, "rows": [row], "error": error,
                                                        "editable": not drafting.is_closed_draft(app), "missing": missing_materials(app, rows)})


@page("declaration_material")
@require_POST
def upload_material(request, pk: int):
    """One file for one item: a refused file is explained beside its item and nothing else changes."""
    app = _own_app(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    error = ""
    if not form.is_valid():
        error = "；".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            stored = store_upload(form.cleaned_data["file"], request.user)
            attach(app, request.user, form.cleaned_data["item"], stored)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        except TransitionError as exc:
            error = "；".join(exc.reasons)
    item = form.cleaned_data.get("item")  # is_valid() always leaves cleaned_data, without the invalid fields
    item_id = item.pk if item else 0
    if _is_htmx(request):
        return _row_response(request, app, item_id, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已上传。"))
    return redirect(reverse("declaration_edit", args=[app.pk]) + "#materials")


@page("declaration_material_retire")
def retire_material(request, pk: int, material_id: int):
    """Taking a file out asks first; submitted versions keep it."""
    app = _own_app(request, pk)
    material = get_object_or_404(ApplicationMaterial.objects.select_related("item", "file", "application"), pk=material_id, application=app)
    if request.method != "POST" and drafting.is_closed_draft(app):
        messages.error(request, drafting.closed_message(app.plan))  # nothing to ask: it could not be taken out
        return redirect(reverse("declaration_edit", args=[app.pk]) + "#materials")
    if request.method == "POST":
        try:
            retire(material, request.user)
        except TransitionError as exc:
            messages.error(request, exc.reasons[0])
        else:
            messages.success(request, _("已撤下：%(name)s") % {"name": material.file.original_name})
        return redirect(reverse("declaration_edit", args=[app.pk]) + "#materials")
    return render(request, "web/material_retire.html", {"app": app, "material": material})


@page("declaration_pledge")
@require_POST
def sign_pledge(request, pk: int):
    app = _own_app(request, pk)
    if request.POST.get("agree") != "yes":
        messages.error(request, _("请先阅读并勾选同意《职称申报诚信承诺书》。"))
    else:
        try:
            drafting.sign_pledge(app, request.user)
        except TransitionError as exc:
            messages.error(request, exc.reasons[0])
        else:
            messages.success(request, _("已签署诚信承诺书。"))
    return redirect(reverse("declaration_edit", args=[app.pk]) + "#pledge")


@page("declaration_fee")
@require_POST
def record_fee(request, pk: int):
    """八（五）: the applicant, or the employer collecting it, records the review fee with its receipt number."""
    app = get_object_or_404(Application.objects.for_user(request.user), pk=pk)
    form = FeeForm(request.POST)
    if form.is_valid():
        try:
            drafting.record_fee_payment(app, request.user, form.cleaned_data["reference"])
        except TransitionError as exc:
            for reason in exc.reasons:
                messages.error(request, reason)
        else:
            messages.success(request, _("已登记缴纳评审费。"))
    else:
        messages.error(request, _("请填写缴费凭证号。"))
    if app.person_id == request.user.person_id and app.state in drafting.EDITABLE_STATES:
        return redirect(reverse("declaration_edit", args=[app.pk]) + "#fee")
    return redirect("application_detail", pk=app.pk)
