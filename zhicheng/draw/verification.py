"""The outcome of re-deriving a record from itself, and how a `verify` command prints it.

Shared by the expert draw's records (record.py, `zhicheng draw verify`) and the spot checks' sampling records
(zhicheng/supervision/sampling.py, `zhicheng spotcheck verify`); light on purpose, so that the spot check's
command loads neither Django nor the draw's solver.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def report(check: Verification, publication_sha256) -> int:
    """Print the notes, then the verdict (problems on stderr); the command's exit code: 0 passed, 1 not."""
    for note in check.notes:
        print(note)
    if check.ok:
        print(f"复核通过（公示摘要 {publication_sha256}）")
        return 0
    print("复核未通过：", file=sys.stderr)
    for problem in check.problems:
        print(f"- {problem}", file=sys.stderr)
    return 1
