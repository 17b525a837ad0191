from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin

from .models import CalendarDay, CalendarYear, Objection, Publicity


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("year", "source")


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(Publicity)
class PublicityAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "publisher", "starts_on", "ends_on", "outcome")
    list_filter = ("kind", "outcome", "year")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("publicity", "application", "objector_name", "status", "raised_at", "handled_at")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False
