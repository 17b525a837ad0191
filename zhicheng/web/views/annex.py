"""The forms of the notice's annex as PDFs: a declaration's 评审表 and 送审表 for whoever may see its
dossier, and a publicity's 送审表 in one file for its publisher (六（一） publicises them in the unit).
Nothing here is public: the public publicity page lists names only."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from zhicheng.accounts.permissions import page
from zhicheng.accounts.roles import Role
from zhicheng.declarations import annex_forms
from zhicheng.declarations.models import Application

from .publicity import publicities_for


def _pdf(data: bytes, ascii_name: str, name: str, download: bool) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


def _form(request, pk: int, form: str) -> HttpResponse:
    app = get_object_or_404(Application.objects.for_user(request.user).select_related(*annex_forms.FORM_RELATED), pk=pk)
    if app.version == 0:
        raise Http404  # nothing submitted yet: the forms print what a submission froze
    try:
        version = int(request.GET.get("version", app.version))
    except ValueError:
        version = app.version
    version = max(1, min(version, app.version))
    owner = request.user.role == Role.APPLICANT and app.person_id == request.user.person_id
    c = annex_forms.content([app], {app.pk: version}, full_id={app.pk} if owner else set())[app.pk]
    name = f"{annex_forms.TITLES[form]}-{c['name']}-{c['year']}-第{version}版.pdf"
    return _pdf(annex_forms.form_pdf(form, c), annex_forms.filename(form, c), name, "download" in request.GET)


@page("application_review_form")
def review_form(request, pk: int):
    return _form(request, pk, annex_forms.REVIEW_FORM)


@page("application_summary_form")
def summary_form(request, pk: int):
    return _form(request, pk, annex_forms.SUMMARY_FORM)


@page("publicity_summary_forms")
def publicity_summary_forms(request, pk: int):
    """The publicity's 送审表, a sheet per person, in the order of its list: what the unit posts."""
    publicity = get_object_or_404(publicities_for(request.user), pk=pk)
    order = list(publicity.entries.order_by("pk").values_list("application_id", flat=True))
    apps = {a.pk: a for a in Application.objects.for_user(request.user).filter(pk__in=order, version__gt=0)
            .select_related(*annex_forms.FORM_RELATED)}
    apps = [apps[pk] for pk in order if pk in apps]
    if not apps:
        raise Http404
    contents = annex_forms.content(apps, {a.pk: a.version for a in apps})
    data = annex_forms.publicity_summary_forms_pdf([contents[a.pk] for a in apps])
    return _pdf(data, f"summary-forms-publicity-{publicity.pk}.pdf", f"{annex_forms.TITLES[annex_forms.SUMMARY_FORM]}-{publicity.title}.pdf",
                "download" in request.GET)
