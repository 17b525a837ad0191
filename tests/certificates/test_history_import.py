"""Importing past title records from Excel: all or nothing, every bad row named, and verifiable afterwards."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from zhicheng.certificates.history import HEADER, import_history
from zhicheng.certificates.models import Certificate, CertificateKind
from zhicheng.certificates.lookups import look_up
from zhicheng.demo.ids import id_number
from zhicheng.people.models import Person, TitleHeld

TODAY = dt.date(2021, 9, 15)


def _workbook(rows) -> io.BytesIO:
    wb = Workbook()
    sheet = wb.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _good_rows():
    return [
        ["王建国", id_number("150102", dt.date(1970, 3, 4), 11), "工程", "副高级", "高级工程师", dt.date(2008, 12, 20),
         "内蒙古自治区工程系列高级职称评审委员会", "NM2008-GC-0001"],
        ["王建国", id_number("150102", dt.date(1970, 3, 4), 11), "工程", "正高级", "正高级工程师", "2016-12-25",
         "内蒙古自治区工程系列高级职称评审委员会", "NM2016-GC-0042"],
        ["乌云其其格", id_number("150402", dt.date(1982, 7, 9), 22), "卫生", "中级", "主治医师", "2014/10/01",
         "赤峰市卫生系列中级职称评审委员会", "CF2014-WS-0107"],
    ]


@pytest.mark.django_db
def test_good_file_becomes_archive_titles_and_verifiable_certificates(scene):
    actor = scene["roles"].regional_hr
    report = import_history(_workbook(_good_rows()), actor, today=TODAY)
    assert report.ok and report.imported == 3 and report.people_created == 2
    person = Person.objects.get(name="王建国")
    assert person.birth_date == dt.date(1970, 3, 4)
    assert sorted(TitleHeld.objects.filter(person=person).values_list("title_name", flat=True)) == ["正高级工程师", "高级工程师"]
    cert = Certificate.objects.get(number="CF2014-WS-0107")
    assert cert.kind == CertificateKind.HISTORY and cert.approval_date == dt.date(2014, 10, 1)
    verification = look_up(ip="10.0.0.1", channel="api", number="CF2014-WS-0107", name="乌云其其格")
    assert verification is not None and verification.valid


@pytest.mark.django_db
def test_existing_person_is_reused(scene):
    person = scene["a"].person
    rows = [[person.name, person.id_number, "卫生", "中级", "主治医师", "2012-10-01", "鄂尔多斯市卫生系列中级职称评审委员会", "ORD2012-0001"]]
    report = import_history(_workbook(rows), scene["roles"].regional_hr, today=TODAY)
    assert report.ok and report.people_created == 0
    assert TitleHeld.objects.filter(person=person, certificate_number="ORD2012-0001").exists()


@pytest.mark.django_db
def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(scene):
    existing = scene["a"].person
    rows = _good_rows() + [
        ["", id_number("150102", dt.date(1975, 1, 1), 31), "工程", "中级", "工程师", "2010-01-01", "某评委会", "X-1"],        # row 5: no name
        ["张三", "150102198001011234", "工程", "中级", "工程师", "2010-01-01", "某评委会", "X-2"],                              # row 6: bad checksum
        ["李四", id_number("150102", dt.date(1976, 1, 1), 41), "炼金", "中级", "工程师", "2010-01-01", "某评委会", "X-3"],     # row 7: no such series
        ["赵五", id_number("150102", dt.date(1977, 1, 1), 51), "工程", "特级", "工程师", "2010-01-01", "某评委会", "X-4"],     # row 8: no such level
        ["钱六", id_number("150102", dt.date(1978, 1, 1), 61), "工程", "中级", "高级工程师", "2010-01-01", "某评委会", "X-5"],  # row 9: title mismatch
        ["孙七", id_number("150102", dt.date(1979, 1, 1), 71), "工程", "中级", "工程师", "去年", "某评委会", "X-6"],           # row 10: bad date
        ["周八", id_number("150102", dt.date(1980, 1, 1), 81), "工程", "中级", "工程师", "2010-01-01", "某评委会", "NM2008-GC-0001"],  # row 11: duplicate number
        ["吴九", existing.id_number, "工程", "中级", "工程师", "2010-01-01", "某评委会", "X-8"],                               # row 12: name differs from record
        ["郑十", id_number("150102", dt.date(1981, 1, 1), 91), "工程", "中级", "工程师", "2010-01-01", "", ""],                 # row 13: no committee, no number
    ]
    people, titles, certificates = Person.objects.count(), TitleHeld.objects.count(), Certificate.objects.count()
    report = import_history(_workbook(rows), scene["roles"].regional_hr, today=TODAY)
    assert not report.ok and report.imported == 0
    assert [e.row for e in report.errors] == list(range(5, 14))
    messages = {e.row: "；".join(e.messages) for e in report.errors}
    assert "姓名" in messages[5] and "校验位" in messages[6] and "炼金" in messages[7] and "特级" in messages[8]
    assert "应为“工程师”" in messages[9] and "取得时间" in messages[10] and "第2行重复" in messages[11]
    assert existing.name in messages[12] and "评审委员会" in messages[13] and "证书编号" in messages[13]
    assert (Person.objects.count(), TitleHeld.objects.count(), Certificate.objects.count()) == (people, titles, certificates)


@pytest.mark.django_db
def test_a_title_before_its_holder_could_work_is_a_bad_row(scene):
    """1850 for a holder born in 1980, 2015 for one born in 2010: the date is checked against the birth the number
    gives, as the archive's own dates are."""
    rows = _good_rows() + [
        ["冯一", id_number("150102", dt.date(1980, 1, 1), 13), "工程", "中级", "工程师", "1850-01-01", "某评委会", "X-9"],
        ["陈二", id_number("150102", dt.date(2010, 1, 1), 23), "工程", "正高级", "正高级工程师", "2015-12-01", "某评委会", "X-10"],
    ]
    report = import_history(_workbook(rows), scene["roles"].regional_hr, today=TODAY)
    assert not report.ok and report.imported == 0
    messages = {e.row: "；".join(e.messages) for e in report.errors}
    assert sorted(messages) == [5, 6]
    assert "取得时间早于持证人年满14周岁（1994-01-01）" in messages[5] and "（2024-01-01）" in messages[6]


