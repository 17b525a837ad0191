from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "zhicheng.declarations"
    verbose_name = "职称申报"

    def ready(self):
        from . import daily  # noqa: F401  registers this app's daily work with the schedule
        from . import jobs  # noqa: F401  registers this app's background job kinds
