from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "zhicheng.collection"
    verbose_name = "数据归集"
