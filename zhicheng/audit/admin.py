from django.contrib import admin

from .admin_mixins import ReadOnlyAdmin
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_name", "actor_role", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "actor_role", "object_type")
    search_fields = ("object_id", "actor_name", "summary")
