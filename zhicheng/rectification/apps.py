from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "zhicheng.rectification"
    verbose_name = "限期纠正与通报"

    def ready(self):
        from . import daily  # noqa: F401  registers the overdue run with the daily schedule
        from . import notices
        from . import workflow  # noqa: F401  registers the suspension guard with the declaration workflow

        notices.register()
