from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin

from . import models


class RecordInline(admin.TabularInline):
    extra = 0
    exclude = ("evidence",)


def inline(model_class):
    return type(f"{model_class.__name__}Inline", (RecordInline,), {"model": model_class})


@admin.register(models.Person)
class PersonAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "id_number", "sex", "birth_date", "unit")
    search_fields = ("name", "id_number")
    autocomplete_fields = ("unit",)
    readonly_fields = ("birth_date", "sex")
    inlines = [inline(m) for m in models.ARCHIVE_MODELS.values()]


@admin.register(models.BlacklistEntry)
class BlacklistEntryAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("person", "listed_on", "reason", "document_number")
    autocomplete_fields = ("person",)
