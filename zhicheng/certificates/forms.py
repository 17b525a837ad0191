from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.catalogue.models import Level, Series
from zhicheng.people import dates

from .models import ExchangeOrigin


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("证书编号"), max_length=40)
    name = forms.CharField(label=_("持证人姓名"), max_length=40)
    verifier = forms.CharField(label=_("查询单位或查询人（选填，持证人可见）"), max_length=80, required=False)


class RevokeForm(forms.Form):
    # The reason is shown to anyone verifying the certificate and the holder is blacklisted: "x" says nothing.
    REASON_MIN = 4

    reason = forms.CharField(label=_("撤销原因"), max_length=200, min_length=REASON_MIN, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请写明撤销原因。"),
                                             "min_length": _("撤销原因至少写%(limit_value)d个字（现在%(show_value)d个字）：原因将在证书核验页公开。")})
    document_number = forms.CharField(label=_("处理文号"), max_length=60, error_messages={"required": _("请填写处理文号。")})


class FilingSubmitForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    report = forms.CharField(label=_("核准备案报告（留空则按评审与公示情况自动生成）"), required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))


class FilingApproveForm(forms.Form):
    document_number = forms.CharField(label=_("核准备案文号（留空则由系统编号）"), max_length=60, required=False)


class ReturnForm(forms.Form):
    # Blank (or only spaces) says what is missing; too short a reason is refused by filing.return_filing.
    reason = forms.CharField(label=_("理由"), max_length=200, error_messages={"required": _("请写明退回原因。")})


class ExchangeForm(forms.Form):
    origin = forms.ChoiceField(label=_("原证书来源"), choices=[(value, _(label)) for value, label in ExchangeOrigin.choices])
    original_issuer = forms.CharField(label=_("原发证（评审）机关"), max_length=120)
    original_committee = forms.CharField(label=_("原评审委员会"), max_length=120)
    original_number = forms.CharField(label=_("原证书编号"), max_length=60)
    series = forms.ModelChoiceField(label=_("系列"), queryset=Series.objects.all())
    level = forms.ChoiceField(label=_("层级"), choices=[(value, _(label)) for value, label in Level.choices])
    title_name = forms.CharField(label=_("职称名称"), max_length=40)
    specialty = forms.CharField(label=_("专业"), max_length=60, required=False)
    obtained_on = forms.DateField(label=_("取得时间"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    evidence = forms.FileField(label=_("原证书扫描件（PDF/JPG/PNG）"))

    def __init__(self, *args, holder=None, **kwargs):
        """``holder``: the person the certificate is for, when known (the page's own applicant)."""
        super().__init__(*args, **kwargs)
        self.holder = holder
        self.fields["series"].label_from_instance = lambda series: gettext(series.name)

    def clean_obtained_on(self):
        value, label = self.cleaned_data.get("obtained_on"), str(self.fields["obtained_on"].label)
        error = dates.not_after_today(value, label) or dates.not_before_age(value, label, getattr(self.holder, "birth_date", None))
        if error:
            raise forms.ValidationError(error)
        return self.cleaned_data.get("obtained_on")


class ExchangeDecisionForm(forms.Form):
    document_number = forms.CharField(label=_("核准文号"), max_length=60, required=False)
    note = forms.CharField(label=_("核准意见"), max_length=200, required=False)


class HistoryImportForm(forms.Form):
    MAX_BYTES = 50 * 1024 * 1024  # far above the import's 200,000 rows (100,000 compress to about 5 MB); the rest is the reader's limits

    workbook = forms.FileField(label=_("历年职称记录（.xlsx，或归集交换格式的 .json，不超过50MB）"))

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        if workbook.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件超过50MB，请按年度拆分后分批导入。"))
        return workbook


class RenderCertificatesForm(forms.Form):
    """Which certificates a batch rendering covers: one filing's (from its page), or a year's."""

    year = forms.IntegerField(label=_("发证年度"), min_value=1950, max_value=2100, required=False)
    filing = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("filing") and not data.get("year"):
            raise forms.ValidationError(_("请填写发证年度。"))
        return data
