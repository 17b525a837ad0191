from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "zhicheng.publicity"
    verbose_name = "公示与异议"
