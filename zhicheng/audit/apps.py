from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhicheng.audit"
    verbose_name = "审计日志"

    def ready(self):
        from . import daily  # noqa: F401  registers the daily checkpoint with the schedule
        from . import signals  # noqa: F401
