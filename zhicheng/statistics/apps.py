from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "zhicheng.statistics"
    verbose_name = "统计"
