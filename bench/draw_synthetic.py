"""Seeded synthetic expert pools and specs for the draw benchmark.

Attributes are correlated the way they are in a real pool: grassroots, private-sector,
region and self-review status belong to the employer; specialties cluster by employer;
senior (正高) titles are rarer at grassroots units. Six quota categories plus the rotation
rule and, optionally, a cap per employer.
"""

from __future__ import annotations

import math

import numpy as np

SPECIALTIES = ["土木", "机械", "电气", "化工", "水利", "信息"]
REGIONS = ["呼和浩特", "包头", "东部盟市", "西部盟市"]
REGION_WEIGHTS = [0.3, 0.2, 0.28, 0.22]
COMMITTEE = "NMG-GC-GJ"
YEAR = 2021


def synthetic_pool(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    n_employers = max(4, n // 8)
    region = rng.choice(len(REGIONS), size=n_employers, p=REGION_WEIGHTS)
    private = rng.random(n_employers) < 0.25
    remote = region >= 2
    grassroots = rng.random(n_employers) < np.where(private, 0.15, np.where(remote, 0.45, 0.25))
    self_review = (~private) & (rng.random(n_employers) < 0.15)
    main_specialty = rng.choice(len(SPECIALTIES), size=n_employers, p=[0.3, 0.2, 0.18, 0.12, 0.12, 0.08])
    size_weight = rng.pareto(1.3, size=n_employers) + 1.0
    employer_of = rng.choice(n_employers, size=n, p=size_weight / size_weight.sum())

    pool = []
    for index in range(n):
        e = int(employer_of[index])
        specialty = main_specialty[e] if rng.random() < 0.6 else rng.integers(len(SPECIALTIES))
        full_senior = rng.random() < (0.18 if grassroots[e] else 0.35)
        served_years = [YEAR - back for back in (1, 2, 3) if rng.random() < (0.3 if back == 1 else 0.45)]
        pool.append(
            {
                "id": f"E{index:05d}",
                "name": f"专家{index:05d}",
                "employer": f"U{e:04d}",
                "attributes": {
                    "specialty_group": SPECIALTIES[int(specialty)],
                    "grassroots": bool(grassroots[e]),
                    "private_sector": bool(private[e]),
                    "outside_self_review_unit": not bool(self_review[e]),
                    "region": REGIONS[int(region[e])],
                    "level": "正高级" if full_senior else "副高级",
                },
                "served": {COMMITTEE: sorted(served_years)},
                "declaring": bool(rng.random() < 0.03),
                "sanctioned": bool(rng.random() < 0.01),
                "available": bool(rng.random() < 0.95),
            }
        )
    return pool


def synthetic_spec(size: int, employer_cap: int | None) -> dict:
    """Quotas that bind in both directions: small groups need more seats than their share."""
    share = lambda fraction: max(1, math.ceil(fraction * size))  # noqa: E731
    return {
        "committee": COMMITTEE,
        "year": YEAR,
        "kind": "senior_by_series",
        "size": size,
        "quotas": {
            "specialty_group": {s: {"min": share(0.08), "max": share(0.3)} for s in SPECIALTIES},
            "grassroots": {"true": {"min": share(0.36)}},
            "private_sector": {"true": {"min": share(0.24)}},
            "outside_self_review_unit": {"false": {"max": share(0.12)}},
            "region": {r: {"min": share(0.16), "max": share(0.36)} for r in REGIONS},
            "level": {"正高级": {"min": share(0.32)}},
        },
        "employer_cap": employer_cap,
        "reserves_per_type": 2,
    }
