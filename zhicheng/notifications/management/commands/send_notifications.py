from django.core.management.base import BaseCommand

from zhicheng.notifications.outbox import deliver


class Command(BaseCommand):
    help = "立即发送到期的待发邮件（后台进程会自动发送，此命令用于手工补发）"

    def handle(self, *args, **options):
        outcome = deliver()
        self.stdout.write(f"已发送 {outcome.sent} 封邮件；{outcome.retrying} 封发送失败，稍后重试；{outcome.given_up} 封已停止重试。")
