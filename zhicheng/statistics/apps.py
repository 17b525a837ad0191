from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "zhicheng.statistics"
    verbose_name = "统计"

    def ready(self):
        from . import daily  # noqa: F401  registers the daily recomputation of the region's stage figures
