from django.contrib import admin

from .models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ("original_name", "content_type", "size", "sha256", "uploaded_at")
    search_fields = ("original_name", "sha256")

    def has_change_permission(self, request, obj=None):
        return False
