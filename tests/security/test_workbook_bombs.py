"""Workbook bombs (issue 12, finding 6): a small .xlsx that decompresses to hundreds of megabytes is
refused in under 2 s with under 200 MB of memory, by read_rows (the one reader of every import) and
through the pages of the history import (a job) and of the expert-pool import (in the request).

The bombs are built here with zipfile and deflate, at 300 MB rather than the finding's 1.1 GB (the
limits that refuse them are a sixth of that): one sheet with one 300 MB cell, a 300 MB shared-strings
table, 300 MB of blank rows, and sheets whose zip headers lie about their size.

Memory is the growth of the peak resident size, which counts every allocation, C ones (zlib, expat)
included. read_rows runs in a child Python (the bomb's path on its command line) that reports its
resource.getrusage ru_maxrss before and after the read: no earlier test's memory is in it. The pages
run in the test process, whose kernel peak (VmHWM) is reset just before (/proc/self/clear_refs); memory
an earlier test freed but the allocator kept could be reused unseen there, which the child rules out
for the reader itself. (tracemalloc would see only Python objects, and slows the scan of 200,000 rows
twenty-fold.)
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhicheng.certificates import history
from zhicheng.documents import excel
from zhicheng.documents.excel import WorkbookUnreadable, read_rows
from zhicheng.jobs.models import Job, JobStatus
from zhicheng.jobs.runner import run_job

from ..conftest import staff_of
from ..review.kit import ENGINEERING, Kit

MB = 1024 * 1024
BOMB = 300 * MB
SECONDS, MEMORY_MB = 2.0, 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>",
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="历年职称记录" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>",
}
SHEET_START = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_END = b"</sheetData></worksheet>"
HEADER_ROW = ('<row r="1">' + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in history.HEADER) + "</row>").encode()
EMPTY = excel.write_workbook([("历年职称记录", history.HEADER, [])])


def _repeat(unit: bytes, total: int):
    block = unit * (MB // len(unit))
    for _ in range(total // len(block)):
        yield block


def _package(path: Path, sheet, strings=(b'<sst xmlns="%s"/>' % MAIN.encode(),)) -> Path:
    """A workbook whose sheet and shared strings are written from chunks (never whole in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, text in PARTS.items():
            package.writestr(name, text)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            with package.open(name, "w") as out:
                for chunk in chunks:
                    out.write(chunk)
    return path


def _declare(path: Path, part: str, size: int) -> Path:
    """Rewrite the uncompressed size the zip's headers (local and central) give for ``part``."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info, at = package.getinfo(part), package.start_dir
        while data[at:at + 4] == b"PK\x01\x02":
            name_length, extra_length, comment_length = struct.unpack_from("<3H", data, at + 28)
            if data[at + 46:at + 46 + name_length].decode() == part:
                struct.pack_into("<L", data, at + 24, size)
            at += 46 + name_length + extra_length + comment_length
    struct.pack_into("<L", data, info.header_offset + 22, size)
    out = path.with_name(f"lying-{path.name}")
    out.write_bytes(bytes(data))
    return out


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    cell = _package(folder / "one-cell.xlsx", [SHEET_START, HEADER_ROW, b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                                                *_repeat(b"a", BOMB), b"</t></is></c></row>", SHEET_END])
    strings = _package(folder / "shared-strings.xlsx",
                       [SHEET_START, HEADER_ROW, b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>', SHEET_END],
                       [b'<sst xmlns="%s">' % MAIN.encode(), *_repeat(b"<si><t>\xe5\xbc\xa0\xe4\xb8\x89</t></si>", BOMB), b"</sst>"])
    blank = _package(folder / "blank-rows.xlsx", [SHEET_START, HEADER_ROW, *_repeat(b"<row/>", BOMB), SHEET_END])
    return {
        "one 300 MB cell": cell,
        "300 MB shared strings": strings,
        "300 MB of blank rows": blank,
        # The headers say 8 MB: under every size limit, and 8 MB over the compressed size passes the ratio.
        "one-cell sheet declared 8 MB": _declare(cell, "xl/worksheets/sheet1.xml", 8 * MB),
        "blank-row sheet declared 8 MB": _declare(blank, "xl/worksheets/sheet1.xml", 8 * MB),
    }


CHILD = """
import json, os, resource, sys, time
import django
django.setup()
from zhicheng.documents.excel import WorkbookUnreadable, read_rows
from zhicheng.certificates.history import COLUMNS
path, max_rows = sys.argv[1], int(sys.argv[2])
before, started = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.monotonic()
try:
    with open(path, "rb") as source:
        missing, rows = read_rows(source, COLUMNS, max_rows=max_rows, seconds=60)
        outcome = "read %d rows" % sum(1 for _ in rows)
except WorkbookUnreadable as exc:
    outcome = "refused: " + str(exc)
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"seconds": time.monotonic() - started, "grown_mb": grown, "outcome": outcome}))
"""


def _read_in_child(path: Path, max_rows: int) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhicheng.settings"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(max_rows)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name, reason", [
    ("one 300 MB cell", "“xl/worksheets/sheet1.xml”解压后为301 MB，超过了160 MB的上限"),
    ("300 MB shared strings", "“xl/sharedStrings.xml”解压后为300 MB，超过了24 MB的上限"),
    ("300 MB of blank rows", "“xl/worksheets/sheet1.xml”解压后为300 MB，超过了160 MB的上限"),
    ("one-cell sheet declared 8 MB", "单元格的内容超过2000个字符（约在第2行）"),
    ("blank-row sheet declared 8 MB", "表格超过了200000行数据的上限（读到第201002行仍未结束）"),
])
def test_each_bomb_is_refused_by_read_rows_in_under_2_s_and_200_mb(bombs, name, reason):
    measured = _read_in_child(bombs[name], history.MAX_ROWS)
    assert measured["outcome"].startswith("refused: ") and reason in measured["outcome"], measured
    assert measured["seconds"] < SECONDS and measured["grown_mb"] < MEMORY_MB, measured


def test_a_part_that_decompresses_to_more_than_its_header_says_is_refused(tmp_path):
    """A plain sheet of 300 MB whose headers say 1 MB: nothing in the first megabyte breaks a limit, and the
    part is refused as damaged when it passes the size it declared."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(2, 30_000))
    lying = _declare(_package(tmp_path / "plain.xlsx", [SHEET_START, HEADER_ROW, rows, *_repeat(b" ", BOMB), SHEET_END]),
                     "xl/worksheets/sheet1.xml", 1 * MB)
    measured = _read_in_child(lying, history.MAX_ROWS)
    assert "“xl/worksheets/sheet1.xml”部分已损坏或与声明的大小不符" in measured["outcome"], measured
    assert measured["seconds"] < SECONDS and measured["grown_mb"] < MEMORY_MB, measured


