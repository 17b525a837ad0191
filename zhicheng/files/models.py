from django.conf import settings
from django.db import models


class StoredFileQuerySet(models.QuerySet):
    def delete(self):
        # Refused before the delete's transaction starts, so a caller's own transaction stays usable; the
        # pre_delete guard (files.apps) still covers cascades and any other path.
        from .services import FileInUse, file_users

        for stored in self:
            if users := file_users(stored):
                raise FileInUse(stored, users)
        return super().delete()


class StoredFile(models.Model):
    """One file, stored once by its SHA-256 whoever uploads it and however often.

    A file that anything refers to (a declaration's materials, an archive record's evidence, a submitted
    version's frozen records...) is never deleted (files.services.file_users)."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    original_name = models.CharField("原文件名", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = StoredFileQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "材料文件"

    def __str__(self):
        return f"{self.original_name}（{self.sha256[:12]}）"

    def delete(self, *args, **kwargs):
        from .services import FileInUse, file_users

        if users := file_users(self):
            raise FileInUse(self, users)
        return super().delete(*args, **kwargs)

    @property
    def relative_path(self) -> str:
        return f"blobs/{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"


class Rendition(models.Model):
    """A generated document kept so that it is made once: ``key`` is the digest of everything it is
    made from (a certificate's PDF: the certificate's fields, the public address, the renderer), so a
    change to any of them means a new key and a fresh rendering, never a stale file."""

    key = models.CharField(max_length=64, unique=True)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已生成文件"

    def __str__(self):
        return f"{self.key[:12]} → {self.file}"
