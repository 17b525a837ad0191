"""People's names as typed: in the scripts a name in the region is written in, nothing else.

A name reaches the public pages (publicity lists), documents and the audit log; markup, digits or punctuation
in it are a typing error or an attempt, never a name (a registration once took <script>alert(1)</script>)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Han (with the extension blocks), Mongolian, Latin with accents; the middle dots of transcribed names
# (阿拉坦·巴根), spaces, hyphens and apostrophes of foreign ones.
NAME = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u1800-\u18afA-Za-z\u00c0-\u024f"
    r"·•・‧\-' ]+"
)


# As long as the archive keeps a name (people.Person.name and the other name fields): longer is refused, with the
# length, rather than by the database.
MAX_LENGTH = 40


def name_problem(value: str) -> str | None:
    """Why ``value`` is not a person's name, or None (an empty value is the caller's: required or not)."""
    value = value.strip()
    if value and not NAME.fullmatch(value):
        return _("姓名只能由汉字、蒙古文或拉丁字母组成（可含间隔号“·”和空格），请核对。")
    if len(value) > MAX_LENGTH:
        return _("姓名有%(length)d个字符，超过了%(limit)d个字符的上限，请核对。") % {"length": len(value), "limit": MAX_LENGTH}
    return None
