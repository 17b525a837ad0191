"""A person and the achievement archive that belongs to them and is reused every year.

A declaration never retypes these records: it selects them, and freezes a snapshot of
what it selected when it is submitted (see declarations.SelectedRecord).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhicheng.catalogue.models import Level
from zhicheng.core.identifiers import birth_date_from_id, nationality_of_id, normalise_id_number, sex_from_id
from zhicheng.orgs.models import Sector, UnitLevel

SERIES_HELP = "职称系列代码"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Nationality(models.TextChoices):
    CN = "CN", "中国内地"
    HK = "HK", "香港"
    MO = "MO", "澳门"
    TW = "TW", "台湾"
    FOREIGN = "foreign", "外籍"


class ForeignPermit(models.TextChoices):
    WORK_PERMIT = "work_permit", "外国人来华工作许可证"
    PERMANENT_RESIDENCE = "permanent_residence", "外国人永久居留证"
    OVERSEAS_TALENT_RESIDENCE = "overseas_talent_residence", "海外高层次人才居住证"


class EmploymentRelation(models.TextChoices):
    LABOR_CONTRACT = "labor_contract", "劳动（聘用）合同"
    FREELANCE = "freelance", "自由职业"
    NONE = "none", "无"


class TransferOrigin(models.TextChoices):
    CIVIL_SERVICE = "civil_service", "公务员（含参公）"
    MILITARY = "military", "军队转业干部"


class HighSkillLevel(models.TextChoices):
    TECHNICIAN = "technician", "技师"
    SENIOR_TECHNICIAN = "senior_technician", "高级技师"


class Ethnicity(models.TextChoices):
    """民族, coded as GB/T 3304 (the codes the forms and the personnel files use)."""

    E01 = "01", "汉族"
    E02 = "02", "蒙古族"
    E03 = "03", "回族"
    E04 = "04", "藏族"
    E05 = "05", "维吾尔族"
    E06 = "06", "苗族"
    E07 = "07", "彝族"
    E08 = "08", "壮族"
    E09 = "09", "布依族"
    E10 = "10", "朝鲜族"
    E11 = "11", "满族"
    E12 = "12", "侗族"
    E13 = "13", "瑶族"
    E14 = "14", "白族"
    E15 = "15", "土家族"
    E16 = "16", "哈尼族"
    E17 = "17", "哈萨克族"
    E18 = "18", "傣族"
    E19 = "19", "黎族"
    E20 = "20", "傈僳族"
    E21 = "21", "佤族"
    E22 = "22", "畲族"
    E23 = "23", "高山族"
    E24 = "24", "拉祜族"
    E25 = "25", "水族"
    E26 = "26", "东乡族"
    E27 = "27", "纳西族"
    E28 = "28", "景颇族"
    E29 = "29", "柯尔克孜族"
    E30 = "30", "土族"
    E31 = "31", "达斡尔族"
    E32 = "32", "仫佬族"
    E33 = "33", "羌族"
    E34 = "34", "布朗族"
    E35 = "35", "撒拉族"
    E36 = "36", "毛南族"
    E37 = "37", "仡佬族"
    E38 = "38", "锡伯族"
    E39 = "39", "阿昌族"
    E40 = "40", "普米族"
    E41 = "41", "塔吉克族"
    E42 = "42", "怒族"
    E43 = "43", "乌孜别克族"
    E44 = "44", "俄罗斯族"
    E45 = "45", "鄂温克族"
    E46 = "46", "德昂族"
    E47 = "47", "保安族"
    E48 = "48", "裕固族"
    E49 = "49", "京族"
    E50 = "50", "塔塔尔族"
    E51 = "51", "独龙族"
    E52 = "52", "鄂伦春族"
    E53 = "53", "赫哲族"
    E54 = "54", "门巴族"
    E55 = "55", "珞巴族"
    E56 = "56", "基诺族"
    E97 = "97", "其他未识别民族"
    E98 = "98", "外国血统中国籍人士"


class PoliticalStatus(models.TextChoices):
    """政治面貌, coded as GB/T 4762."""

    CPC_MEMBER = "01", "中共党员"
    CPC_PROBATIONARY = "02", "中共预备党员"
    CYL_MEMBER = "03", "共青团员"
    RCCK = "04", "民革党员"
    CDL = "05", "民盟盟员"
    CNDCA = "06", "民建会员"
    CAPD = "07", "民进会员"
    CPWDP = "08", "农工党党员"
    CZGP = "09", "致公党党员"
    JIUSAN = "10", "九三学社社员"
    TDSGL = "11", "台盟盟员"
    NON_PARTY = "12", "无党派人士"
    MASSES = "13", "群众"


class Person(models.Model):
    name = models.CharField("姓名", max_length=40)
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    # Printed on the annex's forms (附件1、2); the engine does not read them.
    ethnicity = models.CharField("民族", max_length=2, choices=Ethnicity.choices, blank=True)
    political_status = models.CharField("政治面貌", max_length=2, choices=PoliticalStatus.choices, blank=True)
    nationality = models.CharField("国籍/地区", max_length=8, choices=Nationality.choices, default=Nationality.CN)
    phone = models.CharField("手机号", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    unit = models.ForeignKey("orgs.Organisation", verbose_name="现工作单位", null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    civil_servant = models.BooleanField("公务员或参公人员", default=False)
    retired = models.BooleanField("已离退休", default=False)
    exceptional_used = models.BooleanField("曾通过破格取得职称（五（四）5）", default=False)
    rural_service_years = models.DecimalField("农村牧区基层服务年限", max_digits=4, decimal_places=1, default=0)
    foreign_permit = models.CharField("外籍人员证件", max_length=32, choices=ForeignPermit.choices, blank=True)
    employment_relation = models.CharField(
        "用工关系", max_length=16, choices=EmploymentRelation.choices, default=EmploymentRelation.LABOR_CONTRACT
    )
    transferred_in_from = models.CharField("调入前身份（五（四）4）", max_length=16, choices=TransferOrigin.choices, blank=True)
    transferred_in_on = models.DateField("调入时间", null=True, blank=True)
    introduced_high_level_talent = models.BooleanField("自治区引进高层次人才（五（四）3）", default=False)
    urgently_needed_talent = models.BooleanField("重点领域急需紧缺人才（五（四）3）", default=False)
    postdoc_in_station = models.BooleanField("在站博士后", default=False)
    postdoc_foundation_grant = models.BooleanField("获中国博士后科学基金资助", default=False)
    postdoc_leads_provincial_project = models.BooleanField("主持省部级以上科研项目", default=False)
    postdoc_stays_in_enterprise = models.BooleanField("出站后留在企业", default=False)
    high_skill_level = models.CharField("高技能人才等级", max_length=20, choices=HighSkillLevel.choices, blank=True)
    high_skill_obtained_on = models.DateField("高技能等级取得时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_freelancer(self) -> bool:
        """A freelance professional (二（一）) whose unit is the talent exchange service keeping the file (四（五）1)."""
        return self.employment_relation == EmploymentRelation.FREELANCE and self.unit is not None and self.unit.keeps_freelancer_files

    def clean(self):
        from .dates import check_birth_date, not_after_today, not_before_age

        try:
            self.id_number = normalise_id_number(self.id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages})
        birth = birth_date_from_id(self.id_number)
        errors = {"id_number": check_birth_date(birth)}
        for name in ("transferred_in_on", "high_skill_obtained_on"):
            label = self._meta.get_field(name).verbose_name
            errors[name] = not_after_today(getattr(self, name), label) or not_before_age(getattr(self, name), label, birth)
        errors = {name: error for name, error in errors.items() if error}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Birth date and sex are facts of the 身份证 number, never typed separately; so is being from Hong Kong, Macao
        # or Taiwan (a 居住证) or a foreigner with permanent residence (its card), which the engine reads (二（二））.
        self.id_number = normalise_id_number(self.id_number)
        self.birth_date = birth_date_from_id(self.id_number)
        self.sex = sex_from_id(self.id_number)
        if (document := nationality_of_id(self.id_number)) != Nationality.CN:
            self.nationality = document
            if document == Nationality.FOREIGN and not self.foreign_permit:
                self.foreign_permit = ForeignPermit.PERMANENT_RESIDENCE
        super().save(*args, **kwargs)


# The person's own fields the engine does not read (declarations.screening.build_facts): changing them screens nothing again.
UNREAD_PERSON_FIELDS = frozenset({"ethnicity", "political_status"})

# The facts about the person the applicant states (本人情况): those the eligibility engine reads
# (declarations.screening.build_facts) and the two the annex's forms print. Grouped as the page shows them; each
# submitted version keeps them as they were (declarations.SubmittedPersonFacts).
PERSON_FACT_GROUPS = (
    (_("基本情况"), ("ethnicity", "political_status", "nationality", "foreign_permit")),
    (_("身份与用工"), ("employment_relation", "civil_servant", "retired", "transferred_in_from", "transferred_in_on")),
    (_("人才与基层服务"), ("introduced_high_level_talent", "urgently_needed_talent", "rural_service_years", "exceptional_used")),
    (_("博士后（五（十二）1）"), ("postdoc_in_station", "postdoc_foundation_grant", "postdoc_leads_provincial_project",
                          "postdoc_stays_in_enterprise")),
    (_("高技能人才（五（九））"), ("high_skill_level", "high_skill_obtained_on")),
)
PERSON_FACT_FIELDS = tuple(name for _title, names in PERSON_FACT_GROUPS for name in names)


def person_fact_values(person: Person) -> dict:
    """The person's stated facts as JSON values (dates and decimals as text), as a version freezes them."""
    values = {}
    for name in PERSON_FACT_FIELDS:
        value = getattr(person, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else str(value) if isinstance(value, Decimal) else value
    return values


class ArchiveRecord(models.Model):
    """Common part of every archive record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="%(class)s_records")
    evidence = models.ManyToManyField("files.StoredFile", verbose_name="佐证材料", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The label that a declaration's dossier shows for this kind of record.
    kind_label = ""

    class Meta:
        abstract = True

    def summary(self) -> str:
        return str(self)


class EducationLevel(models.TextChoices):
    DOCTORATE = "doctorate", "博士研究生"
    MASTER = "master", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    ASSOCIATE = "associate", "大学专科"
    SECONDARY_VOCATIONAL = "secondary_vocational", "中专"
    HIGH_SCHOOL = "high_school", "高中及以下"


class Education(ArchiveRecord):
    kind_label = "学历"
    level = models.CharField("学历", max_length=24, choices=EducationLevel.choices)
    school = models.CharField("毕业院校", max_length=80)
    major = models.CharField("专业", max_length=60)
    full_time = models.BooleanField("全日制", default=True)
    graduated_on = models.DateField("毕业时间")
    related_major = models.BooleanField("与申报专业相同或相近", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "学历"
        ordering = ["-graduated_on"]

    def __str__(self):
        # Labels in the reader's language (the catalogue has them); a submitted version freezes the Chinese.
        return f"{self.graduated_on:%Y.%m} {self.school} {self.major} {gettext(self.get_level_display())}"


class WorkPeriod(ArchiveRecord):
    kind_label = "工作经历"
    employer_name = models.CharField("工作单位", max_length=120)
    unit = models.ForeignKey("orgs.Organisation", verbose_name="单位（系统内）", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.CharField("岗位/职务", max_length=60, blank=True)
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("截止日期", null=True, blank=True, help_text="空表示至今")
    professional = models.BooleanField("专业技术工作", default=True)
    series = models.CharField("从事系列", max_length=40, blank=True, help_text=SERIES_HELP)
    unit_level = models.CharField("单位层级", max_length=10, choices=UnitLevel.choices)
    sector = models.CharField("单位性质", max_length=24, choices=Sector.choices)

    class Meta:
        verbose_name = verbose_name_plural = "工作经历"
        ordering = ["-started_on"]

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "截止日期不能早于起始日期。"})

    def __str__(self):
        end = f"{self.ended_on:%Y.%m}" if self.ended_on else gettext("至今")
        return f"{self.started_on:%Y.%m}—{end} {self.employer_name} {self.post}"


class TitleVia(models.TextChoices):
    REVIEW = "review", "评审"
    EXAM = "exam", "考试"
    RECOGNITION = "recognition", "考核认定"
    QUALIFICATION = "qualification", "职业资格对应"
    EXCEPTIONAL = "exceptional", "破格"
    TRANSFER = "transfer", "转系列"


class TitleHeld(ArchiveRecord):
    kind_label = "专业技术资格"
    series = models.CharField("系列", max_length=40, help_text=SERIES_HELP)
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    title_name = models.CharField("职称名称", max_length=40)
    obtained_on = models.DateField("取得时间")
    via = models.CharField("取得方式", max_length=16, choices=TitleVia.choices, default=TitleVia.REVIEW)
    certificate_number = models.CharField("证书编号", max_length=40, blank=True)
    issued_by = models.CharField("评审/发证机构", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专业技术资格"
        ordering = ["-obtained_on"]

    def __str__(self):
        return gettext("%(name)s（%(date)s，%(via)s）") % {
            "name": self.title_name, "date": f"{self.obtained_on:%Y.%m}", "via": gettext(self.get_via_display())}


class Qualification(ArchiveRecord):
    """职业资格, with the title it corresponds to (五（十）)."""

    kind_label = "职业资格"
    name = models.CharField("资格名称", max_length=80)
    obtained_on = models.DateField("取得时间")
    certificate_number = models.CharField("证书编号", max_length=40, blank=True)
    series = models.CharField("对应系列", max_length=40, blank=True, help_text=SERIES_HELP)
    level = models.CharField("对应层级", max_length=20, choices=Level.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "职业资格"
        ordering = ["-obtained_on"]

    def __str__(self):
        return f"{self.name}（{self.obtained_on:%Y.%m}）"


class HonourCode(models.TextChoices):
    NATIONAL_OUTSTANDING_PROFESSIONAL = "national_outstanding_professional", "全国杰出专业技术人才"
    STATE_COUNCIL_SPECIAL_ALLOWANCE = "state_council_special_allowance", "享受国务院政府特殊津贴人员"
    NATIONAL_TALENT_PROGRAM = "national_talent_program", "国家百千万人才工程人选等国家人才计划"
    REGION_OUTSTANDING_TALENT_AWARD = "region_outstanding_talent_award", "自治区杰出人才奖"
    REGION_OUTSTANDING_CONTRIBUTION_EXPERT = "region_outstanding_contribution_expert", "自治区突出贡献专家"
    GRASSLAND_TALENT_INTRODUCED = "grassland_talent_introduced", "自治区草原英才工程引进人选"
    TALENT_321_LEVEL1 = "talent_321_level1", "自治区321人才工程一层次人选"
    TALENT_321_LEVEL2 = "talent_321_level2", "自治区321人才工程二层次人选"
    REGION_YOUTH_INNOVATION_AWARD = "region_youth_innovation_award", "自治区青年创新人才奖"
    GRASSLAND_TALENT_YOUTH_LEVEL1 = "grassland_talent_youth_level1", "草原英才青年创新创业人才一层次"
    OTHER = "other", "其他荣誉"


class Honour(ArchiveRecord):
    kind_label = "荣誉"
    code = models.CharField("荣誉类别", max_length=48, choices=HonourCode.choices)
    name = models.CharField("荣誉名称", max_length=120)
    year = models.PositiveSmallIntegerField("年度")
    conferred_by = models.CharField("授予机关", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "荣誉"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {self.name}"


class AwardScope(models.TextChoices):
    NATIONAL = "national", "国家级"
    REGION = "region", "自治区（省部）级"
    INDUSTRY = "industry", "自治区行业奖（含原盟市科技成果奖）"
    CITY = "city", "盟市级"


class Award(ArchiveRecord):
    kind_label = "获奖"
    name = models.CharField("奖项名称", max_length=120)
    scope = models.CharField("级别", max_length=10, choices=AwardScope.choices)
    grade = models.PositiveSmallIntegerField("等级", choices=[(1, "一等奖"), (2, "二等奖"), (3, "三等奖")])
    rated_winner = models.BooleanField("额定获奖人员", default=True)
    year = models.PositiveSmallIntegerField("年度")

    class Meta:
        verbose_name = verbose_name_plural = "获奖"
        ordering = ["-year"]

    def __str__(self):
        return gettext("%(year)s %(name)s（%(scope)s%(grade)s）") % {
            "year": self.year, "name": self.name, "scope": gettext(self.get_scope_display()), "grade": gettext(self.get_grade_display())}


class PublicationKind(models.TextChoices):
    PAPER = "paper", "论文"
    BOOK = "book", "论著"
    TRANSLATION = "translation", "译著"
    REPORT = "report", "研究报告"


class Publication(ArchiveRecord):
    kind_label = "论文论著"
    kind = models.CharField("类别", max_length=12, choices=PublicationKind.choices, default=PublicationKind.PAPER)
    title = models.CharField("题目", max_length=200)
    venue = models.CharField("期刊/出版社", max_length=120)
    published_on = models.DateField("发表时间")
    authorship = models.CharField("作者排序", max_length=20, blank=True)
    representative = models.BooleanField("代表作", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "论文论著"
        ordering = ["-published_on"]

    def __str__(self):
        return f"《{self.title}》{self.venue} {self.published_on:%Y.%m}"


class ProjectLevel(models.TextChoices):
    """Who set up and funds the project, as the title forms ask for it (项目级别)."""

    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省部级（含自治区级）"
    PREFECTURAL = "prefectural", "盟市级（厅局级）"
    COUNTY = "county", "旗县级"
    UNIT = "unit", "单位级"
    COMMISSIONED = "commissioned", "横向委托"


class Project(ArchiveRecord):
    kind_label = "项目"
    name = models.CharField("项目名称", max_length=200)
    role_in_project = models.CharField("本人角色", max_length=40)
    level = models.CharField("项目级别", max_length=40, choices=ProjectLevel.choices, blank=True)
    started_on = models.DateField("开始时间")
    ended_on = models.DateField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        ordering = ["-started_on"]

    def __str__(self):
        return f"{self.name}（{self.role_in_project}）"


class Patent(ArchiveRecord):
    kind_label = "专利"
    title = models.CharField("专利名称", max_length=200)
    number = models.CharField("专利号", max_length=40)
    kind = models.CharField("类型", max_length=10, choices=[("invention", "发明"), ("utility", "实用新型"), ("design", "外观设计")])
    granted_on = models.DateField("授权时间")

    class Meta:
        verbose_name = verbose_name_plural = "专利"
        ordering = ["-granted_on"]

    def __str__(self):
        return f"{self.title}（{self.number}）"


class ContinuingEducation(ArchiveRecord):
    kind_label = "继续教育"
    year = models.PositiveSmallIntegerField("年度")
    # A year holds 90 hours of 继续教育 as a rule; over 1,000 in one year is a typo, not a record (and PostgreSQL's
    # smallint would refuse anything above 32,767).
    hours = models.PositiveSmallIntegerField("学时", validators=[MaxValueValidator(1000, _("一年的继续教育学时不超过1000，请核对。"))])
    card_number = models.CharField("审验卡号", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "继续教育"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="continuing_education_once_per_year")]

    def __str__(self):
        return gettext("%(year)s年 %(hours)s学时") % {"year": self.year, "hours": self.hours}


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "合格"
    BASIC = "basic", "基本合格"
    INCOMPETENT = "incompetent", "不合格"


class AnnualAssessment(ArchiveRecord):
    kind_label = "年度考核"
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("考核结果", max_length=12, choices=AssessmentGrade.choices)

    class Meta:
        verbose_name = verbose_name_plural = "年度考核"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="assessment_once_per_year")]

    def __str__(self):
        return gettext("%(year)s年 %(grade)s") % {"year": self.year, "grade": gettext(self.get_grade_display())}


ARCHIVE_MODELS = {
    "education": Education,
    "work": WorkPeriod,
    "title": TitleHeld,
    "qualification": Qualification,
    "honour": Honour,
    "award": Award,
    "publication": Publication,
    "project": Project,
    "patent": Patent,
    "continuing_education": ContinuingEducation,
    "assessment": AnnualAssessment,
}


class BlacklistEntry(models.Model):
    """失信黑名单 (八（三））: barred from declaring in the three years from the next year."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="blacklist_entries")
    listed_on = models.DateField("列入日期")
    reason = models.CharField("原因", max_length=200)
    document_number = models.CharField("处理文号", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "失信黑名单"
        ordering = ["-listed_on"]

    def __str__(self):
        return f"{self.person} {self.listed_on}"

    def bars(self, year: int) -> bool:
        return self.listed_on.year + 1 <= year <= self.listed_on.year + 3
