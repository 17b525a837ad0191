"""Reading and writing Excel workbooks with openpyxl (read-only / write-only modes for large files).

Workbooks are often uploads: openpyxl parses them through defusedxml (a project dependency),
which refuses entity-expansion bombs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from defusedxml import ElementTree
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell


class WorkbookUnreadable(ValueError):
    pass


@dataclass
class SheetRow:
    number: int  # the row number as Excel shows it
    values: dict[str, object]


def read_rows(source, columns: dict[str, tuple[str, ...]]) -> tuple[list[str], Iterator[SheetRow]]:
    """Rows of the first sheet as dicts keyed by our field names.

    ``columns`` maps a field name to the header texts accepted for it. Returns the fields
    whose header is missing, and an iterator over the non-empty data rows.
    """
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookUnreadable(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    index = {}
    for name, labels in columns.items():
        for i, h in enumerate(header):
            if h in labels:
                index[name] = i
                break
    missing = [name for name in columns if name not in index]

    def iterate() -> Iterator[SheetRow]:
        try:
            for number, row in enumerate(rows, start=2):
                if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                    continue
                yield SheetRow(number, {name: (row[i] if i < len(row) else None) for name, i in index.items()})
        finally:
            workbook.close()

    return missing, iterate()


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+\d+:)?[A-Z]+(\d+)"')
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _first_sheet(package: zipfile.ZipFile) -> str:
    """The package path of the first sheet (the one read_rows reads), from the workbook and its relations."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    sheet = next(e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet")
    relation = next(value for name, value in sheet.attrib.items() if name.rsplit("}", 1)[-1] == "id")
    relations = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    target = next(e.get("Target") for e in relations.iter() if e.get("Id") == relation)
    return target[1:] if target.startswith("/") else f"xl/{target}"


def last_row_number(source) -> int | None:
    """The number of the first sheet's last row, for a progress bar: from the sheet's <dimension> when it
    has one (Excel writes it; openpyxl's write-only mode does not), else by counting the <row> tags of
    its XML as it is decompressed, without parsing it (a fraction of a second for 100,000 rows, where
    openpyxl would parse every cell). None if it cannot tell."""
    try:
        with zipfile.ZipFile(source) as package, package.open(_first_sheet(package)) as xml:
            chunk = xml.read(1 << 16)
            if found := _DIMENSION.search(chunk):
                return int(found.group(1))
            count, pending = 0, b""
            while chunk:
                window = pending + chunk
                cut = len(window) - 16  # a tag starting after this may be cut short: counted with the next chunk
                count += sum(1 for m in _ROW.finditer(window) if m.start() < cut)
                pending, chunk = window[cut:], xml.read(1 << 20)
            return count + len(_ROW.findall(pending)) or None
    except Exception:  # the file is not a workbook: read_rows says so
        return None


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
