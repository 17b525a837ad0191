"""The change log behind the collection's cursor.

Every issue, revocation and import of certificates announces the certificates' numbers
(certificates/signals.py) inside its own transaction; ``note`` appends one ``Change`` per number in that
same transaction, so a change and its log row commit together or not at all.

Why the cursor (the last ``seq`` seen) never skips a change under concurrent writes: an auto-increment
number is drawn when a row is inserted, not when its transaction commits, so on its own it could commit
out of order (a transaction holding 10 commits after one holding 11; a reader that saw 11 and moved its
cursor there would never see 10). ``note`` therefore first locks the audit chain's head row
(``AuditHead``), the row every transaction that changes a certificate locks anyway to append its audit
entry, and holds until it commits. While one transaction holds it no other can insert a ``Change``: the
``seq``s are drawn in commit order. A reader that sees ``seq`` S has therefore seen every change with a
smaller ``seq`` that will ever exist (a rolled-back transaction leaves a gap, never a late arrival), and
``pull`` never moves a cursor beyond the largest ``seq`` it read. No new lock is introduced: the audit
head is taken in the middle of these transactions already (certificates/exchange.py, revocations), and
``note`` runs after the certificate rows are written and locked, as the audit entries do.
"""

from __future__ import annotations

from django.db import transaction

from zhicheng.core import clock

from .models import Change


def note(numbers) -> None:
    from zhicheng.audit.services import lock_head

    numbers = list(dict.fromkeys(numbers))
    if not numbers:
        return
    with transaction.atomic():
        lock_head()
        at = clock.now()
        Change.objects.bulk_create([Change(number=n, at=at) for n in numbers], batch_size=2000)


def on_certificates_changed(sender, numbers, **kwargs) -> None:
    note(numbers)
