from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin

from .models import Notification, NotificationTemplate


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("key", "subject")


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("recipient", "subject", "created_at", "emailed_at", "read_at")
    list_filter = ("key",)
    raw_id_fields = ("recipient", "application")
