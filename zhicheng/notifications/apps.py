from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zhicheng.notifications"
    verbose_name = "通知"

    def ready(self):
        from . import daily  # noqa: F401  registers the staff digest and the outbox sweep with the schedule
