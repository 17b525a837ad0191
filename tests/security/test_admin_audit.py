"""Every write in the back office is audited, or the model is read-only there (issue 12, finding 2);
evidence files that a declaration or an archive refers to are never deleted."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.db import models, transaction
from django.test import RequestFactory

from zhicheng.accounts.models import User
from zhicheng.audit.admin_mixins import AuditedAdmin
from zhicheng.audit.models import AuditEntry
from zhicheng.audit.services import verify_chain
from zhicheng.catalogue.models import Series, Specialty
from zhicheng.core import clock
from zhicheng.declarations.models import CorrectionNotice, SelectedRecord
from zhicheng.demo import applicants as P
from zhicheng.files.models import StoredFile
from zhicheng.files.services import FileInUse, store_file
from zhicheng.orgs.models import Organisation, OrgKind
from zhicheng.people.models import TitleHeld
from zhicheng.publicity.models import CalendarDay

PASSWORD = "pw-for-tests-only"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def root(db, settings):
    settings.STAFF_SECOND_FACTOR = False  # the second factor has its own tests (tests/security/test_totp.py)
    return User.objects.create_superuser("root-audit", "root@example.org", PASSWORD, role="regional_hr_department",
                                         organisation=Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def _entries(action, model_label):
    return AuditEntry.objects.filter(action=action, object_type=model_label)


def _writes(model_admin, request) -> bool:
    return (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request))


@pytest.mark.django_db
def test_every_registered_admin_is_audited_or_read_only(root):
    request = RequestFactory().get("/admin/")
    request.user = root
    unaudited, unaudited_actions = [], []
    for model, model_admin in admin.site._registry.items():
        if _writes(model_admin, request) and not isinstance(model_admin, AuditedAdmin):
            unaudited.append(model._meta.label)
        for name, (func, _name, _description) in model_admin.get_actions(request).items():
            # delete_selected goes through the audited delete_queryset; any other action must write its entry.
            if name != "delete_selected" and not (hasattr(func, "__wrapped__") or getattr(func, "writes_own_audit", False)):
                unaudited_actions.append(f"{model._meta.label}.{name}")
    assert unaudited == [] and unaudited_actions == []
    # The third-party registrations are covered too, not only the project's own.
    assert {"auth.Group", "django_tasks_database.DBTaskResult"} <= {m._meta.label for m in admin.site._registry}


def _form_data(form) -> dict:
    """What a browser would post back for an admin form as the page shows it."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, (list, tuple)):
            value = [str(getattr(v, "pk", v)) for v in value]
        data[bound.html_name] = value
    return data


