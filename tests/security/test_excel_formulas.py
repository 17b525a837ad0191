"""Finding 4 (issue 11): no exported cell is a formula. A registered name such as
=HYPERLINK("http://evil.example","查看") used to come out of the filing roster as a live link,
next to full 身份证 numbers."""

from __future__ import annotations

import io
import pathlib

import pytest
from openpyxl import load_workbook

from zhicheng.certificates import rendering
from zhicheng.certificates.models import Filing
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.documents.excel import write_workbook

from ..cycle_helpers import advance

EVIL = '=HYPERLINK("http://evil.example","查看")'
TRIGGERS = [EVIL, "+86 471 1234567", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=1"]


def _cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_every_text_that_looks_like_a_formula_is_written_as_text_and_shown_as_typed():
    data = write_workbook([("名单", ["姓名", "=备注"], [[value, 3] for value in TRIGGERS] + [["张三", -5]])])
    cells = list(_cells(data))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for value in [*TRIGGERS, "=备注"]:
        value = value.replace("\r", "\n")  # XML reads a carriage return back as a line feed
        assert value in texts, value  # the visible text is kept
        assert texts[value].data_type == "s" and texts[value].quotePrefix, value
    # Ordinary values stay what they were: numbers are numbers, plain text has no prefix.
    assert texts["张三"].quotePrefix is False
    assert [c.value for c in cells if isinstance(c.value, int)] == [3] * len(TRIGGERS) + [-5]


@pytest.mark.django_db
def test_the_filing_roster_keeps_a_formula_like_name_as_text(make_applicant):
    app = make_applicant(P.regular_engineer())
    app.person.name = EVIL
    app.person.save(update_fields=["name"])
    advance(app, State.CERTIFIED)
    filing = Filing.objects.get(entries__application=app)
    cells = list(_cells(rendering.roster_xlsx(filing)))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    name = next(c for c in cells if c.value == EVIL)
    assert name.data_type == "s" and name.quotePrefix
    assert app.person.id_number in [c.value for c in cells], "the roster is the unmasked one the finding was about"


def test_every_workbook_the_application_writes_goes_through_write_workbook():
    """The guard above holds only if no other code builds workbooks itself."""
    package = pathlib.Path(__file__).resolve().parents[2] / "zhicheng"
    writers = [str(p.relative_to(package)) for p in package.rglob("*.py")
               if "Workbook(" in p.read_text(encoding="utf-8") and p.name != "excel.py"]
    assert writers == []
