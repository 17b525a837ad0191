import os
import socket

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from zhicheng.jobs.worker import ZhichengWorker


class Command(BaseCommand):
    help = "运行后台任务进程（django-tasks 数据库队列；定时任务；接管中断的任务）。可在多台机器上运行多个。"

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="*", help="要处理的队列，逗号分隔；* 为全部（默认）")
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒）")
        parser.add_argument("--batch", action="store_true", help="处理完当前排队的任务后退出")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--housekeeping-interval", type=float, default=30.0,
                            help="检查定时任务与中断任务的间隔（秒）")

    def handle(self, *args, queue, interval, batch, max_tasks, housekeeping_interval, verbosity, **options):
        import logging

        if verbosity > 0:
            for name in ("django_tasks", "django_tasks_db", "zhicheng.jobs"):
                log = logging.getLogger(name)
                log.setLevel(logging.INFO)
                if not log.hasHandlers():
                    log.addHandler(logging.StreamHandler(self.stdout))
        worker_id = f"{socket.gethostname()[:30]}:{os.getpid()}:{get_random_string(8)}"
        worker = ZhichengWorker(
            queue_names=queue.split(","), interval=interval, batch=batch, backend_name="default",
            startup_delay=not batch, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[],
            housekeeping_interval=housekeeping_interval,
        )
        worker.configure_signals()
        worker.run()
