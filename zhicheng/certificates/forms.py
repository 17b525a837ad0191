from django import forms

from zhicheng.catalogue.models import Level, Series

from .models import ExchangeOrigin


class VerifyForm(forms.Form):
    number = forms.CharField(label="证书编号", max_length=40)
    name = forms.CharField(label="持证人姓名", max_length=40)
    verifier = forms.CharField(label="查询单位或查询人（选填，持证人可见）", max_length=80, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))
    document_number = forms.CharField(label="处理文号", max_length=60)


class FilingSubmitForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    report = forms.CharField(label="核准备案报告（留空则按评审与公示情况自动生成）", required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))


class FilingApproveForm(forms.Form):
    document_number = forms.CharField(label="核准备案文号（留空则由系统编号）", max_length=60, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200)


class ExchangeForm(forms.Form):
    origin = forms.ChoiceField(label="原证书来源", choices=ExchangeOrigin.choices)
    original_issuer = forms.CharField(label="原发证（评审）机关", max_length=120)
    original_committee = forms.CharField(label="原评审委员会", max_length=120)
    original_number = forms.CharField(label="原证书编号", max_length=60)
    series = forms.ModelChoiceField(label="系列", queryset=Series.objects.all())
    level = forms.ChoiceField(label="层级", choices=Level.choices)
    title_name = forms.CharField(label="职称名称", max_length=40)
    specialty = forms.CharField(label="专业", max_length=60, required=False)
    obtained_on = forms.DateField(label="取得时间", widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.FileField(label="原证书扫描件（PDF/JPG/PNG）")


class ExchangeDecisionForm(forms.Form):
    document_number = forms.CharField(label="核准文号", max_length=60, required=False)
    note = forms.CharField(label="核准意见", max_length=200, required=False)


class HistoryImportForm(forms.Form):
    MAX_BYTES = 50 * 1024 * 1024  # about a million rows; larger files are split by year

    workbook = forms.FileField(label="历年职称记录（.xlsx，不超过50MB）")

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        if workbook.size > self.MAX_BYTES:
            raise forms.ValidationError("文件超过50MB，请按年度拆分后分批导入。")
        return workbook
