from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from zhicheng.audit.admin_mixins import AuditedAdmin

from .models import User


@admin.register(User)
class ZhichengUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "organisation__name")
    autocomplete_fields = ("organisation", "person")
    fieldsets = UserAdmin.fieldsets + (("职称系统", {"fields": ("role", "organisation", "person", "phone")}),)
