from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "zhicheng.catalogue"
    verbose_name = "职称目录与年度计划"
