from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zhicheng.people"
    verbose_name = "人员与业绩档案"
