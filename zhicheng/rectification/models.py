"""Orders to correct within a deadline (限期纠正), the committee suspensions that follow when they are not
answered (停止评审), and the region-wide bulletins (全区通报), all under 八（一）. The rules live in services.py."""

from django.conf import settings
from django.db import models

from zhicheng.core import clock


class Source(models.TextChoices):
    """How the problem was found (八（一）: 随机抽查、巡查、复查)."""

    SPOT_CHECK = "spot_check", "随机抽查"
    INSPECTION = "inspection", "巡查"
    RECHECK = "recheck", "复查"


class OrderState(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已报送整改情况"
    ACCEPTED = "accepted", "整改已验收"
    OVERDUE = "overdue", "逾期未整改"
    ESCALATED = "escalated", "逾期未整改，已停止评审"


# The states in which the ordered party still has to act.
WAITING_FOR_PARTY = (OrderState.OPEN, OrderState.OVERDUE, OrderState.ESCALATED)


class RectificationOrder(models.Model):
    """限期纠正: one party ordered to correct one matter by a deadline."""

    finding = models.ForeignKey("supervision.Finding", verbose_name="抽查发现", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="rectification_orders")
    source = models.CharField("发现方式", max_length=12, choices=Source.choices)
    party = models.ForeignKey("orgs.Organisation", verbose_name="责令整改单位", on_delete=models.PROTECT, related_name="rectification_orders")
    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="rectification_orders", help_text="整改单位为评委会办事机构时")
    matter = models.TextField("整改事项")
    deadline = models.DateField("整改期限")
    state = models.CharField("状态", max_length=12, choices=OrderState.choices, default=OrderState.OPEN, db_index=True)
    # The HR department that gave the order (the regional department, or a city or county bureau in its own area, 八（一）):
    # it judges the answers, and its colleagues see the order, whoever of them issued it.
    issuer = models.ForeignKey("orgs.Organisation", verbose_name="下达机关", on_delete=models.PROTECT, related_name="rectification_orders_issued")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下达人", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("下达时间", default=clock.now)
    overdue_on = models.DateField("逾期日期", null=True, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "限期纠正"
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["party", "state"])]

    def __str__(self):
        return f"{self.reference} {self.party}"

    @property
    def reference(self) -> str:
        return f"ZG{self.issued_at.year}-{self.pk:04d}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "验收通过"
    REJECTED = "rejected", "不予验收，退回整改"


class OrderAnswer(models.Model):
    """What the party reports it did, with evidence, and the overseer's decision on it."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField("整改情况")
    files = models.ManyToManyField("files.StoredFile", verbose_name="整改证明材料", blank=True, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField("报送时间")
    decision = models.CharField("验收结论", max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField("验收意见", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("验收时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改情况报告"
        ordering = ["order", "answered_at", "pk"]


# A suspension in force: not lifted (the instance's ``in_force``).
IN_FORCE = models.Q(lifted_on__isnull=True)


class SuspensionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(IN_FORCE)


class CommitteeSuspension(models.Model):
    """停止评审 (八（一）) of a committee that did not correct in time; lifted, or followed by 取消评审资格 (七（一）)."""

    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", on_delete=models.PROTECT, related_name="suspensions")
    order = models.ForeignKey(RectificationOrder, verbose_name="逾期的限期纠正", on_delete=models.PROTECT, related_name="suspensions")
    reason = models.TextField("理由")
    started_on = models.DateField("停止评审日期")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间")
    affected = models.JSONField("决定时受影响的申报", default=dict, help_text="状态 → 件数")
    lifted_on = models.DateField("恢复评审日期", null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="恢复决定人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lift_reason = models.TextField("恢复理由", blank=True)
    approval_revoked_on = models.DateField("取消评审资格日期", null=True, blank=True)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "停止评审"
        ordering = ["-decided_at", "-pk"]
        constraints = [
            # One suspension in force per committee: a second decision finds the first.
            models.UniqueConstraint(fields=["committee"], condition=IN_FORCE, name="one_suspension_in_force"),
        ]

    def __str__(self):
        return f"{self.committee}停止评审（{self.started_on:%Y-%m-%d}）"

    @property
    def in_force(self) -> bool:
        return self.lifted_on is None


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Bulletin(models.Model):
    """全区通报: a numbered document naming the units and committees found wanting and what was done."""

    document_number = models.CharField("文号", max_length=40, unique=True)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    orders = models.ManyToManyField(RectificationOrder, verbose_name="通报的限期纠正", blank=True, related_name="bulletins")
    suspensions = models.ManyToManyField(CommitteeSuspension, verbose_name="通报的停止评审", blank=True, related_name="bulletins")
    status = models.CharField("状态", max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT)
    # What was reported, frozen when published: the public page and the PDF show this, not the orders as they are later.
    items = models.JSONField("通报事项", default=list, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField("起草时间", default=clock.now)
    published_on = models.DateField("发布日期", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "全区通报"
        ordering = ["-published_on", "-drafted_at", "-pk"]

    def __str__(self):
        return f"{self.title}（{self.document_number}）"
