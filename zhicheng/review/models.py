"""Experts, review plans and dossier assignments. The draw itself is zhicheng.draw (plain Python)."""

from django.conf import settings
from django.db import models

from zhicheng.catalogue.models import Level


class Expert(models.Model):
    """An expert in a committee's pool (专家评委库)."""

    person = models.OneToOneField("people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="expert")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="expert")
    unit = models.ForeignKey("orgs.Organisation", verbose_name="工作单位", on_delete=models.PROTECT, related_name="experts")
    series = models.ForeignKey("catalogue.Series", verbose_name="系列", on_delete=models.PROTECT, related_name="+")
    specialty = models.ForeignKey("catalogue.Specialty", verbose_name="专业", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title_level = models.CharField("职称层级", max_length=20, choices=Level.choices)
    title_name = models.CharField("职称", max_length=40)
    committees = models.ManyToManyField("orgs.Committee", verbose_name="所在评委库", related_name="pool", blank=True)
    available = models.BooleanField("可参加本年度评审", default=True)
    sanctioned = models.BooleanField("受到处理（不得担任评委）", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "评审专家"
        ordering = ["person__name"]

    def __str__(self):
        return f"{self.person.name}（{self.title_name}）"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    FILED = "filed", "已报备"
    APPROVED = "approved", "已备案同意"
    REJECTED = "rejected", "退回修改"


class ReviewPlan(models.Model):
    """评审实施方案 (七（三）): filed with the region at least a week before the review opens."""

    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", on_delete=models.PROTECT, related_name="review_plans")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    place = models.CharField("评审地点", max_length=120, blank=True)
    review_starts_on = models.DateField("评审开始日期")
    review_ends_on = models.DateField("评审结束日期")
    filed_on = models.DateField("报备日期", null=True, blank=True)
    approved_on = models.DateField("备案同意日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审实施方案"
        constraints = [models.UniqueConstraint(fields=["committee", "year"], name="one_review_plan_per_committee_year")]

    def __str__(self):
        return f"{self.committee} {self.year}年评审实施方案"


class Assignment(models.Model):
    """A dossier assigned to an expert for the review."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey("declarations.Application", on_delete=models.CASCADE, related_name="assignments")
    recused = models.BooleanField("回避", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "评审分配"
        constraints = [models.UniqueConstraint(fields=["expert", "application"], name="assign_once")]
