"""Logins, logouts and failed logins are audited too."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record("auth.login", user, actor=user, summary="登录")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", user, actor=user, summary="退出")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record("auth.login_failed", object_type="accounts.user", object_id=str(credentials.get("username", ""))[:64],
           summary="登录失败")
