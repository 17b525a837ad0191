"""Back-office changes go into the same hash-chained log as everything else."""

from django.contrib import admin
from django.forms.models import model_to_dict

from .services import record


def _plain(obj) -> dict:
    data = model_to_dict(obj)
    return {key: (value if isinstance(value, (str, int, bool, type(None))) else str(value)) for key, value in data.items()}


class AuditedAdmin:
    """Mix into a ModelAdmin: every save and delete through the admin is audited."""

    def save_model(self, request, obj, form, change):
        before = _plain(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record(f"admin.{'change' if change else 'add'}", obj, actor=request.user, before=before, after=_plain(obj),
               summary=f"后台{'修改' if change else '新增'}{obj._meta.verbose_name}：{obj}")

    def delete_model(self, request, obj):
        before = _plain(obj)
        record("admin.delete", obj, actor=request.user, before=before, summary=f"后台删除{obj._meta.verbose_name}：{obj}")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their audited services: the back office may read them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
