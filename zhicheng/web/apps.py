from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhicheng.web"
    verbose_name = "页面"

    def ready(self):
        from . import exports  # noqa: F401  registers the export job kind
