"""Validation of Chinese identifiers with python-stdnum, with messages in the reader's language (Chinese first)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


def normalise_id_number(value: str) -> str:
    try:
        return ric.validate(value)
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("身份证号码应为18位。"), code="length")
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_("身份证号码校验位不正确，请核对。"), code="checksum")
    except stdnum_errors.InvalidComponent:
        raise ValidationError(_("身份证号码中的出生日期或地区码无效。"), code="component")
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
