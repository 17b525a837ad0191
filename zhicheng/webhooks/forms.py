from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventKind


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("名称（接收系统）"), max_length=100)
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https",
                         help_text=_("须为 https:// 地址，且指向互联网上的公开地址；推送不跟随重定向。"))
    event_kinds = forms.MultipleChoiceField(label=_("推送事件"), choices=[(value, _(label)) for value, label in EventKind.choices], widget=forms.CheckboxSelectMultiple,
                                            initial=list(EventKind.values))
