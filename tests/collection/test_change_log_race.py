"""The collection's cursor under concurrent writes (zhicheng/collection/changes.py): a change log row is drawn
under the audit head's lock, so a second writer waits until the first commits and its seq comes after.
Without that, a reader could see seq 11 committed, move its cursor there, and never see seq 10 committed later.

Two threads, each with its own connection; these tests commit (transactional_db), so they are marked
`processes` and run after the others. 20 rounds on PostgreSQL, where the row lock is what is tested; on
SQLite a writing transaction holds the database's write lock from its start, so 3 rounds show the same order.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import Max

from zhicheng.collection.changes import note
from zhicheng.collection.models import Change

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def test_a_later_writer_waits_for_the_first_to_commit_and_gets_a_later_seq():
    rounds = 20 if connection.vendor == "postgresql" else 3
    for n in range(rounds):
        first_inserted, release, second_done = threading.Event(), threading.Event(), threading.Event()
        errors = []

        def first():
            try:
                with transaction.atomic():
                    note([f"A{n}"])
                    first_inserted.set()
                    release.wait(10)
            except Exception as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                connection.close()

        def second():
            try:
                first_inserted.wait(10)
                with transaction.atomic():
                    note([f"B{n}"])
                second_done.set()
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        assert first_inserted.wait(10)
        time.sleep(0.1)
        # The first is inserted but not committed: the second waits, and a reader sees neither.
        assert not second_done.is_set()
        assert not Change.objects.filter(number__in=[f"A{n}", f"B{n}"]).exists()
        seen_top = Change.objects.aggregate(top=Max("seq"))["top"] or 0
        release.set()
        for thread in threads:
            thread.join(20)
        assert not errors, errors
        a, b = (Change.objects.get(number=f"{x}{n}").seq for x in "AB")
        assert seen_top < a < b  # drawn in commit order: a cursor at seen_top, then at a, misses nothing
