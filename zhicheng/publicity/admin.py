from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin, ReadOnlyAdmin

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
class PublicityAdmin(ReadOnlyAdmin):
    """Read-only: publicities are opened and closed by publicity.services."""

    list_display = ("title", "kind", "publisher", "starts_on", "ends_on", "outcome")
    list_filter = ("kind", "outcome", "year")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    """Read-only: objections are raised by the public and handled by publicity.services."""

    list_display = ("publicity", "application", "objector_name", "status", "raised_at", "handled_at")
    list_filter = ("status",)
