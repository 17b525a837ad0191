"""The applicant's achievement archive: records with their evidence, reused by every declaration."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhicheng.accounts.permissions import page
from zhicheng.core.params import object_ids
from zhicheng.files.models import StoredFile
from zhicheng.files.services import name_in_archive, store_uploads, with_uploader_person
from zhicheng.people.codes import record_problems
from zhicheng.people.forms import PersonFactsForm, record_form_class, sign_kept, stated_facts, unsign_kept
from zhicheng.people.models import ARCHIVE_MODELS, person_fact_values
from zhicheng.people.services import delete_record, save_person_facts, save_record

from .files import serve


def _model(kind: str):
    try:
        return ARCHIVE_MODELS[kind]
    except KeyError:
        raise Http404(kind)


def sections(person):
    """Each kind of record with the person's records of it (one query per kind, evidence prefetched), each
    with what in it is outside its catalogue (stored before codes were chosen from a list)."""
    result = []
    for kind, model in ARCHIVE_MODELS.items():
        records = list(model.objects.filter(person=person).prefetch_related("evidence"))
        for record in records:
            record.problems = record_problems(record)
        result.append({"kind": kind, "label": model._meta.verbose_name, "records": records})
    return result


@page("archive")
def overview(request):
    person = request.user.person
    return render(request, "web/archive.html", {"person": person, "sections": sections(person),
                                                "facts": stated_facts(person_fact_values(person)), "person_problems": record_problems(person)})


@page("archive_person")
def person_facts(request):
    """The facts about the applicant the eligibility engine reads (and the two the forms print), typed once here."""
    person = request.user.person
    form = PersonFactsForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        unscreened = save_person_facts(person, request.user, {name: form.cleaned_data[name] for name in form.fields})
        messages.success(request, _("个人信息已保存。"))
        _warn_unscreened(request, unscreened)
        return redirect("archive")
    if request.method == "POST":  # is_valid() put the typed values on the person: the form shows them, the person keeps what is stored
        person.refresh_from_db()
    return render(request, "web/archive_person.html", {"form": form, "person": person})


def _warn_unscreened(request, reasons: list[str]) -> None:
    """The change is saved, but the open declarations could not be screened again: say what still needs correcting."""
    for reason in reasons:
        messages.warning(request, _("申报的资格预审未能更新：%(reason)s") % {"reason": reason})


def _edit(request, kind: str, record):
    form_class = record_form_class(kind)
    form = form_class(request.POST or None, request.FILES or None, instance=record)
    kept = StoredFile.objects.filter(pk__in=unsign_kept(request.POST.get("kept", ""))) if request.method == "POST" else []
    if request.method == "POST":
        # Every good file is kept even when another is refused or a field is wrong: nothing typed or sent is lost.
        stored, refused = store_uploads(request.FILES.getlist("evidence_files"), request.user)
        kept = list({f.pk: f for f in [*kept, *stored]}.values())
        valid = form.is_valid()
        for reason in refused:
            form.add_error("evidence_files", reason)
        if valid and not refused:
            drop = object_ids(request.POST.getlist("drop"))
            unscreened = save_record(form.instance, request.user, new_evidence=kept, drop_evidence_ids=drop)
            messages.success(request, _("已保存：%(record)s") % {"record": form.instance.summary()})
            _warn_unscreened(request, unscreened)
            return redirect(reverse("archive") + f"#{kind}")
        form.initial["kept"] = sign_kept([f.pk for f in kept])
        form.data = form.data.copy()
        form.data["kept"] = form.initial["kept"]
    return render(request, "web/archive_record.html", {
        "form": form, "kind": kind, "label": form_class._meta.model._meta.verbose_name, "record": record,
        "kept": kept, "evidence": list(record.evidence.all()) if record.pk else [],
    })


@page("archive_record_new")
def record_new(request, kind: str):
    model = _model(kind)
    return _edit(request, kind, model(person=request.user.person))


@page("archive_record_edit")
def record_edit(request, kind: str, pk: int):
    record = get_object_or_404(_model(kind), pk=pk, person=request.user.person)
    return _edit(request, kind, record)


@page("archive_record_delete")
def record_delete(request, kind: str, pk: int):
    """Deleting asks first: a confirmation page, then the POST (nothing goes in one click)."""
    record = get_object_or_404(_model(kind), pk=pk, person=request.user.person)
    if request.method == "POST":
        summary = record.summary()
        unscreened = delete_record(record, request.user)
        messages.success(request, _("已删除：%(record)s。已提交的申报仍保留提交时的记录。") % {"record": summary})
        _warn_unscreened(request, unscreened)
        return redirect("archive")
    return render(request, "web/archive_delete.html", {"record": record, "kind": kind, "label": record._meta.verbose_name})


@page("archive_file")
def evidence_file(request, sha256: str):
    person = request.user.person
    stored = get_object_or_404(with_uploader_person(StoredFile.objects.all()), sha256=sha256)
    owned = any(model.objects.filter(person=person, evidence=stored).exists() for model in ARCHIVE_MODELS.values())
    if not owned:
        raise Http404
    return serve(stored, name_in_archive(stored, person.pk))

