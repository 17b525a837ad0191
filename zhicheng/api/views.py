"""The pages where staff of an organisation list, create and revoke its API keys."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhicheng.accounts.permissions import page
from zhicheng.core import confirm

from . import conf, services
from .forms import ApiKeyForm
from .models import ApiKey


def _keys_of(user):
    return ApiKey.objects.of_organisation(user.organisation_id).select_related("user", "revoked_by")


@page("api_keys")
def api_keys(request):
    return render(request, "api/keys.html", {
        "keys": _keys_of(request.user), "per_minute": conf.calls_per_minute(),
    })


@page("api_key_new")
def api_key_new(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.create_key(request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # The secret is on this page only: it is not stored, so the page must not be cached or kept.
            response = render(request, "api/key_created.html", {"key": key, "secret": secret})
            response["Cache-Control"] = "private, no-store"
            return response
    return render(request, "api/key_new.html", {"form": form})


@page("api_key_revoke")
def api_key_revoke(request, pk: int):
    key = get_object_or_404(_keys_of(request.user), pk=pk)
    if request.method != "POST":
        return redirect("api_keys")
    if not key.revoked and not confirm.confirmed(request):
        return confirm.ask(request, _revoke_question(key))
    try:
        services.revoke_key(request.user, key.pk)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("密钥“%(name)s”（%(prefix)s…）已撤销，此后用它的调用一律被拒绝。") % {
            "name": key.name, "prefix": key.prefix})
    return redirect("api_keys")


def _revoke_question(key: ApiKey) -> confirm.Question:
    return confirm.Question(
        title=_("撤销接口密钥"), subject=_("%(name)s（%(prefix)s…）") % {"name": key.name, "prefix": key.prefix},
        facts=[_("创建人：%(user)s") % {"user": key.user},
               _("有效期至：%(day)s") % {"day": key.expires_on.isoformat()},
               _("最近调用：%(at)s") % {"at": timezone.localtime(key.last_used_at).strftime("%Y-%m-%d %H:%M")
                                        if key.last_used_at else _("从未调用")}],
        consequence=_("撤销立即生效，不能恢复：使用该密钥的系统此后的每次调用都将被拒绝（401），需新建密钥并在该系统中更换。"),
        button=_("确认撤销"), cancel_url=reverse("api_keys"),
    )
