"""Date sanity of what people type: against today (zhicheng.core.clock), the person's birth and each other.

A date of professional life (a graduation, a title, a paper) cannot lie in the future nor before the
person could have earned it; an end cannot come before its start. The messages name the field and the
limit, in the reader's language (Chinese first).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext

from zhicheng.core import clock

# The earliest age at which a record of professional life (graduation, work, title, paper ...) is
# plausible: younger than this, a typing error is far likelier than a prodigy.
MIN_AGE = 14
# The youngest age at which a person registers to declare a title (the legal working age).
MIN_REGISTRATION_AGE = 16
# Dates that may lie ahead: a project's planned end.
FUTURE_ALLOWED = {("project", "ended_on")}
# Pairs of (start, end) fields: the end may not come before the start.
SPANS = (("started_on", "ended_on"),)


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def working_years(birth: dt.date) -> int:
    """Whole years since the person reached working age (MIN_REGISTRATION_AGE), by today."""
    start = years_after(birth, MIN_REGISTRATION_AGE)
    today = clock.today()
    return max(0, today.year - start.year - ((today.month, today.day) < (start.month, start.day)))


def _label(form, name: str) -> str:
    return str(form.fields[name].label) if name in form.fields else name


def not_after_today(value: dt.date | None, label: str) -> str | None:
    today = clock.today()
    if value and value > today:
        return gettext("%(field)s不能晚于今天（%(today)s），请核对。") % {"field": label, "today": f"{today:%Y-%m-%d}"}
    return None


def not_before_age(value: dt.date | None, label: str, birth: dt.date | None, age: int = MIN_AGE) -> str | None:
    if value and birth and value < years_after(birth, age):
        return gettext("%(field)s（%(value)s）早于您年满%(age)d周岁（%(limit)s，按身份证号码中的出生日期），请核对。") % {
            "field": label, "value": f"{value:%Y-%m-%d}", "age": age, "limit": f"{years_after(birth, age):%Y-%m-%d}"}
    return None


def end_not_before_start(start: dt.date | None, end: dt.date | None, start_label: str, end_label: str) -> str | None:
    if start and end and end < start:
        return gettext("%(end)s不能早于%(start)s。") % {"end": end_label, "start": start_label}
    return None


def check_birth_date(birth: dt.date) -> str | None:
    """The birth date a 身份证 number carries, at registration."""
    today = clock.today()
    if birth > today:
        return gettext("身份证号码中的出生日期（%(birth)s）晚于今天，请核对。") % {"birth": f"{birth:%Y-%m-%d}"}
    if birth > years_after(today, -MIN_REGISTRATION_AGE):
        return gettext("按身份证号码中的出生日期（%(birth)s），您未满%(age)d周岁，不能注册申报职称，请核对。") % {
            "birth": f"{birth:%Y-%m-%d}", "age": MIN_REGISTRATION_AGE}
    return None


def check_record(form, person) -> None:
    """Every date and year of an archive record form, against today, the person's birth and each other."""
    from .services import kind_of

    data, birth = form.cleaned_data, getattr(person, "birth_date", None)
    kind = kind_of(form.instance)
    today = clock.today()
    for field in form._meta.model._meta.concrete_fields:
        name, value = field.name, data.get(field.name)
        if value is None or name not in form.fields:
            continue
        label = _label(form, name)
        if isinstance(field, models.DateField):
            error = (None if (kind, name) in FUTURE_ALLOWED else not_after_today(value, label)) or not_before_age(value, label, birth)
        elif name == "year":
            error = None
            if value > today.year:
                error = gettext("%(field)s不能晚于今年（%(year)d年），请核对。") % {"field": label, "year": today.year}
            elif birth and value < birth.year + MIN_AGE:
                error = gettext("%(field)s（%(value)d年）早于您年满%(age)d周岁的年份，请核对。") % {"field": label, "value": value, "age": MIN_AGE}
        else:
            continue
        if error:
            form.add_error(name, error)
    for start, end in SPANS:
        if start in form.fields and end in form.fields:
            error = end_not_before_start(data.get(start), data.get(end), _label(form, start), _label(form, end))
            if error and end not in form.errors:
                form.add_error(end, error)
