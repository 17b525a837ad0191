"""Account pages: one's own password, and the regional department's page for logins locked after wrong passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhicheng.audit.services import record as audit

from . import throttle
from .forms import UnlockForm
from .permissions import page


@page("password_change")
def password_change(request):
    """Everyone changes their own password here (an expert's first one was handed over by the office, 七（四）):
    the old one first, the new one by the site's password rules; the session stays, the change is audited."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit("account.password_change", user, actor=user, after={"changed": True}, summary=f"{user}修改了本人的登录密码")
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("dashboard")
    return render(request, "accounts/password_change.html", {"form": form})


@page("login_lockouts")
def login_lockouts(request):
    form = UnlockForm(request.POST or None)
    if request.method == "POST":
        key = request.POST.get("key", "")
        if key:
            removed = throttle.unlock(request.user, key=key[:64])
        elif form.is_valid():
            removed = throttle.unlock(request.user, username=form.cleaned_data["username"],
                                      address=form.cleaned_data["address"] or "")
        else:
            return _page(request, form)
        if removed:
            messages.success(request, _("已解除锁定，清除%(n)d条登录失败记录。") % {"n": removed})
        else:
            messages.info(request, _("没有找到该账号或地址的登录失败记录。"))
        return redirect("login_lockouts")
    return _page(request, form)


def _page(request, form):
    return render(request, "accounts/lockouts.html", {
        "form": form, "locks": throttle.current_locks(), "account_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT, "minutes": settings.LOGIN_COOLOFF_MINUTES,
    })
