from django.apps import AppConfig
from django.db.models.signals import pre_delete


class FilesConfig(AppConfig):
    name = "zhicheng.files"
    verbose_name = "材料文件"

    def ready(self):
        from .models import StoredFile
        from .services import refuse_deleting_used_file

        # On every delete path (instance, queryset, cascade), not only the admin's.
        pre_delete.connect(refuse_deleting_used_file, sender=StoredFile, dispatch_uid="files.refuse_deleting_used_file")
