"""The statistics' daily work, registered with the schedule in StatisticsConfig.ready(): the days in each stage of this
year's and last year's declarations computed again, for the region and every scope read before (stays still open
count until the run)."""

from __future__ import annotations

from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily


@daily("statistics.stage_figures")
@retrying(attempts=3, first_delay=600)
def daily_stage_figures(day: str) -> dict:
    from . import services

    year = int(day[:4])
    return {"scopes": {y: services.refresh_all_stays(y) for y in (year - 1, year)}}
