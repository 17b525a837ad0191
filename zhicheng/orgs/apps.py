from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "zhicheng.orgs"
    verbose_name = "机构与评委会"
