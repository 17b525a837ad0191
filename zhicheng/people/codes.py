"""The codes an archive record holds: what the forms offer and what stored records are checked against.

A code is never typed: its form field is a choice of labelled values from the catalogue. Records stored
before that rule (a 系列 typed as "工程" where the code is ``engineering``) are found here and named in
Chinese, so that the pages show them as needing correction instead of handing them to the engine.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.policy.codes import SERIES


def series_choices() -> list[tuple[str, str]]:
    """The catalogue's series the eligibility engine knows, labelled in the reader's language."""
    from zhicheng.catalogue.models import Series

    return [(code, gettext(name)) for code, name in Series.objects.filter(code__in=SERIES).values_list("code", "name")]


# Model fields named here hold a code of a catalogue held as data (not as model choices): the field's
# name, the catalogue's name in messages, and its labelled values. A stored value is checked against the
# engine's vocabulary (no query: re-screening a year checks every declaration's archive).
CATALOGUE_FIELDS = {
    "series": (_("职称系列目录"), series_choices),
}
STORED_CODES = {"series": frozenset(SERIES)}


def _shown(record) -> str:
    label = getattr(record, "kind_label", "") or record._meta.verbose_name
    return f"{gettext(str(label))}「{record}」"


def record_problems(record) -> list[str]:
    """What in one stored record is outside its catalogue or its choices, in Chinese."""
    problems = []
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if value in (None, ""):
            continue
        if field.name in CATALOGUE_FIELDS:
            name, allowed = CATALOGUE_FIELDS[field.name][0], STORED_CODES[field.name]
        elif field.choices:
            name, allowed = _("可选项"), {str(code) for code, _label in field.flatchoices}
            value = str(value)
        else:
            continue
        if value not in allowed:
            problems.append(gettext("%(record)s：%(field)s“%(value)s”不是%(catalogue)s中的值，请到“我的档案”修改该记录。") % {
                "record": _shown(record), "field": gettext(str(field.verbose_name)), "value": value, "catalogue": gettext(str(name))})
    return problems


def archive_problems(person, kinds=None, records=None) -> list[str]:
    """Every stored value of the person and of their archive records (of ``kinds``) that is outside its
    catalogue. ``records``: the person's records already read by the caller, instead of reading them."""
    from .models import ARCHIVE_MODELS

    problems = record_problems(person)
    for kind, model in ARCHIVE_MODELS.items():
        if kinds is None or kind in kinds:
            # Through the related manager, so that records prefetched with the person are not read again.
            of_kind = [r for r in records if isinstance(r, model)] if records is not None else \
                getattr(person, f"{model._meta.model_name}_records").all()
            for record in of_kind:
                problems += record_problems(record)
    return problems
