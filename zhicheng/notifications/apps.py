from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zhicheng.notifications"
    verbose_name = "通知"
