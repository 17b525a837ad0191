from django.contrib import admin

from zhicheng.audit.admin_mixins import ReadOnlyAdmin

from .models import Application, ApplicationEvent, CorrectionNotice


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "actor", "actor_role", "actor_organisation", "at", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Read-only here: states move only through the workflow, never by editing a row."""

    list_display = ("person", "plan", "series", "level", "unit", "channel", "state", "holder")
    list_filter = ("plan", "state", "channel", "level", "series")
    search_fields = ("person__name", "person__id_number", "unit__name")
    list_select_related = ("person", "plan", "series", "unit", "holder")
    inlines = [EventInline]


@admin.register(CorrectionNotice)
class CorrectionNoticeAdmin(ReadOnlyAdmin):
    """Read-only: a notice is issued and resolved by the workflow, and its deadline decides whether the
    declaration is deemed withdrawn (六（二））; deleting one would erase that deadline."""

    list_display = ("application", "deadline", "issued_at", "resolved_at")
