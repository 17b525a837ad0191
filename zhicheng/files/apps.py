from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "zhicheng.files"
    verbose_name = "材料文件"