def test_add_change_and_delete_through_the_admin_views_are_audited(admin_client):
    url = "/admin/publicity/calendarday/"
    response = admin_client.post(url + "add/", {"date": "2031-10-08", "is_working_day": "on", "note": "调休"})
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get(date=dt.date(2031, 10, 8))
    added = _entries("admin.add", "publicity.calendarday").get(object_id=str(day.pk))
    assert added.after["note"] == "调休" and added.actor_name == "root-audit"

    assert admin_client.post(f"{url}{day.pk}/change/", {"date": "2031-10-08", "note": "国庆调休"}).status_code == 302
    changed = _entries("admin.change", "publicity.calendarday").get(object_id=str(day.pk))
    assert (changed.before["is_working_day"], changed.after["is_working_day"]) == (True, False)
    assert changed.after["note"] == "国庆调休"

    assert admin_client.post(f"{url}{day.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert _entries("admin.delete", "publicity.calendarday").get(object_id=str(day.pk)).before["note"] == "国庆调休"
    assert verify_chain().ok


def test_each_inline_row_added_changed_or_deleted_is_audited(admin_client):
    prefix = "specialties"
    response = admin_client.post("/admin/catalogue/series/add/", {
        "code": "audit-test", "name": "审计测试", "sort_order": "99",
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000", f"{prefix}-0-name": "甲专业",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    series = Series.objects.get(code="audit-test")
    first = Specialty.objects.get(series=series, name="甲专业")
    assert _entries("admin.add", "catalogue.series").filter(object_id=str(series.pk)).exists()
    assert _entries("admin.add", "catalogue.specialty").get(object_id=str(first.pk)).after["name"] == "甲专业"

    page = admin_client.get(f"/admin/catalogue/series/{series.pk}/change/")
    data = _form_data(page.context["adminform"].form)
    formset = page.context["inline_admin_formsets"][0].formset
    data |= _form_data(formset.management_form) | _form_data(formset.forms[0])
    data |= {f"{prefix}-0-name": "甲专业（改）", f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-1-name": "乙专业"}
    assert admin_client.post(f"/admin/catalogue/series/{series.pk}/change/", data).status_code == 302
    second = Specialty.objects.get(series=series, name="乙专业")
    changed = _entries("admin.change", "catalogue.specialty").get(object_id=str(first.pk))
    assert (changed.before["name"], changed.after["name"]) == ("甲专业", "甲专业（改）")
    assert _entries("admin.add", "catalogue.specialty").filter(object_id=str(second.pk)).exists()

    page = admin_client.get(f"/admin/catalogue/series/{series.pk}/change/")
    formset = page.context["inline_admin_formsets"][0].formset
    data = _form_data(page.context["adminform"].form) | _form_data(formset.management_form)
    for form in formset.forms:
        data |= _form_data(form)
    deleted_index = next(i for i, form in enumerate(formset.forms) if form.instance.pk == second.pk)
    data[f"{prefix}-{deleted_index}-DELETE"] = "on"
    assert admin_client.post(f"/admin/catalogue/series/{series.pk}/change/", data).status_code == 302
    assert not Specialty.objects.filter(pk=second.pk).exists()
    assert _entries("admin.delete", "catalogue.specialty").get(object_id=str(second.pk)).before["name"] == "乙专业"
    assert verify_chain().ok


def _all_entries_text() -> str:
    return json.dumps(list(AuditEntry.objects.values("summary", "before", "after")), ensure_ascii=False, default=str)


def test_a_password_change_in_the_admin_is_audited_without_the_password(admin_client, root):
    response = admin_client.post("/admin/accounts/user/add/", {
        "username": "new-clerk", "password1": "Lq8!vz#Rm29wXp", "password2": "Lq8!vz#Rm29wXp", "usable_password": "true",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    clerk = User.objects.get(username="new-clerk")
    assert "password" not in _entries("admin.add", "accounts.user").get(object_id=str(clerk.pk)).after

    new_password = "Zt5$kw!Pq83nVb"
    response = admin_client.post(f"/admin/accounts/user/{clerk.pk}/password/", {
        "password1": new_password, "password2": new_password, "usable_password": "true", "set-password": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    clerk.refresh_from_db()
    assert clerk.check_password(new_password)
    entry = _entries("admin.password_change", "accounts.user").get(object_id=str(clerk.pk))
    assert entry.actor_id == root.pk and entry.after == {"usable_password": True}
    text = _all_entries_text()
    assert new_password not in text and clerk.password not in text and "pbkdf2" not in text

    # Disabling password sign-in is a change of the same kind.
    response = admin_client.post(f"/admin/accounts/user/{clerk.pk}/password/", {"usable_password": "false", "unset-password": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _entries("admin.password_change", "accounts.user").filter(object_id=str(clerk.pk)).count() == 2
    assert verify_chain().ok


def test_a_correction_notice_cannot_be_deleted_in_the_admin(admin_client, make_applicant):
    app = make_applicant(P.regular_engineer())
    notice = CorrectionNotice.objects.create(application=app, items=["补交学历证书"], deadline=dt.date(2021, 7, 1),
                                             issued_by=User.objects.filter(is_superuser=False).first(), issued_at=clock.now())
    assert admin_client.post(f"/admin/declarations/correctionnotice/{notice.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post("/admin/declarations/correctionnotice/",
                      {"action": "delete_selected", "_selected_action": [notice.pk], "post": "yes"})
    assert CorrectionNotice.objects.filter(pk=notice.pk).exists()
    assert admin_client.get(f"/admin/declarations/correctionnotice/{notice.pk}/change/").status_code == 200  # readable


@pytest.fixture
def evidence(db, make_applicant):
    """A stored file that is the evidence of a title record in an applicant's archive."""
    app = make_applicant(P.regular_engineer())
    stored = store_file("中级职称证书.pdf", PDF)
    record = TitleHeld.objects.filter(person=app.person).first()
    record.evidence.add(stored)
    return app, record, stored


def test_an_evidence_file_is_not_deleted_in_the_admin(admin_client, evidence):
    _app, record, stored = evidence
    assert admin_client.get(f"/admin/files/storedfile/{stored.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/files/storedfile/{stored.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post("/admin/files/storedfile/",
                                 {"action": "delete_selected", "_selected_action": [stored.pk], "post": "yes"})
    assert response.status_code == 200
    assert "“中级职称证书.pdf”是专业技术资格的佐证材料，不能删除" in response.content.decode()
    assert StoredFile.objects.filter(pk=stored.pk).exists() and list(record.evidence.all()) == [stored]
    assert not _entries("admin.delete", "files.storedfile").exists()


def test_an_evidence_file_is_not_deleted_by_any_other_path(evidence):
    app, record, stored = evidence
    with pytest.raises(FileInUse, match="专业技术资格"):
        stored.delete()
    with pytest.raises(FileInUse):
        StoredFile.objects.filter(pk=stored.pk).delete()
    # Below the model's own checks, the pre_delete guard refuses too (a cascade would take this path).
    with pytest.raises(FileInUse), transaction.atomic():
        models.QuerySet.delete(StoredFile.objects.filter(pk=stored.pk))
    assert list(record.evidence.all()) == [stored]

    # The applicant removes the record from the archive; a submitted version still holds it, by the file's hash.
    SelectedRecord.objects.create(application=app, kind="title", record_id=record.pk, version=1,
                                  snapshot={"title_name": record.title_name, "evidence": [stored.sha256]})
    record.delete()
    with pytest.raises(FileInUse, match="已提交申报的档案快照"):
        StoredFile.objects.get(pk=stored.pk).delete()


def test_an_unreferenced_file_may_be_deleted_audited_and_its_bytes_stay(admin_client):
    stored = store_file("误传文件.pdf", PDF + b"%unused\n%%EOF\n")
    blob = Path(django_settings.MEDIA_ROOT) / stored.relative_path
    response = admin_client.post("/admin/files/storedfile/",
                                 {"action": "delete_selected", "_selected_action": [stored.pk], "post": "yes"})
    assert response.status_code == 302
    assert not StoredFile.objects.filter(pk=stored.pk).exists()
    assert _entries("admin.delete", "files.storedfile").get(object_id=str(stored.pk)).before["sha256"] == stored.sha256
    assert blob.exists()  # bytes are named by their hash and never removed: the same upload finds them again
    assert store_file("误传文件.pdf", PDF + b"%unused\n%%EOF\n").sha256 == stored.sha256


def test_every_admin_list_and_a_person_s_read_only_archive_still_show(admin_client, evidence):
    app, _record, stored = evidence
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(f"/admin/people/person/{app.person.pk}/change/")
    assert page.status_code == 200 and "中级" in page.content.decode()
    inlines = page.context["inline_admin_formsets"]
    assert inlines and not any(f.has_add_permission or f.has_change_permission or f.has_delete_permission for f in inlines)
    assert admin_client.get(f"/admin/files/storedfile/{stored.pk}/change/").status_code == 200
