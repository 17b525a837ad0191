from django.contrib import admin
from django.core.exceptions import PermissionDenied

from zhicheng.audit.admin_mixins import AuditedAdmin

from .models import StoredFile
from .services import file_users


def _why_kept(stored: StoredFile, users: list[str]) -> str:
    return f"“{stored.original_name}”是{'、'.join(users)}的佐证材料，不能删除；请取消勾选后重试"


@admin.register(StoredFile)
class StoredFileAdmin(AuditedAdmin, admin.ModelAdmin):
    """Files enter only by upload; the back office may remove one nothing refers to (audited), never evidence."""

    list_display = ("original_name", "content_type", "size", "sha256", "uploaded_at")
    search_fields = ("original_name", "sha256")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and file_users(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """The confirmation page lists every referenced file as protected, so the delete is refused there, saying why."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = [_why_kept(stored, users) for stored in objs if (users := file_users(stored))]
        if refused:
            # has_delete_permission is False for these files, which the page would report as a lacking
            # permission instead of saying why: the reason is what the office needs to read.
            return to_delete, model_count, set(), list(protected) + refused
        return to_delete, model_count, perms_needed, protected

    def delete_queryset(self, request, queryset):
        # Reached only past the confirmation page; a file referenced since then is still refused (so is any
        # other delete path, by the pre_delete guard in files.services).
        refused = [_why_kept(stored, users) for stored in queryset if (users := file_users(stored))]
        if refused:
            raise PermissionDenied("；".join(refused))
        super().delete_queryset(request, queryset)
