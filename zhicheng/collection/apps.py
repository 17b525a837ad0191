from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "zhicheng.collection"
    verbose_name = "数据归集"

    def ready(self):
        from . import daily  # noqa: F401  registers the daily file with the schedule
        from zhicheng.certificates.signals import certificates_changed

        from .changes import on_certificates_changed

        certificates_changed.connect(on_certificates_changed, dispatch_uid="collection.change_log")
