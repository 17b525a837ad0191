"""The demo's part: two declarations sharing one file, and a late committee with its explanation."""

from __future__ import annotations

import datetime as dt

import pytest

from zhicheng.core import clock
from zhicheng.demo.loader import DemoLoader
from zhicheng.monitoring import demo, integrity_signals
from zhicheng.monitoring.progress import late_committees

pytestmark = pytest.mark.django_db


def test_the_demo_part():
    assert "zhicheng.monitoring.demo.demo" == DemoLoader.OVERSIGHT_PARTS[0]  # before the spot checks it weights
    demo.demo(DemoLoader(out=lambda *a: None, seed=11))
    shared = integrity_signals.shared_files(2021)
    assert len(shared) == 1 and len(shared[0].person_ids) == 2
    pair = sorted(shared[0].application_ids)
    assert all(w > 1 for w in integrity_signals.weights_for("declarations", pair).values())
    with clock.frozen(dt.date(2021, 9, 15)):
        late = late_committees(2021)
    assert [p.committee.series.code for p in late] == [demo.LATE_COMMITTEE_SERIES]
    assert late[0].live_explanation is not None and late[0].live_explanation.evidence.count() == 1
