"""Forms of the committee pages; they only read input, the rules are in the service modules."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.catalogue.models import Specialty
from zhicheng.core import clock
from zhicheng.core.names import name_problem
from zhicheng.core.params import IdChoicesField
from zhicheng.core.wording import title_label
from zhicheng.orgs.models import Organisation
from zhicheng.people import dates
from zhicheng.people.forms import translate_labels

from . import plans, pool
from .drawing import DEFAULT_OBJECTION_DAYS, MAX_OBJECTION_DAYS, MIN_OBJECTION_DAYS
from .meeting import CHOICES
from .models import (DUPLICATE_PLAN, RECUSAL_YEARS_MAX, RECUSAL_YEARS_MESSAGE, RECUSAL_YEARS_MIN, GroupKind, Recommendation,
                     RelationKind, ReviewPlan)
from .panels import SCORE_FIELDS
from .pool import NO_SPECIALTY

# An <input type="date"> reads and sends ISO dates only, whatever the page's language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_after_today(form, name: str):
    """A date of something that has happened (a relation begun or ended, a sanction imposed): not after today."""
    error = dates.not_after_today(form.cleaned_data.get(name), str(form.fields[name].label))
    if error:
        raise forms.ValidationError(error)
    return form.cleaned_data.get(name)


def units():
    return Organisation.objects.units().order_by("name")


class ExpertForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("工作单位"), queryset=Organisation.objects.none())
    specialty = forms.ModelChoiceField(label=_("专业"), queryset=Specialty.objects.none(), required=False)
    committees = IdChoicesField(label=_("所在评委库"), queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple)
    available = forms.BooleanField(label=_("可参加本年度评审"), required=False)
    unavailable_reason = forms.CharField(label=_("不能参加的原因"), max_length=120, required=False)

    def __init__(self, *args, expert, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units()
        self.fields["specialty"].queryset = Specialty.objects.filter(series_id=expert.series_id)
        self.fields["committees"].queryset = committees.filter(series_id=expert.series_id)


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[(value, _(label)) for value, label in RelationKind.choices])
    relationship = forms.CharField(label=_("关系（亲属）"), max_length=20, required=False)
    relative_name = forms.CharField(label=_("亲属姓名"), max_length=40, required=False)
    relative_id_number = forms.CharField(label=_("亲属身份证号码"), max_length=18, required=False)
    former_unit = forms.ModelChoiceField(label=_("曾工作单位"), queryset=Organisation.objects.none(), required=False)
    started_on = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
    ended_on = forms.DateField(label=_("离开日期"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["former_unit"].queryset = units()

    def clean_relative_name(self):
        name = self.cleaned_data["relative_name"].strip()
        if problem := name_problem(name):
            raise forms.ValidationError(problem)
        return name

    def clean_started_on(self):
        return _not_after_today(self, "started_on")

    def clean_ended_on(self):
        return _not_after_today(self, "ended_on")


class SanctionForm(forms.Form):
    reason = forms.CharField(label=_("处理原因"), max_length=200)
    document_number = forms.CharField(label=_("处理文号"), max_length=60, required=False)
    imposed_on = forms.DateField(label=_("处理日期"), widget=DATE)
    until = forms.DateField(label=_("期限至（空表示长期）"), required=False, widget=DATE)

    def clean_imposed_on(self):
        return _not_after_today(self, "imposed_on")


class ServiceYearForm(forms.Form):
    """A year the expert has sat on a committee: one that has come, not one ahead."""

    committee = forms.ModelChoiceField(label=_("评委会"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=1980, max_value=2100)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["year"].widget.attrs["max"] = clock.today().year

    def clean_year(self):
        year, this_year = self.cleaned_data["year"], clock.today().year
        if year > this_year:
            raise forms.ValidationError(gettext("担任评委年度（%(year)d年）不能晚于今年（%(this)d年），请核对。") % {"year": year, "this": this_year})
        return year


class PoolFilingForm(ServiceYearForm):
    """The committee whose pool is filed, and for which year (the coming year's pool may be filed ahead)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["max"] = 2100
        self.fields["committee"].empty_label = None  # one of the office's own committees is always chosen

    def clean_year(self):
        return self.cleaned_data["year"]


class ImportForm(forms.Form):
    # The import reads at most pool.MAX_IMPORT_ROWS rows; such a workbook is some hundred KB.
    MAX_BYTES = 5 * 1024 * 1024

    workbook = forms.FileField(label=_("评委库Excel文件（.xlsx，不超过5MB）"))

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        if workbook.size > self.MAX_BYTES:
            raise forms.ValidationError(gettext("文件超过5MB，评委库一次最多导入%(rows)d人，请拆分后分批导入。") % {"rows": pool.MAX_IMPORT_ROWS})
        return workbook


class PlanForm(forms.ModelForm):
    recusal_years = forms.IntegerField(
        label=_("曾工作单位回避年限"), min_value=RECUSAL_YEARS_MIN, max_value=RECUSAL_YEARS_MAX, initial=3,
        error_messages={"min_value": RECUSAL_YEARS_MESSAGE, "max_value": RECUSAL_YEARS_MESSAGE})

    class Meta:
        model = ReviewPlan
        fields = ["place", "review_starts_on", "review_ends_on", "declarations_summary", "composition", "procedure", "measures",
                  "quantitative_review", "recusal_years"]
        widgets = {"review_starts_on": DATE, "review_ends_on": DATE,
                   **{name: forms.Textarea(attrs={"rows": 3}) for name in ("declarations_summary", "composition", "procedure", "measures")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        translate_labels(self)

    def clean(self):
        data = super().clean()
        # Dates set now must not lie in the past (plans.date_problems: a date the plan already had is left to the filing).
        for name, problem in plans.date_problems(self.instance, data, clock.today()).items():
            if name not in self.errors:
                self.add_error(name, problem)
        return data


class NewPlanForm(PlanForm):
    committee = forms.ModelChoiceField(label=_("评委会"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    class Meta(PlanForm.Meta):
        fields = ["committee", "year", *PlanForm.Meta.fields]

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["year"].widget.attrs["min"] = clock.today().year

    def clean_year(self):
        year = self.cleaned_data["year"]
        if problem := plans.year_problem(year, clock.today()):
            raise forms.ValidationError(problem)
        return year

    def clean(self):
        data = super().clean()
        committee, year = data.get("committee"), data.get("year")
        if committee is not None and year is not None and ReviewPlan.objects.filter(committee=committee, year=year).exists():
            # On the year, so that the model's own unique check (which skips a field in error) does not say it again.
            self.add_error("year", str(DUPLICATE_PLAN))
        return data


class FileForm(forms.Form):
    file = forms.FileField(label=_("附件（PDF、JPEG或PNG）"))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}))


class SpecForm(forms.Form):
    """The draw's parameters; quotas as bounds per category (docs/draw.md: spec format)."""

    size = forms.IntegerField(label=_("评委会人数（单数）"), min_value=1)
    max_served_last_year = forms.IntegerField(label=_("上年度已任评委至多（人）"), min_value=0)
    employer_cap = forms.IntegerField(label=_("同一单位至多（人，空为不限）"), min_value=1, required=False)
    reserves_per_type = forms.IntegerField(label=_("每类候补人数"), min_value=0, initial=2)
    grassroots_min = forms.IntegerField(label=_("基层一线专家至少"), min_value=0, required=False)
    grassroots_max = forms.IntegerField(label=_("基层一线专家至多"), min_value=0, required=False)
    private_min = forms.IntegerField(label=_("非公有制领域专家至少"), min_value=0, required=False)
    private_max = forms.IntegerField(label=_("非公有制领域专家至多"), min_value=0, required=False)
    outside_min = forms.IntegerField(label=_("非本单位同行专家至少（自主评审）"), min_value=0, required=False)
    public_source = forms.CharField(label=_("公开开奖名称（可选，如：体彩排列五第2021100期）"), max_length=120, required=False)

    CATEGORY_FIELDS = (("grassroots", "grassroots"), ("private_sector", "private"))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.specialties = list(Specialty.objects.filter(series_id=plan.committee.series_id).order_by("name"))
        for specialty in self.specialties:
            self.fields[f"specialty_{specialty.pk}_min"] = forms.IntegerField(label=_("专业组“%s”至少") % specialty.name, min_value=0, required=False)
            self.fields[f"specialty_{specialty.pk}_max"] = forms.IntegerField(label=_("专业组“%s”至多") % specialty.name, min_value=0, required=False)
        if not plan.committee.is_self_review:
            del self.fields["outside_min"]

    @staticmethod
    def _bounds(low, high) -> dict | None:
        bounds = {}
        if low:
            bounds["min"] = low
        if high is not None:
            bounds["max"] = high
        return bounds or None

    def spec(self, base: dict) -> dict:
        data = self.cleaned_data
        spec = dict(base, size=data["size"], max_served_last_year=data["max_served_last_year"],
                    employer_cap=data.get("employer_cap"), reserves_per_type=data["reserves_per_type"], quotas={})
        for category, prefix in self.CATEGORY_FIELDS:
            bounds = self._bounds(data.get(f"{prefix}_min"), data.get(f"{prefix}_max"))
            if bounds:
                spec["quotas"][category] = {"true": bounds}
        if data.get("outside_min"):
            spec["quotas"]["outside_self_review_unit"] = {"true": {"min": data["outside_min"]}}
        groups = {}
        for specialty in self.specialties:
            bounds = self._bounds(data.get(f"specialty_{specialty.pk}_min"), data.get(f"specialty_{specialty.pk}_max"))
            if bounds:
                groups[specialty.name] = bounds
        if groups:
            spec["quotas"]["specialty_group"] = groups
        return spec


class CommitForm(forms.Form):
    value = forms.CharField(label=_("承诺值（秘密值的SHA-256，64位十六进制）"), max_length=64, min_length=64)


class RevealForm(forms.Form):
    secret = forms.CharField(label=_("秘密值（32—128位小写十六进制）"), max_length=128)


class PublishForm(forms.Form):
    """The objection period, within drawing.MIN_OBJECTION_DAYS..MAX_OBJECTION_DAYS (the service checks the same)."""

    objection_days = forms.IntegerField(
        label=_("异议期（工作日）"), min_value=MIN_OBJECTION_DAYS, max_value=MAX_OBJECTION_DAYS, initial=DEFAULT_OBJECTION_DAYS,
        error_messages={"min_value": _("异议期不少于%(limit_value)s个工作日。"), "max_value": _("异议期不超过%(limit_value)s个工作日。")})


class PublicResultForm(forms.Form):
    values = forms.CharField(label=_("开奖号码（按开出顺序，以逗号分隔）"), max_length=200)

    def clean_values(self):
        tokens = [t for t in re.split(r"[,，\s]+", self.cleaned_data["values"]) if t]
        if not tokens or not all(t.isdigit() for t in tokens):
            raise forms.ValidationError(_("请填写非负整数，以逗号分隔。"))
        return [int(t) for t in tokens]


class ObjectionForm(forms.Form):
    """A real-name objection to the published pool; what makes it acceptable is checked by drawing.object_to, with the
    results publicity's own checks (publicity.services.objector_problems)."""

    name = forms.CharField(label=_("姓名（实名）"), max_length=40)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}))


