"""Stored figures: the days in each stage, which take a million stays to compute at 100,000 declarations."""

from django.db import models


class StageFigure(models.Model):
    """Days in one stage, at one organisation (or over every organisation), for a year's declarations in one reader's
    scope: the region (``scope`` empty) or an organisation's (what its staff see, querysets.for_user). What
    durations.stays() computed at ``computed_at``: by the first reader of a scope and year, then every day
    (statistics.daily) for the region and every scope read before."""

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    scope = models.ForeignKey("orgs.Organisation", verbose_name="范围（空为全区）", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    stage = models.CharField("环节", max_length=32)
    holder = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    every_desk = models.BooleanField("全部办理机构合计", default=False)
    count = models.PositiveIntegerField("停留次数")
    median = models.FloatField("中位数（天）")
    p90 = models.FloatField("90%分位数（天）")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "各环节停留天数"
