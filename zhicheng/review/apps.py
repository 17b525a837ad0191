from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "zhicheng.review"
    verbose_name = "评审组织"

    def ready(self):
        from . import workflow  # noqa: F401  registers this app's guards with the declaration workflow
