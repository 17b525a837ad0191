"""Reading and writing Excel workbooks with openpyxl (read-only / write-only modes for large files).

Workbooks are often uploads: openpyxl parses them through defusedxml (a project dependency),
which refuses entity-expansion bombs. A .xlsx is a zip of XML parts, and a small upload can
decompress to gigabytes (one cell of 1 GB, a shared-strings table of 1 GB, a billion blank
rows): read_rows first checks the package (_inspect) and refuses such a file before
openpyxl parses anything, then reads rows under a row, cell-length and time bound.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass

from defusedxml import ElementTree
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

MB = 1024 * 1024

# Limits of the package, from the largest legitimate workbook: the history import's 100,000 rows
# (tests/jobs/test_long_work.py and bench/history_import.py; measured December 2026):
#   written by openpyxl (inline strings)        sheet XML 53.8 MB, compressed 10.4:1, 9 parts
#   written like Excel (shared strings)          sheet XML 35.5 MB, sharedStrings.xml 5.8 MB
#   styles.xml 2.6 KB, theme 10 KB, every other part under 1 KB.
# The history import allows 200,000 rows (twice the largest file expected); the limits leave
# about 1.5 times that again, so that longer texts than the generated ones still fit.
MAX_PARTS = 1000  # Excel writes 10 to 20; a workbook with many sheets and drawings some hundreds
MAX_CENTRAL_DIRECTORY = 1 * MB  # the zip's table of parts (about 1 KB a part at most)
MAX_SHEET_BYTES = 160 * MB
MAX_SHARED_STRINGS_BYTES = 24 * MB
# Every other part (styles, theme, workbook, relations, drawings, pictures) openpyxl may parse whole,
# building objects: a 4 MB styles.xml of cell formats takes it 2.3 s. Measured together 15 KB.
MAX_PART_BYTES = 1 * MB
MAX_OTHER_PARTS_BYTES = 2 * MB
MAX_TOTAL_BYTES = 256 * MB
MAX_RATIO = 100  # XML deflates about 10:1; a bomb 1000:1. Checked for parts over RATIO_FROM bytes.
RATIO_FROM = 1 * MB
# Inside the first sheet and the shared strings. openpyxl keeps a row's XML elements until the row
# ends, and every element outside the rows for the whole read: these bound what it holds.
MAX_ROW_BYTES = 256 * 1024  # a data row is under 1 KB; 20 columns of 2,000 Chinese characters 120 KB
MAX_OUTSIDE_ROWS_BYTES = 1 * MB  # the sheet's header and trailer (views, columns, merges, page setup)
MAX_STRING_BYTES = 64 * 1024  # one shared string with its formatting runs
# Cells: no field any import reads is longer than a few hundred characters.
MAX_CELL_CHARS = 2000
MAX_CELL_XML_BYTES = 4 * MAX_CELL_CHARS  # a text run of the XML: UTF-8 and entities take more bytes than characters
MAX_COLUMNS = 100
BLANK_ROWS = 1000  # blank rows allowed beyond a reader's row limit (they count toward it: a sheet of blank rows ends early)


class WorkbookUnreadable(ValueError):
    pass


@dataclass
class SheetRow:
    number: int  # the row number as Excel shows it
    values: dict[str, object]


class Rows:
    """The data rows read_rows returns (iterate once), with the number of the sheet's last row, counted
    before parsing (for a progress bar; the last row may be blank)."""

    def __init__(self, rows: Iterator[SheetRow], last_row: int):
        self._rows, self.last_row = rows, last_row

    def __iter__(self) -> Iterator[SheetRow]:
        return self._rows


def _refuse_damaged(name: str):
    return WorkbookUnreadable(_("文件中的“%(part)s”部分已损坏或与声明的大小不符，未予读取。请在 Excel 中打开该文件，另存为新的 .xlsx 文件后重新上传。")
                              % {"part": name})


def _refuse_split(max_rows: int) -> str:
    return _("请把表格拆分为每个文件不超过%(rows)d行后分批上传。") % {"rows": max_rows}


def _too_many_rows(max_rows: int, row: int) -> WorkbookUnreadable:
    """Data rows beyond ``max_rows``, or a row numbered beyond them and BLANK_ROWS blank ones."""
    return WorkbookUnreadable(_("表格超过了%(limit)d行数据的上限（读到第%(row)d行仍未结束），未予导入。") % {"limit": max_rows, "row": row}
                              + _refuse_split(max_rows))


class _Deadline:
    def __init__(self, seconds: float, max_rows: int):
        self.seconds, self.max_rows, self.at = seconds, max_rows, time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise WorkbookUnreadable(_("读取该文件超过了%(seconds)d秒的时限，未予导入。") % {"seconds": self.seconds}
                                     + _refuse_split(self.max_rows))


class _Scan:
    """Checks the XML of the first sheet (element ``row``) or of the shared strings (``si``) as it is
    decompressed, with regular expressions over each chunk (C speed; no element is built):

    - no comment, CDATA, document type or processing instruction (Excel writes none; without them every
      ``<`` starts a tag, so the tags found here are the ones the parser will see);
    - every ``row``/``si`` element, and all the bytes outside them together, stay under their limits;
    - no text run (a cell's text) is longer than MAX_CELL_XML_BYTES;
    - rows: their numbers (``r``, or one more than the last) and their count stay within ``max_rows`` data
      rows, the header and BLANK_ROWS blank rows.
    """

    MARKUP = re.compile(rb"<[!?]")
    PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^<>]*\?>")
    LONG_TEXT = re.compile(rb">[^<]{%d}" % (MAX_CELL_XML_BYTES + 1))
    HEAD = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]{0,200}:)?")
    NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d{1,9})["']""")

    def __init__(self, name: str, element: bytes, limit: int, max_rows: int | None = None):
        self.name, self.limit, self.max_rows, self.rows = name, limit, max_rows, element == b"row"
        # A start, end or empty tag of the element, with or without a namespace prefix, found by its name
        # (a regular expression starting at every "<" takes seconds for 100,000 rows); attribute values are
        # skipped whole (they may hold "/>").
        self.name_at = re.compile(rb"%s(?=[\s/>])" % element)
        self.rest = re.compile(rb"""%s((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>""" % element)
        self.pending, self.offset = b"", 0  # bytes from the last "<" on (a tag may continue), and where they start
        self.inside, self.mark, self.outside = False, 0, 0
        self.row = self.count = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        window = self.pending + data
        cut = len(window) if final else max(window.rfind(b"<"), 0)
        # A tag holds no "<" and a text run ends at one: everything before the last "<" is complete.
        long_text = self.LONG_TEXT.search(window)  # also a run still open at the chunk's end
        # Up to the long text only (its ">" closes the tag before it), so that the row counted is the one it is in,
        # not the last row the chunk reaches.
        self._scan(window[:long_text.start() + 1] if long_text else window[:cut], self.offset)
        if long_text:
            where = _("约在第%(row)d行") % {"row": self.row} if self.rows else self.name
            raise WorkbookUnreadable(_("表格中有单元格的内容超过%(limit)d个字符（%(where)s），未予导入。请检查该单元格。")
                                     % {"limit": MAX_CELL_CHARS, "where": where})
        self.offset += cut
        self.pending = window[cut:]
        self._check_open(self.offset + len(self.pending))
        if final:
            self.outside += 0 if self.inside else self.offset - self.mark
            self._check_open(self.offset)

    def _scan(self, part: bytes, base: int) -> None:
        start = 0
        if base == 0 and (prolog := self.PROLOG.match(part)):
            start = prolog.end()
        if self.MARKUP.search(part, start):
            raise WorkbookUnreadable(_("表格中含有 Excel 不会写入的内容（注释、CDATA、文档类型声明或处理指令），未予读取。"
                                       "请在 Excel 中打开该文件，另存为新的 .xlsx 文件后重新上传。"))
        for name in self.name_at.finditer(part):
            here = name.start()
            if part[here - 1:here] == b"<":  # the usual <row ...>, without a prefix (at 0 the slice is empty)
                lt, closing = here - 1, False
            else:
                lt = part.rfind(b"<", max(0, here - 256), here)
                head = self.HEAD.fullmatch(part, lt, here) if lt >= 0 else None
                if head is None:
                    continue  # the name in a text, or in another tag's name
                closing = bool(head.group(1))
            if not (found := self.rest.match(part, here)):
                raise self._malformed()
            at, end = base + lt, base + found.end()
            if closing:  # </row>
                if not self.inside:
                    raise self._malformed()
                self._check_open(end)
                self.inside, self.mark = False, end
                continue
            if self.inside:  # a row inside a row
                raise self._malformed()
            self.outside += at - self.mark
            self.count += 1
            attributes = found.group(1)
            number = self.NUMBER.search(attributes) if b"r" in attributes else None
            self.row = int(number.group(1)) if number else self.row + 1
            if self.max_rows is not None and max(self.row, self.count) > self.max_rows + 1 + BLANK_ROWS:
                raise _too_many_rows(self.max_rows, max(self.row, self.count))
            empty = attributes.endswith(b"/")
            self.inside, self.mark = not empty, (end if empty else at)

    def _check_open(self, now: int) -> None:
        if self.inside and now - self.mark > self.limit:
            where = _("第%(row)d行") % {"row": self.row} if self.rows else _("第%(n)d个文字") % {"n": self.count}
            raise WorkbookUnreadable(_("文件中的“%(part)s”%(where)s超过了%(limit)d KB的上限，未予导入。请检查表格的这一部分。")
                                     % {"part": self.name, "where": where, "limit": self.limit // 1024})
        if not self.inside and self.outside + now - self.mark > MAX_OUTSIDE_ROWS_BYTES:
            raise WorkbookUnreadable(_("文件中的“%(part)s”在数据以外的内容超过了%(limit)d MB，不像是正常的 Excel 表格，未予读取。"
                                       "请把数据复制到新建的 Excel 表格中，另存为 .xlsx 后重新上传。")
                                     % {"part": self.name, "limit": MAX_OUTSIDE_ROWS_BYTES // MB})

    def _malformed(self):
        return _refuse_damaged(self.name)


def _part_limit(name: str) -> int:
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return MAX_SHEET_BYTES
    if name == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS_BYTES
    return MAX_PART_BYTES


def _read_part(package: zipfile.ZipFile, info: zipfile.ZipInfo, deadline: _Deadline, sink=None) -> None:
    """Decompress a part a chunk at a time, counting: refused as soon as it passes the size its header
    declared (which _inspect checked), whatever zipfile makes of that header. Each chunk goes to
    ``sink`` (a scan, a list to keep, or nowhere)."""
    count = 0
    try:
        with package.open(info) as stream:
            while chunk := stream.read(1 << 16):
                count += len(chunk)
                if count > info.file_size:
                    raise _refuse_damaged(info.filename)
                deadline.check()
                if sink is not None:
                    sink(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # zipfile stops at the declared size: the checksum fails
        raise _refuse_damaged(info.filename) from exc


def _part_bytes(package: zipfile.ZipFile, info: zipfile.ZipInfo, deadline: _Deadline) -> bytes:
    kept = []
    _read_part(package, info, deadline, kept.append)
    return b"".join(kept)


def _first_sheet(read) -> str:
    """The package path of the first sheet (the one read_rows reads), from the workbook and its relations."""
    workbook = ElementTree.fromstring(read("xl/workbook.xml"))
    sheet = next(e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet")
    relation = next(value for name, value in sheet.attrib.items() if name.rsplit("}", 1)[-1] == "id")
    relations = ElementTree.fromstring(read("xl/_rels/workbook.xml.rels"))
    target = next(e.get("Target") for e in relations.iter() if e.get("Id") == relation)
    return target[1:] if target.startswith("/") else f"xl/{target}"


def open_package(source) -> zipfile.ZipFile:
    """The upload as a zip package, once the size of its table of parts is known to be a workbook's:
    zipfile would read the whole table into memory and build an object per part (a 47 MB table of a
    million parts: 10 s and 370 MB). Every reader of an uploaded workbook opens it here."""
    unreadable = WorkbookUnreadable(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。"))
    try:
        source.seek(0)
        end = zipfile._EndRecData(source)  # the record ZipFile itself uses (zip64 included)
        if end is None:
            raise unreadable
        if end[zipfile._ECD_SIZE] > MAX_CENTRAL_DIRECTORY:
            raise WorkbookUnreadable(_("该文件包含的部分过多，不像是正常的 Excel 表格，未予读取。请在 Excel 中打开该文件，另存为新的 .xlsx 文件后重新上传。"))
        source.seek(0)
        return zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise unreadable from exc


def _inspect(source, max_rows: int, deadline: _Deadline) -> tuple[str, int]:
    """Refuse (WorkbookUnreadable) a workbook whose package is larger than any real one, before it is parsed:
    too many parts, a part or the whole too large or too compressed by its headers, a part that
    decompresses to more than its header says, or a first sheet / shared-strings table whose XML breaks
    the limits of _Scan. Every part is decompressed once, a chunk at a time. Returns the first sheet's
    package path and the number of its last row."""
    unreadable = WorkbookUnreadable(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。"))
    with open_package(source) as package:
        parts = package.infolist()
        if len(parts) > MAX_PARTS:
            raise WorkbookUnreadable(_("该文件包含%(count)d个部分，超过了%(limit)d个的上限，不像是正常的 Excel 表格，未予读取。"
                                       "请在 Excel 中打开该文件，另存为新的 .xlsx 文件后重新上传。") % {"count": len(parts), "limit": MAX_PARTS})
        total = other = 0
        for info in parts:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
                raise unreadable  # Excel compresses with deflate and never encrypts a part
            total += info.file_size
            limit = _part_limit(info.filename)
            other += info.file_size if limit == MAX_PART_BYTES else 0
            if info.file_size > limit or total > MAX_TOTAL_BYTES:
                raise WorkbookUnreadable(_("文件中的“%(part)s”解压后为%(size)d MB，超过了%(limit)d MB的上限，未予读取。")
                                         % {"part": info.filename, "size": -(-info.file_size // MB),
                                            "limit": (limit if info.file_size > limit else MAX_TOTAL_BYTES) // MB}
                                         + _refuse_split(max_rows))
            if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
                raise WorkbookUnreadable(_("文件中的“%(part)s”压缩比为%(ratio)d:1，远超正常的 Excel 表格（约10:1），"
                                           "可能是恶意构造的文件，未予读取。请在 Excel 中打开该文件，另存为新的 .xlsx 文件后重新上传。")
                                         % {"part": info.filename, "ratio": info.file_size // max(info.compress_size, 1)})
            if other > MAX_OTHER_PARTS_BYTES:
                raise WorkbookUnreadable(_("文件中表格以外的部分（样式、图片等）解压后超过了%(limit)d MB的上限，未予读取。"
                                           "请把数据复制到新建的 Excel 表格中，另存为 .xlsx 后重新上传。") % {"limit": MAX_OTHER_PARTS_BYTES // MB})
        by_name = {info.filename: info for info in parts}
        if len(by_name) != len(parts):
            raise unreadable  # two parts of one name: the checks and the parser could read different ones
        try:
            sheet = _first_sheet(lambda name: _part_bytes(package, by_name[name], deadline))
            scans = {sheet: _Scan(sheet, b"row", MAX_ROW_BYTES, max_rows),
                     "xl/sharedStrings.xml": _Scan("xl/sharedStrings.xml", b"si", MAX_STRING_BYTES)}
            for info in parts:
                scan = scans.get(info.filename)
                _read_part(package, info, deadline, scan and scan.feed)
                if scan:
                    scan.feed(b"", final=True)
        except WorkbookUnreadable:
            raise
        except (KeyError, StopIteration, zipfile.BadZipFile, ElementTree.ParseError, ValueError, OSError, EOFError) as exc:
            raise unreadable from exc
        if sheet not in by_name or sheet == "xl/sharedStrings.xml":
            raise unreadable
        return sheet, scans[sheet].row


def read_rows(source, columns: dict[str, tuple[str, ...]], *, max_rows: int,
              seconds: float) -> tuple[list[str], Rows]:
    """Rows of the first sheet as dicts keyed by our field names.

    ``columns`` maps a field name to the header texts accepted for it. Returns the fields
    whose header is missing, and an iterator over the non-empty data rows.

    The file is refused (WorkbookUnreadable) before it is parsed when its package breaks the limits
    (_inspect), and while its rows are read when it has more than ``max_rows`` data rows (blank
    rows count toward the limit beyond BLANK_ROWS of them), a cell longer than MAX_CELL_CHARS, or when
    reading takes more than ``seconds`` from the call (the caller's own work on the rows included).
    """
    deadline = _Deadline(seconds, max_rows)
    sheet_path, last_row_seen = _inspect(source, max_rows, deadline)
    try:
        source.seek(0)
        workbook = load_workbook(source, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookUnreadable(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。")) from exc
    if getattr(sheet, "_worksheet_path", None) != sheet_path:  # the sheet _inspect checked
        workbook.close()
        raise WorkbookUnreadable(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。"))
    with closing(sheet.iter_rows(max_row=1, values_only=True)) as first:
        header = [str(h).strip() if h is not None else "" for h in next(first, ())]
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    if width > MAX_COLUMNS:
        workbook.close()
        raise WorkbookUnreadable(_("表头超过了%(limit)d列，不像是本系统的导入模板，未予导入。请使用下载的模板填写。") % {"limit": MAX_COLUMNS})
    index = {}
    for name, labels in columns.items():
        for i, h in enumerate(header):
            if h in labels:
                index[name] = i
                break
    missing = [name for name in columns if name not in index]
    last_row = max_rows + 1 + BLANK_ROWS  # the header, the rows, blank rows

    def iterate() -> Iterator[SheetRow]:
        data_rows = 0
        try:
            # Only the header's columns: a cell far to the right would otherwise widen every row.
            for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=max(width, 1), values_only=True), start=2):
                deadline.check()
                if number > last_row:
                    raise _too_many_rows(max_rows, number)
                if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                    continue
                data_rows += 1
                if data_rows > max_rows:
                    raise _too_many_rows(max_rows, number)
                for column, value in enumerate(row, start=1):
                    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                        raise WorkbookUnreadable(_("第%(row)d行%(column)s列的内容有%(length)d个字符，超过了%(limit)d个字符的上限，未予导入。请检查该单元格。")
                                                 % {"row": number, "column": get_column_letter(column), "length": len(value), "limit": MAX_CELL_CHARS})
                yield SheetRow(number, {name: (row[i] if i < len(row) else None) for name, i in index.items()})
        finally:
            workbook.close()

    return missing, Rows(iterate(), last_row_seen)


# A text starting with one of these is read by spreadsheet programs as a formula (or the start of one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _as_data(sheet, value):
    """A text that a spreadsheet would take for a formula becomes a text cell shown as typed (quote prefix)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def write_workbook(sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]]) -> bytes:
    """A workbook of (sheet title, header, rows); write-only, so it streams large row sets.
    Every cell is data: no text becomes a formula."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_as_data(sheet, v) for v in header])
        for row in rows:
            sheet.append([_as_data(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
