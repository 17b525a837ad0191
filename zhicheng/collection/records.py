"""The collection's exchange format (docs/collection.md, docs/collection.schema.json): one record per title,
pulled incrementally by a cursor over the change log (changes.py), signed with the certificates' key.

A record is built from the certificate as it stands when it is pulled (its status included); its
``version`` is the ``seq`` of its latest change, so the receiver upserts by ``record_id`` and keeps the
highest version: a record delivered twice is the same record, a revoked certificate comes again with a
higher version and its new status.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext as _

from zhicheng.catalogue.models import Level
from zhicheng.certificates import scope, signing
from zhicheng.certificates.models import Certificate, CertificateKind, CertificateStatus
from zhicheng.core import clock
from zhicheng.people.models import TitleVia

from .models import Change

FORMAT = "zhicheng-collection/1"
DEFAULT_LIMIT = 500
MAX_LIMIT = 2000
EXCHANGED = "exchange"  # a title earned outside the region and exchanged here (七（五）4)
HOW_OBTAINED = {**{c.value: c.label for c in TitleVia}, EXCHANGED: "区外证书换发"}

# (key, column header, kind): the JSON keys and the Excel columns, in this order.
FIELDS: list[tuple[str, str, str]] = [
    ("record_id", "记录标识", "text"),
    ("version", "版本", "int"),
    ("status", "状态代码", "text"),
    ("status_label", "状态", "text"),
    ("name", "姓名", "text"),
    ("id_number", "身份证号码", "text"),
    ("series", "系列代码", "text"),
    ("series_name", "系列", "text"),
    ("specialty", "专业", "text"),
    ("level", "层级代码", "text"),
    ("level_label", "层级", "text"),
    ("title_name", "职称名称", "text"),
    ("how_obtained", "取得方式代码", "text"),
    ("how_obtained_label", "取得方式", "text"),
    ("committee", "评审委员会", "text"),
    ("approval_document_number", "核准文号", "text"),
    ("approval_date", "核准日期", "date"),
    ("certificate_number", "证书编号", "text"),
    ("issuing_body", "发证机关", "text"),
    ("issued_on", "发证日期", "date"),
    ("revoked_on", "撤销日期", "date"),
    ("revocation_document_number", "撤销文号", "text"),
]
HEADER = [label for _key, label, _kind in FIELDS]


class BadCursor(ValueError):
    pass


def parse_cursor(text: str | None) -> int:
    """The cursor is the decimal ``seq`` of the last change a pull covered; empty means from the beginning."""
    if text is None or text == "":
        return 0
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise BadCursor(_("游标“%(cursor)s”无效：应为上次拉取返回的 cursor（非负整数），首次拉取不填。") % {"cursor": text[:40]})
    return int(text)


def how_obtained(cert: Certificate) -> str:
    if cert.kind == CertificateKind.EXCHANGE:
        return EXCHANGED
    if cert.title_held is not None:
        return cert.title_held.via
    if cert.kind == CertificateKind.REVIEW and cert.application is not None:
        from zhicheng.certificates.services import _via_for

        return _via_for(cert.application.route or "")
    return TitleVia.REVIEW  # a revoked historical record: its archive entry (and how it was obtained) is gone


def record(cert: Certificate, version: int) -> dict:
    via = how_obtained(cert)
    return {
        "record_id": cert.number,
        "version": version,
        "status": cert.status,
        "status_label": CertificateStatus(cert.status).label,
        "name": cert.holder_name,
        "id_number": cert.id_number,
        "series": cert.series.code,
        "series_name": cert.series_name,
        "specialty": cert.specialty,
        "level": cert.level,
        "level_label": Level(cert.level).label,
        "title_name": cert.title_name,
        "how_obtained": via,
        "how_obtained_label": HOW_OBTAINED[via],
        "committee": cert.committee_name,
        "approval_document_number": cert.approval_document_number,
        "approval_date": cert.approval_date.isoformat(),
        "certificate_number": cert.number,
        "issuing_body": cert.issuer_name,
        "issued_on": cert.issued_on.isoformat(),
        "revoked_on": cert.revoked_on.isoformat() if cert.revoked_on else None,
        "revocation_document_number": cert.revocation_document_number,
    }


def region() -> dict:
    from zhicheng.declarations.holders import regional_hr_department

    body = regional_hr_department()
    return {"code": body.area.code, "name": body.area.name, "body": body.name}


@dataclass
class Batch:
    records: list[dict]
    cursor_from: int
    cursor: int
    has_more: bool

    def signed(self, generated_at: dt.datetime | None = None) -> dict:
        """The response body: ``batch`` is what is signed (canonical JSON of it, docs/collection.md)."""
        batch = {
            "format": FORMAT,
            "region": region(),
            "generated_at": (generated_at or clock.now()).isoformat(timespec="seconds"),
            "cursor_from": str(self.cursor_from),
            "cursor": str(self.cursor),
            "has_more": self.has_more,
            "records": self.records,
        }
        key_id, signature = signing.sign(batch)
        return {"batch": batch, "algorithm": signing.ALGORITHM, "key_id": key_id, "signature": signature}


def pull(user, cursor: int, limit: int = DEFAULT_LIMIT) -> Batch:
    """The records the user's scope sees (certificates.scope.certificates_for; ``None``: the whole region, for
    the daily file) whose certificates changed
    after ``cursor``, at most ``limit``, oldest change first, and the cursor to pull from next time.

    The log's last ``seq`` is read first: every change up to it has committed (changes.py), so the scoped
    read that follows, bounded by it, sees all of them, and the new cursor may move up to it even where
    the changes at the end are outside the user's scope (they are not read again next time)."""
    limit = max(1, min(limit, MAX_LIMIT))
    top = Change.objects.aggregate(top=Max("seq"))["top"] or 0
    if top <= cursor:
        return Batch([], cursor, cursor, False)
    changes = Change.objects.filter(seq__gt=cursor, seq__lte=top)
    if user is not None:
        changes = changes.filter(number__in=scope.certificates_for(user).values("number"))
    changes = list(changes.order_by("seq").values_list("seq", "number")[:limit + 1])
    has_more = len(changes) > limit
    changes = changes[:limit]
    new_cursor = changes[-1][0] if has_more else top
    numbers = list(dict.fromkeys(number for _seq, number in changes))
    versions = dict(Change.objects.filter(number__in=numbers).values_list("number").annotate(v=Max("seq")).values_list("number", "v"))
    certificates = {c.number: c for c in Certificate.objects.filter(number__in=numbers)
                    .select_related("series", "title_held", "application")}
    # In the order of each record's latest change in this page.
    last_in_page = {number: seq for seq, number in changes}
    ordered = sorted(numbers, key=last_in_page.__getitem__)
    return Batch([record(certificates[n], versions[n]) for n in ordered if n in certificates], cursor, new_cursor, has_more)


