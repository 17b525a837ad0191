"""Certificate numbers drawn concurrently are all different and leave no gaps."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from zhicheng.certificates.numbering import next_in_sequence


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_concurrent_issuers_never_draw_the_same_number():
    prefix = f"test-{uuid.uuid4().hex[:12]}"  # committed by the worker connections, so unique to this run

    def draw(_):
        try:
            return [next_in_sequence(prefix) for _ in range(25)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        drawn = [n for batch in pool.map(draw, range(8)) for n in batch]
    assert sorted(drawn) == list(range(1, 201))
