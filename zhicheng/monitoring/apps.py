from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "zhicheng.monitoring"
    verbose_name = "计划进度与诚信信号"