def xlsx(batch: dict) -> bytes:
    """The same batch as a workbook: one sheet of records with the FIELDS columns (dates as dates, the
    version as a number, every other cell text; no formulas), one sheet with the batch's header. The
    workbook's bytes are signed as they are delivered (certificates.signing.sign_bytes)."""
    from zhicheng.documents.excel import write_workbook

    def cell(value, kind):
        if value is None:
            return None
        if kind == "date":
            return dt.date.fromisoformat(value)
        return value

    rows = ([cell(r[key], kind) for key, _label, kind in FIELDS] for r in batch["records"])
    about = [
        ["格式", batch["format"]], ["地区代码", batch["region"]["code"]], ["地区", batch["region"]["name"]],
        ["生成时间", batch["generated_at"]], ["起始游标", batch["cursor_from"]], ["游标", batch["cursor"]],
        ["还有更多", "是" if batch["has_more"] else "否"], ["记录数", len(batch["records"])],
    ]
    return write_workbook([("职称记录", HEADER, rows), ("批次", ["项目", "内容"], about)])


def verify(signed: dict, public_key) -> bool:
    """What a receiver does (docs/collection.md): Ed25519 over the canonical JSON of ``batch``."""
    return signing.check(signed["batch"], signed["key_id"], signed["signature"], {signed["key_id"]: public_key})
