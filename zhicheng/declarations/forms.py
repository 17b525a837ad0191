"""Forms of the declaration: starting one, the draft's own fields, fee, files and the correction notice."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.catalogue.models import CorrectionItem, Level, MaterialItem, Series, Specialty
from zhicheng.core import clock
from zhicheng.core.params import IdChoicesField, object_id
from zhicheng.orgs.models import Organisation, OrgKind
from zhicheng.people import dates
from zhicheng.people.forms import translate_labels

from .models import Application

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StartForm(forms.Form):
    """Step one of the wizard: what to declare (the engine's answer is shown beside it as you choose)."""

    series = forms.ModelChoiceField(label=_("职称系列"), queryset=Series.objects.all(), empty_label=_("请选择"))
    # The level's name in the reader's language (the catalogue has the labels through domain_labels).
    level = forms.ChoiceField(label=_("申报层级"), choices=[("", _("请选择")), *((code, _(label)) for code, label in Level.choices)])
    specialty = forms.ModelChoiceField(label=_("专业"), queryset=Specialty.objects.none(), required=False, empty_label=_("（不限）"))
    recommender = forms.ModelChoiceField(
        label=_("推荐报送机构（非公有制领域，四（五））"), queryset=Organisation.objects.none(), required=False, empty_label=_("请选择"),
    )

    def __init__(self, *args, private: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].label_from_instance = lambda series: gettext(series.name)
        series_id = self.data.get("series") or self.initial.get("series")
        self.fields["specialty"].label_from_instance = lambda specialty: specialty.name
        if series_id := object_id(series_id):
            self.fields["specialty"].queryset = Specialty.objects.filter(series_id=series_id)
        if private:
            self.fields["recommender"].queryset = Organisation.objects.filter(
                kind__in=(OrgKind.RECOMMENDING_BODY, OrgKind.HR_BUREAU)).order_by("kind", "name")
            self.fields["recommender"].required = True
        else:
            del self.fields["recommender"]


class DraftForm(forms.ModelForm):
    """The fields the applicant fills in on the declaration itself; saved as they type."""

    class Meta:
        model = Application
        fields = ["specialty", "epidemic_frontline", "epidemic_hubei_aid", "epidemic_designated_hospital",
                  "epidemic_commended_provincial", "new_post_since", "exam_score"]
        widgets = {"new_post_since": DATE_INPUT}
        labels = {
            "exam_score": _("考试成绩（考评结合系列，五（二）1）"),
            "new_post_since": _("转系列：新岗位工作起始日（五（十一））"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = Specialty.objects.filter(series_id=self.instance.series_id)
        self.fields["specialty"].required = False
        self.fields["specialty"].label_from_instance = lambda specialty: specialty.name
        translate_labels(self)

    def clean_new_post_since(self):
        value, label = self.cleaned_data.get("new_post_since"), str(self.fields["new_post_since"].label)
        error = dates.not_after_today(value, label) or dates.not_before_age(value, label, self.instance.person.birth_date)
        if error:
            raise forms.ValidationError(error)
        return value


class FeeForm(forms.Form):
    reference = forms.CharField(label=_("缴费凭证号（票据号或交易流水号）"), max_length=60)


class MaterialForm(forms.Form):
    item = forms.ModelChoiceField(queryset=MaterialItem.objects.filter(active=True), widget=forms.HiddenInput)
    file = forms.FileField(label=_("选择文件（PDF、JPEG、PNG）"))


class CorrectionForm(forms.Form):
    """一次告知: tick every deficiency from the standard list, add any other, and give one deadline."""

    standard = IdChoicesField(
        label=_("标准补正事项（可多选）"), queryset=CorrectionItem.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple, required=False,
    )
    extra = forms.CharField(label=_("其他需补正事项（每行一项）"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            max_length=500, error_messages={"max_length": _("其他需补正事项最多500字（现有%(show_value)d字），请精简后再发出。")})
    deadline = forms.DateField(label=_("补正截止日期"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = clock.today() + dt.timedelta(days=10)
        self.fields["standard"].label_from_instance = lambda item: item.display_text


class RescreenForm(forms.Form):
    year = forms.IntegerField(label=_("申报年度"), min_value=2000, max_value=2100)
