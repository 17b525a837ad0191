"""Valid-looking identifiers for demo and test people and units (checksums computed, never typed)."""

import datetime as dt

from stdnum import exceptions
from stdnum.cn import ric, uscc


def _known_birth_place(area_code: str, birth: dt.date) -> bool:
    try:
        ric.get_birth_place(f"{area_code}{birth:%Y%m%d}0000")
    except exceptions.ValidationError:
        return False
    return True


def id_number(area_code: str, birth: dt.date, serial: int) -> str:
    """A 身份证 number born in ``area_code`` (or the nearest enclosing code stdnum knows)."""
    for candidate in (area_code, area_code[:4] + "02", area_code[:4] + "21", "150104", "152101", "110101"):
        if _known_birth_place(candidate, birth):
            break
    body = f"{candidate}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def credit_code(serial: int, area_code: str = "150100", kind: str = "91") -> str:
    """kind: 12 = 事业单位, 11 = 机关, 91 = 企业, 51 = 社会团体."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    tail, n = "", serial
    for _ in range(9):
        tail = alphabet[n % 31] + tail
        n //= 31
    body = f"{kind}{area_code}{tail}"
    return body + uscc.calc_check_digit(body)
