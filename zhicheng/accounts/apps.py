from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhicheng.accounts"
    verbose_name = "账户与角色"

    def ready(self):
        from . import middleware  # noqa: F401  (the login signal that starts a session's clocks)
