"""The daily file for a region that pushes files to the national system instead of being pulled.

With ``ZHICHENG_COLLECTION_DIR`` set, each day's run writes ``titles-YYYY-MM-DD.json`` there: the whole
region's records changed since the previous day's file (its ``batch.cursor``), in the API's signed format
(docs/collection.md), written to a temporary name and renamed, so a reader never sees half a file. A day
whose file exists already is left alone (the run may be tried again); a missed day is caught up in order by
the schedule, and takes what changed up to the moment it runs — the next day's file starts from there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from zhicheng.core import clock
from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily

from . import records

PAGE = 2000


def directory() -> Path | None:
    value = os.environ.get("ZHICHENG_COLLECTION_DIR", "").strip()
    return Path(value) if value else None


def _previous_cursor(folder: Path, day: dt.date) -> int:
    earlier = sorted(p for p in folder.glob("titles-????-??-??.json") if p.stem[len("titles-"):] < day.isoformat())
    if not earlier:
        return 0
    return int(json.loads(earlier[-1].read_text(encoding="utf-8"))["batch"]["cursor"])


def write_day(day: dt.date, folder: Path) -> dict:
    target = folder / f"titles-{day.isoformat()}.json"
    if target.exists():
        return {"file": str(target), "written": False}
    folder.mkdir(parents=True, exist_ok=True)
    start = cursor = _previous_cursor(folder, day)
    got: list[dict] = []
    while True:
        batch = records.pull(None, cursor, PAGE)
        got += batch.records
        cursor = batch.cursor
        if not batch.has_more:
            break
    # A record changed twice over the pages appears once, at its latest version.
    latest = {}
    for record in got:
        latest[record["record_id"]] = record
    signed = records.Batch(sorted(latest.values(), key=lambda r: r["version"]), start, cursor, False).signed(clock.now())
    part = target.with_suffix(".part")
    part.write_text(json.dumps(signed, ensure_ascii=False, indent=1), encoding="utf-8")
    part.replace(target)
    return {"file": str(target), "written": True, "records": len(latest), "cursor": str(cursor)}


@daily("collection.daily_file")
@retrying(attempts=3, first_delay=600)
def daily_file(day: str) -> dict:
    folder = directory()
    if folder is None:
        return {"skipped": "ZHICHENG_COLLECTION_DIR 未设置：本区不推送日文件。"}
    return write_day(dt.date.fromisoformat(day), folder)
