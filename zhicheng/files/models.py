from django.conf import settings
from django.db import models


class StoredFile(models.Model):
    """One file, stored once by its SHA-256 whoever uploads it and however often."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=40)
    original_name = models.CharField("原文件名", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "材料文件"

    def __str__(self):
        return f"{self.original_name}（{self.sha256[:12]}）"

    @property
    def relative_path(self) -> str:
        return f"blobs/{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"
