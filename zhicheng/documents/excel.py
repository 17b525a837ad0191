"""Reading and writing Excel workbooks with openpyxl (read-only / write-only modes for large files).

Workbooks are often uploads: openpyxl parses them through defusedxml (a project dependency),
which refuses entity-expansion bombs.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

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
