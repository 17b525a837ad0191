from django.contrib import admin, messages
from django.db import transaction

from zhicheng.audit.admin_mixins import AuditedAdmin, ReadOnlyAdmin, audited_action
from zhicheng.audit.services import record as audit

from . import outbox
from .models import Notification, NotificationTemplate, OutgoingMail


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("key", "subject")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: notifications are written by the system with the change they tell about."""

    list_display = ("recipient", "subject", "created_at", "emailed_at", "read_at")
    list_filter = ("key",)
    raw_id_fields = ("recipient", "application", "mail")


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """The outbox: what was sent, what waits for its next attempt, and what failed for good."""

    list_display = ("to", "subject", "status", "attempts", "next_attempt_at", "sent_at", "created_at")
    list_filter = ("status", "key")
    search_fields = ("to", "subject")
    actions = ["send_again"]

    @audited_action
    @admin.action(description="重新发送所选邮件（重新计算尝试次数）")
    def send_again(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        with transaction.atomic():
            count = outbox.resend(ids)
            audit("notifications.resend", None, actor=request.user, object_type="notifications.outgoingmail",
                  object_id=",".join(map(str, ids[:20])), after={"count": count}, summary=f"后台重新发送邮件{count}封")
        self.message_user(request, f"已安排重新发送{count}封邮件。", messages.SUCCESS)
