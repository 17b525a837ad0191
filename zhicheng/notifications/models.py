from django.conf import settings
from django.db import models


class NotificationTemplate(models.Model):
    """An editable message. Bodies use Django template syntax; see DEFAULT_TEMPLATES for keys."""

    key = models.CharField("模板键", max_length=64, unique=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")

    class Meta:
        verbose_name = verbose_name_plural = "通知模板"

    def __str__(self):
        return self.key


class Notification(models.Model):
    """The outbox and the in-app inbox at once: one row per recipient and message."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=64)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    application = models.ForeignKey("declarations.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.subject