def _structure(tmp_path, body: bytes, name="sheet.xlsx") -> Path:
    return _package(tmp_path / name, [SHEET_START, HEADER_ROW, body, SHEET_END])


@pytest.mark.parametrize("body, reason", [
    (b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>', "表格超过了10行数据的上限（读到第1048576行"),  # skipping to the end
    (b'<row r="2"><c r="A2"><v>1</v></c></row>' * 1100, "表格超过了10行数据的上限（读到第1012行"),  # one number, many rows
    (b'<row r="2">' + b"<c/>" * 70_000 + b"</row>", "第2行超过了256 KB的上限"),  # a row of many cells
    (b"".join(b"<j%d/>" % n for n in range(150_000)), "在数据以外的内容超过了1 MB"),  # elements openpyxl keeps to the end
    (b"<!--" + b"<row/>" * 10 + b"-->", "注释、CDATA"),  # rows hidden from the count in a comment
    (b'<row r="2"><c t="inlineStr"><is><t>' + "张".encode() * 9000 + b"</t></is></c></row>", "单元格的内容超过2000个字符"),
])
def test_a_sheet_breaking_a_structural_limit_is_refused_before_it_is_parsed(tmp_path, body, reason):
    with pytest.raises(WorkbookUnreadable, match=reason):
        read_rows(_structure(tmp_path, body).open("rb"), history.COLUMNS, max_rows=10, seconds=10)


def test_rows_and_cells_over_the_readers_limits_are_refused_with_the_row_number(tmp_path):
    good = ["张三", "150102198001011234", "工程", "中级", "工程师", "2015-12-20", "某委员会", "H1"]

    def cells(values):
        return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values).encode()

    many = _structure(tmp_path, b"".join(b"<row>" + cells(good) + b"</row>" for _ in range(11)), "many.xlsx")
    _, rows = read_rows(many.open("rb"), history.COLUMNS, max_rows=10, seconds=10)
    with pytest.raises(WorkbookUnreadable, match="超过了10行数据的上限（读到第12行仍未结束）"):
        list(rows)
    long = _structure(tmp_path, b"<row>" + cells([*good[:7], "号" * 2001]) + b"</row>", "long.xlsx")
    _, rows = read_rows(long.open("rb"), history.COLUMNS, max_rows=10, seconds=10)
    with pytest.raises(WorkbookUnreadable, match="第2行H列的内容有2001个字符，超过了2000个字符的上限"):
        list(rows)


