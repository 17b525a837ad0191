from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from zhicheng.core import clock

from .models import Scope


def _scope_choices():
    # The labels are the domain's Chinese (Scope); gettext shows them in the reader's language.
    return [(scope.value, _(scope.label)) for scope in Scope]


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("名称（调用密钥的系统）"), max_length=80,
                           help_text=_("例如：本单位人事管理系统。列表和审计日志以此名称辨认密钥。"),
                           error_messages={"required": _("请填写密钥名称（调用它的系统）。")})
    scopes = forms.MultipleChoiceField(label=_("权限范围"), choices=_scope_choices, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("只选调用系统确实需要的范围。数据范围与您本人在页面上所见相同。"),
                                       error_messages={"required": _("请至少选择一项权限范围。"),
                                                       "invalid_choice": _("未知的权限范围：%(value)s。")})
    expires_on = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("最长一年；到期当日24时后失效。"),
                                 error_messages={"required": _("请填写有效期。"), "invalid": _("请按“年-月-日”填写有效期。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["expires_on"].initial = today + dt.timedelta(days=180)
        self.fields["expires_on"].widget.attrs.update(min=(today + dt.timedelta(days=1)).isoformat(),
                                                      max=(today + dt.timedelta(days=365)).isoformat())
