from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "zhicheng.publicity"
    verbose_name = "公示与异议"

    def ready(self):
        from . import workflow  # noqa: F401  registers this app's guards with the declaration workflow
