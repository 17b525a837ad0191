"""Ids read from query strings and forms: whatever cannot be one reads as none, never as an error.

str.isdigit() alone is not enough: it accepts "²" (int() refuses it) and 40-digit numbers (the databases refuse
them: ids are 64-bit).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

LARGEST_ID = 2**63 - 1


def object_id(value) -> int | None:
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID:
        return int(text)
    return None


def object_ids(values) -> list[int]:
    return [i for i in map(object_id, values) if i is not None]


class IdChoicesField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of objects, refusing what cannot be an id before it reaches the database
    (Django sends the values to an IN lookup unchecked, and SQLite cannot take a 40-digit number)."""

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            for item in value:
                if object_id(item) is None:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item})
        return super().clean(value)
