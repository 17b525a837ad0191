"""Every field that holds a code is a choice of the catalogue's labelled values: a value outside it is a form
error on that field, never a 500 and never a value handed to the eligibility engine (issue 14, defect 1).

The fields are discovered from the forms themselves, so a new choice field is walked without editing this
file; and a field of a record the engine reads whose name is a code in the facts contract
(facts.schema.json: series, level, via, sector ...) must be a choice, so a new free-text code fails here.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django import forms
from django.urls import reverse

from zhicheng.catalogue.models import AnnualPlan, Series
from zhicheng.core import clock
from zhicheng.declarations import forms as declaration_forms
from zhicheng.declarations.models import Application
from zhicheng.demo import applicants as P
from zhicheng.people.forms import RegistrationForm, record_form_class
from zhicheng.people.models import ARCHIVE_MODELS, TitleHeld, WorkPeriod
from zhicheng.people.services import FACT_KINDS
from zhicheng.policy.facts import SCHEMA_DIR

D = dt.date
OUTSIDE = "工程"  # what the walk typed where the code is `engineering`
HX = {"HTTP_HX_REQUEST": "true"}


def _enum_names(node, names=None) -> set[str]:
    """The property names the facts contract gives a closed list of codes."""
    names = set() if names is None else names
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "enum" in sub:
                names.add(name)
        for value in node.values():
            _enum_names(value, names)
    elif isinstance(node, list):
        for value in node:
            _enum_names(value, names)
    return names


CODE_NAMES = _enum_names(json.loads((SCHEMA_DIR / "facts.schema.json").read_text(encoding="utf-8")))
CHOICE_TYPES = (forms.ChoiceField, forms.ModelChoiceField, forms.ModelMultipleChoiceField)

FORMS = {
    **{f"archive:{kind}": record_form_class(kind) for kind in ARCHIVE_MODELS},
    "start": declaration_forms.StartForm,
    "draft": declaration_forms.DraftForm,
    "correction": declaration_forms.CorrectionForm,
    "material": declaration_forms.MaterialForm,
    "registration": RegistrationForm,
}


def _code_fields():
    """(form, field) for every choice field, and every field of an engine-read record named like a code."""
    found = []
    for form_name, form_class in FORMS.items():
        kind = form_name.removeprefix("archive:") if form_name.startswith("archive:") else None
        for name, field in form_class.base_fields.items():
            if isinstance(field, CHOICE_TYPES) or (kind in FACT_KINDS and name in CODE_NAMES):
                found.append((form_name, name))
    return found


CODE_FIELDS = _code_fields()


def test_the_walk_finds_the_fields_of_the_defect():
    assert ("archive:title", "series") in CODE_FIELDS and ("archive:work", "series") in CODE_FIELDS
    assert ("archive:qualification", "series") in CODE_FIELDS and ("start", "level") in CODE_FIELDS


@pytest.fixture
def draft(make_applicant):
    return make_applicant(P.regular_engineer())


def _bound(form_name: str, data: dict, app: Application):
    form_class = FORMS[form_name]
    if form_name.startswith("archive:"):
        model = form_class._meta.model
        return form_class(data, instance=model(person=app.person))
    if form_name == "draft":
        return form_class(data, instance=app)
    if form_name == "start":
        return form_class(data, private=True)
    return form_class(data)


@pytest.mark.django_db
@pytest.mark.parametrize("form_name,field_name", CODE_FIELDS, ids=[f"{f}.{n}" for f, n in CODE_FIELDS])
def test_a_value_outside_the_catalogue_is_a_form_error(client, draft, form_name, field_name):
    with clock.frozen(D(2021, 6, 1)):
        form = _bound(form_name, {}, draft)
        field = form.fields[field_name]
        assert isinstance(field, CHOICE_TYPES), f"{form_name}.{field_name} holds a code: it must be a choice, not free text"
        many = isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField))
        for outside in (OUTSIDE, "999999"):
            value = [outside] if many else outside
            form = _bound(form_name, {field_name: value}, draft)
            assert not form.is_valid()
            codes = {e.code for e in form.errors.as_data().get(field_name, [])}
            assert codes & {"invalid_choice", "invalid_pk_value", "invalid_list"}, (form_name, field_name, form.errors)
        if form_name.startswith("archive:"):
            kind = form_name.removeprefix("archive:")
            records = ARCHIVE_MODELS[kind].objects.filter(person=draft.person)
            before = records.count()
            client.force_login(draft.person.account)
            response = client.post(reverse("archive_record_new", args=[kind]), {field_name: OUTSIDE})
            assert response.status_code == 200 and field_name in response.context["form"].errors
            assert records.count() == before


@pytest.mark.django_db
def test_series_is_offered_with_its_name_and_saved_as_its_code(client, draft):
    client.force_login(draft.person.account)
    form = client.get(reverse("archive_record_new", args=["title"])).context["form"]
    assert ("engineering", "工程") in form.fields["series"].choices
    with clock.frozen(D(2021, 6, 1)):
        response = client.post(reverse("archive_record_new", args=["title"]), {
            "series": "engineering", "level": "associate_senior", "title_name": "高级工程师", "obtained_on": "2019-12-01",
            "via": "review"})
    assert response.status_code == 302
    assert TitleHeld.objects.filter(person=draft.person, series="engineering", obtained_on=D(2019, 12, 1)).exists()


@pytest.mark.django_db
def test_the_preview_and_the_start_refuse_what_is_outside_the_form_without_a_500(client, draft):
    client.force_login(draft.person.account)
    health = Series.objects.get(code="health")
    with clock.frozen(D(2021, 6, 1)):
        for params in ({"series": health.pk, "level": OUTSIDE}, {"series": OUTSIDE, "level": "intermediate"},
                       {"series": "99999999999999999999", "level": "intermediate"}, {"series": health.pk, "level": "intermediate",
                                                                                   "specialty": OUTSIDE}):
            assert client.get(reverse("declare_preview"), params, **HX).status_code == 200, params
            response = client.post(reverse("declare_start"), params)
            assert response.status_code == 200 and response.context["form"].errors, params
    assert list(Application.objects.filter(person=draft.person).values_list("series__code", flat=True)) == ["engineering"]


@pytest.mark.django_db
def test_stored_free_text_is_shown_as_invalid_and_nothing_answers_500(client, draft):
    """The data the free-text field stored before: the archive flags it, the edit form asks for a choice, the
    wizard explains it, a start leaves no draft, a save of another record saves and says what is still wrong,
    and submission is refused with the reason."""
    person = draft.person
    title = TitleHeld.objects.filter(person=person).order_by("-obtained_on").first()
    TitleHeld.objects.filter(pk=title.pk).update(series=OUTSIDE)
    client.force_login(person.account)
    health = Series.objects.get(code="health")
    with clock.frozen(D(2021, 6, 1)):
        archive = client.get(reverse("archive")).content.decode()
        assert "需更正" in archive and "“工程”不是职称系列目录中的值" in archive
        edit = client.get(reverse("archive_record_edit", args=["title", title.pk]))
        assert edit.status_code == 200 and "series" in edit.context["form"].errors
        assert "原填写的“工程”不是职称系列目录中的值" in edit.content.decode()

        preview = client.get(reverse("declare_preview"), {"series": health.pk, "level": "intermediate"}, **HX)
        assert preview.status_code == 200 and "暂时无法预审" in preview.content.decode()
        start = client.post(reverse("declare_start"), {"series": health.pk, "level": "intermediate"})
        page = start.content.decode()
        assert start.status_code == 200 and "不是职称系列目录中的值" in page
        assert "暂时无法预审" in page and page.count('id="id_specialty"') == 1, "the panel explains it too, no second select"
        assert not Application.objects.filter(person=person, series=health).exists(), "no half-done start"

        work = WorkPeriod.objects.filter(person=person).first()
        saved = client.post(reverse("archive_record_edit", args=["work", work.pk]), {
            "employer_name": work.employer_name, "started_on": work.started_on.isoformat(), "professional": "on",
            "series": "engineering", "unit_level": work.unit_level, "sector": work.sector, "post": "结构工程师"}, follow=True)
        assert saved.status_code == 200 and "申报的资格预审未能更新" in saved.content.decode()
        work.refresh_from_db()
        assert work.post == "结构工程师", "the valid change is saved"
        draft.refresh_from_db()
        assert draft.decision is None and draft.eligible is None, "a decision that no longer describes the archive is withdrawn"

        workspace = client.get(reverse("declaration_edit", args=[draft.pk]))
        assert workspace.status_code == 200 and "不是职称系列目录中的值" in workspace.content.decode()
        submitted = client.post(reverse("application_act", args=[draft.pk]), {"action": "submit"}, follow=True)
        assert submitted.status_code == 200 and "不是职称系列目录中的值" in submitted.content.decode()
        draft.refresh_from_db()
        assert draft.state == "draft"

        fixed = client.post(reverse("archive_record_edit", args=["title", title.pk]), {
            "series": "engineering", "level": title.level, "title_name": title.title_name,
            "obtained_on": title.obtained_on.isoformat(), "via": title.via}, follow=True)
        assert "申报的资格预审未能更新" not in fixed.content.decode()
    draft.refresh_from_db()
    assert draft.decision and draft.eligible, "corrected, the draft is screened again"


@pytest.mark.django_db
def test_the_yearly_rescreen_keeps_a_declaration_it_cannot_read_and_says_why(make_applicant):
    from tests.cycle_helpers import advance
    from zhicheng.declarations.jobs import _rescreen_result
    from zhicheng.declarations.screening import rescreen_year

    app, _, day = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    TitleHeld.objects.filter(person=app.person).update(series=OUTSIDE)
    with clock.frozen(day):
        changes = rescreen_year(AnnualPlan.objects.get(year=2021).year)
    app.refresh_from_db()
    assert app.eligible and app.decision
    [kept] = [c for c in changes if c.application_id == app.pk]
    assert not kept.screened and kept.after_eligible == kept.before_eligible and "不是职称系列目录中的值" in " ".join(kept.reasons)
    summary = _rescreen_result(2021, changes, 1)["summary"]
    assert "没有结论发生变化的申报" in summary and "1份因档案中有需更正的记录未能重新审查，保留原结论" in summary


@pytest.mark.django_db
def test_a_typed_project_level_becomes_its_code_and_what_cannot_be_read_is_asked_again(client, draft):
    """Project.level was free text: the migration reads what people typed as the level's code, keeps what it
    cannot read, and the record's form names that and asks for a choice instead of emptying it unseen."""
    import importlib

    from django.apps import apps

    from zhicheng.people.models import Project

    migration = importlib.import_module("zhicheng.people.migrations.0002_project_level_choices")
    person = draft.person
    typed = {"国家重点研发计划": "national", "自治区级": "provincial", "包头市科技局": "prefectural", "达拉特旗": "county",
             "企业横向合作": "commissioned", "院级": "unit", "provincial": "provincial", "重点": "重点", "": ""}
    projects = {text: Project.objects.create(person=person, name=f"项目{i}", role_in_project="主持人", level=text,
                                             started_on=D(2019, 1, 1)) for i, text in enumerate(typed)}
    migration.typed_to_code(apps, None)
    assert {text: Project.objects.get(pk=p.pk).level for text, p in projects.items()} == typed

    client.force_login(person.account)
    kept = client.get(reverse("archive_record_edit", args=["project", projects["重点"].pk]))
    assert kept.status_code == 200 and "level" in kept.context["form"].errors
    assert "原填写的“重点”不是可选项中的值，请重新选择。" in kept.content.decode()
    assert "需更正" in client.get(reverse("archive")).content.decode()
    read = client.get(reverse("archive_record_edit", args=["project", projects["自治区级"].pk]))
    assert not read.context["form"].errors and read.context["form"]["level"].value() == "provincial"
    assert '<option value="provincial" selected>省部级（含自治区级）</option>' in read.content.decode()
