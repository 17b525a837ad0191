"""Runs the `sortition-algorithms` package's maximin on an exported instance (benchmark only).

Runs inside .venv-bench (the package is a benchmark-only dependency):
    .venv-bench/bin/python bench/draw_sortition.py INSTANCE.json
prints one JSON line: seconds, min and max selection probability, committees used.
The package stops column generation when its gap is below EPS = 5e-4; to compare optima
to 1e-6 the gap is tightened here, as its own constant, before the run.
"""

import json
import sys
import time

import sortition_algorithms.committee_generation.maximin as maximin
from sortition_algorithms.committee_generation import find_distribution_maximin
from sortition_algorithms.features import FeatureValueMinMax
from sortition_algorithms.people import People
from sortition_algorithms.utils import CaseInsensitiveDict

maximin.EPS = 1e-9


def main(path: str) -> None:
    instance = json.load(open(path, encoding="utf-8"))
    size = instance["size"]
    features = CaseInsensitiveDict()
    for category, values in instance["features"].items():
        features[category] = CaseInsensitiveDict(
            {value: FeatureValueMinMax(min=bounds[0], max=bounds[1]) for value, bounds in values.items()}
        )
    people = People(columns_to_keep=[])
    for row, person in enumerate(instance["people"], start=2):
        people.add(person["id"], dict(person["values"]), features, row)
    start = time.perf_counter()
    committees, probabilities, _ = find_distribution_maximin(features, people, size, [])
    seconds = time.perf_counter() - start
    marginal = {person: 0.0 for person in people}
    for committee, probability in zip(committees, probabilities):
        for person in committee:
            marginal[person] += probability
    print(json.dumps({"seconds": seconds, "min": min(marginal.values()), "max": max(marginal.values()),
                      "committees": len(committees)}))


if __name__ == "__main__":
    main(sys.argv[1])
