from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin, ReadOnlyAdmin

from .models import (
    Assignment, CommitteeMember, Expert, ExpertDraw, ExpertRelation, Meeting, MeetingResult, Minutes, Panel, PoolFiling, Recusal,
    ReviewPlan, Sanction, ServiceYear,
)


class ServiceYearInline(admin.TabularInline):
    model = ServiceYear
    extra = 0


class RelationInline(admin.TabularInline):
    model = ExpertRelation
    extra = 0
    raw_id_fields = ("former_unit",)


class SanctionInline(admin.TabularInline):
    model = Sanction
    extra = 0


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("person", "title_name", "series", "unit", "available")
    list_filter = ("series", "available")
    search_fields = ("person__name",)
    autocomplete_fields = ("person", "unit", "user")
    list_select_related = ("person", "series", "unit")
    # The title comes from the person's title records, never typed here.
    readonly_fields = ("title_level", "title_name")
    inlines = (ServiceYearInline, RelationInline, SanctionInline)

    def has_add_permission(self, request):
        return False  # experts enter the pool by import, where the title is read from the title records


@admin.register(ReviewPlan)
class ReviewPlanAdmin(ReadOnlyAdmin):
    """Read-only: a plan is written, filed and approved through review.services."""

    list_display = ("committee", "year", "status", "filed_on", "approved_on", "review_starts_on", "review_ends_on")
    list_filter = ("status", "year")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Read-only: assignments and recusals come from the draw and review.services."""

    list_display = ("plan", "panel", "expert", "application", "recused")
    raw_id_fields = ("application", "expert")


@admin.register(ExpertDraw)
class ExpertDrawAdmin(ReadOnlyAdmin):
    list_display = ("plan", "status", "publication_sha256", "record_sha256", "drawn_at")


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ReadOnlyAdmin):
    list_display = ("draw", "expert", "active", "via_substitution", "is_chair")


@admin.register(PoolFiling)
class PoolFilingAdmin(ReadOnlyAdmin):
    list_display = ("committee", "year", "filed_at", "acknowledged_at", "sha256")


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin):
    list_display = ("plan", "name")


@admin.register(Recusal)
class RecusalAdmin(ReadOnlyAdmin):
    list_display = ("plan", "expert", "application", "source", "recorded_at")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("plan", "held_on", "status", "committee_size")


@admin.register(MeetingResult)
class MeetingResultAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "application", "group", "eligible", "yes", "no", "abstain", "passed")


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "sha256", "signed_by", "signed_at")
