"""The regional department's page for logins locked after wrong passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import throttle
from .forms import UnlockForm
from .permissions import page


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
