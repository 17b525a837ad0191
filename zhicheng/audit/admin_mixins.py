"""Back-office changes go into the same hash-chained log as everything else.

Every ModelAdmin of the site is either an AuditedAdmin (each add, change and delete, of the object
and of every inline row, and each admin action, writes an entry) or a ReadOnlyAdmin (records that
change only through their audited services). tests/security/test_admin_audit.py walks the registry
to keep it so.
"""

from functools import wraps

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict

from .services import record

# Never copied into an entry: a password hash is a secret even when it is only a hash.
SECRET_FIELDS = frozenset({"password"})
ACTION_IDS_KEPT = 200


def _plain(obj) -> dict:
    data = model_to_dict(obj)
    for name in SECRET_FIELDS:
        data.pop(name, None)
    return {key: _plain_value(value) for key, value in data.items()}


def _plain_value(value):
    if isinstance(value, (str, int, bool, type(None))):
        return value
    if isinstance(value, (list, tuple, set)):  # many-to-many: the related objects' keys
        return sorted(str(getattr(item, "pk", item)) for item in value)
    return str(value)


def _fresh(model, pk) -> dict | None:
    current = model._base_manager.filter(pk=pk).first()
    return _plain(current) if current is not None else None


def audited_action(func):
    """Mark an admin action that writes its own, more telling, audit entry: it is not wrapped again."""
    func.writes_own_audit = True
    return func


def _audit_action(func, name):
    @wraps(func)
    def run(modeladmin, request, queryset):
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        with transaction.atomic():
            response = func(modeladmin, request, queryset)
            record("admin.action", None, actor=request.user, object_type=modeladmin.model._meta.label_lower,
                   object_id=",".join(ids[:20]), after={"action": name, "ids": ids[:ACTION_IDS_KEPT], "count": len(ids)},
                   summary=f"后台对{len(ids)}条{modeladmin.model._meta.verbose_name}执行操作“{name}”")
        return response

    return run


class _AuditedActions:
    """Every admin action but the built-in delete (which goes through delete_queryset) is audited."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, (func, action_name, description) in list(actions.items()):
            if name != "delete_selected" and not getattr(func, "writes_own_audit", False):
                actions[name] = (_audit_action(func, action_name), action_name, description)
        return actions


class AuditedAdmin(_AuditedActions):
    """Mix into a ModelAdmin: every save and delete through the admin is audited, inline rows included.

    The object's entry is written in save_related, after its many-to-many fields and inlines are saved,
    so that "after" is what was really stored; each inline row added, changed or deleted gets its own entry."""

    def save_model(self, request, obj, form, change):
        obj._audit_before = _fresh(type(obj), obj.pk) if change and obj.pk else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_audit_before", None)
        record(f"admin.{'change' if change else 'add'}", obj, actor=request.user, before=before, after=_fresh(type(obj), obj.pk),
               summary=f"后台{'修改' if change else '新增'}{obj._meta.verbose_name}：{obj}")

    def save_formset(self, request, form, formset, change):
        model = formset.model
        existing = {id(f.instance): f.instance.pk for f in formset.initial_forms if f.instance.pk is not None}
        before = {pk: _plain(row) for pk, row in model._base_manager.in_bulk(list(existing.values())).items()}
        super().save_formset(request, form, formset, change)
        parent = f"{form.instance._meta.verbose_name}“{form.instance}”"
        for obj in formset.new_objects:
            record("admin.add", obj, actor=request.user, after=_fresh(model, obj.pk),
                   summary=f"后台在{parent}中新增{model._meta.verbose_name}：{obj}")
        for obj, _fields in formset.changed_objects:
            record("admin.change", obj, actor=request.user, before=before.get(obj.pk), after=_fresh(model, obj.pk),
                   summary=f"后台在{parent}中修改{model._meta.verbose_name}：{obj}")
        for obj in formset.deleted_objects:
            pk = existing.get(id(obj))
            record("admin.delete", None, actor=request.user, object_type=model._meta.label_lower, object_id=str(pk),
                   before=before.get(pk), summary=f"后台在{parent}中删除{model._meta.verbose_name}：{obj}")

    def delete_model(self, request, obj):
        with transaction.atomic():
            record("admin.delete", obj, actor=request.user, before=_plain(obj), summary=f"后台删除{obj._meta.verbose_name}：{obj}")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class _NoWrites:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(_NoWrites, _AuditedActions, admin.ModelAdmin):
    """For records that change only through their audited services: the back office may read them."""


class ReadOnlyInline(_NoWrites):
    """Mix into an inline shown on an audited admin whose rows change only through their own services."""

    can_delete = False
