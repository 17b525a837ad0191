"""The integrity pledge (诚信承诺书, 八（三）): kept as signed, archived with the evaluation form
once the review is over, and producible as a PDF."""

from __future__ import annotations

import datetime as dt
import hashlib

from zhicheng.audit.services import record as audit
from zhicheng.declarations.states import state_label

from .models import PledgeRecord


def pledge_digest(id_number: str, text: str) -> str:
    """The same digest declarations.services.sign_pledge stores on the declaration."""
    return hashlib.sha256(f"{id_number}\n{text}".encode()).hexdigest()


def keep_pledge(app, signer, text: str, signed_at: dt.datetime, sha256: str) -> PledgeRecord:
    record, _ = PledgeRecord.objects.update_or_create(
        application=app, defaults={"text": text, "signer": signer, "signed_at": signed_at, "sha256": sha256, "archived_at": None},
    )
    return record


def archive_pledges(apps, actor, now: dt.datetime) -> list[PledgeRecord]:
    """八（三）: after the review each pledge is filed with the evaluation form (the review's outcome is
    each declaration's state as it leaves the review)."""
    by_app = {app.pk: app for app in apps}
    records = list(PledgeRecord.objects.filter(application_id__in=list(by_app)).order_by("application_id"))
    for record in records:
        app = by_app[record.application_id]
        record.archived_at, record.review_outcome = now, state_label(app.state, app.route)  # a recognition's is 考核认定
    PledgeRecord.objects.bulk_update(records, ["archived_at", "review_outcome"])
    for record in records:
        app = by_app[record.application_id]
        audit("pledge.archive", record, actor=actor, after={"sha256": record.sha256, "outcome": app.state},
              summary=f"诚信承诺书随评审表归档：{app.person.name}")
    return records


def pledge_intact(record: PledgeRecord) -> bool:
    """The kept text still hashes to what was signed and what the declaration recorded."""
    digest = pledge_digest(record.application.person.id_number, record.text)
    return digest == record.sha256 == record.application.pledge_sha256
