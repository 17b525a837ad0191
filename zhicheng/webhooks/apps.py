from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "zhicheng.webhooks"
    verbose_name = "事件推送"

    def ready(self):
        from . import daily  # noqa: F401  registers this app's daily work with the schedule
        from . import events  # noqa: F401  registers the events with the declaration workflow (registry.observer)
