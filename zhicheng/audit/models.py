from django.db import models

CHANGE_REFUSED = "审计日志只能追加，不能修改。"
DELETE_REFUSED = "审计日志只能追加，不能删除。"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes go straight to SQL, past save() and delete(): refused here as well."""

    def update(self, **kwargs):
        raise PermissionError(CHANGE_REFUSED)

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError(CHANGE_REFUSED)

    def delete(self):
        raise PermissionError(DELETE_REFUSED)

    def _raw_delete(self, using):
        raise PermissionError(DELETE_REFUSED)


class AuditEntry(models.Model):
    """One append-only entry of the hash chain (倒查追责).

    ``entry_hash`` covers every other column and the previous entry's hash, so editing,
    deleting or inserting a row anywhere breaks the chain from that row on.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["seq"]
        # An object's entries, and those of a time: the v1 API's per-key rate limit counts a key's calls of the last
        # minute on every call (api.auth.check_rate), which on (object_type, object_id) alone read all its calls ever.
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(CHANGE_REFUSED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(DELETE_REFUSED)


class AuditHead(models.Model):
    """The chain's tip. Locking this single row serialises appends on every database.

    On PostgreSQL a trigger lets it move only one entry forward, to an entry that exists (migration 0002)."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
