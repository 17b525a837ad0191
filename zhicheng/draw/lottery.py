"""From the optimal distribution to a lottery with integer tickets over compositions.

Integer tickets make the published lottery exact: every probability is a fraction with the
ticket total as denominator, so an auditor can recompute it without floating point
(Flanigan et al., "Fair sortition made transparent", Science 2021, round to a fixed number
of tickets for the same reason). With the default 10^9 tickets the rounding moves no
marginal by more than (number of compositions) / 10^9.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class Lottery:
    total: int
    compositions: tuple[tuple[int, ...], ...]
    tickets: tuple[int, ...]

    def type_probabilities(self, sizes: list[int]) -> list[Fraction]:
        """Exact selection probability of each member of each type."""
        expected = [0] * len(sizes)
        for counts, tickets in zip(self.compositions, self.tickets):
            for index, count in enumerate(counts):
                expected[index] += tickets * count
        return [Fraction(e, self.total * n) for e, n in zip(expected, sizes)]

    def rounding_tolerance(self) -> float:
        return len(self.compositions) / self.total

    def to_json(self) -> dict:
        return {
            "tickets_total": self.total,
            "compositions": [
                {"counts": [[i, c] for i, c in enumerate(counts) if c], "tickets": tickets}
                for counts, tickets in zip(self.compositions, self.tickets)
            ],
        }

    @classmethod
    def from_json(cls, data: dict, num_types: int) -> Lottery:
        compositions, tickets = [], []
        for entry in data["compositions"]:
            counts = [0] * num_types
            for index, count in entry["counts"]:
                if not 0 <= index < num_types:
                    raise ValueError(f"抽签组合引用了不存在的第{index + 1}类专家")
                counts[index] = count
            compositions.append(tuple(counts))
            tickets.append(entry["tickets"])
        return cls(data["tickets_total"], tuple(compositions), tuple(tickets))


def to_lottery(compositions: list[tuple[int, ...]], weights: list[float], total: int) -> Lottery:
    """Largest-remainder rounding of weights × total to integer tickets, in canonical order."""
    order = sorted(range(len(compositions)), key=lambda i: compositions[i], reverse=True)
    scaled = np.array([weights[i] for i in order]) * total / sum(weights)
    tickets = np.floor(scaled).astype(np.int64)
    remainder = total - int(tickets.sum())
    # Stable sort: ties go to the earlier composition in canonical order.
    for index in np.argsort(-(scaled - tickets), kind="stable")[:remainder]:
        tickets[index] += 1
    kept = [(compositions[i], int(t)) for i, t in zip(order, tickets) if t > 0]
    return Lottery(total, tuple(c for c, _ in kept), tuple(t for _, t in kept))