class HandleObjectionForm(forms.Form):
    """The finding on one objection. The draw's page shows one per objection not yet handled, each carrying its
    objection in the hidden field and with ids of its own (``for_objection``)."""

    objection = forms.IntegerField(widget=forms.HiddenInput)
    upheld = forms.TypedChoiceField(label=_("核实结论"), choices=[("0", _("不属实")), ("1", _("属实（作废本次抽选）"))],
                                    coerce=lambda v: v == "1")
    finding = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_objection(cls, objection_id: int, data=None):
        """The form of one objection: the hidden field names it, the ids are its own (several on one page)."""
        return cls(data, initial={"objection": objection_id}, auto_id=f"id_objection{objection_id}_%s")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200, error_messages={"required": _("请说明作废原因。")})


class PanelForm(forms.Form):
    name = forms.CharField(label=_("评议组名称"), max_length=60)
    members = IdChoicesField(label=_("成员（至少3人）"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = experts
        self.fields["members"].label_from_instance = (
            lambda e: f"{e.person.name}（{e.unit.name}，{e.specialty.name if e.specialty_id else gettext(NO_SPECIALTY)}）")


class AssignForm(forms.Form):
    panel = forms.ModelChoiceField(label=_("评议组"), queryset=None)
    applications = IdChoicesField(label=_("申报"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, panels, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = panels
        self.fields["applications"].queryset = applications
        self.fields["applications"].label_from_instance = lambda a: f"{a.person.name}（{a.unit.name}，{title_label(a)}）"


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    place = forms.CharField(label=_("会议地点"), max_length=120)


class GroupsForm(forms.Form):
    general = forms.IntegerField(label=_("综合组通过率上限（%）"), min_value=1, max_value=100, initial=100)
    grassroots = forms.IntegerField(label=_("基层组通过率上限（%，空为不单独设组）"), min_value=1, max_value=100, required=False)
    private_sector = forms.IntegerField(label=_("非公有制组通过率上限（%，空为不单独设组）"), min_value=1, max_value=100, required=False)

    def rates(self) -> dict:
        return {GroupKind.GENERAL: self.cleaned_data["general"], GroupKind.GRASSROOTS: self.cleaned_data.get("grassroots"),
                GroupKind.PRIVATE_SECTOR: self.cleaned_data.get("private_sector")}


class AttendanceForm(forms.Form):
    present = IdChoicesField(label=_("出席评委"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = experts
        self.fields["present"].label_from_instance = lambda e: f"{e.person.name}（{e.unit.name}）"


class OpinionForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("评议结论"), choices=[(value, _(label)) for value, label in Recommendation.choices],
                                       widget=forms.RadioSelect)
    text = forms.CharField(label=_("评议意见"), widget=forms.Textarea(attrs={"rows": 5}))
    lesson_score = forms.IntegerField(label=_("讲课说课（0—100）"), min_value=0, max_value=100, required=False)
    interview_score = forms.IntegerField(label=_("面试答辩（0—100）"), min_value=0, max_value=100, required=False)
    record_score = forms.IntegerField(label=_("量化评审（0—100）"), min_value=0, max_value=100, required=False)

    def __init__(self, *args, quantitative: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not quantitative:
            for name in SCORE_FIELDS:
                del self.fields[name]


class DeclareRecusalForm(forms.Form):
    reason = forms.CharField(label=_("回避事由"), max_length=200)


class BallotForm(forms.Form):
    """One radio group per declaration on the expert's paper."""

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = applications
        for app in applications:
            self.fields[f"app_{app.pk}"] = forms.ChoiceField(
                label=f"{app.person.name}（{app.unit.name}，{title_label(app)}）",
                choices=[(value, _(label)) for value, label in CHOICES.items()], widget=forms.RadioSelect)

    def choices(self) -> dict[int, str]:
        return {app.pk: self.cleaned_data[f"app_{app.pk}"] for app in self.applications}


class CodeForm(forms.Form):
    code = forms.CharField(label=_("动态口令（6位数字）"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
