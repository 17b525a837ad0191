from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin

from .models import Area, Committee, CommitteeApproval, Organisation


@admin.register(Area)
class AreaAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "area", "level", "sector", "credit_code", "post_management", "senior_posts_set", "senior_posts_filled",
                    "keeps_freelancer_files")
    list_filter = ("kind", "level", "sector", "post_management", "keeps_freelancer_files")
    search_fields = ("name", "credit_code")
    autocomplete_fields = ("area", "competent_department")
    list_select_related = ("area",)


class ApprovalInline(admin.TabularInline):
    model = CommitteeApproval
    extra = 0
    autocomplete_fields = ("approved_by",)


@admin.register(Committee)
class CommitteeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "series", "area", "office", "self_review_unit")
    list_filter = ("series",)
    search_fields = ("name",)
    autocomplete_fields = ("area", "organising_body", "office", "self_review_unit")
    filter_horizontal = ("specialties",)
    inlines = [ApprovalInline]
