from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from zhicheng.audit.admin_mixins import AuditedAdmin
from zhicheng.audit.services import record

from .models import User


@admin.register(User)
class ZhichengUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "organisation__name")
    autocomplete_fields = ("organisation", "person")
    fieldsets = UserAdmin.fieldsets + (("职称系统", {"fields": ("role", "organisation", "person", "phone")}),)

    def user_change_password(self, request, id, form_url=""):
        """The admin's password form, audited: the entry says that the password was set or disabled,
        never the password or its hash."""
        with transaction.atomic():
            old_hash = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=unquote(id)).first()
            if user is not None and user.password != old_hash:
                usable = user.has_usable_password()
                record("admin.password_change", user, actor=request.user, after={"usable_password": usable},
                       summary=f"后台{'重设' if usable else '停用'}用户“{user.username}”的密码")
        return response


# Groups carry permissions, so a change of one changes what its members may do in the back office.
admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