@pytest.mark.django_db
def test_missing_columns_and_non_workbooks_are_refused(scene):
    wb = Workbook()
    wb.active.append(["姓名", "身份证号码"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    report = import_history(out, scene["roles"].regional_hr, today=TODAY)
    assert not report.ok and "缺少列" in str(report.errors[0]) and "证书编号" in str(report.errors[0])
    report = import_history(io.BytesIO(b"not a workbook"), scene["roles"].regional_hr, today=TODAY)
    assert not report.ok and "xlsx" in str(report.errors[0])


@pytest.mark.django_db
def test_import_page_lists_bad_rows_then_imports_a_good_file(client, scene):
    """The page keeps the workbook and starts a job; the job's page ends with the report (the worker is
    played here by run_job.call; tests/jobs/test_long_work.py runs real workers)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from openpyxl import DEFUSEDXML

    from zhicheng.jobs.models import Job
    from zhicheng.jobs.runner import run_job

    assert DEFUSEDXML, "uploaded workbooks must be parsed through defusedxml"
    client.force_login(scene["roles"].regional_hr)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def import_page(rows) -> str:
        response = client.post(reverse("history_import"), {"workbook": SimpleUploadedFile("h.xlsx", _workbook(rows).read(), xlsx)})
        job = Job.objects.latest("pk")
        assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
        run_job.call(job.pk)
        return client.get(response["Location"]).content.decode()

    bad = _good_rows() + [["孙七", id_number("150102", dt.date(1979, 1, 1), 71), "工程", "中级", "工程师", "去年", "某评委会", "X-6"]]
    page = import_page(bad)
    assert "第5行" in page and "取得时间" in page and not Certificate.objects.filter(number="X-6").exists()
    assert "已导入3条" in import_page(_good_rows())
    template = client.get(reverse("history_import"), {"template": 1})
    report = import_history(io.BytesIO(template.content), scene["roles"].regional_hr, today=TODAY)
    assert report.ok, report.errors  # the template's sample row is itself valid


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook_is_refused_at_once(client, scene):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from zhicheng.jobs.models import Job

    client.force_login(scene["roles"].regional_hr)
    page = client.post(reverse("history_import"), {"workbook": SimpleUploadedFile("h.xlsx", b"%PDF-1.4 not a workbook", "application/pdf")})
    assert page.status_code == 200 and ".xlsx" in page.content.decode() and not Job.objects.exists()
