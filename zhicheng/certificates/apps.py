from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "zhicheng.certificates"
    verbose_name = "核准备案与电子证书"

    def ready(self):
        from . import daily  # noqa: F401  registers this app's daily work with the schedule
        from . import jobs  # noqa: F401  registers this app's background job kinds
        from . import workflow  # noqa: F401  registers this app's effects with the declaration workflow
