"""The audit log page's filter: who, what kind of object, which days (八（二）: 倒查追责 starts from a person or a
date), each checked, so a typo gives a message and not an empty page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.core import clock


def object_type_label(object_type: str) -> str:
    """The kind of object an entry is about, in words ("declarations.application" reads 职称申报)."""
    try:
        return gettext(str(apps.get_model(object_type)._meta.verbose_name))
    except (LookupError, ValueError):
        return object_type


def _object_type_choices():
    # The domain's objects, those with a name of their own (the others are bookkeeping no one looks up).
    kinds = sorted({(m._meta.label_lower, object_type_label(m._meta.label_lower)) for m in apps.get_models()
                    if m.__module__.startswith("zhicheng.") and "verbose_name" in m._meta.original_attrs},
                   key=lambda choice: choice[1])
    return [("", _("全部")), *kinds]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人（用户名或姓名）"), max_length=150, required=False)
    object_type = forms.ChoiceField(label=_("对象类别"), choices=_object_type_choices, required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and since > clock.today():
            self.add_error("since", _("起始日期不能晚于今天。"))
        if since and until and until < since:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data

    def filter(self, entries):
        """``entries`` narrowed by the valid fields (an invalid form narrows by none)."""
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if actor := data["actor"].strip():
            # Through the accounts (a user name, or the name a person is known by) to the indexed actor_id.
            users = get_user_model().objects.filter(Q(username=actor) | Q(first_name=actor)).values("pk")
            entries = entries.filter(actor_id__in=users)
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["since"]:
            entries = entries.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=clock.CHINA))
        if data["until"]:
            entries = entries.filter(at__lte=clock.end_of_day(data["until"]))
        return entries
