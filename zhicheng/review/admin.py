from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin

from .models import Assignment, Expert, ReviewPlan


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("person", "title_name", "series", "unit", "available", "sanctioned")
    list_filter = ("series", "available", "sanctioned")
    search_fields = ("person__name",)
    autocomplete_fields = ("person", "unit", "user")
    list_select_related = ("person", "series", "unit")


@admin.register(ReviewPlan)
class ReviewPlanAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("committee", "year", "status", "filed_on", "approved_on", "review_starts_on", "review_ends_on")


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("plan", "expert", "application", "recused")
    raw_id_fields = ("application", "expert")
