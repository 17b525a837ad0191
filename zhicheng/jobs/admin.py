from django.contrib import admin

from zhicheng.audit.admin_mixins import ReadOnlyAdmin

from .models import Job, ScheduledRun, WorkerProcess


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "done", "total", "started_by", "created_at", "finished_at")
    list_filter = ("kind", "status")


@admin.register(WorkerProcess)
class WorkerProcessAdmin(ReadOnlyAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at")


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "day", "queued_at", "task_id")
    list_filter = ("name",)
