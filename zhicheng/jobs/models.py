"""Long work people start from a page (a Job, with its progress), the worker processes that run
it, and the record of which day's scheduled work has been queued."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhicheng.core import clock


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class JobQuerySet(models.QuerySet):
    def for_user(self, user):
        """A job is seen by whoever started it and by the staff of the organisation it was started for."""
        if not user.is_authenticated:
            return self.none()
        scope = Q(started_by=user)
        if user.organisation_id:
            scope |= Q(organisation_id=user.organisation_id)
        return self.filter(scope)


class Job(models.Model):
    """One piece of long work (an import, a bulk step, a re-screening) run by a background worker.

    The work itself is a django-tasks task; this row is what the person who started it sees:
    its progress, and at the end what was done and every refusal with its reason."""

    kind = models.CharField("类型", max_length=40)
    title = models.CharField("名称", max_length=200)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    params = models.JSONField("参数", default=dict)
    input_file = models.ForeignKey("files.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField("阶段", max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    # The business clock, like every date a person reads (the demo and training pin it); the queue's own
    # timestamps and the workers' heartbeats stay on real time.
    created_at = models.DateTimeField(default=clock.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]  # a pinned clock gives jobs the same minute

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class WorkerProcess(models.Model):
    """A running `zhicheng worker`: its heartbeat tells the others whether its jobs are still alive."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "后台任务进程"

    def __str__(self):
        return self.worker_id


class ScheduledRun(models.Model):
    """That one day's scheduled work has been queued. The unique key is what makes it run once a
    day however many workers look at the schedule at the same moment."""

    name = models.CharField(max_length=60)
    day = models.DateField()
    queued_at = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "定时任务记录"
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="one_scheduled_run_per_day")]

    def __str__(self):
        return f"{self.name} {self.day}"
