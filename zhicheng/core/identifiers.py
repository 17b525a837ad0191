"""Validation of Chinese identifiers with python-stdnum, with messages in the reader's language (Chinese first)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


# Two other cards of 二（二）'s people carry a number of the 身份证's form (GB 11643: birth date, sequence with the
# sex, the same check digit) where the area code would be: the 港澳台居民居住证 (2018) 810000, 820000 or 830000,
# the 外国人永久居留身份证 (2023) a 9, the province that issued it and a nationality code. cn.ric knows no such
# area, so it refuses both; their holders declare all the same.
RESIDENCE_PERMIT_AREAS = {"810000": "HK", "820000": "MO", "830000": "TW"}
FOREIGN_PERMANENT_RESIDENCE_PREFIX = "9"
# The provinces (GB/T 2260) that issue the 外国人永久居留身份证: its second and third digits.
ISSUING_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65".split())


def nationality_of_id(number: str) -> str:
    """The Person.nationality code a checked number implies: HK, MO, TW, foreign, or CN for a 身份证."""
    if number[:6] in RESIDENCE_PERMIT_AREAS:
        return RESIDENCE_PERMIT_AREAS[number[:6]]
    return "foreign" if number.startswith(FOREIGN_PERMANENT_RESIDENCE_PREFIX) else "CN"


def normalise_id_number(value: str) -> str:
    """A 居民身份证, 港澳台居民居住证 or 外国人永久居留身份证 number, checked, in its compact form."""
    try:
        return ric.validate(value)
    except stdnum_errors.InvalidComponent:
        number = ric.compact(value)  # cn.ric has checked its length, digits and check digit: only the area is unknown
        nationality = nationality_of_id(number)
        if nationality == "CN" or (nationality == "foreign" and number[1:3] not in ISSUING_PROVINCES):
            raise ValidationError(_("身份证号码中的出生日期或地区码无效。"), code="component")
        try:
            ric.get_birth_date(number)
        except stdnum_errors.ValidationError:
            raise ValidationError(_("身份证号码中的出生日期或地区码无效。"), code="component")
        return number
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("身份证号码应为18位。"), code="length")
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_("身份证号码校验位不正确，请核对。"), code="checksum")
    except stdnum_errors.ValidationError:
        raise ValidationError(_("身份证号码格式不正确。"), code="format")


def birth_date_from_id(value: str) -> dt.date:
    return ric.get_birth_date(value)


def sex_from_id(value: str) -> str:
    """'M' or 'F': the 17th digit is odd for men (GB 11643)."""
    return "M" if int(ric.compact(value)[16]) % 2 else "F"


def mask_id_number(value: str) -> str:
    """Publicity shows only the first and last characters (issue: masking on public pages)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 2) + value[-1]


def normalise_credit_code(value: str) -> str:
    try:
        return uscc.validate(value)
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="length")
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="checksum")
    except stdnum_errors.ValidationError:
        raise ValidationError(_("统一社会信用代码格式不正确。"), code="format")
