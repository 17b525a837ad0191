"""Files on the web: refused by content with a Chinese reason and a size limit in the message, the rest of
the form kept; served only to those who may see them; re-checked against their hash when read. The
archive: nothing deleted in one click, submitted versions keep their copy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations.models import SelectedRecord
from zhicheng.demo import applicants as P
from zhicheng.files.models import StoredFile
from zhicheng.files.services import MAX_UPLOAD_BYTES, store_file
from zhicheng.people.models import Education

from ..conftest import staff_of
from ..cycle_helpers import advance
from .helpers import EXECUTABLE, pdf_bytes, png_bytes, upload

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}

EDUCATION = {"level": "master", "school": "北京工业大学", "major": "结构工程", "full_time": "on", "graduated_on": "2010-07-01",
             "related_major": "on"}


@pytest.fixture(autouse=True)
def _in_the_declaration_period():
    """The drafts here are worked on within the 2021 declaration period: after 30 June a draft is read only (三（二））."""
    with clock.frozen(D(2021, 6, 1)):
        yield


@pytest.fixture
def applicant(make_applicant, client):
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)
    return app


@pytest.mark.django_db
def test_forged_executable_is_refused_in_chinese_and_the_form_survives(client, applicant):
    before = Education.objects.filter(person=applicant.person).count()
    response = client.post(reverse("archive_record_new", args=["education"]),
                           {**EDUCATION, "evidence_files": [upload("学位证书.pdf", EXECUTABLE)]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "文件“学位证书.pdf”的内容不是有效的PDF、JPEG、PNG文件（系统按文件内容而非扩展名判断）" in body
    assert 'value="北京工业大学"' in body and 'value="结构工程"' in body and 'value="2010-07-01"' in body
    assert Education.objects.filter(person=applicant.person).count() == before
    assert not StoredFile.objects.filter(original_name="学位证书.pdf").exists()


@pytest.mark.django_db
def test_oversize_file_is_refused_with_the_limit_in_the_message(client, applicant):
    big = b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES + b"\n%%EOF\n"
    response = client.post(reverse("archive_record_new", args=["education"]),
                           {**EDUCATION, "evidence_files": [upload("扫描件.pdf", big)]})
    body = response.content.decode()
    assert "超过了10.0 MB的上限，请压缩后重新上传" in body and "文件“扫描件.pdf”大小为10.0 MB" in body
    assert 'value="北京工业大学"' in body


@pytest.mark.django_db
def test_good_files_are_kept_when_another_is_refused(client, applicant):
    response = client.post(reverse("archive_record_new", args=["education"]), {
        **EDUCATION, "evidence_files": [upload("毕业证书.pdf", pdf_bytes("ok")), upload("照片.png", png_bytes(), "image/png"),
                                        upload("病毒.pdf", EXECUTABLE)]})
    body = response.content.decode()
    assert "毕业证书.pdf" in body and "照片.png" in body and "病毒.pdf" in body
    kept = response.context["form"]["kept"].value()
    # Sent again without files, the record is saved with the two files that passed.
    response = client.post(reverse("archive_record_new", args=["education"]), {**EDUCATION, "kept": kept})
    assert response.status_code == 302
    record = Education.objects.get(person=applicant.person, school="北京工业大学")
    assert sorted(f.original_name for f in record.evidence.all()) == ["毕业证书.pdf", "照片.png"]
    # A forged token keeps nothing.
    client.post(reverse("archive_record_new", args=["education"]), {**EDUCATION, "school": "伪造", "kept": kept + "x"})
    assert not Education.objects.get(person=applicant.person, school="伪造").evidence.exists()


@pytest.mark.django_db
def test_a_refused_material_leaves_the_checklist_as_it_was(client, applicant):
    from zhicheng.catalogue.models import MaterialItem

    item = MaterialItem.objects.get(code="work_summary")
    client.post(reverse("declaration_material", args=[applicant.pk]), {"item": item.pk, "file": upload("总结.pdf", pdf_bytes())}, **HX)
    row = client.post(reverse("declaration_material", args=[applicant.pk]), {"item": item.pk, "file": upload("总结2.pdf", EXECUTABLE)}, **HX)
    body = row.content.decode()
    assert 'role="alert"' in body and "不是有效的PDF、JPEG、PNG文件" in body and "总结.pdf" in body
    assert applicant.materials.count() == 1


@pytest.mark.django_db
def test_deleting_asks_first_and_submitted_versions_keep_their_copy(client, applicant):
    record = applicant.person.education_records.first()
    client.post(reverse("declaration_records", args=[applicant.pk]), {"kind": "education", "record": [record.pk]})
    with clock.frozen(D(2021, 6, 2)):
        from zhicheng.declarations.services import transition

        transition(applicant, "submit", applicant.person.account)
    confirm = client.get(reverse("archive_record_delete", args=["education", record.pk]))
    assert confirm.status_code == 200 and "确认删除" in confirm.content.decode()
    assert Education.objects.filter(pk=record.pk).exists(), "a GET deletes nothing"
    client.post(reverse("archive_record_delete", args=["education", record.pk]))
    assert not Education.objects.filter(pk=record.pk).exists()
    frozen = SelectedRecord.objects.get(application=applicant, kind="education", version=1)
    assert frozen.snapshot["school"] == record.school and frozen.snapshot["graduated_on"] == "2004-07-01"
    dossier = client.get(reverse("application_detail", args=[applicant.pk])).content.decode()
    assert record.school in dossier


@pytest.mark.django_db
def test_files_are_served_only_to_those_who_may_see_them(client, make_applicant, settings):
    app = make_applicant(P.regular_engineer())
    other = make_applicant(P.regular_engineer())
    stored = store_file("聘书.pdf", pdf_bytes("appointment"))
    record = app.person.titleheld_records.first()
    record.evidence.add(stored)
    client.force_login(app.person.account)
    client.post(reverse("declaration_records", args=[app.pk]), {"kind": "title", "record": [record.pk]})
    archive_url = reverse("archive_file", args=[stored.sha256])
    file_url = reverse("application_file", args=[app.pk, stored.sha256])
    assert client.get(archive_url).status_code == 200
    response = client.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"

    client.force_login(other.person.account)
    assert client.get(archive_url).status_code == 404
    assert client.get(file_url).status_code == 404
    assert client.get(reverse("application_file", args=[other.pk, stored.sha256])).status_code == 404

    app, _, day = advance(app, "submitted")
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        assert client.get(file_url).status_code == 200, "the employer sees the file of a submitted declaration"
    client.force_login(staff_of(other.unit.__class__.objects.get(name="包头钢铁（集团）有限责任公司")))
    assert client.get(file_url).status_code == 404, "another employer does not"

    # A changed byte on disk is noticed, not served.
    from zhicheng.files.services import _blob_path

    path = _blob_path(stored.sha256)
    path.write_bytes(path.read_bytes().replace(b"appointment", b"appointmenT"))
    client.force_login(app.person.account)
    tampered = client.get(file_url)
    assert tampered.status_code == 409 and "文件校验失败" in tampered.content.decode()


@pytest.mark.django_db
def test_a_file_name_never_reaches_another_person_who_uploads_the_same_bytes(client, make_applicant):
    """Files are stored once by content, under the first uploader's name; a second person's copy of the same
    bytes is shown and downloaded under a neutral name (the first name held someone's 身份证 number)."""
    from zhicheng.catalogue.models import MaterialItem

    first, second = make_applicant(P.regular_engineer()), make_applicant(P.regular_engineer())
    item = MaterialItem.objects.get(code="work_summary")
    data, leaked = pdf_bytes("the same scan"), "立项文件-彭敏-身份证150121197311197659.pdf"
    client.force_login(first.person.account)
    client.post(reverse("declaration_material", args=[first.pk]), {"item": item.pk, "file": upload(leaked, data)}, **HX)
    record = first.person.education_records.first()
    client.post(reverse("archive_record_edit", args=["education", record.pk]),
                {**EDUCATION, "school": record.school, "evidence_files": [upload(leaked, data)]})
    assert leaked in client.get(reverse("declaration_edit", args=[first.pk])).content.decode()
    assert leaked in client.get(reverse("archive")).content.decode()

    client.force_login(second.person.account)
    client.post(reverse("declaration_material", args=[second.pk]), {"item": item.pk, "file": upload("我的总结.pdf", data)}, **HX)
    theirs = second.person.education_records.first()
    client.post(reverse("archive_record_edit", args=["education", theirs.pk]),
                {**EDUCATION, "school": theirs.school, "evidence_files": [upload("我的学位证.pdf", data)]})
    import hashlib

    stored = StoredFile.objects.get(sha256=hashlib.sha256(data).hexdigest())  # stored once, under the first name
    neutral = f"文件-{stored.sha256[:8]}.pdf"
    for url in (reverse("declaration_edit", args=[second.pk]), reverse("application_detail", args=[second.pk]), reverse("archive")):
        page = client.get(url).content.decode()
        assert "150121197311197659" not in page and neutral in page, url
    client.post(reverse("declaration_records", args=[second.pk]), {"kind": "education", "record": [theirs.pk]})
    assert "150121197311197659" not in client.get(reverse("application_detail", args=[second.pk])).content.decode()
    for url in (reverse("application_file", args=[second.pk, stored.sha256]), reverse("archive_file", args=[stored.sha256])):
        response = client.get(url)
        assert response.status_code == 200 and "150121197311197659" not in response["Content-Disposition"], url

    # The first uploader still sees and downloads their own name.
    client.force_login(first.person.account)
    response = client.get(reverse("application_file", args=[first.pk, stored.sha256]))
    assert "%E8%BA%AB%E4%BB%BD%E8%AF%81150121197311197659" in response["Content-Disposition"]  # 身份证150121...


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "says", "not_says"), [
    ('{"records": [1, 2,]}'.encode(), "第1行第19列", "UTF-8"),  # readable text, a stray comma: say where
    ('{"name": "张三"}'.encode("gbk"), "UTF-8", "第"),  # GBK bytes: the encoding is the problem
])
def test_a_history_file_that_is_not_json_is_told_what_is_wrong(data, says, not_says):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhicheng.files.services import store_json

    stored = StoredFile.objects.count()
    with pytest.raises(ValidationError) as refused:
        store_json(SimpleUploadedFile("history.json", data, content_type="application/json"))
    message = refused.value.messages[0]
    assert says in message and not_says not in message
    assert StoredFile.objects.count() == stored  # nothing kept
