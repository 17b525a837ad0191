"""Importing past years' title records from Excel (八（四）2: 历年职称评审信息数据采集整理).

It also reads the national collection's exchange format (docs/collection.md): a JSON file of a pull
(``{"batch": {"records": [...]}, ...}``, or a bare list of records) or its Excel workbook, whose headers
are a superset of the template's. Their records go through the same checks as the template's rows; the
exchange format's further fields (specialty, how obtained, approval document number and date, issuing
body, issue date) are kept, and records whose status is ``revoked`` are not titles held: they are
counted and left out.

All rows are read and checked first; any bad row means nothing is written and every bad row
is named. Good files are written in one transaction with bulk inserts: new people and the
certificates by prepared-statement batches (new people's keys are read back by 身份证 number),
the TitleHeld archive records by bulk_create, whose returned keys the certificates point to. A
signed certificate per row lets the old numbers verify like new ones.

The page runs it as a background job (certificates/jobs.py): ``progress`` hears how far the
checking has come, and ``on_written`` runs inside the write transaction, so whatever it records
(the job's result) commits with the import or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from zhicheng.audit.services import record as audit
from zhicheng.catalogue.models import Level, Series, TitleName
from zhicheng.core.identifiers import birth_date_from_id, normalise_id_number, sex_from_id
from zhicheng.core.wording import clauses, enumeration
from zhicheng.documents.excel import SheetRow, WorkbookUnreadable, read_rows
from zhicheng.jobs.runner import no_progress
from zhicheng.people.dates import MIN_AGE, years_after
from zhicheng.people.models import Person, TitleHeld, TitleVia

from . import signing
from .models import Certificate, CertificateKind
from .services import new_check_code, seal
from .signals import announce

COLUMNS = {
    "name": ("姓名",),
    "id_number": ("身份证号码", "身份证号", "公民身份号码"),
    "series": ("系列", "职称系列"),
    "level": ("层级", "级别", "资格级别"),
    "title": ("职称名称", "资格名称", "职称"),
    "obtained_on": ("取得时间", "取得日期", "批准时间", "核准日期"),
    "committee": ("评审委员会", "评委会"),
    "number": ("证书编号",),
}
# Columns of the collection's exchange format (collection/records.py FIELDS), read when present.
OPTIONAL_COLUMNS = {
    "specialty": ("专业",),
    "how_obtained": ("取得方式代码", "取得方式"),
    "approval_document_number": ("核准文号",),
    "issuer": ("发证机关",),
    "issued_on": ("发证日期",),
    "status": ("状态代码", "状态"),
}
# The exchange format's keys for the fields above (a JSON record).
JSON_KEYS = {"name": "name", "id_number": "id_number", "series": "series", "level": "level", "title": "title_name",
             "obtained_on": "approval_date", "committee": "committee", "number": "certificate_number",
             "specialty": "specialty", "how_obtained": "how_obtained", "approval_document_number": "approval_document_number",
             "issuer": "issuing_body", "issued_on": "issued_on", "status": "status"}
REVOKED = ("revoked", "已撤销")
EXCHANGED = ("exchange", "区外证书换发")  # kept in the archive as obtained by review (elsewhere)
HEADER = ["姓名", "身份证号码", "系列", "层级", "职称名称", "取得时间", "评审委员会", "证书编号"]
BATCH = 2000
# The largest file expected holds 100,000 rows (about a minute of reading and checking in the job);
# twice that is accepted, within a bound on the whole reading. See documents/excel.py for the package's.
MAX_ROWS = 200_000
READ_SECONDS = 600
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


@dataclass
class RowError:
    row: int
    messages: list[str]

    def __str__(self):
        return _("第%(row)d行：%(problems)s") % {"row": self.row, "problems": clauses(self.messages)}


@dataclass
class ImportReport:
    imported: int = 0
    people_created: int = 0
    revoked_skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    name: str
    id_number: str
    series: Series
    level: str
    title: str
    obtained_on: dt.date
    committee: str
    certificate_number: str
    specialty: str = ""
    via: str = TitleVia.REVIEW
    approval_document_number: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _Catalogue:
    def __init__(self):
        self.series = {}
        for s in Series.objects.all():
            self.series[s.name] = self.series[s.code] = s
        self.levels = {**{c.value: c.value for c in Level}, **{c.label: c.value for c in Level}}
        self.titles = {(t.series_id, t.level): t.name for t in TitleName.objects.all()}
        self.vias = {**{c.value: c.value for c in TitleVia}, **{c.label: c.value for c in TitleVia},
                     **{e: TitleVia.REVIEW for e in EXCHANGED}}


class _IdChecker:
    """core.identifiers.normalise_id_number, with its costly birth-place lookup remembered: that
    part of the check depends only on the area code and the birth year."""

    def __init__(self):
        self.places_known: set[tuple[str, str]] = set()

    def __call__(self, text: str) -> str:
        compact = ric.compact(text)
        if (compact[:6], compact[6:10]) in self.places_known and len(compact) == 18 and compact[:-1].isdigit():
            if compact[-1] == ric.calc_check_digit(compact):
                try:
                    ric.get_birth_date(compact)
                    return compact
                except stdnum_errors.ValidationError:
                    pass
        number = normalise_id_number(text)  # the full check, and its message when it fails
        self.places_known.add((number[:6], number[6:10]))
        return number


def _check(raw, catalogue: _Catalogue, ids: _IdChecker, today: dt.date) -> tuple[_Row | None, list[str]]:
    v, problems = raw.values, []
    name = _text(v.get("name"))
    if not name or len(name) > 40:
        problems.append(_("姓名为空或超过40字"))
    id_number = ""
    try:
        id_number = ids(_text(v.get("id_number")))
    except ValidationError as exc:
        problems.append(exc.messages[0])
    series = catalogue.series.get(_text(v.get("series")))
    if series is None:
        problems.append(_("系列“%(series)s”不在职称目录中") % {"series": _text(v.get("series"))})
    level = catalogue.levels.get(_text(v.get("level")))
    if level is None:
        problems.append(_("层级“%(level)s”应为员级、助理级、中级、副高级或正高级") % {"level": _text(v.get("level"))})
    title = _text(v.get("title"))
    expected = catalogue.titles.get((series.pk, level)) if series and level else None
    if not title:
        problems.append(_("职称名称为空"))
    elif expected and title != expected:
        problems.append(_("职称名称“%(title)s”与目录不符（应为“%(expected)s”）") % {"title": title, "expected": expected})
    obtained = _date(v.get("obtained_on"))
    if obtained is None:
        problems.append(_("取得时间无法识别（例：2015-12-20）"))
    elif obtained > today:
        problems.append(_("取得时间晚于今天"))
    elif id_number and obtained < (adult := years_after(birth_date_from_id(id_number), MIN_AGE)):
        # As the archive's own dates (people.dates): a title before the holder could work is a typo.
        problems.append(_("取得时间早于持证人年满%(age)d周岁（%(day)s）") % {"age": MIN_AGE, "day": f"{adult:%Y-%m-%d}"})
    committee = _text(v.get("committee"))
    if not committee:
        problems.append(_("评审委员会为空"))
    number = _text(v.get("number"))
    if not number or len(number) > 40:
        problems.append(_("证书编号为空或超过40位"))
    specialty, document = _text(v.get("specialty")), _text(v.get("approval_document_number"))
    if len(specialty) > 60:
        problems.append(_("专业超过60字"))
    if len(document) > 60:
        problems.append(_("核准文号超过60字"))
    via = TitleVia.REVIEW
    if _text(v.get("how_obtained")):
        via = catalogue.vias.get(_text(v.get("how_obtained")))
        if via is None:
            problems.append(_("取得方式“%(via)s”不在可选值中（评审、考试、考核认定、职业资格对应、破格、转系列）")
                            % {"via": _text(v.get("how_obtained"))})
    issuer = _text(v.get("issuer"))
    if len(issuer) > 120:
        problems.append(_("发证机关超过120字"))
    issued_on = None
    if v.get("issued_on") not in (None, ""):
        issued_on = _date(v.get("issued_on"))
        if issued_on is None:
            problems.append(_("发证日期无法识别（例：2015-12-20）"))
        elif issued_on > today:
            problems.append(_("发证日期晚于今天"))
        elif obtained is not None and issued_on < obtained:
            problems.append(_("发证日期早于取得（核准）日期"))
    if problems:
        return None, problems
    return _Row(raw.number, name, id_number, series, level, title, obtained, committee[:120], number,
                specialty, via, document, issuer, issued_on), []


def _is_json(source) -> bool:
    head = source.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    source.seek(0)
    return head[:1] in (b"{", b"[")


def _json_rows(source) -> list[SheetRow]:
    """The records of an exchange-format JSON file as rows numbered from 1 (the record's position)."""
    import json

    try:
        data = json.loads(source.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WorkbookUnreadable(_("JSON 文件无法解析：%(problem)s") % {"problem": str(exc)[:200]}) from exc
    records = data.get("batch", {}).get("records") if isinstance(data, dict) and isinstance(data.get("batch"), dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise WorkbookUnreadable(_("JSON 文件不是归集交换格式：应为拉取结果（batch.records）或记录的数组，见 docs/collection.md。"))
    if len(records) > MAX_ROWS:
        raise WorkbookUnreadable(_("文件超过了%(limit)d条记录的上限，请拆分后分批导入。") % {"limit": MAX_ROWS})
    return [SheetRow(i, {name: record.get(key) for name, key in JSON_KEYS.items()}) for i, record in enumerate(records, start=1)]


def _insert_many(model, objects) -> None:
    """Insert rows whose keys are not needed back with one prepared statement (executemany):
    half the CPU of bulk_create, whose SQL compiler wraps every one of the 25 values of a
    certificate. Values are prepared by the fields themselves, as bulk_create would."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # Table and column names come from the model and are quoted; every value is a parameter.
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # nosec B608
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objects]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _chunks(values: list, size: int):
    # SQLite allows a limited number of query parameters.
    for i in range(0, len(values), size):
        yield values[i:i + size]


def import_history(source, actor, *, today: dt.date, progress: Callable = no_progress,
                   on_written: Callable[[ImportReport], None] | None = None) -> ImportReport:
    """``source`` is a seekable binary file. ``progress(done, total, phase=)`` is called as rows are checked
    (jobs.runner.Progress); ``on_written(report)`` inside the transaction that writes the rows."""
    report = ImportReport()
    checking = _("逐行核对")
    progress(0, None, phase=checking)
    try:
        if _is_json(source):
            missing, rows = [], _json_rows(source)
            total = len(rows)
        else:
            missing, rows = read_rows(source, {**COLUMNS, **OPTIONAL_COLUMNS}, max_rows=MAX_ROWS, seconds=READ_SECONDS)
            missing, total = [m for m in missing if m in COLUMNS], rows.last_row
    except WorkbookUnreadable as exc:
        report.errors.append(RowError(1, [str(exc)]))
        return report
    progress(0, total, phase=checking)
    if missing:
        columns = enumeration(HEADER[list(COLUMNS).index(m)] for m in missing)
        report.errors.append(RowError(1, [_("缺少列：%(columns)s") % {"columns": columns}]))
        return report

    catalogue, ids = _Catalogue(), _IdChecker()
    good: list[_Row] = []
    first_row_of_number: dict[str, int] = {}
    name_of_id: dict[str, tuple[str, int]] = {}
    try:
        for raw in rows:
            progress(raw.number, phase=checking)
            if _text(raw.values.get("status")) in REVOKED:
                report.revoked_skipped += 1
                continue
            row, problems = _check(raw, catalogue, ids, today)
            if row is not None:
                if row.certificate_number in first_row_of_number:
                    problems.append(_("证书编号与第%(row)d行重复") % {"row": first_row_of_number[row.certificate_number]})
                else:
                    first_row_of_number[row.certificate_number] = row.number
                seen = name_of_id.setdefault(row.id_number, (row.name, row.number))
                if seen[0] != row.name:
                    problems.append(_("同一身份证号码在第%(row)d行的姓名为“%(name)s”") % {"row": seen[1], "name": seen[0]})
            if problems:
                report.errors.append(RowError(raw.number, problems))
            else:
                good.append(row)
    except WorkbookUnreadable as exc:  # too many rows, a cell too long, reading too slow: the file, not a row
        report.errors[:] = [RowError(1, [str(exc)])]
        return report

    progress(total or 0, phase=_("与系统中已有的证书和人员核对"))
    size = 900 if connection.vendor == "sqlite" else 10000
    taken = set()
    for chunk in _chunks(list(first_row_of_number), size):
        taken.update(Certificate.objects.filter(number__in=chunk).values_list("number", flat=True))
    people: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(list(name_of_id), size):
        people.update((i, (pk, n)) for i, pk, n in Person.objects.filter(id_number__in=chunk).values_list("id_number", "pk", "name"))
    for row in good:
        problems = []
        if row.certificate_number in taken:
            problems.append(_("证书编号已存在于系统中"))
        known = people.get(row.id_number)
        if known and known[1] != row.name:
            problems.append(_("该身份证号码在系统中登记的姓名为“%(name)s”") % {"name": known[1]})
        if problems:
            report.errors.append(RowError(row.number, problems))
    if report.errors or not good:
        if not report.errors:
            report.errors.append(RowError(1, [_("文件中没有数据行")]))
        report.errors.sort(key=lambda e: e.row)
        return report

    key = signing.current_key()
    # All rows in one transaction. Its progress shows where the runner can write it beside the
    # transaction (PostgreSQL); on SQLite the transaction holds the one write lock and the bar stands
    # still until it commits: the phase says what is going on.
    writing = _("写入中（全部记录在一个事务中写入）")
    progress(0, len(good), phase=writing)
    with transaction.atomic():
        new_people = {}
        for row in good:
            if row.id_number not in people and row.id_number not in new_people:
                new_people[row.id_number] = Person(name=row.name, id_number=row.id_number,
                                                   birth_date=birth_date_from_id(row.id_number), sex=sex_from_id(row.id_number))
        _insert_many(Person, new_people.values())
        person_ids = {i: pk for i, (pk, name) in people.items()}
        for chunk in _chunks(list(new_people), size):
            person_ids.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", "pk"))
        written = 0
        for batch in _chunks(good, BATCH):
            held = TitleHeld.objects.bulk_create([
                TitleHeld(person_id=person_ids[r.id_number], series=r.series.code, level=r.level, title_name=r.title,
                          obtained_on=r.obtained_on, via=r.via, certificate_number=r.certificate_number, issued_by=r.committee)
                for r in batch
            ])
            _insert_many(Certificate, [
                seal(Certificate(
                    number=r.certificate_number, kind=CertificateKind.HISTORY, person_id=person_ids[r.id_number], title_held=h,
                    holder_name=r.name, id_number=r.id_number, series=r.series, series_name=r.series.name, title_name=r.title,
                    specialty=r.specialty, level=r.level, committee_name=r.committee, approval_document_number=r.approval_document_number,
                    approval_date=r.obtained_on, issuer_name=r.issuer or r.committee, issued_on=r.issued_on or r.obtained_on,
                    check_code=new_check_code(),
                ), key)
                for r, h in zip(batch, held)
            ])
            announce(r.certificate_number for r in batch)
            written += len(batch)
            progress(written, phase=writing)
        report.imported, report.people_created = len(good), len(new_people)
        audit("certificate.import_history", None, actor=actor, object_type="certificates.certificate", object_id="history",
              after={"rows": len(good), "people_created": len(new_people)},
              summary=f"导入历年职称记录{len(good)}条（新建人员{len(new_people)}人）")
        if on_written is not None:
            on_written(report)
    return report


def template_xlsx() -> bytes:
    from zhicheng.documents.excel import write_workbook

    return write_workbook([("历年职称记录", HEADER, [["张三", "150121198001011235", "工程", "副高级", "高级工程师", "2015-12-20",
                                                   "内蒙古自治区工程系列高级职称评审委员会", "2015150004090001"]])])
