from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "zhicheng.declarations"
    verbose_name = "职称申报"