def test_styles_and_other_parts_openpyxl_parses_whole_are_kept_small(tmp_path):
    """A styles.xml of 1.5 MB of cell formats (openpyxl builds an object for each), and three parts of 0.9 MB."""
    def package(parts):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as written:
            for name, text in {**PARTS, "xl/worksheets/sheet1.xml": SHEET_START + HEADER_ROW + SHEET_END, **parts}.items():
                written.writestr(name, text)
        return out

    formats = b"".join(b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0"/>' % (n * 7919 % 100_003) for n in range(30_000))
    styles = b'<styleSheet xmlns="%s"><cellXfs>%s</cellXfs></styleSheet>' % (MAIN.encode(), formats)
    with pytest.raises(WorkbookUnreadable, match="“xl/styles.xml”解压后为2 MB，超过了1 MB的上限"):
        read_rows(package({"xl/styles.xml": styles}), history.COLUMNS, max_rows=10, seconds=10)
    thirds = {f"xl/media/image{n}.png": os.urandom(900 * 1024) for n in range(3)}
    with pytest.raises(WorkbookUnreadable, match="表格以外的部分（样式、图片等）解压后超过了2 MB的上限"):
        read_rows(package(thirds), history.COLUMNS, max_rows=10, seconds=10)


def _many_parts(count: int = 30_000) -> bytes:
    """A zip whose table lists `count` parts (30,000: 1.4 MB)."""
    name = b"p"
    table = b"".join(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) + name
                     for _ in range(count))
    return table + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(table), 0, 0)


def test_too_many_parts_are_refused_from_the_end_record_before_zipfile_reads_the_table(tmp_path):
    """Refused without building the table's entries."""
    with pytest.raises(WorkbookUnreadable, match="包含的部分过多"):
        read_rows(io.BytesIO(_many_parts()), history.COLUMNS, max_rows=10, seconds=10)


def test_the_upload_is_checked_the_same_way_before_it_is_stored(monkeypatch):
    """The history upload keeps the workbook for its job after checking it is one: that check opens the
    package as read_rows does, so a huge table of parts never reaches zipfile in the request either."""
    from django.core.exceptions import ValidationError

    from zhicheng.files.services import store_workbook

    def refuse(*args, **kwargs):
        raise AssertionError("zipfile read the table of parts")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", refuse)
    with pytest.raises(ValidationError, match="包含的部分过多"):
        store_workbook(SimpleUploadedFile("many.xlsx", _many_parts()))


def test_a_legitimate_workbook_of_thousands_of_rows_still_reads(tmp_path):
    """5,000 rows written by openpyxl (the bench's writer), through read_rows with the history import's limits."""
    rows = [[f"张{n}", f"15010219800101{n:04d}", "工程", "中级", "工程师", "2015-12-20", "内蒙古自治区工程系列职称评审委员会", f"H{n:09d}"]
            for n in range(5000)]
    data = excel.write_workbook([("历年职称记录", history.HEADER, rows)])
    missing, read = read_rows(io.BytesIO(data), history.COLUMNS, max_rows=history.MAX_ROWS, seconds=history.READ_SECONDS)
    assert read.last_row == 5001
    read = list(read)
    assert missing == [] and len(read) == 5000 and read[-1].number == 5001 and read[-1].values["number"] == "H000004999"


