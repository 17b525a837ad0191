"""Forms of the publicity: starting one over a set of declarations, objections and their handling."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Publicity, PublicityKind


class PublicityOptionsForm(forms.Form):
    """What a bulk 'publish' asks besides the declarations: the period and where objections go."""

    title = forms.CharField(label=_("公示标题（留空自动生成）"), max_length=200, required=False)
    working_days = forms.IntegerField(label=_("公示工作日数"), min_value=Publicity.MIN_WORKING_DAYS, max_value=30,
                                      initial=Publicity.MIN_WORKING_DAYS)
    contact = forms.CharField(label=_("受理异议电话/地址"), max_length=200, required=False)


class PublicListFilter(forms.Form):
    """The public list's search: a province runs thousands of employer publicities at once in July."""

    q = forms.CharField(label=_("公示单位或标题"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部类型")), *[(value, _(label)) for value, label in PublicityKind.choices]])

    def filter(self, publicities):
        """``publicities`` narrowed by the valid fields (an invalid form narrows by none)."""
        if not self.is_valid():
            return publicities
        if q := self.cleaned_data["q"].strip():
            publicities = publicities.filter(models.Q(publisher__name__icontains=q) | models.Q(title__icontains=q))
        if kind := self.cleaned_data["kind"]:
            publicities = publicities.filter(kind=kind)
        return publicities


class ObjectionForm(forms.Form):
    """A real-name objection from the public page; the phone is for checking and never shown.
    What makes an objection acceptable is checked by publicity.services.raise_objection alone."""

    entry = forms.TypedChoiceField(label=_("异议对象"), coerce=int, choices=())
    name = forms.CharField(label=_("您的姓名（实名）"), max_length=40, required=False)
    phone = forms.CharField(label=_("您的联系电话"), max_length=20, required=False)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("请选择"))] + [(pk, label) for pk, label in entries]


class HandleObjectionForm(forms.Form):
    FINDING_MIN, FINDING_MAX = 5, 1000  # the least is publicity.services.handle_objection's

    substantiated = forms.TypedChoiceField(
        label=_("核实结果"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("no", _("经核实不属实")), ("yes", _("经核实属实"))],
        error_messages={"required": _("请选择核实结果（经核实属实或不属实）。"),
                        "invalid_choice": _("请选择核实结果（经核实属实或不属实）。")},
    )
    finding = forms.CharField(
        label=_("核实情况与处理意见"), widget=forms.Textarea(attrs={"rows": 3, "minlength": FINDING_MIN}), max_length=FINDING_MAX,
        error_messages={"required": _("请填写核实情况与处理意见。"),
                        "max_length": _("核实情况与处理意见不能超过%(limit_value)d个字（现在%(show_value)d个字），请精简。")},
    )

    def is_complete(self) -> bool:
        """Valid, and the finding as long as the service asks: the page says so before it asks to confirm.
        (The API keeps the service's own refusal of a short finding.)"""
        if not self.is_valid():
            return False
        finding = self.cleaned_data["finding"]
        if len(finding) < self.FINDING_MIN:
            self.add_error("finding", gettext("核实情况与处理意见至少填写%(least)d个字（现在%(now)d个字）。")
                           % {"least": self.FINDING_MIN, "now": len(finding)})
            return False
        return True
