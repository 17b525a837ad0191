"""The title catalogue and the annual plan: data the department edits, never code."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models


class Level(models.TextChoices):
    JUNIOR = "junior", "员级"
    ASSISTANT = "assistant", "助理级"
    INTERMEDIATE = "intermediate", "中级"
    ASSOCIATE_SENIOR = "associate_senior", "副高级"
    FULL_SENIOR = "full_senior", "正高级"


LEVEL_ORDER = [c.value for c in Level]
SENIOR_LEVELS = frozenset({Level.ASSOCIATE_SENIOR, Level.FULL_SENIOR})


class EvaluationMode(models.TextChoices):
    REVIEW = "review", "评审"
    EXAM_AND_REVIEW = "exam_and_review", "考评结合"
    EXAM_ONLY = "exam_only", "以考代评"


class Series(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("系列", max_length=40)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "职称系列"
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Specialty(models.Model):
    series = models.ForeignKey(Series, verbose_name="系列", on_delete=models.PROTECT, related_name="specialties")
    name = models.CharField("专业", max_length=60)

    class Meta:
        verbose_name = verbose_name_plural = "专业"
        ordering = ["series", "name"]
        constraints = [models.UniqueConstraint(fields=["series", "name"], name="specialty_unique_per_series")]

    def __str__(self):
        return f"{self.series.name}/{self.name}"


class TitleName(models.Model):
    """工程/正高级 = 正高级工程师."""

    series = models.ForeignKey(Series, verbose_name="系列", on_delete=models.PROTECT, related_name="title_names")
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    name = models.CharField("职称名称", max_length=40)

    class Meta:
        verbose_name = verbose_name_plural = "职称名称"
        constraints = [models.UniqueConstraint(fields=["series", "level"], name="title_name_unique")]

    def __str__(self):
        return self.name


class SeriesLevelMode(models.Model):
    """How a series is evaluated at a level in a year (五（二）)."""

    year = models.PositiveSmallIntegerField("年度")
    series = models.ForeignKey(Series, verbose_name="系列", on_delete=models.PROTECT)
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    mode = models.CharField("评价方式", max_length=20, choices=EvaluationMode.choices)
    clause = models.CharField("依据条款", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价方式"
        constraints = [models.UniqueConstraint(fields=["year", "series", "level"], name="mode_unique")]

    def __str__(self):
        return f"{self.year} {self.series} {self.get_level_display()}：{self.get_mode_display()}"


class AnnualPlan(models.Model):
    """The year's timetable (三（二）) and the rule set that screens it."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    notice_number = models.CharField("文件号", max_length=60)
    ruleset = models.CharField("资格规则集", max_length=40, help_text="例如 nmg-2021-81")
    declaration_opens = models.DateField("申报开始")
    declaration_deadline = models.DateField("申报截止", help_text="原则上6月30日")
    review_deadline = models.DateField("评审及公示截止", help_text="原则上9月30日")
    filing_deadline = models.DateField("核准备案截止", help_text="12月31日")
    seniority_cutoff = models.DateField("资历计算截止", help_text="上一年12月31日")
    contact_phone = models.CharField("咨询电话", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度职称工作安排"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年（{self.notice_number}）"

    @property
    def declaration_closed(self) -> bool:
        """The deadline day has ended (24时, Beijing time): no declaration of this year can be started or submitted."""
        from zhicheng.core import clock

        return clock.now() > clock.end_of_day(self.declaration_deadline)

    @classmethod
    def defaults_for(cls, year: int) -> dict:
        return {
            "declaration_opens": dt.date(year, 5, 15),
            "declaration_deadline": dt.date(year, 6, 30),
            "review_deadline": dt.date(year, 9, 30),
            "filing_deadline": dt.date(year, 12, 31),
            "seniority_cutoff": dt.date(year - 1, 12, 31),
        }

    def clean(self):
        errors = {}
        if self.seniority_cutoff and self.seniority_cutoff.year >= self.year:
            errors["seniority_cutoff"] = "资历计算截止日应在评审年度之前。"
        for field in ("declaration_deadline", "review_deadline", "filing_deadline"):
            value = getattr(self, field)
            if value and value.year != self.year:
                errors[field] = "职称评审不得跨年度进行（三（二））。"
        if self.declaration_opens and self.declaration_deadline and self.declaration_opens > self.declaration_deadline:
            errors["declaration_opens"] = "申报开始日不能晚于申报截止日。"
        if errors:
            raise ValidationError(errors)


class FeeStandard(models.Model):
    """评审费 by level (八（五）: 内计费字〔2001〕1202号, 内人发〔2001〕124号), editable by the department."""

    level = models.CharField("层级", max_length=20, choices=Level.choices, unique=True)
    amount = models.DecimalField("评审费（元）", max_digits=8, decimal_places=2)
    basis = models.CharField("收费依据", max_length=120, default="内计费字〔2001〕1202号；内人发〔2001〕124号")

    class Meta:
        verbose_name = verbose_name_plural = "评审收费标准"

    def __str__(self):
        return f"{self.get_level_display()} {self.amount}元"


class MaterialWhen(models.TextChoices):
    """When an item of the material list applies; the checklist and the 一次性告知书 both read it."""

    ALWAYS = "always", "所有申报人"
    CONTINUING_EDUCATION = "continuing_education", "要求继续教育的（苏木乡镇、非公有制领域人员不要求，五（六）1、五（七）2）"
    PAPERS = "papers", "要求论文的（旗县及以下基层、非公有制领域人员不作要求，五（六）1、五（七）2）"
    EXAM = "exam", "考评结合须参加考试的（五（二）1）"
    HOLDS_TITLE = "holds_title", "已取得专业技术资格的"
    ENTRUSTED = "entrusted", "中央和外省区驻区单位委托评审的（四（四））"
    RURAL_SERVICE = "rural_service", "城市中小学教师、医生晋升高级职称的（五（六）6）"
    # A route the engine opened on a fact the applicant stated about themself: the proof of that fact.
    GREEN_CHANNEL = "green_channel", "经职称评审绿色通道申报的引进高层次人才、急需紧缺人才（五（四）3）"
    TRANSFERRED_CADRE = "transferred_cadre", "公务员、军队转业干部调入后初次申报的（五（四）4）"
    POSTDOC = "postdoc", "在站博士后申请直接认定的（五（十二）1）"
    HIGH_SKILL = "high_skill", "高技能人才贯通申报的（五（九））"
    # Who may declare at all: a foreign national only with one of the permits of 二（二）.
    FOREIGN_NATIONAL = "foreign_national", "外籍人员（二（二））"


class MaterialProvider(models.TextChoices):
    APPLICANT = "applicant", "申报人上传"
    UNIT = "unit", "由单位提供（公示后系统生成）"


class MaterialItem(models.Model):
    """One line of the annex 职称评审材料目录单, as data the department edits (八（四）1)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    number = models.CharField("目录单序号", max_length=8, blank=True, help_text="附件中的序号；通知正文另行要求的材料留空")
    name = models.CharField("材料名称", max_length=120)
    name_en = models.CharField("材料名称（英文）", max_length=160, blank=True)
    requirement = models.CharField("材料要求", max_length=200, blank=True)
    clause = models.CharField("依据", max_length=60, blank=True)
    when = models.CharField("适用情形", max_length=24, choices=MaterialWhen.choices, default=MaterialWhen.ALWAYS)
    required = models.BooleanField("必须提交", default=True)
    provided_by = models.CharField("提供方", max_length=12, choices=MaterialProvider.choices, default=MaterialProvider.APPLICANT)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "申报材料目录"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return f"{self.number}. {self.name}" if self.number else self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language, where the department gave an English one."""
        from django.utils.translation import get_language

        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name


class CorrectionItem(models.Model):
    """A standard deficiency the checker can tick in the one-time correction notice (六（二））."""

    text = models.CharField("补正事项", max_length=200)
    text_en = models.CharField("补正事项（英文）", max_length=240, blank=True)
    material = models.ForeignKey(MaterialItem, verbose_name="对应材料", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "补正事项标准清单"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.text

    @property
    def display_text(self) -> str:
        from django.utils.translation import get_language

        return self.text_en if self.text_en and (get_language() or "").startswith("en") else self.text
