"""What plan progress keeps: a late committee's written explanation (八（二）4). The progress itself is
read from the plans, meetings and publicities (progress.py), never stored, so it cannot go stale."""

from django.conf import settings
from django.db import models


class ExplanationDecision(models.TextChoices):
    PENDING = "pending", "待审阅"
    ACCEPTED = "accepted", "已接受"
    RETURNED = "returned", "已退回"


class PlanExplanation(models.Model):
    """未按计划完成评审工作的书面说明 (八（二）4): filed by the committee's office, read and accepted or
    returned by the regional department. A returned explanation stays on record; the office files a new one."""

    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", on_delete=models.PROTECT, related_name="plan_explanations")
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("书面说明")
    evidence = models.ManyToManyField("files.StoredFile", verbose_name="佐证材料", blank=True, related_name="+")
    # What made the committee late when it filed, as progress.py saw it (the reader sees why it was asked).
    late_reasons = models.JSONField("逾期情形", default=list)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("报送时间")
    decision = models.CharField("审阅结果", max_length=10, choices=ExplanationDecision.choices, default=ExplanationDecision.PENDING)
    return_reason = models.TextField("退回理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审阅人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审阅时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "未按计划完成评审的书面说明"
        ordering = ["-filed_at", "-pk"]
        constraints = [
            # One explanation waiting or accepted per committee and year; a returned one may be followed by another.
            models.UniqueConstraint(fields=["committee", "year"], condition=~models.Q(decision="returned"),
                                    name="one_live_plan_explanation_per_committee_year"),
        ]

    def __str__(self):
        return f"{self.committee} {self.year}年未按计划完成评审的书面说明"
