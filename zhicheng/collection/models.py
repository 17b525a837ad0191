"""The change log the national data collection (归集) pulls from: see changes.py for why it is correct."""

from __future__ import annotations

from django.db import models


class Change(models.Model):
    """One change of one title record (a certificate issued, revoked or imported). ``seq`` orders the
    changes in the order their transactions committed; a pull's cursor is the last ``seq`` it covered."""

    seq = models.BigAutoField(primary_key=True)
    number = models.CharField("证书编号", max_length=40, db_index=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "归集变更记录"
        ordering = ["seq"]

    def __str__(self):
        return f"#{self.seq} {self.number}"
