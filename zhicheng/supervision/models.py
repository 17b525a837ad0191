"""Random spot checks (随机抽查, 八（一）): a campaign, the items its verifiable draw sampled, the findings on them.

The draw itself (population, strata, weights, commit-reveal seed, sample) is plain data in ``publication`` and
``record``; zhicheng/supervision/sampling.py re-derives the sample from the record alone."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhicheng.core import clock


class CheckKind(models.TextChoices):
    """What a campaign checks: the population it samples from."""

    DECLARATIONS_ACCEPTED = "declarations_accepted", _("已受理的申报")
    RESULTS_FILED = "results_filed", _("已核准备案的评审结果")
    CERTIFICATES_ISSUED = "certificates_issued", _("已发放的职称证书")
    COMMITTEES = "committees", _("评审委员会")
    EXPERT_DRAWS = "expert_draws", _("评委抽选")


class Stratify(models.TextChoices):
    NONE = "", _("不分层")
    COMMITTEE = "committee", _("按评委会分层")
    AREA = "area", _("按盟市分层")


class CampaignStatus(models.TextChoices):
    COMMITTING = "committing", _("待双方提交承诺值")
    FROZEN = "frozen", _("总体已冻结，待揭示秘密值")
    DRAWN = "drawn", _("已抽取样本并公布")


class Party(models.TextChoices):
    """The two parties whose secrets make the seed; which two depends on who starts the campaign."""

    SUPERVISOR = "supervisor", _("纪检监察机构")
    REGIONAL_HR_DEPARTMENT = "regional_hr_department", _("自治区人社厅")
    HR_BUREAU = "hr_bureau", _("盟市人社局")


class Campaign(models.Model):
    title = models.CharField("抽查名称", max_length=120)
    kind = models.CharField("抽查对象", max_length=24, choices=CheckKind.choices)
    organisation = models.ForeignKey("orgs.Organisation", verbose_name="组织单位", on_delete=models.PROTECT, related_name="spot_checks")
    # The population filter.
    year = models.PositiveSmallIntegerField("年度")
    series = models.ForeignKey("catalogue.Series", verbose_name="系列", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("orgs.Area", verbose_name="区域", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The sample: a rate (percent) or a count, never both.
    sample_rate = models.PositiveSmallIntegerField("抽查比例（%）", null=True, blank=True)
    sample_count = models.PositiveIntegerField("抽查数量", null=True, blank=True)
    stratify = models.CharField("分层", max_length=12, choices=Stratify.choices, blank=True, default=Stratify.NONE)
    risk_weighted = models.BooleanField("按风险信号加权", default=False)
    # Commit-reveal: the two parties in the order their secrets enter the seed, their commitments and reveals.
    parties = models.JSONField("抽取双方")
    commitments = models.JSONField("承诺值", default=dict)
    reveals = models.JSONField("揭示值", default=dict)
    status = models.CharField("状态", max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.COMMITTING)
    # Frozen when the last commitment arrives: the population (keys, strata, weights) and the publication of its hashes.
    population = models.JSONField("冻结的抽查总体", null=True, blank=True)
    publication = models.JSONField("公示内容", null=True, blank=True)
    publication_sha256 = models.CharField("公示摘要", max_length=64, blank=True)
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)
    record = models.JSONField("抽取记录", null=True, blank=True)
    record_sha256 = models.CharField("抽取记录摘要", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", default=clock.now)

    class Meta:
        verbose_name = verbose_name_plural = "随机抽查"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def reference(self) -> str:
        return f"SC{self.year}-{self.pk:04d}"


class SampledItem(models.Model):
    """One item the draw picked, by its reference (``key``), with a link to the object it stands for."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField("抽取顺序")
    key = models.CharField("编号", max_length=60)
    stratum = models.CharField("层", max_length=40, blank=True)
    application = models.ForeignKey("declarations.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey("certificates.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey("orgs.Committee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expert_draw = models.ForeignKey("review.ExpertDraw", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抽查样本"
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="one_sampled_item_per_key")]

    def __str__(self):
        return f"{self.campaign.reference} {self.key}"


class Conclusion(models.TextChoices):
    NO_PROBLEM = "no_problem", _("未发现问题")
    PROBLEM = "problem", _("发现问题")


class Finding(models.Model):
    """What the checker found on a sampled item: the checklist's answers, a conclusion, text and evidence."""

    item = models.ForeignKey(SampledItem, verbose_name="抽查样本", on_delete=models.PROTECT, related_name="findings")
    answers = models.JSONField("检查项结果", default=dict, help_text="检查项代码 → yes / no / na")
    conclusion = models.CharField("结论", max_length=12, choices=Conclusion.choices)
    text = models.TextField("检查情况")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("检查时间")

    class Meta:
        verbose_name = verbose_name_plural = "抽查发现"
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"{self.item}：{self.get_conclusion_display()}"


class FindingEvidence(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    file = models.ForeignKey("files.StoredFile", verbose_name="证据文件", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抽查证据"
        ordering = ["pk"]
