from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhicheng.core import clock


class NotificationTemplate(models.Model):
    """An editable message. Bodies use Django template syntax; see DEFAULT_TEMPLATES for keys."""

    key = models.CharField("模板键", max_length=64, unique=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")

    class Meta:
        verbose_name = verbose_name_plural = "通知模板"

    def __str__(self):
        return self.key


class MailStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class OutgoingMail(models.Model):
    """The e-mail outbox: one row per message to send. Background workers send it and, when the
    mail server refuses, try again later with backoff; after MAX_ATTEMPTS it stays failed."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to = models.EmailField("收件地址")
    key = models.CharField("模板键", max_length=64)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    status = models.CharField("状态", max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True, default=timezone.now)
    last_error = models.TextField("最近一次失败原因", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sent_at = models.DateTimeField("发出时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发邮件"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outgoing_mail_due")]

    def __str__(self):
        return f"{self.to}：{self.subject}"


class Notification(models.Model):
    """The in-app inbox: one row per recipient and message. Its e-mail is ``mail`` (an outbox row of
    its own, or the day's digest for arrivals in a staff queue)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=64)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    application = models.ForeignKey("declarations.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    link = models.URLField("链接", max_length=500, blank=True, help_text="所涉页面的完整地址")
    # Set for messages that must reach a recipient once only (a reminder per deadline): the database refuses a second.
    once_key = models.CharField(max_length=120, blank=True)
    # Waits for the recipient's next daily digest instead of a mail of its own.
    awaits_digest = models.BooleanField(default=False)
    # How many declarations a queue-arrival message stands for: a step over a batch sends one message for all.
    arrivals = models.PositiveIntegerField(default=1)
    # The values a default text was rendered with: the inbox shows the message in the reader's language from them
    # (services.shown). Empty for a text an admin edited, and for messages from before it was kept.
    context = models.JSONField(null=True, blank=True)
    mail = models.ForeignKey(OutgoingMail, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    # The application's clock, so that a day's digest takes what arrived up to that day even when "today" is pinned.
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "created_at"], condition=Q(awaits_digest=True), name="notification_awaits_digest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "once_key"], condition=~Q(once_key=""), name="notification_once_per_recipient"),
        ]

    def __str__(self):
        return self.subject
