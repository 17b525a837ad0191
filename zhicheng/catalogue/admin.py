from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin

from .models import AnnualPlan, CorrectionItem, FeeStandard, MaterialItem, Series, SeriesLevelMode, Specialty, TitleName


class SpecialtyInline(admin.TabularInline):
    model = Specialty
    extra = 0


@admin.register(Series)
class SeriesAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "sort_order")
    search_fields = ("name", "code")
    inlines = [SpecialtyInline]


@admin.register(Specialty)
class SpecialtyAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "series")
    list_filter = ("series",)
    search_fields = ("name",)


@admin.register(TitleName)
class TitleNameAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "series", "level")
    list_filter = ("level", "series")


@admin.register(SeriesLevelMode)
class SeriesLevelModeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("year", "series", "level", "mode", "clause")
    list_filter = ("year", "mode", "level")


@admin.register(AnnualPlan)
class AnnualPlanAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("year", "notice_number", "ruleset", "declaration_deadline", "review_deadline", "filing_deadline", "seniority_cutoff")


@admin.register(FeeStandard)
class FeeStandardAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("level", "amount", "basis")


@admin.register(MaterialItem)
class MaterialItemAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("sort_order", "number", "name", "when", "required", "provided_by", "active")
    list_editable = ("active",)
    list_filter = ("when", "provided_by", "active")


@admin.register(CorrectionItem)
class CorrectionItemAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("sort_order", "text", "material", "active")
    list_editable = ("active",)
