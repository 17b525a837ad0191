"""Forms of the plan-progress pages; they only read input, the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhicheng.people.forms import EvidenceField

from .services import MAX_TEXT


class ExplanationForm(forms.Form):
    text = forms.CharField(label=_("未按计划完成评审的原因及补救措施（八（二）4）"), max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 5}))
    evidence_files = EvidenceField(label=_("佐证材料（PDF、JPEG或PNG，可多选）"), required=False)


class DecisionForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(label=_("审阅结果"), choices=[(ACCEPT, _("接受")), (RETURN, _("退回"))], widget=forms.RadioSelect)
    reason = forms.CharField(label=_("退回理由"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回书面说明须写明理由。"))
        return data
