from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import Series
from zhicheng.core import clock
from zhicheng.orgs.models import Area, AreaLevel, Committee
from zhicheng.people.forms import EvidenceField

from .checklists import ANSWERS, checklist
from .models import Campaign, Conclusion
from .services import MAX_SAMPLE_COUNT, ONE_OF_RATE_OR_COUNT


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        labels = {
            "title": _("抽查名称"), "kind": _("抽查对象"), "year": _("年度"), "series": _("系列"), "area": _("区域"),
            "committee": _("评委会"), "sample_rate": _("抽查比例（%）"), "sample_count": _("抽查数量"), "stratify": _("分层"),
            "risk_weighted": _("按诚信风险信号加权抽取（共用文件、论文超署名、证书编号重复等，整数权重随记录公布）"),
        }
        fields = ["title", "kind", "year", "series", "area", "committee", "sample_rate", "sample_count", "stratify", "risk_weighted"]
        help_texts = {
            "sample_rate": _("按比例抽查时填写（1—100的整数），与抽查数量二选一"),
            "sample_count": _("按数量抽查时填写，与抽查比例二选一"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["year"].initial = today.year
        self.fields["year"].widget.attrs.update(min=2000, max=today.year)
        self.fields["series"].queryset = Series.objects.order_by("sort_order", "code")
        self.fields["series"].label_from_instance = lambda series: gettext(series.name)  # the catalogue's names are translated
        areas = Area.objects.filter(level__in=(AreaLevel.REGION, AreaLevel.LEAGUE_CITY, AreaLevel.COUNTY))
        committees = Committee.objects.select_related("area")
        if user is not None and user.role == Role.HR_BUREAU and user.organisation_id:
            own = user.organisation.area
            areas = areas.filter(path__startswith=own.path)
            committees = committees.filter(area__path__startswith=own.path)
            self.fields["area"].required = True
            self.fields["area"].empty_label = None
        self.fields["area"].queryset = areas
        self.fields["committee"].queryset = committees
        for name in ("sample_rate", "sample_count"):
            self.fields[name].widget.attrs["min"] = 1
        self.fields["sample_rate"].widget.attrs["max"] = 100
        self.fields["sample_count"].widget.attrs["max"] = MAX_SAMPLE_COUNT
        # The ranges below replace the database's (0 to 2⁶³−1 on SQLite), said by the field in the words the service uses.
        for name in ("year", "sample_rate", "sample_count"):
            self.fields[name].validators = []

    def clean_year(self):
        year, this_year = self.cleaned_data.get("year"), clock.today().year
        if year is not None and not 2000 <= year <= this_year:
            raise forms.ValidationError(gettext("年度应在2000年至今年（%(year)d年）之间。") % {"year": this_year})
        return year

    def clean_sample_rate(self):
        rate = self.cleaned_data.get("sample_rate")
        if rate is not None and not 1 <= rate <= 100:
            raise forms.ValidationError(gettext("抽查比例应在1%至100%之间。"))
        return rate

    def clean_sample_count(self):
        count = self.cleaned_data.get("sample_count")
        if count is not None and count < 1:
            raise forms.ValidationError(gettext("抽查数量至少为1。"))
        if count is not None and count > MAX_SAMPLE_COUNT:
            raise forms.ValidationError(gettext("抽查数量不能超过%(n)d项。") % {"n": MAX_SAMPLE_COUNT})
        return count

    def clean(self):
        data = super().clean()
        rate, count = data.get("sample_rate"), data.get("sample_count")
        if self.errors.get("sample_rate") or self.errors.get("sample_count"):
            return data
        if rate is None and count is None:
            raise forms.ValidationError(_("请填写抽查比例或抽查数量中的一项（八（一）随机抽查须事先确定抽查规模）。"))
        if rate is not None and count is not None:
            raise forms.ValidationError(ONE_OF_RATE_OR_COUNT)
        return data


class FindingForm(forms.Form):
    """One radio choice per checklist point (its clause in the label), the conclusion, text and evidence files."""

    conclusion = forms.ChoiceField(label=_("结论"), choices=Conclusion.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("检查情况（发现问题时写明问题及依据）"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000)
    evidence = EvidenceField(label=_("证据文件（PDF、JPEG或PNG，可多选）"), required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        points = {}
        for point in checklist(kind):
            points[f"point_{point.code}"] = forms.ChoiceField(
                label=_("%(text)s（%(clause)s）") % {"text": point.text, "clause": point.clause},
                choices=list(ANSWERS.items()), widget=forms.RadioSelect,
            )
        # The checklist first, then the conclusion, text and evidence.
        self.fields = {**points, **self.fields}

    def answers(self) -> dict[str, str]:
        return {name.removeprefix("point_"): value for name, value in self.cleaned_data.items() if name.startswith("point_")}
