from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhicheng.documents"
    verbose_name = "文书生成"