@pytest.mark.django_db
def test_the_largest_history_workbook_is_under_every_limit_with_room_for_twice_its_rows():
    """The 100,000-row workbook the long-work test imports, generated the same way (about 2 s), and the one
    openpyxl writes (the bench's; 20 s for 100,000 rows, so measured on 5,000 and scaled): twice their
    sizes (the history import accepts 200,000 rows) stay under the limits, and the first passes the whole
    inspection with its rows counted."""
    from tests.jobs.test_long_work import _history_rows, _xlsx

    rows = _history_rows(100_000)
    largest = _xlsx(history.HEADER, rows)
    assert read_rows(io.BytesIO(largest), history.COLUMNS, max_rows=history.MAX_ROWS, seconds=60)[1].last_row == 100_001
    sizes = {}
    for data, scale in ((largest, 1), (excel.write_workbook([("历年职称记录", history.HEADER, rows[:5000])]), 20)):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for info in package.infolist():
                assert info.file_size <= excel.RATIO_FROM or info.file_size < excel.MAX_RATIO * info.compress_size / 5
                sizes[info.filename] = max(sizes.get(info.filename, 0), info.file_size * scale)
    assert 40 * MB < sizes["xl/worksheets/sheet1.xml"] and 2 * sizes["xl/worksheets/sheet1.xml"] < excel.MAX_SHEET_BYTES
    others = [size for name, size in sizes.items() if name != "xl/worksheets/sheet1.xml"]
    assert all(2 * size < excel.MAX_PART_BYTES for size in others) and 2 * sum(others) < excel.MAX_OTHER_PARTS_BYTES
    assert 2 * sum(sizes.values()) < excel.MAX_TOTAL_BYTES


def _memory(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))  # kB


def _bounded(work):
    """Run ``work``; its seconds and how far it raised this process's peak resident memory above what was
    resident before, in MB (the kernel's peak is reset first: writing 5 to /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before, started = _memory("VmRSS:"), time.monotonic()
    result = work()
    return result, time.monotonic() - started, (_memory("VmHWM:") - before) / 1024


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["one 300 MB cell", "300 MB shared strings", "blank-row sheet declared 8 MB"])
def test_the_history_import_page_refuses_a_bomb_in_its_job(client, bombs, name):
    from zhicheng.orgs.models import Organisation, OrgKind

    client.force_login(staff_of(Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)))

    def upload_and_run(data):
        upload = SimpleUploadedFile("history.xlsx", data, XLSX)
        assert client.post(reverse("history_import"), {"workbook": upload}).status_code == 302
        job = Job.objects.latest("pk")
        run_job.call(job.pk)
        job.refresh_from_db()
        return job

    bomb = bombs[name].read_bytes()
    upload_and_run(EMPTY)  # a warm server: the first request's imports are not the bomb's
    job, seconds, peak = _bounded(lambda: upload_and_run(bomb))
    assert job.status == JobStatus.FAILED and "未予" in job.result["details"][0]["reason"], (job.error, job.result)
    assert seconds < SECONDS and peak < MEMORY_MB, (seconds, peak)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["one 300 MB cell", "300 MB of blank rows", "blank-row sheet declared 8 MB"])
def test_the_pool_import_page_refuses_a_bomb_in_the_request(client, bombs, name):
    client.force_login(Kit(ENGINEERING).office)

    def upload(data):
        return client.post(reverse("expert_import"), {"workbook": SimpleUploadedFile("pool.xlsx", data, XLSX)})

    bomb = bombs[name].read_bytes()
    upload(EMPTY)  # a warm server: the first request's imports are not the bomb's
    response, seconds, peak = _bounded(lambda: upload(bomb))
    page = response.content.decode()
    assert response.status_code == 200 and "未予" in page, page
    if name == "blank-row sheet declared 8 MB":
        assert "表格超过了2000行数据的上限" in page  # the pool's own row limit
    assert seconds < SECONDS and peak < MEMORY_MB, (seconds, peak)


def test_the_pool_upload_form_refuses_a_file_larger_than_any_pool():
    from zhicheng.review.forms import ImportForm

    big = SimpleUploadedFile("pool.xlsx", b"0" * (ImportForm.MAX_BYTES + 1))
    form = ImportForm(files={"workbook": big})
    assert not form.is_valid()
    assert "文件超过5MB" in form.errors["workbook"][0]
    assert ImportForm(files={"workbook": SimpleUploadedFile("pool.xlsx", b"0" * 1000)}).is_valid()
