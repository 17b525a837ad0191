"""Days each declaration spent in each stage, per organisation holding it: median and 90th percentile.

A stay starts with a timeline event (``ApplicationEvent``: the state it entered and the organisation whose
hands it went into) and ends with the declaration's next event; a stay not yet ended counts until now, except
in a final state (nothing is waiting there) and in the draft (the applicant's own business). One query: the
window function LEAD finds each stay's end in the database. PostgreSQL computes the percentiles with
``percentile_cont``; SQLite has none, so there each group's stays are numbered in order (ROW_NUMBER) and only
the one or two stays around each percentile come back, which are interpolated here exactly as percentile_cont
does (between the values at positions ⌊(n−1)p⌋ and ⌊(n−1)p⌋+1, 0-based).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from zhicheng.core import clock
from zhicheng.declarations.models import ApplicationEvent
from zhicheng.declarations.states import FINAL_STATES, State

PERCENTILES = (0.5, 0.9)
WORK_MEM = "256MB"
NOT_A_STAGE = tuple(sorted({State.DRAFT.value} | {s.value for s in FINAL_STATES}))


@dataclass
class Stay:
    stage: str
    holder_id: int | None  # None: in the applicant's hands (a correction asked for), or a stage summed over every desk
    count: int
    median: float
    p90: float
    every_desk: bool = False  # the stage over all organisations together


def _event_table() -> str:
    return connection.ops.quote_name(ApplicationEvent._meta.db_table)


def _stays_sql(applications: QuerySet) -> tuple[str, list]:
    """The stays of the declarations ``applications`` selects: (stage, holder_id, days), days never negative."""
    sub_sql, sub_params = applications.order_by().values("pk").query.sql_with_params()
    now = clock.now()
    if connection.vendor == "postgresql":
        days = "GREATEST(EXTRACT(EPOCH FROM (COALESCE(LEAD(e.at) OVER w, %s) - e.at))::float8 / 86400.0, 0)"
        end_param = now
    else:  # SQLite keeps datetimes as ISO text in UTC
        days = "MAX(julianday(COALESCE(LEAD(e.at) OVER w, %s)) - julianday(e.at), 0)"
        end_param = now.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ")
    placeholders = ", ".join(["%s"] * len(NOT_A_STAGE))
    sql = (f"SELECT stage, holder_id, days FROM (SELECT e.to_state AS stage, e.holder_id AS holder_id, {days} AS days "  # nosec B608 - the scope's SQL from the ORM with its parameters; names from meta
           f"FROM {_event_table()} e WHERE e.application_id IN ({sub_sql}) "
           "WINDOW w AS (PARTITION BY e.application_id ORDER BY e.at, e.id)) s "
           f"WHERE stage NOT IN ({placeholders})")
    return sql, [end_param, *sub_params, *NOT_A_STAGE]


def stays(applications: QuerySet) -> list[Stay]:
    """Per (stage, organisation) and per stage over every organisation: count, median and 90th percentile in days."""
    stays_sql, params = _stays_sql(applications)
    if connection.vendor == "postgresql":
        return _postgresql(stays_sql, params)
    return _ranked(stays_sql, params)


def _postgresql(stays_sql: str, params: list) -> list[Stay]:
    sql = (f"SELECT stage, holder_id, GROUPING(holder_id), COUNT(*), "  # nosec B608 - wraps the query above; no input
           "percentile_cont(0.5) WITHIN GROUP (ORDER BY days), percentile_cont(0.9) WITHIN GROUP (ORDER BY days) "
           f"FROM ({stays_sql}) t GROUP BY GROUPING SETS ((stage, holder_id), (stage))")
    # The window and the percentiles sort every stay of the year (a million at 100,000 declarations): in memory, not in
    # temporary files (the default work_mem of 4 MB spills them to disk), for this query only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(sql, params)
        return [Stay(stage, holder, n, float(median), float(p90), every_desk=bool(grouped))
                for stage, holder, grouped, n, median, p90 in cursor.fetchall()]


def _positions(n: int, p: float) -> tuple[int, float]:
    h = (n - 1) * p
    return math.floor(h), h - math.floor(h)


def interpolate(ordered: dict[int, float], n: int, p: float) -> float:
    """percentile_cont(p) of n ordered values of which ``ordered`` holds those at the needed 0-based positions."""
    low, fraction = _positions(n, p)
    value = ordered[low]
    return value + fraction * (ordered[low + 1] - value) if fraction else value


def _ranked(stays_sql: str, params: list) -> list[Stay]:
    """SQLite: the stays at the positions each percentile needs, per group; the groups of a stage over every desk
    are the same rows partitioned by stage alone (SQLite has no GROUPING SETS)."""
    wanted = " OR ".join(f"rn = CAST((n - 1) * {p} AS INTEGER) OR rn = CAST((n - 1) * {p} AS INTEGER) + 1" for p in PERCENTILES)
    sql = (f"WITH s AS ({stays_sql}), r AS ("  # nosec B608 - wraps the query above; percentiles are constants
           "SELECT stage, holder_id, 0 AS every_desk, days, "
           "ROW_NUMBER() OVER (PARTITION BY stage, holder_id ORDER BY days) - 1 AS rn, COUNT(*) OVER (PARTITION BY stage, holder_id) AS n FROM s "
           "UNION ALL SELECT stage, NULL, 1, days, "
           "ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) - 1, COUNT(*) OVER (PARTITION BY stage) FROM s) "
           f"SELECT stage, holder_id, every_desk, n, rn, days FROM r WHERE {wanted}")
    groups: dict[tuple, tuple[int, dict[int, float]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for stage, holder, every_desk, n, rn, days in cursor.fetchall():
            groups.setdefault((stage, holder, bool(every_desk)), (n, {}))[1][rn] = float(days)
    return [Stay(stage, holder, n, interpolate(values, n, 0.5), interpolate(values, n, 0.9), every_desk=every_desk)
            for (stage, holder, every_desk), (n, values) in groups.items()]
