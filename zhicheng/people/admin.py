from django.contrib import admin

from zhicheng.audit.admin_mixins import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline

from . import models


class RecordInline(ReadOnlyInline, admin.TabularInline):
    """Archive records are eligibility facts kept by their owner through people.services (audited, and the
    open drafts re-screened): the back office reads them here, never edits them."""

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

    def has_delete_permission(self, request, obj=None):
        return False  # deleting a person would delete their whole archive with it


@admin.register(models.BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    """Read-only: entries come from the regional department's audited revocation (certificates.services, 八（三））."""

    list_display = ("person", "listed_on", "reason", "document_number")
    autocomplete_fields = ("person",)
