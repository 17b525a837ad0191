from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zhicheng.api"
    verbose_name = "接口"
