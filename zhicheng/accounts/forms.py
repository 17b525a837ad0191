from django import forms
from django.utils.translation import gettext_lazy as _


class UnlockForm(forms.Form):
    """Unlock an account by the username its owner gives, or a network address."""

    username = forms.CharField(label=_("用户名（申报人为身份证号码）"), max_length=150, required=False)
    address = forms.GenericIPAddressField(label=_("网络地址"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("username") and not data.get("address"):
            raise forms.ValidationError(_("请填写用户名或网络地址。"))
        return data
