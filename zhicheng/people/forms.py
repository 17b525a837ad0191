"""Forms of the applicant's side: registration and the archive records."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.forms.utils import ErrorDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.core.identifiers import birth_date_from_id, nationality_of_id, normalise_id_number
from zhicheng.core.names import name_problem
from zhicheng.orgs.models import Organisation, OrgKind

from . import dates
from .codes import CATALOGUE_FIELDS
from .models import ARCHIVE_MODELS, PERSON_FACT_FIELDS, PERSON_FACT_GROUPS, UNREAD_PERSON_FIELDS, EmploymentRelation, Nationality, Person


def translate_labels(form) -> None:
    """Model fields carry Chinese names; show them in the reader's language (zhicheng/web/domain_labels.py
    puts them in the catalogue)."""
    for field in form.fields.values():
        if field.label:
            field.label = gettext(str(field.label))
        if field.help_text:
            field.help_text = gettext(str(field.help_text))
        if isinstance(field, forms.TypedChoiceField) or type(field) is forms.ChoiceField:
            field.choices = [(value, gettext(str(label))) for value, label in field.choices]


def relation_problem(relation: str, unit) -> str:
    """Why this employment relation cannot stand with this organisation, or "" (registration and the facts page
    alike). A freelancer (二（一）) declares through the talent exchange service keeping their file (四（五）1), which
    then stands where an employer would: any other organisation would check a declaration of someone it does not employ."""
    if relation == EmploymentRelation.FREELANCE and not (unit is not None and unit.keeps_freelancer_files):
        if unit is None:
            return gettext("自由职业人员请选择存放本人档案的人才交流服务机构（四（五）1）。")
        return gettext("%(unit)s不是存放自由职业人员档案的人才交流服务机构（四（五）1），自由职业人员不能以其为档案存放机构；"
                       "请选择存放本人档案的人才交流服务机构，或联系人力资源社会保障部门更正登记的单位。") % {"unit": unit.name}
    return ""


# What a registering professional says of their employment (二（一））: the engine's third value, "none", is out of the
# notice's scope and would only register someone who can never declare.
REGISTRATION_RELATIONS = [
    (EmploymentRelation.LABOR_CONTRACT.value, _("与用人单位签订劳动（聘用）合同")),
    (EmploymentRelation.FREELANCE.value, _("自由职业（档案存放于人才交流服务机构）")),
]


def _unit_label(org) -> str:
    return f"{org.name}（{org.area.name}）"


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(label=_("身份证件号码"), max_length=18,
                                help_text=_("居民身份证、港澳台居民居住证或外国人永久居留身份证的18位号码，登录时用作用户名"))
    phone = forms.CharField(label=_("手机号"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("用于接收办理进展通知"))
    employment_relation = forms.ChoiceField(
        label=_("用工关系"), choices=REGISTRATION_RELATIONS, widget=forms.RadioSelect,
        error_messages={"required": _("请选择用工关系：与用人单位签订劳动（聘用）合同，或自由职业。"),
                        "invalid_choice": _("请选择用工关系：与用人单位签订劳动（聘用）合同，或自由职业。")},
    )
    unit = forms.ModelChoiceField(label=_("现工作单位"), queryset=Organisation.objects.none(), empty_label=_("请选择"), required=False,
                                  help_text=_("与用人单位签订劳动（聘用）合同的，选择用人单位"),
                                  error_messages={"invalid_choice": _("所选单位不在可选的用人单位中，请从列表中选择。")})
    file_agency = forms.ModelChoiceField(
        label=_("档案存放机构"), queryset=Organisation.objects.none(), empty_label=_("请选择"), required=False,
        help_text=_("自由职业的，选择存放本人档案的人才交流服务机构（四（五）1），由其审核公示申报"),
        error_messages={"invalid_choice": _("所选机构不是存放自由职业人员档案的人才交流服务机构（四（五）1），请从列表中选择。")},
    )
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Organisation.objects.filter(kind=OrgKind.UNIT).select_related("area").order_by("area__path", "name")
        self.fields["unit"].queryset = units
        self.fields["file_agency"].queryset = units.filter(keeps_freelancer_files=True)
        self.fields["unit"].label_from_instance = self.fields["file_agency"].label_from_instance = _unit_label

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if problem := name_problem(name):
            raise ValidationError(problem)
        return name

    def clean_id_number(self):
        # Whether the number already has an archive is not said here: see people.services.register_applicant.
        number = normalise_id_number(self.cleaned_data["id_number"])
        error = dates.check_birth_date(birth_date_from_id(number))
        if error:
            raise ValidationError(error)
        return number

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            raise ValidationError(_("请填写11位手机号。"))
        return phone

    def clean(self):
        data = super().clean()
        # The person's organisation is the employer, or for a freelancer the service keeping the file: the other
        # list's choice, if any, is not theirs and is not kept.
        relation = data.get("employment_relation")
        if relation == EmploymentRelation.FREELANCE and "file_agency" not in self.errors:
            data["unit"] = data.get("file_agency")
            if problem := relation_problem(relation, data["unit"]):
                self.add_error("file_agency", problem)
        elif relation == EmploymentRelation.LABOR_CONTRACT and "unit" not in self.errors and data.get("unit") is None:
            self.add_error("unit", gettext("请选择现工作单位（用人单位）。"))
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files at once; each is checked on its own by files.services."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [d for d in data if d]
        return [data] if data else []


KEPT_SALT = "zhicheng.people.kept-evidence"


def sign_kept(file_ids: list[int]) -> str:
    """Files already accepted in a form that must be shown again: carried in a signed hidden field."""
    return signing.dumps(sorted(file_ids), salt=KEPT_SALT)


def unsign_kept(token: str) -> list[int]:
    if not token:
        return []
    try:
        return [int(i) for i in signing.loads(token, salt=KEPT_SALT, max_age=24 * 3600)]
    except (signing.BadSignature, TypeError, ValueError):
        return []


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def catalogue_choice(form, name: str, catalogue, choices: list[tuple[str, str]]) -> None:
    """Turn a model field that holds a catalogue code into a choice of the catalogue's labelled values.

    A value stored before codes were chosen (typed text) is not among them: the unbound form says so
    beside the field, so the applicant corrects it instead of losing it silently."""
    model_field = form._meta.model._meta.get_field(name)
    field = forms.ChoiceField(
        label=model_field.verbose_name, required=not model_field.blank,
        choices=[("", gettext("请选择") if not model_field.blank else gettext("（未填写）")), *choices],
    )
    field.error_messages["invalid_choice"] = gettext("“%(value)s”不是%(catalogue)s中的值，请从列表中选择。") % {
        "value": "%(value)s", "catalogue": gettext(str(catalogue))}
    form.fields[name] = field
    ask_again_for_stored(form, name, {code for code, _label in choices}, catalogue)


def ask_again_for_stored(form, name: str, allowed: set, catalogue) -> None:
    """A value stored before the field became a choice, and outside it: the unbound form shows the field empty
    with an error naming what was stored, so that saving the record is a choice made, not the value lost unseen."""
    stored = getattr(form.instance, name, "")
    if not form.is_bound and stored not in (None, "") and str(stored) not in allowed:
        form.initial[name] = ""
        if form._errors is None:
            form._errors = ErrorDict()
        form._errors[name] = form.error_class([gettext("原填写的“%(value)s”不是%(catalogue)s中的值，请重新选择。") % {
            "value": stored, "catalogue": gettext(str(catalogue))}])


def ask_again_for_stored_choices(form) -> list:
    """ask_again_for_stored for every model field with choices the model form shows; returns those model fields."""
    fields = [f for f in form._meta.model._meta.concrete_fields if f.choices and f.name in form.fields]
    for model_field in fields:
        ask_again_for_stored(form, model_field.name, {str(code) for code, _label in model_field.flatchoices}, _("可选项"))
    return fields


def record_form_class(kind: str) -> type[forms.ModelForm]:
    """A form for one kind of archive record: the model's fields, dates as date inputs, plus evidence."""
    model = ARCHIVE_MODELS[kind]
    exclude = ["person", "evidence"] + (["unit"] if kind == "work" else [])
    widgets = {f.name: DATE_INPUT for f in model._meta.get_fields() if f.get_internal_type() == "DateField"}

    class Meta:
        pass

    Meta.model, Meta.exclude, Meta.widgets = model, exclude, widgets

    def __init__(self, *args, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        if "year" in self.fields:
            # A year has four digits: said so, before the model's integer bound is (9223372036854775807 on SQLite).
            self.fields["year"].validators.append(MaxValueValidator(9999, _("年度应为四位数字，如2020。")))
            self.fields["year"].widget.attrs.update(min="1900", max="9999")
        for name, (catalogue, choices) in CATALOGUE_FIELDS.items():
            if name in self.fields:
                catalogue_choice(self, name, catalogue, choices())
        ask_again_for_stored_choices(self)
        translate_labels(self)

    def clean(self):
        data = forms.ModelForm.clean(self)
        dates.check_record(self, self.instance.person)
        # The form leaves out the person, so Django skips the per-person unique constraints: check them here.
        for constraint in model._meta.constraints:
            fields = [f for f in getattr(constraint, "fields", ()) if f != "person"]
            if "person" in getattr(constraint, "fields", ()) and all(f in data for f in fields):
                clash = model.objects.filter(person_id=self.instance.person_id, **{f: data[f] for f in fields})
                if clash.exclude(pk=self.instance.pk).exists():
                    raise ValidationError(_("档案中已有同一年度的记录，请修改原记录。"))
        return data

    return type(f"{model.__name__}Form", (forms.ModelForm,), {
        "Meta": Meta,
        "__init__": __init__,
        "clean": clean,
        "evidence_files": EvidenceField(label=_("佐证材料（PDF、JPEG、PNG，可多选）"), required=False),
        "kept": forms.CharField(widget=forms.HiddenInput, required=False),
    })


# The oldest a person can have served in farming and pastoral areas at the grass roots, in years.
MAX_RURAL_SERVICE_YEARS = 50


class PersonFactsForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = PERSON_FACT_FIELDS
        widgets = {"transferred_in_on": DATE_INPUT, "high_skill_obtained_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rural_service_years"].widget.attrs.update(min="0", max=str(MAX_RURAL_SERVICE_YEARS), step="0.5")
        # declarations.screening.build_facts counts those titles too: the box is for a title the archive does not hold.
        self.fields["exceptional_used"].help_text = _("档案中取得方式为“破格”的职称已自动计入，无需再勾选。")
        if self.instance.id_number and nationality_of_id(self.instance.id_number) != Nationality.CN:
            # The card's number says it (Person.save keeps it so): not a choice that would be overwritten.
            self.fields["nationality"].disabled = True
            self.fields["nationality"].help_text = _("由证件号码确定（港澳台居民居住证、外国人永久居留身份证）。")
        for model_field in ask_again_for_stored_choices(self):
            if model_field.blank:  # said in words, not Django's dashes: empty means "not stated" or "does not apply"
                field = self.fields[model_field.name]
                field.choices = [("", gettext("（未填写）")), *[c for c in field.choices if c[0] != ""]]
        translate_labels(self)

    def groups(self):
        """(title, bound fields) in the page's order."""
        return [(title, [self[name] for name in names]) for title, names in PERSON_FACT_GROUPS]

    def clean(self):
        data = super().clean()
        years = data.get("rural_service_years")
        if years is not None and not 0 <= years <= MAX_RURAL_SERVICE_YEARS:
            self.add_error("rural_service_years", gettext("服务年限应在0至%(max)d年之间。") % {"max": MAX_RURAL_SERVICE_YEARS})
        elif years and self.instance.id_number and years > (working := dates.working_years(birth_date_from_id(self.instance.id_number))):
            # No one serves before working age: 50 years of service for someone born in 1990 is a typing error.
            self.add_error("rural_service_years", gettext("服务年限（%(years)s年）超过了您年满%(age)d周岁以来的年数（%(working)s年），请核对。") % {
                "years": years, "age": dates.MIN_REGISTRATION_AGE, "working": working})
        if "employment_relation" in data and (problem := relation_problem(data["employment_relation"], self.instance.unit)):
            self.add_error("employment_relation", problem)
        if data.get("foreign_permit") and data.get("nationality") != Nationality.FOREIGN:
            self.add_error("foreign_permit", gettext("外籍人员证件只由外籍人员填写；国籍/地区不是“外籍”时请留空。"))
        # Facts that only mean something together: one without the other would reach the engine half said.
        for first, second in (("transferred_in_from", "transferred_in_on"), ("high_skill_level", "high_skill_obtained_on")):
            if bool(data.get(first)) != bool(data.get(second)):
                missing = second if data.get(first) else first
                self.add_error(missing, gettext("与“%(other)s”须同时填写，或同时留空。") % {
                    "other": gettext(str(self.fields[first if missing == second else second].label))})
        if not data.get("postdoc_in_station"):
            for name in ("postdoc_foundation_grant", "postdoc_leads_provincial_project", "postdoc_stays_in_enterprise"):
                if data.get(name):
                    self.add_error(name, gettext("只有在站博士后填写此项；请先勾选“在站博士后”。"))
        return data


def stated_facts(values: dict) -> list[str]:
    """What the person stated of the facts the engine reads (``values``: person_fact_values, live or as a version
    froze them): each box ticked, each value other than its default."""
    shown = []
    for name in PERSON_FACT_FIELDS:
        field = Person._meta.get_field(name)
        value = field.to_python(values.get(name))
        if name in UNREAD_PERSON_FIELDS or value in (None, "") or value == field.default:
            continue
        label = gettext(str(field.verbose_name))
        if value is True:
            shown.append(label)
            continue
        if field.choices:
            value = gettext(str(dict(field.flatchoices).get(value, value)))
        elif hasattr(value, "strftime"):
            value = f"{value:%Y-%m-%d}"
        shown.append(gettext("%(label)s：%(value)s") % {"label": label, "value": value})
    return shown
