"""Certificate numbers.

Scheme (19 digits): RRRRRR YYYY L SS NNNNNN
  RRRRRR  administrative area code of the issuing HR body (150000 = the region)
  YYYY    year of issue
  L       level: 1 员级, 2 助理级, 3 中级, 4 副高级, 5 正高级
  SS      series: the catalogue order of the series, from 01
  NNNNNN  sequence within that prefix, from 000001

The sequence lives in NumberSequence, one row per prefix, incremented in place; the unique constraint on
Certificate.number is the last word. Imported and exchanged originals keep their own numbers.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import NumberSequence

LEVEL_DIGIT = {"junior": 1, "assistant": 2, "intermediate": 3, "associate_senior": 4, "full_senior": 5}


def next_in_sequence(prefix: str) -> int:
    return reserve_in_sequence(prefix, 1)


def reserve_in_sequence(prefix: str, count: int) -> int:
    """Take ``count`` consecutive numbers of the prefix's sequence; returns the first."""
    with transaction.atomic():
        # Creating the row may race with another issuer: ignore_conflicts lets both go on.
        NumberSequence.objects.bulk_create([NumberSequence(prefix=prefix)], ignore_conflicts=True)
        # Increment in the database first: the UPDATE takes the row lock (PostgreSQL) or the write
        # lock (SQLite) before anything is read, so two issuers never see the same value.
        NumberSequence.objects.filter(prefix=prefix).update(last=F("last") + count)
        return NumberSequence.objects.filter(prefix=prefix).values_list("last", flat=True).get() - count + 1


def certificate_prefix(area_code: str, year: int, level: str, series) -> str:
    return f"{area_code}{year:04d}{LEVEL_DIGIT[level]}{series.sort_order + 1:02d}"


def next_certificate_number(area_code: str, year: int, level: str, series) -> str:
    return certificate_numbers(area_code, year, level, series, 1)[0]


def certificate_numbers(area_code: str, year: int, level: str, series, count: int) -> list[str]:
    prefix = certificate_prefix(area_code, year, level, series)
    first = reserve_in_sequence(prefix, count)
    return [f"{prefix}{n:06d}" for n in range(first, first + count)]


def next_filing_number(filing_body, year: int) -> str:
    """The system's filing number, used when the approving body records no document number of its own."""
    n = next_in_sequence(f"filing:{filing_body.area.code}:{year}")
    return f"职称备〔{year}〕{filing_body.area.code}-{n:03d}号"
