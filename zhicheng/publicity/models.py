from django.conf import settings
from django.db import models


class CalendarYear(models.Model):
    """A year whose holiday schedule an administrator has entered (for years chinese-calendar lacks)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据（国务院办公厅通知文号）", max_length=120)

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排（年度）"

    def __str__(self):
        return f"{self.year}（{self.source}）"


class CalendarDay(models.Model):
    """An exception to the weekday rule: a holiday on a weekday, or a weekend day made a working day."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '休息'} {self.note}"


class PublicityKind(models.TextChoices):
    EMPLOYER = "employer", "单位公示（六（一））"
    ROSTER = "roster", "申报人员花名册公示（六（二））"
    RESULT = "result", "评审结果公示（六（三））"


class PublicityOutcome(models.TextChoices):
    OPEN = "open", "公示中"
    NO_OBJECTION = "no_objection", "公示无异议"
    OBJECTIONS_HANDLED = "objections_handled", "异议已处理"


class Publicity(models.Model):
    MIN_WORKING_DAYS = 5

    kind = models.CharField("公示类型", max_length=12, choices=PublicityKind.choices)
    publisher = models.ForeignKey("orgs.Organisation", verbose_name="公示单位", on_delete=models.PROTECT, related_name="publicities")
    title = models.CharField("标题", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    starts_on = models.DateField("公示开始")
    working_days = models.PositiveSmallIntegerField("公示工作日数", default=MIN_WORKING_DAYS)
    ends_on = models.DateField("公示截止（含当日）")
    contact = models.CharField("受理异议电话/地址", max_length=200, blank=True)
    applications = models.ManyToManyField("declarations.Application", through="PublicityEntry", related_name="publicities")
    outcome = models.CharField("公示结果", max_length=20, choices=PublicityOutcome.choices, default=PublicityOutcome.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.outcome == PublicityOutcome.OPEN

    @property
    def period_over(self) -> bool:
        """Its last working day has passed: it may be closed (publicity.services.close_publicity checks the same)."""
        from zhicheng.core import clock

        return clock.today() > self.ends_on


class PublicityEntry(models.Model):
    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey("declarations.Application", on_delete=models.CASCADE, related_name="publicity_entries")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["publicity", "application"], name="publicity_entry_once")]


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待核实"
    SUBSTANTIATED = "substantiated", "经核实属实"
    UNSUBSTANTIATED = "unsubstantiated", "经核实不属实"


class Objection(models.Model):
    """A real-name objection (举报/异议) raised during a publicity, with its handling record."""

    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey("declarations.Application", on_delete=models.PROTECT, related_name="objections")
    objector_name = models.CharField("举报人姓名", max_length=40)
    objector_phone = models.CharField("联系电话", max_length=20)
    content = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间")
    # Where a public objection came from, for the per-address limit (never shown publicly).
    objector_ip = models.GenericIPAddressField("提交地址", null=True, blank=True)
    status = models.CharField("核实结果", max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    finding = models.TextField("核实情况与处理意见", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["raised_at"]

    def __str__(self):
        return f"{self.objector_name}对{self.application_id}的异议"
