from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "zhicheng.rectification"
    verbose_name = "限期纠正与通报"
