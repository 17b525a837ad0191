from django import forms
from django.utils.translation import gettext_lazy as _

from zhicheng.core.params import IdChoicesField
from zhicheng.orgs.models import Organisation
from zhicheng.people.forms import EvidenceField

from .models import CommitteeSuspension, RectificationOrder, Source
from .services import PARTY_KINDS


class OrderForm(forms.Form):
    source = forms.ChoiceField(label=_("发现方式"), choices=[(Source.INSPECTION, _("巡查")), (Source.RECHECK, _("复查"))])
    party = forms.ModelChoiceField(label=_("责令整改单位"), queryset=Organisation.objects.filter(kind__in=PARTY_KINDS).order_by("kind", "name"))
    matter = forms.CharField(label=_("需要纠正的问题和要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, parties=None, from_finding=False, outside="", **kwargs):
        super().__init__(*args, **kwargs)
        if parties is not None:  # those the orderer may order (a bureau: its area's)
            self.fields["party"].queryset = parties.order_by("kind", "name")
        if outside:  # a party not in the list: why (a bureau orders only in its own area)
            self.fields["party"].error_messages["invalid_choice"] = outside
        if from_finding:  # the finding says how the problem was found
            del self.fields["source"]


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("整改措施和结果"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    files = EvidenceField(label=_("整改证明材料（PDF、JPEG、PNG）"), required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("验收结论"), choices=[("accept", _("验收通过")), ("reject", _("不予验收，退回整改"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("意见（不予验收时必填）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RevocationForm(forms.Form):
    document_number = forms.CharField(label=_("处理文号"), max_length=60)


class BulletinForm(forms.Form):
    document_number = forms.CharField(label=_("文号"), max_length=40, help_text=_("例如：内人社函〔2021〕12号"))
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}))
    orders = IdChoicesField(label=_("通报的限期纠正"), required=False, widget=forms.CheckboxSelectMultiple,
                                            queryset=RectificationOrder.objects.select_related("party").order_by("-issued_at"))
    suspensions = IdChoicesField(label=_("通报的停止评审"), required=False, widget=forms.CheckboxSelectMultiple,
                                                 queryset=CommitteeSuspension.objects.select_related("committee").order_by("-decided_at"))
