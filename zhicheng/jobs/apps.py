from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "zhicheng.jobs"
    verbose_name = "后台任务"
