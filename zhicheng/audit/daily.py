"""The audit log's daily work, registered with the schedule in AuditConfig.ready(): one signed checkpoint
of the chain's head a day (besides those taken every conf.checkpoint_every() entries), so that at most a
day's entries are ever unanchored however little the system is used."""

from __future__ import annotations

from zhicheng.jobs.runner import retrying
from zhicheng.jobs.schedule import daily

from .checkpoints import take_checkpoint


@daily("audit.checkpoint")
@retrying(attempts=3, first_delay=600)
def daily_checkpoint(day: str) -> dict:
    # A checkpoint signs the head as it is now: a day caught up late signs the same head, or nothing.
    checkpoint = take_checkpoint()
    return {"seq": checkpoint.seq if checkpoint else None}
